#include "proxy_service.hpp"

#include "json_writer.hpp"
#include "match_json.hpp"

#include "sfmatch/match_plan.hpp"
#include "sfmatch/pop_decision.hpp"

#include <algorithm>

namespace sfproxy {

using cti::app::JsonWriter;

namespace {

std::string pop_key(std::string_view call_id, std::string_view extension) {
  std::string key;
  key.reserve(call_id.size() + extension.size() + 1);
  key.append(call_id).push_back('\n');
  key.append(extension);
  return key;
}

std::int64_t epoch_ms(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

std::string call_json(const cti::Call& call, bool popped) {
  JsonWriter json;
  json.begin_object();
  json.field("call_id", call.id);
  json.field("extension", call.extension);
  json.field("state", cti::to_string(call.state));
  json.field("direction", cti::to_string(call.direction));
  json.field("ani", call.ani);
  json.field("dnis", call.dnis);
  json.field("ivr_data", call.ivr_data);
  json.field("end_reason", cti::to_string(call.end_reason));
  json.field("transfer_target", call.transfer_target);
  json.field("popped", popped);
  json.field("started_at", epoch_ms(call.started_at));
  json.end_object();
  return std::move(json).str();
}

// The best plan the call's data allows: bad IVR data does not cost the caller-ID lookup,
// and a bad caller ID does not cost the IVR lookup.
sfmatch::MatchPlan plan_for(const cti::Call& call, const sfmatch::MatchSettings& settings,
                            std::string& warning) {
  auto plan = sfmatch::build_match_plan({call.ivr_data, call.ani}, settings);
  if (plan) {
    return std::move(*plan);
  }
  warning = plan.error().message;
  if (auto ani_only = sfmatch::build_match_plan({"", call.ani}, settings)) {
    return std::move(*ani_only);
  }
  if (auto ivr_only = sfmatch::build_match_plan({call.ivr_data, ""}, settings)) {
    return std::move(*ivr_only);
  }
  return {};
}

}  // namespace

std::string_view to_string(MatchMode mode) noexcept {
  return mode == MatchMode::server ? "server" : "agent";
}

cti::Result<MatchMode> parse_match_mode(std::string_view text) {
  if (text == "server") {
    return MatchMode::server;
  }
  if (text == "agent") {
    return MatchMode::agent;
  }
  return cti::fail(cti::ErrorCode::invalid_input,
                   "match mode must be server or agent, not '" + std::string(text) + "'");
}

struct ProxyService::PopRecord {
  enum class State { matching, published };

