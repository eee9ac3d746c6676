#pragma once
// The Asterisk Manager Interface (AMI) adapter: a PbxConnector that logs in to Asterisk's AMI
// over TCP, turns channel events into CallEvents for the agents' extensions, and places
// click-to-dial calls with Originate. Keys in YAML equal the field names below; durations are
// whole milliseconds under keys ending in `_ms`.

#include "cti/pbx_connector.hpp"
#include "cti/result.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace cti::adapters::asterisk_ami {

/// Settings of one AMI connection, as read from the `asterisk-ami` YAML section.
struct Config {
  std::string host = "127.0.0.1";  ///< AMI host name or address
  std::uint16_t port = 5038;       ///< AMI TCP port (manager.conf `port`)
  std::string username;            ///< manager.conf user section name; required
  std::string secret;              ///< its secret; exactly one of secret / secret_file / secret_env
  std::string secret_file;         ///< file whose first line is the secret
  std::string secret_env;          ///< environment variable holding the secret

  /// Agents' extensions. Empty: every channel whose name matches channel_pattern is an agent.
  std::vector<std::string> agent_extensions;
  /// ECMAScript regex over channel names; capture group 1 is the extension
  /// (`PJSIP/137-0000001a` -> `137`).
  std::string channel_pattern = R"(^(?:PJSIP|SIP|IAX2)/([0-9]+)-[0-9A-Za-z]+$)";

  /// Channel variable carrying IVR data (`Case.CaseNumber=1234`), seen through VarSet,
  /// ChanVariable (manager.conf `channelvars`) or as a key of ivr_user_event.
  std::string ivr_variable = "CTI_IVR_DATA";
  /// UserEvent name whose `<ivr_variable>: value` key carries IVR data; empty: not used.
  std::string ivr_user_event;

  /// Channel Originate rings first; `{extension}` is replaced by the agent's extension.
  std::string originate_channel = "PJSIP/{extension}";
  std::string originate_context = "from-internal";  ///< dialplan context the digits are dialled in
  /// CallerID shown on the agent's phone while it rings; `{digits}` is replaced.
  std::string originate_caller_id = "{digits}";
  std::chrono::milliseconds originate_timeout{30000};  ///< how long the agent's phone rings

  std::chrono::milliseconds ping_interval{15000};  ///< keep-alive; a Pong must come before the next Ping
  std::chrono::milliseconds connect_timeout{5000};  ///< TCP connect plus banner
  std::chrono::milliseconds action_timeout{5000};   ///< wait for an action's response
  std::chrono::milliseconds reconnect_backoff_min{500};    ///< first retry delay (jittered)
  std::chrono::milliseconds reconnect_backoff_max{30000};  ///< retry delay cap
};

/// Reads and checks the adapter's YAML section. Every error names the offending key.
Result<Config> parse_config(const YAML::Node& node);

/// Checks a Config built in code (parse_config already does this).
Result<void> validate(const Config& config);

/// Counters the connector keeps; read them for metrics. Monotonic, updated from the
/// connector's thread.
struct Metrics {
  std::atomic<std::uint64_t> connects{0};             ///< TCP connections established
  std::atomic<std::uint64_t> logins{0};               ///< successful logins
  std::atomic<std::uint64_t> login_refusals{0};       ///< logins the PBX refused
  std::atomic<std::uint64_t> connection_losses{0};    ///< connections that ended with an error
  std::atomic<std::uint64_t> ping_timeouts{0};        ///< Pings left without a Pong
  std::atomic<std::uint64_t> packets{0};              ///< complete packets received
  std::atomic<std::uint64_t> garbage_lines{0};        ///< lines that were not `Key: Value`
  std::atomic<std::uint64_t> oversized_lines{0};      ///< lines over the length bound, dropped
  std::atomic<std::uint64_t> oversized_packets{0};    ///< packets over the header bound, dropped
  std::atomic<std::uint64_t> unhandled_events{0};     ///< events the adapter does not use
  std::atomic<std::uint64_t> unknown_channel_events{0};  ///< events for channels never seen
  std::atomic<std::uint64_t> malformed_events{0};     ///< events missing a key they need
  std::atomic<std::uint64_t> dropped_values{0};       ///< over-long or control-character values
  std::atomic<std::uint64_t> call_events{0};          ///< CallEvents delivered
  std::atomic<std::uint64_t> resyncs{0};              ///< CoreShowChannels resynchronisations
  std::atomic<std::uint64_t> calls_closed_by_resync{0};  ///< calls that vanished while away
  std::atomic<std::uint64_t> originate_failures{0};   ///< click-to-dial calls that failed
};

/// What the apps and tests may inject into the connector.
struct Options {
  std::shared_ptr<Metrics> metrics;  ///< counters to fill in; null: kept privately
  /// Stamps events that carry no AMI `Timestamp`; null: the system clock.
  std::function<std::chrono::system_clock::time_point()> now;
  std::uint64_t jitter_seed = 0;  ///< seeds the reconnect jitter; 0: random
};

/// Builds the connector. The Config is checked again by start(), which reports problems.
/// Events are delivered on the connector's own thread; make_call and hangup wait for
/// Asterisk's response, which that thread reads, so call them from other threads only.
std::unique_ptr<PbxConnector> make_pbx_connector(const Config& config);
std::unique_ptr<PbxConnector> make_pbx_connector(const Config& config, Options options);

}  // namespace cti::adapters::asterisk_ami
