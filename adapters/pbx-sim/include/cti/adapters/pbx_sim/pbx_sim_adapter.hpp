#pragma once
// The simulated PBX adapter: plays scenario files (scripted calls and generated load) as
// CallEvents, and simulates the calls that make_call places. For demos, load tests and tests
// of everything above the PbxConnector port.

#include "cti/adapters/pbx_sim/scenario.hpp"
#include "cti/call_event.hpp"
#include "cti/pbx_connector.hpp"
#include "cti/result.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace cti::adapters::pbx_sim {

/// How a make_call to a number ending in `suffix` fails: dialing -> disconnected(end_reason).
struct DialFailure {
  std::string suffix;                       ///< matched against the end of the dialled digits
  EndReason end_reason = EndReason::busy;   ///< busy, no_answer or failed
};

/// Settings of one simulated PBX (YAML key `pbx-sim`).
struct Config {
  /// Scenario file played from start() (YAML `scenario`); empty: play `scenario` below.
  std::string scenario_file;
  /// Scenario played when scenario_file is empty; ctictl builds one in memory. Default: none.
  Scenario scenario;
  /// make_call: dialing -> connected after this long (YAML `answer_after_ms`, default 3000).
  std::chrono::milliseconds answer_after{3000};
  /// make_call: connected -> disconnected(remote_hangup) after this long; 0 = until hung up
  /// (YAML `talk_time_ms`, default 30000).
  std::chrono::milliseconds talk_time{30000};
  /// make_call to a failing number: dialing -> disconnected after this long
  /// (YAML `fail_after_ms`, default 2000).
  std::chrono::milliseconds fail_after{2000};
  /// Numbers that fail, first matching suffix wins (YAML `dial_failures`: map suffix ->
  /// end reason). Default: a number ending in 0000 is busy.
  std::vector<DialFailure> dial_failures{{"0000", EndReason::busy}};
  /// Ids of calls placed by make_call: <prefix>1, <prefix>2, ... (YAML `call_id_prefix`).
  std::string call_id_prefix = "sim-";
};

/// Reads the `pbx-sim` YAML node. Every error names the offending key.
Result<Config> parse_config(const YAML::Node& node);

/// The real-time simulator: plays on its own thread against the steady clock, so a step
/// `at: 3000` is delivered three seconds after start(). Events carry the wall time.
std::unique_ptr<PbxConnector> make_pbx_connector(const Config& config);

/// A simulator whose clock is manual: time moves only when advance() or run_until_idle() is
/// called, and due events are delivered in that caller's thread, in order. Tests assert exact
/// sequences with it; ctictl simulate plays whole scenarios in an instant with it.
/// Commands (make_call, answer, ...) change the call at once and queue their event at now():
/// it is delivered by the next advance(), even advance(0ms). Use from one thread.
class SteppedPbx : public PbxConnector {
 public:
  /// Simulation time since start().
  virtual std::chrono::milliseconds now() const = 0;
  /// When the next event is due, if anything is scheduled.
  virtual std::optional<std::chrono::milliseconds> next_due() const = 0;
  /// Moves time forward by `step`, delivering every event due on the way.
  virtual void advance(std::chrono::milliseconds step) = 0;
  /// Jumps from one due event to the next until nothing is scheduled or the next one lies
  /// beyond `limit` (simulation time); time then stays at the last event delivered.
  virtual void run_until_idle(std::chrono::milliseconds limit = std::chrono::milliseconds::max()) = 0;
};

/// A simulator with a manual clock; simulation time 0 is wall time `epoch` in the events.
std::unique_ptr<SteppedPbx> make_stepped_pbx(const Config& config,
                                             std::chrono::system_clock::time_point epoch);

}  // namespace cti::adapters::pbx_sim