  std::string call_id;
  std::string extension;
  std::uint64_t generation = 0;
  State state = State::matching;
  bool popped = false;
  std::uint64_t seq = 0;  // of the screenpop event
  std::string data;       // the screenpop event's JSON
  Timer::Id deadline = 0;
  std::chrono::steady_clock::time_point started{};
  sfmatch::MatchPlan plan;
  sfmatch::MatchSettings settings;
  std::string warning;  // why part of the call's data was not used
};

ProxyService::ProxyService(ProxyConfig config, AgentDirectory& directory,
                           SessionManager& sessions, LoginThrottle& throttle,
                           cti::PbxConnector& pbx, sfmatch::CrmClient* crm, WorkerPool& lookups,
                           Timer& timer)
    : m_config(std::move(config)),
      m_dial_plan(m_config.site_match.dialing),
      m_directory(directory),
      m_sessions(sessions),
      m_throttle(throttle),
      m_pbx(pbx),
      m_crm(crm),
      m_lookups(lookups),
      m_timer(timer),
      m_tracker(m_config.ended_calls_kept),
      m_hub(m_config.event_log_capacity) {
  if (m_config.match_mode == MatchMode::server && m_crm == nullptr) {
    throw cti::ConfigError("match mode 'server' needs a Salesforce connection (salesforce: section)");
  }
}

ProxyService::~ProxyService() { stop(); }

void ProxyService::start() {
  std::lock_guard lock(m_mutex);
  if (m_running) {
    return;
  }
  m_running = true;
  if (m_config.access_poll_interval.count() > 0) {
    // Changes made before this start are not news: their sessions died with the last run.
    if (auto position = m_directory.access_changes_since(0, 0)) {
      m_access_seen = position->last;
    }
    schedule_access_poll();
  }
}

void ProxyService::stop() {
  std::lock_guard lock(m_mutex);
  m_running = false;
  m_timer.cancel(m_access_timer);
  for (auto& [key, pop] : m_pops) {
    m_timer.cancel(pop->deadline);
  }
}

void ProxyService::schedule_access_poll() {
  m_access_timer = m_timer.after(m_config.access_poll_interval, [this] {
    {
      std::lock_guard lock(m_mutex);
      if (!m_running) {
        return;
      }
    }
    poll_access_changes();
    std::lock_guard lock(m_mutex);
    if (m_running) {
      schedule_access_poll();
    }
  });
}

void ProxyService::poll_access_changes() {
  constexpr std::size_t k_batch = 1000;  // the rest waits for the next poll
  if (!m_access_seen) {
    // The directory could not be read at start: take its position now, act from there.
    if (auto position = m_directory.access_changes_since(0, 0)) {
      m_access_seen = position->last;
    }
    return;
  }
  auto changes = m_directory.access_changes_since(*m_access_seen, k_batch);
  if (!changes) {
    return;  // the database is busy or gone: try again at the next poll
  }
  m_access_seen = changes->last;
  std::sort(changes->extensions.begin(), changes->extensions.end());
  const auto unique_end = std::unique(changes->extensions.begin(), changes->extensions.end());
  for (auto it = changes->extensions.begin(); it != unique_end; ++it) {
    revoke_agent(*it, "the agent's password, licence seat or account changed");
  }
}

std::size_t ProxyService::revoke_agent(std::string_view extension, std::string_view reason) {
  const std::size_t ended = m_sessions.revoke_agent(extension);
  std::vector<StreamEnder> enders;
  {
    std::lock_guard lock(m_mutex);
    m_metrics.sessions_revoked += ended;
    m_settings_cache.erase(std::string(extension));
    JsonWriter json;
    json.begin_object().field("reason", reason).end_object();
    enders = m_hub.end_agent(extension, "event: signed_out\ndata: " + json.str() + "\n\n");
  }
  // Outside the lock: closing a stream may call close_stream().
  for (auto& end : enders) {
    end();
  }
  return ended;
}

void ProxyService::on_call_event(const cti::CallEvent& event) {
  std::lock_guard lock(m_mutex);
  // Applied under the service lock so that the order of call events and of the events
  // published for them is the same.
  auto applied = m_tracker.apply(event);
  if (applied.outcome != cti::ApplyOutcome::applied || !applied.call) {
    return;  // counted by the tracker, reported through metrics
  }
  const cti::Call& call = *applied.call;
  const PopKey key = pop_key(call.id, call.extension);
  auto pop = m_pops.find(key);
  publish_call(call, pop != m_pops.end() && pop->second->popped);

  if (!call.is_active()) {
    if (pop != m_pops.end()) {
      m_timer.cancel(pop->second->deadline);
      m_pops.erase(pop);
    }
    return;
  }
  const bool offered = call.state == cti::CallState::offering ||
                       call.state == cti::CallState::ringing ||
                       call.state == cti::CallState::connected;
  if (pop == m_pops.end() && call.direction == cti::CallDirection::inbound && offered) {
    start_match(call);
  }
}

void ProxyService::publish_call(const cti::Call& call, bool popped) {
  m_hub.publish(call.extension, "call", call_json(call, popped), call.id);
  ++m_metrics.events_published;
}

cti::AgentSettings ProxyService::agent_settings_locked(std::string_view extension) {
  auto it = m_settings_cache.find(std::string(extension));
  if (it != m_settings_cache.end()) {
    return it->second;
  }
  cti::AgentSettings defaults;
  defaults.caller_id_objects = m_config.site_match.caller_id_objects;
  defaults.ivr_match = std::string(sfmatch::to_string(m_config.site_match.ivr_match));
  return defaults;
}

void ProxyService::start_match(const cti::Call& call) {
  auto pop = std::make_unique<PopRecord>();
  pop->call_id = call.id;
  pop->extension = call.extension;
  pop->generation = ++m_generation;
  pop->started = std::chrono::steady_clock::now();
  auto merged = sfmatch::with_agent_settings(m_config.site_match, agent_settings_locked(call.extension));
  pop->settings = merged ? std::move(*merged) : m_config.site_match;
  pop->plan = plan_for(call, pop->settings, pop->warning);

  const PopKey key = pop_key(call.id, call.extension);
  PopRecord& record = *m_pops.emplace(key, std::move(pop)).first->second;

  if (m_config.match_mode == MatchMode::agent || record.plan.steps.empty()) {
    // Nothing for the proxy to look up, or the softphone does it in the agent's session.
    finish_match_locked(record, cti::fail(cti::ErrorCode::unavailable, ""), "agent");
    return;
  }

  // A repeat caller the Salesforce client already knows: decided here, so the pop goes out
  // right behind the call event, without a lookup thread or a request.
  if (auto cached = sfmatch::match_cached(*m_crm, record.plan, record.settings)) {
    record_match_latency(record);
    finish_match_locked(record, std::move(*cached), "server");
    return;
  }

  const std::uint64_t generation = record.generation;
  record.deadline = m_timer.after(m_config.match_deadline, [this, key, generation] {
    std::lock_guard lock(m_mutex);
    finish_match(key, generation,
                 cti::fail(cti::ErrorCode::timeout,
                           "Salesforce did not answer within " +
                               std::to_string(m_config.match_deadline.count()) + " ms"));
  });
  const bool queued = m_lookups.submit(
      [this, key, generation, plan = record.plan, settings = record.settings] {
        auto decision = sfmatch::match_with(*m_crm, plan, settings);
        std::lock_guard lock(m_mutex);
        finish_match(key, generation, std::move(decision));
      });
  if (!queued) {
    finish_match(key, generation,
                 cti::fail(cti::ErrorCode::unavailable, "too many Salesforce lookups queued"));
  }
}

void ProxyService::finish_match(const PopKey& key, std::uint64_t generation,
                                cti::Result<sfmatch::PopDecision> decision) {
  auto it = m_pops.find(key);
  if (it == m_pops.end() || it->second->generation != generation ||
      it->second->state != PopRecord::State::matching) {
    return;  // the call ended, or the deadline already decided
  }
  PopRecord& record = *it->second;
  m_timer.cancel(record.deadline);
  record_match_latency(record);

  const std::string_view outcome = decision ? "server" : (decision.error().code == cti::ErrorCode::timeout
                                                              ? "fallback_timeout"
                                                              : "fallback_error");
  finish_match_locked(record, std::move(decision), outcome);
}

void ProxyService::record_match_latency(const PopRecord& record) {
  const double elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - record.started).count();
  std::size_t bucket = 0;
  while (bucket < ProxyMetrics::k_latency_bounds_ms.size() &&
         elapsed_ms > ProxyMetrics::k_latency_bounds_ms[bucket]) {
    ++bucket;
  }
  ++m_metrics.match_latency_buckets[bucket];
  m_metrics.match_latency_sum_ms += elapsed_ms;
  ++m_metrics.match_latency_count;
}

void ProxyService::finish_match_locked(PopRecord& record,
                                       cti::Result<sfmatch::PopDecision> decision,
                                       std::string_view outcome) {
  JsonWriter json;
  json.begin_object();
  json.field("call_id", record.call_id);
  if (decision) {
    json.field("mode", "server");
    json.key("decision");
    cti::app::write_decision(json, *decision);
  } else {
    json.field("mode", "agent");
    json.key("plan");
    cti::app::write_plan(json, record.plan);
    json.field("on_no_match", sfmatch::to_string(record.settings.on_no_match));
    json.field("new_record_object", record.settings.new_record_object);
    if (!decision.error().message.empty()) {
      json.field("fallback_reason", decision.error().message);
    }
  }
  if (!record.warning.empty()) {
    json.field("warning", record.warning);
  }
  json.end_object();

  record.state = PopRecord::State::published;
  record.data = std::move(json).str();
  record.seq = m_hub.publish(record.extension, "screenpop", record.data, record.call_id);
  ++m_metrics.events_published;
  std::string name(outcome);
  if (decision) {
    name += "_";
    name += sfmatch::to_string(decision->kind);
  }
  ++m_metrics.pops[name];
}

EventHub::SubscriptionId ProxyService::open_stream(std::string_view extension,
                                                   std::optional<std::uint64_t> last_event_id,
                                                   EventSink sink, StreamEnder end) {
  std::lock_guard lock(m_mutex);
  bool resumed = false;
  if (last_event_id) {
    auto replay = m_hub.replay(extension, *last_event_id);
    if (!replay.gap) {
      resumed = true;
      for (const auto& event : replay.events) {
        if (event.type == "screenpop") {
          // Only the current pop of a live call that nobody has acknowledged yet.
          auto pop = m_pops.find(pop_key(event.subject, extension));
          if (pop == m_pops.end() || pop->second->popped || pop->second->seq != event.seq) {
            continue;
          }
        }
        if (!sink(format_sse(event.seq, event.type, event.data))) {
          return 0;
        }
      }
    }
  }
  if (!resumed) {
    const std::uint64_t seq = m_hub.last_seq(extension);
    JsonWriter hello;
    hello.begin_object().field("type", "snapshot").field("gap", last_event_id.has_value()).end_object();
    if (!sink(format_sse(seq, "agent", hello.str()))) {
      return 0;
    }
    for (const auto& call : m_tracker.active_calls(extension)) {
      auto pop = m_pops.find(pop_key(call.id, extension));
      const bool popped = pop != m_pops.end() && pop->second->popped;
      if (!sink(format_sse(seq, "call", call_json(call, popped)))) {
        return 0;
      }
      if (pop != m_pops.end() && !popped && pop->second->state == PopRecord::State::published) {
        if (!sink(format_sse(seq, "screenpop", pop->second->data))) {
          return 0;
        }
      }
    }
  }
  return m_hub.subscribe(extension, std::move(sink), std::move(end));
}

void ProxyService::close_stream(EventHub::SubscriptionId id) {
  std::lock_guard lock(m_mutex);
  m_hub.unsubscribe(id);
}

cti::Result<void> ProxyService::mark_popped(std::string_view extension, std::string_view call_id) {
  std::lock_guard lock(m_mutex);
  auto it = m_pops.find(pop_key(call_id, extension));
  if (it == m_pops.end()) {
    return cti::fail(cti::ErrorCode::not_found,
                     "no screen pop for call '" + std::string(call_id) + "' at this extension");
  }
  PopRecord& record = *it->second;
  if (record.state != PopRecord::State::published) {
    return cti::fail(cti::ErrorCode::conflict,
                     "the screen pop of call '" + std::string(call_id) + "' has not been sent yet");
  }
  if (record.popped) {
    return {};
  }
  record.popped = true;
  if (auto call = m_tracker.find(call_id)) {
    publish_call(*call, true);  // tells the agent's other tabs
  }
  return {};
}

cti::Result<SignIn> ProxyService::sign_in(std::string_view extension, std::string_view password,
                                          std::string_view client_address) {
  if (auto allowed = m_throttle.check(extension, client_address); !allowed) {
    std::lock_guard lock(m_mutex);
    ++m_metrics.sign_ins_throttled;
    return cti::Unexpected(allowed.error());
  }
  auto agent = m_directory.verify_password(extension, password);
  if (!agent) {
    if (agent.error().code == cti::ErrorCode::unauthorized) {
      m_throttle.record_failure(extension, client_address);
    }
    std::lock_guard lock(m_mutex);
    ++m_metrics.sign_in_failures;
    return cti::Unexpected(agent.error());
  }
  m_throttle.record_success(extension);
  if (!agent->has_seat) {
    std::lock_guard lock(m_mutex);
    ++m_metrics.sign_ins_without_seat;
    auto licence = m_directory.licence();
    const std::string name = licence ? licence->name : std::string("Salesforce Integration");
    return cti::fail(cti::ErrorCode::forbidden,
                     "extension " + agent->extension + " has no seat of the \"" + name +
                         "\" licence; ask an administrator to assign one");
  }
  SignIn result{m_sessions.create(agent->extension), std::move(*agent)};
  std::lock_guard lock(m_mutex);
  ++m_metrics.sign_ins;
  m_settings_cache[result.agent.extension] = result.agent.settings;
  return result;
}

void ProxyService::sign_out(std::string_view token) { m_sessions.revoke(token); }

cti::Result<Session> ProxyService::authenticate(std::string_view token) {
  return m_sessions.authenticate(token);
}

cti::Result<AgentRecord> ProxyService::agent(std::string_view extension) {
  auto record = CTI_TRY(m_directory.find_agent(extension));
  std::lock_guard lock(m_mutex);
  record.settings = agent_settings_locked(extension);  // what GET /api/v1/settings says
  return record;
}

cti::Result<cti::AgentSettings> ProxyService::settings(std::string_view extension) {
  std::lock_guard lock(m_mutex);
  return agent_settings_locked(extension);
}

cti::Result<cti::AgentSettings> ProxyService::update_settings(std::string_view extension,
                                                              const cti::AgentSettings& settings) {
  CTI_TRY(sfmatch::with_agent_settings(m_config.site_match, settings));
  CTI_TRY(m_directory.save_settings(extension, settings));
  std::lock_guard lock(m_mutex);
  m_settings_cache[std::string(extension)] = settings;
  JsonWriter json;
  json.begin_object().field("type", "settings").key("settings");
  cti::app::write_agent_settings(json, settings);
  json.end_object();
  m_hub.publish(extension, "agent", std::move(json).str());
  ++m_metrics.events_published;
  return settings;
}

cti::Result<std::string> ProxyService::make_call(std::string_view extension, std::string_view number) {
  auto dial = CTI_TRY(m_dial_plan.dial_string(number));
  if (!m_pbx.capabilities().make_call) {
    return cti::fail(cti::ErrorCode::not_supported, "the PBX adapter cannot place calls");
  }
  return m_pbx.make_call(extension, dial.digits);
}

cti::Result<void> ProxyService::call_action(std::string_view extension, std::string_view call_id,
                                            CallAction action) {
  auto call = m_tracker.find(call_id);
  if (!call || call->extension != extension || !call->is_active()) {
    return cti::fail(cti::ErrorCode::not_found,
                     "no active call '" + std::string(call_id) + "' at this extension");
  }
  const auto caps = m_pbx.capabilities();
  switch (action) {
    case CallAction::answer:
      if (!caps.answer) break;
      return m_pbx.answer(call_id);
    case CallAction::hangup:
      if (!caps.hangup) break;
      return m_pbx.hangup(call_id);
    case CallAction::hold:
      if (!caps.hold) break;
      return m_pbx.hold(call_id);
    case CallAction::retrieve:
      if (!caps.hold) break;
      return m_pbx.retrieve(call_id);
  }
  return cti::fail(cti::ErrorCode::not_supported, "the PBX adapter cannot do that");
}

ProxyMetrics ProxyService::metrics() const {
  std::lock_guard lock(m_mutex);
  ProxyMetrics copy = m_metrics;
  copy.pbx_events = m_tracker.counters();
  copy.streams_open = m_hub.subscribers();
  copy.agents_connected = m_hub.agents();
  return copy;
}

ProxyHealth ProxyService::health() const {
  return ProxyHealth{m_pbx.health(), m_crm != nullptr};
}

}  // namespace sfproxy
