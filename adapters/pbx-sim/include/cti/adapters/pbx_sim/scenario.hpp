#pragma once
// Scenario: what the simulated PBX plays. Scripted calls (each a list of timed steps) and an
// optional load profile that generates calls at a steady rate. The file format is described
// in examples/scenarios/README.md.

#include "cti/call_event.hpp"
#include "cti/result.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cti::adapters::pbx_sim {

/// Upper bounds on the text fields of a simulated call (the same as the webhook's).
inline constexpr std::size_t k_max_call_id = 128;
inline constexpr std::size_t k_max_extension = 32;
inline constexpr std::size_t k_max_number = 64;  ///< ani, dnis, transfer_target, dialled digits
inline constexpr std::size_t k_max_ivr_data = 1024;

/// One scripted event: the complete CallEvent (call fields already resolved) and when it
/// happens. occurred_at is stamped when the step is played.
struct ScenarioStep {
  std::chrono::milliseconds at{0};  ///< offset from the start of the scenario
  CallEvent event;
};

/// A range of durations; each generated call draws a value uniformly from [min, max].
struct DurationRange {
  std::chrono::milliseconds min{0};
  std::chrono::milliseconds max{0};
};

/// Generated traffic: inbound calls at a steady rate, spread over agents round-robin, each
/// ringing -> connected -> disconnected (remote_hangup). Deterministic for a given seed.
struct LoadProfile {
  double calls_per_second = 1.0;        ///< > 0; calls start every 1000/rate ms
  std::uint64_t calls = 0;              ///< how many calls in all; 0 = until stop()
  std::chrono::milliseconds start_at{0};  ///< offset of the first call
  std::vector<std::string> extensions;  ///< agents, in round-robin order (never empty)
  std::vector<std::string> anis;        ///< caller IDs drawn at random (never empty)
  std::vector<std::string> ivr_data;    ///< IVR data drawn at random; empty = none
  std::string dnis;                     ///< number dialled by every caller
  DurationRange ring{std::chrono::milliseconds(2000), std::chrono::milliseconds(2000)};
  DurationRange talk{std::chrono::milliseconds(30000), std::chrono::milliseconds(30000)};
  std::uint64_t seed = 1;               ///< same seed, same calls
  std::string call_id_prefix = "load-";  ///< generated ids: load-1, load-2, ...
};

/// A whole scenario: every scripted step sorted by time (ties keep file order), plus load.
struct Scenario {
  std::vector<ScenarioStep> steps;
  std::optional<LoadProfile> load;
};

/// Parses scenario YAML. `source_name` prefixes error messages ("file.yaml:3:9: ...");
/// `base_dir` resolves a relative `ani_file`. Every error names the line, column and key.
Result<Scenario> parse_scenario(std::string_view yaml_text, std::string_view source_name,
                                std::string_view base_dir = ".");

/// Reads and parses a scenario file; relative paths inside it resolve against its folder.
Result<Scenario> load_scenario_file(const std::string& path);

/// Reads a list of numbers, one per line; blank lines and lines starting with '#' are skipped.
Result<std::vector<std::string>> load_number_list(const std::string& path);

}  // namespace cti::adapters::pbx_sim
