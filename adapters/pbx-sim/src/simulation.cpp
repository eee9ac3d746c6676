#include "simulation.hpp"

#include <algorithm>
#include <cmath>

namespace cti::adapters::pbx_sim::detail {

bool transition_allowed(std::optional<CallState> from, CallEventType type) noexcept {
  if (!from) {
    return type == CallEventType::offering || type == CallEventType::ringing ||
           type == CallEventType::dialing;
  }
  const CallState state = *from;
  if (state == CallState::transferred || state == CallState::disconnected) {
    return false;
  }
  switch (type) {
    case CallEventType::offering:
    case CallEventType::dialing:
      return false;
    case CallEventType::ringing:
      return state == CallState::offering || state == CallState::dialing;
    case CallEventType::connected:
      return state == CallState::offering || state == CallState::ringing ||
             state == CallState::dialing;
    case CallEventType::held:
      return state == CallState::connected;
    case CallEventType::retrieved:
      return state == CallState::held;
    case CallEventType::transferred:
    case CallEventType::disconnected:
      return true;
  }
  return false;
}

CallState state_after(CallEventType type) noexcept {
  switch (type) {
    case CallEventType::offering:
      return CallState::offering;
    case CallEventType::ringing:
      return CallState::ringing;
    case CallEventType::dialing:
      return CallState::dialing;
    case CallEventType::connected:
    case CallEventType::retrieved:
      return CallState::connected;
    case CallEventType::held:
      return CallState::held;
    case CallEventType::transferred:
      return CallState::transferred;
    case CallEventType::disconnected:
      return CallState::disconnected;
  }
  return CallState::disconnected;
}

Simulation::Simulation(const Config& config, Scenario scenario)
    : m_config(config), m_load(std::move(scenario.load)) {
  for (auto& step : scenario.steps) {
    schedule(step.at, std::move(step.event));
  }
  if (m_load) {
    m_rng.seed(m_load->seed);
    if (m_load->calls_per_second > 0 && !m_load->extensions.empty() && !m_load->anis.empty()) {
      schedule_load(m_load->start_at);
    }
  }
}

std::optional<Millis> Simulation::next_due() const {
  if (m_queue.empty()) {
    return std::nullopt;
  }
  return m_queue.top().at;
}

void Simulation::take_due(Millis until, std::vector<TimedEvent>& out) {
  while (!m_queue.empty() && m_queue.top().at <= until) {
    Pending pending = m_queue.top();
    m_queue.pop();
    if (pending.load_trigger) {
      generate_load_call(pending.at);
      continue;
    }
    if (!pending.applied && !apply(pending.event)) {
      ++m_skipped;
      continue;
    }
    out.push_back({pending.at, std::move(pending.event)});
  }
}

bool Simulation::apply(const CallEvent& event) {
  auto it = m_calls.find(event.call_id);
  std::optional<CallState> from;
  if (it != m_calls.end()) {
    from = it->second.state;
  }
  if (!transition_allowed(from, event.type)) {
    return false;
  }
  const CallState to = state_after(event.type);
  if (to == CallState::transferred || to == CallState::disconnected) {
    // Ended calls are forgotten: a later step for the same id no longer fits and is skipped.
    if (it != m_calls.end()) {
      m_calls.erase(it);
    }
    return true;
  }
  if (it == m_calls.end()) {
    it = m_calls.emplace(event.call_id, LiveCall{}).first;
  }
  it->second.fields = event;
  it->second.state = to;
  return true;
}

void Simulation::schedule(Millis at, CallEvent event, bool applied) {
  m_queue.push(Pending{at, m_next_seq++, std::move(event), applied, false});
}

void Simulation::schedule_load(Millis at) {
  m_queue.push(Pending{at, m_next_seq++, CallEvent{}, false, true});
}

std::uint64_t Simulation::draw(std::uint64_t bound) {
  // Modulo keeps the sequence identical on every standard library (the distributions are
  // implementation-defined); the bias is negligible for lists this short.
  return bound == 0 ? 0 : m_rng() % bound;
}

Millis Simulation::draw(const DurationRange& range) {
  const auto span = static_cast<std::uint64_t>((range.max - range.min).count());
  return range.min + Millis(static_cast<Millis::rep>(draw(span + 1)));
}

void Simulation::generate_load_call(Millis at) {
  const LoadProfile& load = *m_load;
  const std::uint64_t index = m_load_started++;
  CallEvent event;
  event.type = CallEventType::ringing;
  event.call_id = load.call_id_prefix + std::to_string(index + 1);
  event.extension = load.extensions[index % load.extensions.size()];
  event.ani = load.anis[draw(load.anis.size())];
  event.dnis = load.dnis;
  event.direction = CallDirection::inbound;
  if (!load.ivr_data.empty()) {
    event.ivr_data = load.ivr_data[draw(load.ivr_data.size())];
  }
  const Millis ring = draw(load.ring);
  const Millis talk = draw(load.talk);
  schedule(at, event);
  event.type = CallEventType::connected;
  schedule(at + ring, event);
  event.type = CallEventType::disconnected;
  event.end_reason = EndReason::remote_hangup;
  schedule(at + ring + talk, std::move(event));

  if (load.calls == 0 || m_load_started < load.calls) {
    // Computed from the index, not added up, so rounding never drifts the rate.
    const double offset_ms =
        std::floor(static_cast<double>(m_load_started) * 1000.0 / load.calls_per_second);
    schedule_load(load.start_at + Millis(static_cast<Millis::rep>(offset_ms)));
  }
}

namespace {

bool is_dial_digit(char c) {
  return (c >= '0' && c <= '9') || c == '*' || c == '#' || c == '+';
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

Result<std::string> Simulation::make_call(Millis now, std::string_view extension,
                                          std::string_view digits) {
  if (extension.empty() || extension.size() > k_max_extension) {
    return fail(ErrorCode::invalid_input, "make_call: the extension must be 1 to 32 characters");
  }
  if (digits.empty() || digits.size() > k_max_number ||
      !std::all_of(digits.begin(), digits.end(), is_dial_digit)) {
    return fail(ErrorCode::invalid_input,
                "make_call: the number must be 1 to 64 of 0-9 * # +, got '" +
                    std::string(digits.substr(0, k_max_number)) + "'");
  }
  CallEvent event;
  event.call_id = m_config.call_id_prefix + std::to_string(m_next_call++);
  event.extension = std::string(extension);
  event.ani = std::string(digits);
  event.dnis = std::string(digits);
  event.direction = CallDirection::outbound;
  event.type = CallEventType::dialing;
  apply(event);
  schedule(now, event, true);

  const auto failure =
      std::find_if(m_config.dial_failures.begin(), m_config.dial_failures.end(),
                   [&](const DialFailure& rule) { return ends_with(digits, rule.suffix); });
  if (failure != m_config.dial_failures.end()) {
    event.type = CallEventType::disconnected;
    event.end_reason = failure->end_reason;
    schedule(now + m_config.fail_after, event);
    return event.call_id;
  }
  event.type = CallEventType::connected;
  schedule(now + m_config.answer_after, event);
  if (m_config.talk_time.count() > 0) {
    event.type = CallEventType::disconnected;
    event.end_reason = EndReason::remote_hangup;
    schedule(now + m_config.answer_after + m_config.talk_time, event);
  }
  return event.call_id;
}

Result<void> Simulation::command(Millis now, std::string_view call_id, CallState required,
                                 CallEventType type, EndReason reason, std::string_view verb) {
  auto it = m_calls.find(std::string(call_id));
  if (it == m_calls.end()) {
    return fail(ErrorCode::not_found,
                std::string(verb) + ": no active call '" + std::string(call_id.substr(0, k_max_call_id)) + "'");
  }
  const CallState state = it->second.state;
  const bool fits = type == CallEventType::disconnected ||
                    (type == CallEventType::connected
                         ? (state == CallState::ringing || state == CallState::offering)
                         : state == required);
  if (!fits) {
    return fail(ErrorCode::conflict, std::string(verb) + ": call '" + std::string(call_id) +
                                         "' is " + std::string(to_string(state)));
  }
  CallEvent event = it->second.fields;
  event.type = type;
  event.end_reason = reason;
  event.transfer_target.clear();
  event.occurred_at = {};
  apply(event);
  schedule(now, std::move(event), true);
  return {};
}

Result<void> Simulation::answer(Millis now, std::string_view call_id) {
  return command(now, call_id, CallState::ringing, CallEventType::connected, EndReason::none,
                 "answer");
}

Result<void> Simulation::hangup(Millis now, std::string_view call_id) {
  return command(now, call_id, CallState::connected, CallEventType::disconnected,
                 EndReason::local_hangup, "hangup");
}

Result<void> Simulation::hold(Millis now, std::string_view call_id) {
  return command(now, call_id, CallState::connected, CallEventType::held, EndReason::none, "hold");
}

Result<void> Simulation::retrieve(Millis now, std::string_view call_id) {
  return command(now, call_id, CallState::held, CallEventType::retrieved, EndReason::none,
                 "retrieve");
}

}  // namespace cti::adapters::pbx_sim::detail
