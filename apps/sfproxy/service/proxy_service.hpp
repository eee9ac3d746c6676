#pragma once
// ProxyService: the proxy's behaviour, apart from HTTP. Call events come in from the PBX;
// the call is tracked, matched to Salesforce records (in the proxy, or by the softphone), and
// every change goes out to the agent's event streams. Sign-in, settings, click-to-dial and
// call control come in from the softphone. Handlers translate HTTP to these calls.

#include "agent_directory.hpp"
#include "event_hub.hpp"
#include "sessions.hpp"
#include "workers.hpp"

#include "cti/call.hpp"
#include "cti/dial_plan.hpp"
#include "cti/pbx_connector.hpp"
#include "cti/result.hpp"
#include "sfmatch/crm_client.hpp"
#include "sfmatch/match_settings.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sfproxy {

/// Where the plan runs: in the proxy through the Salesforce adapter, or in the agent's
/// browser inside their own Salesforce session.
enum class MatchMode { server, agent };

std::string_view to_string(MatchMode mode) noexcept;
cti::Result<MatchMode> parse_match_mode(std::string_view text);

struct ProxyConfig {
  MatchMode match_mode = MatchMode::agent;
  /// In server mode, how long a lookup may take before the pop falls back to agent mode.
  std::chrono::milliseconds match_deadline{1500};
  sfmatch::MatchSettings site_match;  ///< objects, IVR rules, padding, dialing options
  /// Events kept per agent for Last-Event-ID replay. A call makes about six, so 64 covers a
  /// reconnect during a busy spell; each costs about 0.45 KiB for every agent who had it.
  std::size_t event_log_capacity = 64;
  std::size_t ended_calls_kept = 4096;
  /// How often the agent directory's access journal is read, so that a password changed or
  /// a seat freed by `ctictl` ends that agent's sessions and streams. Zero: never.
  std::chrono::milliseconds access_poll_interval{2000};
};

/// A successful sign-in.
struct SignIn {
  std::string token;
  AgentRecord agent;
};

/// What the metrics endpoint shows. Counters are monotonic unless noted.
struct ProxyMetrics {
  cti::TrackerCounters pbx_events;  ///< applied / duplicate / out_of_order / unknown / invalid
  std::uint64_t events_published = 0;
  std::uint64_t streams_open = 0;  ///< current
  std::uint64_t agents_connected = 0;  ///< current: agents with at least one stream
  std::uint64_t sign_ins = 0;
  std::uint64_t sign_in_failures = 0;
  std::uint64_t sign_ins_throttled = 0;
  std::uint64_t sign_ins_without_seat = 0;
  std::uint64_t sessions_revoked = 0;  ///< by access changes (password, removal, seat)
  std::map<std::string, std::uint64_t> pops;  ///< by outcome, e.g. "server_record", "agent", "fallback_timeout"
  /// Server-mode match latency (event in -> decision), cumulative bucket counts.
  static constexpr std::array<double, 9> k_latency_bounds_ms{1, 2, 5, 10, 25, 50, 100, 250, 1000};
  std::array<std::uint64_t, 10> match_latency_buckets{};  ///< last one is +Inf
  double match_latency_sum_ms = 0;
  std::uint64_t match_latency_count = 0;
};

struct ProxyHealth {
  cti::PbxHealth pbx;
  bool crm_configured = false;
};

class ProxyService {
 public:
  /// `crm` may be null (agent mode only). The references must outlive the service.
  ProxyService(ProxyConfig config, AgentDirectory& directory, SessionManager& sessions,
               LoginThrottle& throttle, cti::PbxConnector& pbx, sfmatch::CrmClient* crm,
               WorkerPool& lookups, Timer& timer);
  ~ProxyService();
  ProxyService(const ProxyService&) = delete;
  ProxyService& operator=(const ProxyService&) = delete;

  /// Starts polling the access journal. Heartbeats are the server's (net::ServerConfig::
  /// stream_heartbeat). The PBX connector is started by the caller with on_call_event.
  void start();
  void stop();

  /// From the PBX adapter's thread.
  void on_call_event(const cti::CallEvent& event);

