#pragma once
// Call and CallTracker: the authoritative state of every live call, fed by CallEvents.
// The tracker absorbs what real PBXs send (duplicates, late or out-of-order events, events
// for calls it never saw): each is counted and reported, none is fatal.

#include "cti/call_event.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cti {

enum class CallState {
  offering,      ///< known, not yet ringing at the agent
  ringing,
  dialing,       ///< outbound, being placed
  connected,
  held,
  transferred,   ///< ended for this agent by a transfer (terminal)
  disconnected,  ///< ended (terminal)
};

std::string_view to_string(CallState state) noexcept;

/// A snapshot of one call.
struct Call {
  std::string id;
  std::string extension;
  std::string ani;
  std::string dnis;
  std::string ivr_data;
  CallDirection direction = CallDirection::inbound;
  CallState state = CallState::offering;
  EndReason end_reason = EndReason::none;
  std::string transfer_target;
  bool was_connected = false;
  std::chrono::system_clock::time_point started_at{};
  std::chrono::system_clock::time_point connected_at{};
  std::chrono::system_clock::time_point ended_at{};

  bool is_active() const noexcept {
    return state != CallState::transferred && state != CallState::disconnected;
  }
};

/// What happened to one event given to CallTracker::apply.
enum class ApplyOutcome {
  applied,       ///< the call changed state
  duplicate,     ///< the call was already in the state the event leads to; ignored
  out_of_order,  ///< the event is not valid from the call's current state; ignored
  unknown_call,  ///< the event is for a call the tracker does not know and cannot start one
  invalid,       ///< the event itself is malformed (empty call id, missing extension)
};

std::string_view to_string(ApplyOutcome outcome) noexcept;

struct ApplyResult {
  ApplyOutcome outcome = ApplyOutcome::applied;
  std::string reason;         ///< why the event was ignored (empty when applied)
  std::optional<Call> call;   ///< the call after the event, when the tracker knows it
};

/// Counters of absorbed anomalies, for metrics.
struct TrackerCounters {
  std::uint64_t applied = 0;
  std::uint64_t duplicate = 0;
  std::uint64_t out_of_order = 0;
  std::uint64_t unknown_call = 0;
  std::uint64_t invalid = 0;
  /// Active calls ended by the tracker itself to stay within max_active_calls (a PBX that
  /// loses call ends, or a flood of calls that never end).
  std::uint64_t evicted = 0;
};

/// The state machine and registry of calls. Thread-safe.
///
/// Valid transitions:
///   (new)      -offering->  offering   -ringing-> ringing   -connected-> connected
///   (new)      -ringing->   ringing    (new) -dialing-> dialing -ringing|connected-> ...
///   offering   -connected-> connected  (auto-answer)
///   connected  -held->      held       -retrieved|connected-> connected
///   any active -transferred-> transferred        any active -disconnected-> disconnected
/// A disconnect that never saw `connected` gets end reason no_answer / abandoned when the
/// PBX gave none (unknown if it did connect). Ended calls are kept (bounded) so late events
/// are recognised as such. An offering/ringing/dialing for an ended call at another
/// extension (a transfer target, the next agent of a queue) starts a new leg that replaces
/// the ended one and keeps its ANI, DNIS and IVR data. Events for an active call at another
/// extension than the call's are out_of_order. Later events fill in blank ANI, DNIS and IVR
/// data; ignored events change nothing. An event without occurred_at is stamped on arrival.
/// At most max_active_calls calls are active: a new call beyond that ends the oldest active
/// one (end reason unknown; counted as evicted), so memory stays bounded whatever the PBX
/// sends.
class CallTracker {
 public:
  explicit CallTracker(std::size_t ended_calls_kept = 1024, std::size_t max_active_calls = 100000);

  ApplyResult apply(const CallEvent& event);

  std::optional<Call> find(std::string_view call_id) const;
  /// Active calls of one agent, oldest first.
  std::vector<Call> active_calls(std::string_view extension) const;
  std::size_t active_count() const;
  TrackerCounters counters() const;

 private:
  struct Entry {
    Call call;
    std::uint64_t serial = 0;  // creation order: "oldest first" must not trust PBX clocks
  };

  ApplyResult apply_locked(const CallEvent& event);
  ApplyResult start_call(const CallEvent& event);
  void retire(std::string call_id);
  void evict_oldest_active();

  mutable std::mutex m_mutex;
  std::unordered_map<std::string, Entry> m_calls;
  std::deque<std::string> m_ended_order;  // ended call ids, oldest first
  std::map<std::uint64_t, std::string> m_active;  // serial -> id of every active call
  std::size_t m_ended_kept;
  std::size_t m_max_active;
  std::uint64_t m_next_serial = 0;
  TrackerCounters m_counters;
};

}  // namespace cti
