#pragma once
// Simulation: the simulated PBX's single-threaded core, a timeline of pending events and
// the state of every live call. It knows nothing of threads or clocks; the two connectors
// in pbx_sim_adapter.cpp drive it (real time on a thread, or a manual clock).

#include "cti/adapters/pbx_sim/pbx_sim_adapter.hpp"
#include "cti/call.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace cti::adapters::pbx_sim::detail {

using Millis = std::chrono::milliseconds;

/// May a call in state `from` (nullopt: not yet known) take `type`? Mirrors CallTracker.
bool transition_allowed(std::optional<CallState> from, CallEventType type) noexcept;

/// The state a call is in after `type`.
CallState state_after(CallEventType type) noexcept;

struct TimedEvent {
  Millis at{0};
  CallEvent event;
};

class Simulation {
 public:
  Simulation(const Config& config, Scenario scenario);

  /// When the next pending event is due.
  std::optional<Millis> next_due() const;
  /// Applies every event due at or before `until`, in time order, appending the ones to
  /// deliver. A scripted step that no longer fits its call (a command changed the call
  /// first) is skipped and counted.
  void take_due(Millis until, std::vector<TimedEvent>& out);

  Result<std::string> make_call(Millis now, std::string_view extension, std::string_view digits);
  Result<void> answer(Millis now, std::string_view call_id);
  Result<void> hangup(Millis now, std::string_view call_id);
  Result<void> hold(Millis now, std::string_view call_id);
  Result<void> retrieve(Millis now, std::string_view call_id);

  std::size_t active_calls() const { return m_calls.size(); }
  std::uint64_t skipped_steps() const { return m_skipped; }

 private:
  struct Pending {
    Millis at{0};
    std::uint64_t seq = 0;  // ties keep the order of scheduling
    CallEvent event;
    bool applied = false;   // a command's event: the call already changed
    bool load_trigger = false;
  };
  struct Later {
    bool operator()(const Pending& a, const Pending& b) const {
      return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
  };
  struct LiveCall {
    CallEvent fields;  // call id, extension, numbers, direction, ivr data of the last event
    CallState state = CallState::offering;
  };

  void schedule(Millis at, CallEvent event, bool applied = false);
  void schedule_load(Millis at);
  void generate_load_call(Millis at);
  bool apply(const CallEvent& event);
  Result<void> command(Millis now, std::string_view call_id, CallState required,
                       CallEventType type, EndReason reason, std::string_view verb);
  std::uint64_t draw(std::uint64_t bound);
  Millis draw(const DurationRange& range);

  Config m_config;
  std::optional<LoadProfile> m_load;
  std::priority_queue<Pending, std::vector<Pending>, Later> m_queue;
  std::unordered_map<std::string, LiveCall> m_calls;
  std::uint64_t m_next_seq = 0;
  std::uint64_t m_next_call = 1;
  std::uint64_t m_load_started = 0;
  std::uint64_t m_skipped = 0;
  std::mt19937_64 m_rng;  // fully specified by the standard: same seed, same calls everywhere
};

}  // namespace cti::adapters::pbx_sim::detail
