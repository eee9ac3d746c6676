#pragma once
// The wire format of posted CallEvents (docs/webhook.md): parsing a request body into
// validated CallEvents, and the RFC 3339 times they carry.

#include "cti/call_event.hpp"
#include "cti/result.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cti::adapters::webhook::detail {

inline constexpr std::size_t k_max_call_id = 128;
inline constexpr std::size_t k_max_extension = 32;
inline constexpr std::size_t k_max_number = 64;  // ani, dnis, transfer_target
inline constexpr std::size_t k_max_ivr_data = 1024;

/// Why a body was refused: not JSON at all (400) or JSON with a bad event in it (422).
enum class BodyProblem { malformed, invalid };

struct BodyError {
  BodyProblem problem = BodyProblem::invalid;
  std::string message;  ///< names the event and field: "events[2].ani: longer than 64 ..."
};

/// Parses a body holding one event object or an array of 1..max_batch of them. Every event
/// is validated before any is returned. Events without occurred_at get `received_at`.
/// Returns the events, or fills `error` and returns an empty vector.
std::vector<CallEvent> parse_events(std::string_view body, std::size_t max_batch,
                                    std::chrono::system_clock::time_point received_at,
                                    BodyError& error);

/// Strict RFC 3339: "2024-05-01T12:00:00Z", optional fraction, Z or +hh:mm / -hh:mm.
Result<std::chrono::system_clock::time_point> parse_time(std::string_view text);

/// True when `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool valid_utf8(std::string_view text) noexcept;

}  // namespace cti::adapters::webhook::detail
