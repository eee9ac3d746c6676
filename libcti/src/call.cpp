#include "cti/call.hpp"

#include "enum_names.hpp"
#include "quote.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <iterator>
#include <utility>

namespace cti {
namespace {

constexpr std::array k_call_states{
    std::pair{CallState::offering, std::string_view("offering")},
    std::pair{CallState::ringing, std::string_view("ringing")},
    std::pair{CallState::dialing, std::string_view("dialing")},
    std::pair{CallState::connected, std::string_view("connected")},
    std::pair{CallState::held, std::string_view("held")},
    std::pair{CallState::transferred, std::string_view("transferred")},
    std::pair{CallState::disconnected, std::string_view("disconnected")},
};

constexpr std::array k_outcomes{
    std::pair{ApplyOutcome::applied, std::string_view("applied")},
    std::pair{ApplyOutcome::duplicate, std::string_view("duplicate")},
    std::pair{ApplyOutcome::out_of_order, std::string_view("out_of_order")},
    std::pair{ApplyOutcome::unknown_call, std::string_view("unknown_call")},
    std::pair{ApplyOutcome::invalid, std::string_view("invalid")},
};

bool starts_a_call(CallEventType type) {
  return type == CallEventType::offering || type == CallEventType::ringing ||
         type == CallEventType::dialing;
}

bool ends_a_call(CallEventType type) {
  return type == CallEventType::transferred || type == CallEventType::disconnected;
}

/// Where an event leads from an active state: `applied` with the next state, `duplicate` when
/// the call is already where the event leads, or `out_of_order`.
struct Step {
  ApplyOutcome outcome = ApplyOutcome::applied;
  CallState next = CallState::offering;
};

Step step(CallState from, CallEventType type) {
  const auto to = [](CallState s) { return Step{ApplyOutcome::applied, s}; };
  const Step already{ApplyOutcome::duplicate, from};
  const Step refused{ApplyOutcome::out_of_order, from};
  switch (type) {
    case CallEventType::offering:
      return from == CallState::offering ? already : refused;
    case CallEventType::ringing:
      if (from == CallState::offering || from == CallState::dialing) return to(CallState::ringing);
      return from == CallState::ringing ? already : refused;
    case CallEventType::dialing:
      return from == CallState::dialing ? already : refused;
    case CallEventType::connected:
      // offering -> connected covers auto-answer; held -> connected covers PBXs that report
      // the end of a hold as a fresh "connected" instead of "retrieved".
      if (from == CallState::connected) return already;
      return to(CallState::connected);
    case CallEventType::held:
      if (from == CallState::connected) return to(CallState::held);
      return from == CallState::held ? already : refused;
    case CallEventType::retrieved:
      if (from == CallState::held) return to(CallState::connected);
      return from == CallState::connected ? already : refused;
    case CallEventType::transferred:
      return to(CallState::transferred);
    case CallEventType::disconnected:
      return to(CallState::disconnected);
  }
  return refused;
}

CallState initial_state(CallEventType type) {
  switch (type) {
    case CallEventType::ringing: return CallState::ringing;
    case CallEventType::dialing: return CallState::dialing;
    default: return CallState::offering;
  }
}

/// The end reason to record when the PBX gave none: a call nobody answered was either not
/// answered by the far end (we placed it) or given up by the caller (they placed it).
EndReason end_reason_for(const Call& call, const CallEvent& event) {
  if (event.type == CallEventType::transferred) {
    return EndReason::transferred;
  }
  if (event.end_reason != EndReason::none) {
    return event.end_reason;
  }
  if (call.was_connected) {
    return EndReason::unknown;
  }
  return call.direction == CallDirection::inbound ? EndReason::abandoned : EndReason::no_answer;
}

void fill_blank(std::string& field, const std::string& value) {
  if (field.empty()) {
    field = value;
  }
}

std::chrono::system_clock::time_point time_of(const CallEvent& event) {
  // An adapter that did not stamp the event: the time we saw it is the best we have.
  return event.occurred_at == std::chrono::system_clock::time_point{}
             ? std::chrono::system_clock::now()
             : event.occurred_at;
}

ApplyResult ignored(ApplyOutcome outcome, std::string reason, std::optional<Call> call = {}) {
  return ApplyResult{outcome, std::move(reason), std::move(call)};
}

std::string name_of(const CallEvent& event) {
  // Appended rather than concatenated: g++ 12 -O3 gives a false -Wrestrict on the latter.
  std::string name(1, '"');
  name.append(to_string(event.type));
  name.push_back('"');
  return name;
}

}  // namespace

std::string_view to_string(CallState state) noexcept {
  return detail::name_of(k_call_states, state);
}

std::string_view to_string(ApplyOutcome outcome) noexcept {
  return detail::name_of(k_outcomes, outcome);
}

CallTracker::CallTracker(std::size_t ended_calls_kept, std::size_t max_active_calls)
    : m_ended_kept(ended_calls_kept), m_max_active(std::max<std::size_t>(max_active_calls, 1)) {}

ApplyResult CallTracker::apply(const CallEvent& event) {
  std::lock_guard lock(m_mutex);
  ApplyResult result = apply_locked(event);
  switch (result.outcome) {
    case ApplyOutcome::applied: ++m_counters.applied; break;
    case ApplyOutcome::duplicate: ++m_counters.duplicate; break;
    case ApplyOutcome::out_of_order: ++m_counters.out_of_order; break;
    case ApplyOutcome::unknown_call: ++m_counters.unknown_call; break;
    case ApplyOutcome::invalid: ++m_counters.invalid; break;
  }
  return result;
}

ApplyResult CallTracker::apply_locked(const CallEvent& event) {
  using detail::quote;
  if (event.call_id.empty()) {
    return ignored(ApplyOutcome::invalid, name_of(event) + " event has no call id");
  }
  if (event.extension.empty()) {
    return ignored(ApplyOutcome::invalid, name_of(event) + " event for call " +
                                              quote(event.call_id) + " has no extension");
  }

  const auto it = m_calls.find(event.call_id);
  if (it == m_calls.end()) {
    if (!starts_a_call(event.type)) {
      return ignored(ApplyOutcome::unknown_call,
                     name_of(event) + " for unknown call " + quote(event.call_id));
    }
    return start_call(event);
  }

  Call& call = it->second.call;
  if (!call.is_active()) {
    if (starts_a_call(event.type) && event.extension != call.extension) {
      // The same call now rings someone else: the target of a transfer, or the next agent of
      // a queue after this one did not answer. That is a new leg; the ended one gives way.
      // Searched from the newest end: a leg that just ended is the usual case.
      const auto ended = std::find(m_ended_order.rbegin(), m_ended_order.rend(), call.id);
      assert(ended != m_ended_order.rend() && "every ended call is in the ended-call list");
      if (ended != m_ended_order.rend()) {
        m_ended_order.erase(std::next(ended).base());
      }
      Call previous = std::move(call);
      m_calls.erase(it);
      ApplyResult started = start_call(event);
      // The new leg is the same caller: what the PBX told us about them still holds (the
      // transfer target's screen pop needs the IVR data even when the PBX does not repeat it).
      Call& leg = m_calls.at(previous.id).call;
      fill_blank(leg.ani, previous.ani);
      fill_blank(leg.dnis, previous.dnis);
      fill_blank(leg.ivr_data, previous.ivr_data);
      started.call = leg;
      return started;
    }
    if (event.extension != call.extension) {
      return ignored(ApplyOutcome::out_of_order,
                     name_of(event) + " for call " + quote(event.call_id) + " at extension " +
                         quote(event.extension) + ", but the call ended at extension " +
                         quote(call.extension),
                     call);
    }
    // Another end is redundant; anything else arrived too late.
    return ignored(
        ends_a_call(event.type) ? ApplyOutcome::duplicate : ApplyOutcome::out_of_order,
        name_of(event) + " for call " + quote(event.call_id) + ", which already ended (" +
            std::string(to_string(call.state)) + ")",
        call);
  }

  if (event.extension != call.extension) {
    return ignored(ApplyOutcome::out_of_order,
                   name_of(event) + " for call " + quote(event.call_id) + " at extension " +
                       quote(event.extension) + ", but the call is at extension " +
                       quote(call.extension),
                   call);
  }

  const Step next = step(call.state, event.type);
  if (next.outcome == ApplyOutcome::duplicate) {
    return ignored(ApplyOutcome::duplicate,
                   name_of(event) + " for call " + quote(event.call_id) + ", which is already " +
                       std::string(to_string(call.state)),
                   call);
  }
  if (next.outcome != ApplyOutcome::applied) {
    return ignored(next.outcome,
                   name_of(event) + " is not valid for call " + quote(event.call_id) +
                       " while it is " + std::string(to_string(call.state)),
                   call);
  }

  const auto at = time_of(event);
  fill_blank(call.ani, event.ani);
  fill_blank(call.dnis, event.dnis);
  fill_blank(call.ivr_data, event.ivr_data);
  call.state = next.next;
  if (call.state == CallState::connected && !call.was_connected) {
    call.was_connected = true;
    call.connected_at = at;
  }
  ApplyResult result{ApplyOutcome::applied, {}, std::nullopt};
  if (!call.is_active()) {
    call.end_reason = end_reason_for(call, event);
    call.ended_at = at;
    if (event.type == CallEventType::transferred) {
      call.transfer_target = event.transfer_target;
    }
    result.call = call;
    m_active.erase(it->second.serial);
    retire(call.id);  // may evict this very call when nothing is kept
    return result;
  }
  result.call = call;
  return result;
}

ApplyResult CallTracker::start_call(const CallEvent& event) {
  Call call;
  call.id = event.call_id;
  call.extension = event.extension;
  call.ani = event.ani;
  call.dnis = event.dnis;
  call.ivr_data = event.ivr_data;
  call.direction = event.direction;
  // `inbound` is also the field's default: an adapter that sends `dialing` without setting a
  // direction still means a call the agent places.
  if (event.type == CallEventType::dialing && call.direction == CallDirection::inbound) {
    call.direction = CallDirection::outbound;
  }
  call.state = initial_state(event.type);
  call.started_at = time_of(event);

  while (m_active.size() >= m_max_active) {
    evict_oldest_active();
  }
  Entry& entry = m_calls[call.id];
  entry.call = std::move(call);
  entry.serial = m_next_serial++;
  m_active.emplace(entry.serial, entry.call.id);
  return ApplyResult{ApplyOutcome::applied, {}, entry.call};
}

void CallTracker::evict_oldest_active() {
  const auto oldest = m_active.begin();
  std::string id = oldest->second;
  m_active.erase(oldest);
  const auto it = m_calls.find(id);
  assert(it != m_calls.end() && it->second.call.is_active() && "m_active names only active calls");
  if (it != m_calls.end()) {
    Call& call = it->second.call;
    call.state = CallState::disconnected;
    call.end_reason = EndReason::unknown;
    call.ended_at = std::chrono::system_clock::now();
  }
  ++m_counters.evicted;
  retire(std::move(id));
}

void CallTracker::retire(std::string call_id) {
  m_ended_order.push_back(std::move(call_id));
  while (m_ended_order.size() > m_ended_kept) {
    const auto it = m_calls.find(m_ended_order.front());
    assert(it != m_calls.end() && !it->second.call.is_active() &&
           "the ended-call list names only ended calls");
    if (it != m_calls.end()) {
      m_calls.erase(it);
    }
    m_ended_order.pop_front();
  }
}

std::optional<Call> CallTracker::find(std::string_view call_id) const {
  std::lock_guard lock(m_mutex);
  const auto it = m_calls.find(std::string(call_id));
  if (it == m_calls.end()) {
    return std::nullopt;
  }
  return it->second.call;
}

std::vector<Call> CallTracker::active_calls(std::string_view extension) const {
  std::lock_guard lock(m_mutex);
  std::vector<const Entry*> found;
  for (const auto& [id, entry] : m_calls) {
    if (entry.call.is_active() && entry.call.extension == extension) {
      found.push_back(&entry);
    }
  }
  std::sort(found.begin(), found.end(),
            [](const Entry* a, const Entry* b) { return a->serial < b->serial; });
  std::vector<Call> calls;
  calls.reserve(found.size());
  for (const Entry* entry : found) {
    calls.push_back(entry->call);
  }
  return calls;
}

std::size_t CallTracker::active_count() const {
  std::lock_guard lock(m_mutex);
  return m_active.size();
}

TrackerCounters CallTracker::counters() const {
  std::lock_guard lock(m_mutex);
  return m_counters;
}

}  // namespace cti
