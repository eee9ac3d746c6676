#pragma once
// The sending side of the webhook protocol (docs/webhook.md): how a PBX, `ctictl simulate`
// and the adapter's own MakeCall sign and post JSON. Kept beside the receiving side so both
// always agree on the wire format.

#include "cti/call_event.hpp"
#include "cti/result.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace cti::adapters::webhook {

inline constexpr std::string_view k_timestamp_header = "X-CTI-Timestamp";
inline constexpr std::string_view k_signature_header = "X-CTI-Signature";
inline constexpr std::string_view k_events_path = "/pbx/v1/events";

/// "sha256=" + lower-case hex HMAC-SHA256 keyed with `secret` over "<timestamp>.<body>".
std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body);

/// One CallEvent as a JSON object in the wire format; empty optional fields are left out,
/// occurred_at is written (RFC 3339, UTC, milliseconds) when set.
std::string to_json(const CallEvent& event);

/// Formats a time as RFC 3339 UTC with milliseconds ("2024-05-01T12:00:00.123Z").
std::string format_time(std::chrono::system_clock::time_point time);

/// Options of one signed POST.
struct PostOptions {
  std::chrono::milliseconds timeout{5000};  ///< connect, send and receive deadline
  bool insecure_tls = false;                ///< accept any server certificate (development)
  std::string ca_file;                      ///< trust this CA (PEM) instead of the system's
};

/// The server's answer; any HTTP status is a reply, not an error.
struct PostReply {
  int status = 0;
  std::string body;  ///< at most 64 KiB is read
};

/// A person's reading of an error reply: "code: message" from the product's error shape
/// `{"error":{"code","message"}}`, else a short printable excerpt of the body.
std::string describe_error_body(std::string_view body);

/// POSTs `body` as application/json to an http or https `url`, signed with `secret` at time
/// `now`. Errors: invalid_input (bad URL), timeout, unavailable (refused, DNS, TLS).
Result<PostReply> post_signed(std::string_view url, std::string_view secret,
                              std::string_view body, const PostOptions& options,
                              std::chrono::system_clock::time_point now);

}  // namespace cti::adapters::webhook