  // --- softphone API ---------------------------------------------------------------
  /// Slow (password hashing): call it from a worker, not a network thread.
  cti::Result<SignIn> sign_in(std::string_view extension, std::string_view password,
                              std::string_view client_address);
  void sign_out(std::string_view token);
  /// Ends every session and event stream of the agent; each stream first gets a
  /// `signed_out` event with `reason`. Returns the number of sessions ended.
  std::size_t revoke_agent(std::string_view extension, std::string_view reason);
  /// Reads the directory's access journal once and revokes the agents named there (the
  /// timer does this every access_poll_interval; tests call it directly).
  void poll_access_changes();
  cti::Result<Session> authenticate(std::string_view token);

  /// Opens an event stream for the agent. With `last_event_id` and no gap, replays what was
  /// missed; otherwise (a fresh page, or events already dropped) sends a snapshot: the
  /// agent's active calls and their pops not yet acknowledged. Registers the sink in the
  /// same step, so nothing published meanwhile is lost. Returns an id for close_stream.
  /// `end` closes the stream from the server's side when the agent's access is withdrawn.
  EventHub::SubscriptionId open_stream(std::string_view extension,
                                       std::optional<std::uint64_t> last_event_id, EventSink sink,
                                       StreamEnder end = {});
  void close_stream(EventHub::SubscriptionId id);

  /// The softphone showed the pop of this call: it is not offered again (other tabs hear
  /// of it too). not_found for a call the agent has no pop for; repeating it is fine.
  cti::Result<void> mark_popped(std::string_view extension, std::string_view call_id);

  /// The signed-in agent's record (name, settings), as sign-in returns it; for a page that
  /// resumes its session. Reads the directory: call it from a worker.
  cti::Result<AgentRecord> agent(std::string_view extension);
  cti::Result<cti::AgentSettings> settings(std::string_view extension);
  cti::Result<cti::AgentSettings> update_settings(std::string_view extension,
                                                  const cti::AgentSettings& settings);

  /// Click-to-dial. Blocking (the PBX is asked): call it from a worker.
  cti::Result<std::string> make_call(std::string_view extension, std::string_view number);
  enum class CallAction { answer, hangup, hold, retrieve };
  /// not_supported when the PBX adapter cannot; not_found when the call is not the agent's.
  cti::Result<void> call_action(std::string_view extension, std::string_view call_id,
                                CallAction action);

  /// The agent's calls that have not ended, oldest first.
  std::vector<cti::Call> active_calls(std::string_view extension) const {
    return m_tracker.active_calls(extension);
  }

  ProxyMetrics metrics() const;
  ProxyHealth health() const;
  cti::PbxCapabilities pbx_capabilities() const { return m_pbx.capabilities(); }
  const ProxyConfig& config() const { return m_config; }

 private:
  struct PopRecord;
  using PopKey = std::string;  // call id + '\n' + extension

  void start_match(const cti::Call& call);
  // All with m_mutex held.
  void finish_match(const PopKey& key, std::uint64_t generation,
                    cti::Result<sfmatch::PopDecision> decision);
  void finish_match_locked(PopRecord& record, cti::Result<sfmatch::PopDecision> decision,
                           std::string_view outcome);
  void publish_call(const cti::Call& call, bool popped);
  void record_match_latency(const PopRecord& record);
  void schedule_access_poll();
  cti::AgentSettings agent_settings_locked(std::string_view extension);

  ProxyConfig m_config;
  cti::DialPlan m_dial_plan;
  AgentDirectory& m_directory;
  SessionManager& m_sessions;
  LoginThrottle& m_throttle;
  cti::PbxConnector& m_pbx;
  sfmatch::CrmClient* m_crm;
  WorkerPool& m_lookups;
  Timer& m_timer;
  cti::CallTracker m_tracker;

  mutable std::mutex m_mutex;  // guards everything below
  EventHub m_hub;
  std::unordered_map<PopKey, std::unique_ptr<PopRecord>> m_pops;
  std::unordered_map<std::string, cti::AgentSettings> m_settings_cache;
  ProxyMetrics m_metrics;
  std::uint64_t m_generation = 0;
  Timer::Id m_access_timer = 0;
  /// The access journal position already acted on; only the polling thread uses it (start()
  /// sets it before the first poll is scheduled).
  std::optional<std::uint64_t> m_access_seen;
  bool m_running = false;
};

}  // namespace sfproxy
