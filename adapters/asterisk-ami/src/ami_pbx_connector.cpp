// AmiPbxConnector: the TCP client side of the adapter. One thread owns the connection: it
// connects, reads the banner, logs in, resynchronises calls, reads packets and pings; on any
// failure it reconnects with a jittered exponential backoff. Commands (Originate, Hangup) are
// sent from the caller's thread and matched to their responses by ActionID; that thread waits
// for the response, which the connection thread reads, so commands must not be issued from the
// event handler (they would time out).
#include "cti/adapters/asterisk_ami/asterisk_ami_adapter.hpp"

#include "ami_action.hpp"
#include "ami_event_mapper.hpp"
#include "ami_parser.hpp"
#include "ami_settings.hpp"
#include "reconnect_backoff.hpp"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <bitset>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

namespace cti::adapters::asterisk_ami {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t k_read_chunk = 64 * 1024;
constexpr std::size_t k_max_pending_actions = 1024;
constexpr auto k_max_poll_wait = std::chrono::milliseconds(250);

Poco::Timespan to_timespan(std::chrono::microseconds duration) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(duration.count()));
}

bool is_extension(std::string_view text) {
  if (text.empty() || text.size() > 32) {
    return false;
  }
  for (const char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

bool is_dial_digits(std::string_view text) {
  if (text.empty() || text.size() > 32) {
    return false;
  }
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || c == '*' || c == '#' || c == '+')) {
      return false;
    }
  }
  return true;
}

// Text from the PBX that goes into a log line or an error message: bounded, one line.
std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 200)) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(byte < 0x20 || byte == 0x7f ? '?' : c);
  }
  return out;
}

std::string duration_text(std::chrono::milliseconds delay) {
  if (delay.count() < 1000) {
    return std::to_string(delay.count()) + " ms";
  }
  return std::to_string((delay.count() + 500) / 1000) + " s";
}

// Anomalies worth one log line per kind (not per occurrence: a bad PBX can send millions).
enum class Anomaly : std::size_t {
  garbage_lines,
  oversized_lines,
  oversized_packets,
  unhandled_events,
  unknown_channel,
  malformed_events,
  dropped_values,
  channel_limit,
  resync_refused,
  handler_threw,
  count,
};

class AmiPbxConnector final : public PbxConnector {
 public:
  AmiPbxConnector(Config config, Options options)
      : m_config(std::move(config)),
        m_options(std::move(options)),
        m_metrics(m_options.metrics ? m_options.metrics : std::make_shared<Metrics>()),
        m_log(Poco::Logger::get("cti.asterisk-ami")) {
    std::uint64_t seed = m_options.jitter_seed;
    if (seed == 0) {
      std::random_device device;
      seed = (std::uint64_t{device()} << 32) | device();
    }
    m_rng.seed(seed);
    std::array<char, 16> prefix{};
    std::snprintf(prefix.data(), prefix.size(), "%08x", static_cast<unsigned>(m_rng() & 0xffffffffU));
    m_id_prefix = "cti-" + std::string(prefix.data());
    m_health.detail = "not started";
  }

  ~AmiPbxConnector() override { stop(); }

  AmiPbxConnector(const AmiPbxConnector&) = delete;
  AmiPbxConnector& operator=(const AmiPbxConnector&) = delete;

  Result<void> start(CallEventHandler on_event) override {
    std::lock_guard lifecycle(m_lifecycle_mutex);
    if (m_thread.joinable()) {
      return fail(ErrorCode::conflict, "asterisk-ami: already started");
    }
    if (!on_event) {
      return fail(ErrorCode::invalid_input, "asterisk-ami: start() needs an event handler");
    }
    CTI_TRY(validate(m_config));
    m_secret = CTI_TRY(resolve_secret(m_config));
    MapperSettings settings = CTI_TRY(make_mapper_settings(m_config));
    {
      std::lock_guard lock(m_mapper_mutex);
      m_mapper = std::make_unique<AmiEventMapper>(std::move(settings), m_options.now);
    }
    m_on_event = std::move(on_event);
    m_stopping = false;
    set_health(false, "connecting to " + endpoint());
    m_thread = std::thread([this] { run(); });
    return {};
  }

  void stop() override {
    std::lock_guard lifecycle(m_lifecycle_mutex);
    if (!m_thread.joinable()) {
      return;
    }
    assert(std::this_thread::get_id() != m_thread.get_id() &&
           "stop() must not be called from the event handler");
    {
      std::lock_guard lock(m_stop_mutex);
      m_stopping = true;
    }
    m_stop_cv.notify_all();
    close_socket(true);
    m_thread.join();
    fail_pending(Error{ErrorCode::unavailable, "asterisk-ami: stopped"});
    set_health(false, "stopped");
  }

  Result<std::string> make_call(std::string_view extension, std::string_view digits) override {
    if (!is_extension(extension)) {
      return fail(ErrorCode::invalid_input, "asterisk-ami: \"" + printable(extension) +
                                                "\" is not an extension");
    }
    if (!m_config.agent_extensions.empty() &&
        std::find(m_config.agent_extensions.begin(), m_config.agent_extensions.end(), extension) ==
            m_config.agent_extensions.end()) {
      return fail(ErrorCode::invalid_input, "asterisk-ami: extension " + std::string(extension) +
                                                " is not one of the configured agent_extensions");
    }
    if (!is_dial_digits(digits)) {
      return fail(ErrorCode::invalid_input, "asterisk-ami: \"" + printable(digits) +
                                                "\" is not a dial string (1-32 of 0-9 * # +)");
    }
    CTI_TRY(require_login());

    const std::string action_id = next_action_id();
    const std::string call_id = m_id_prefix + "-call-" + std::to_string(++m_action_counter);
    const std::string channel = substitute(m_config.originate_channel, "{extension}", extension);
    const std::string caller_id = substitute(m_config.originate_caller_id, "{digits}", digits);
    const std::string timeout = std::to_string(m_config.originate_timeout.count());
    const std::string text = CTI_TRY(format_action(
        "Originate", {{"ActionID", action_id},
                      {"Channel", channel},
                      {"Context", m_config.originate_context},
                      {"Exten", digits},
                      {"Priority", "1"},
                      {"CallerID", caller_id},
                      {"Timeout", timeout},
                      {"ChannelId", call_id},
                      {"Async", "true"}}));
    {
      std::lock_guard lock(m_mapper_mutex);
      // Registered before sending, so the response and the channel's first event find it.
      if (!m_mapper->originate_requested(action_id, call_id, std::string(extension),
                                         std::string(digits))) {
        return fail(ErrorCode::unavailable,
                    "asterisk-ami: too many click-to-dial calls waiting for Asterisk");
      }
    }
    Result<AmiPacket> response = request(action_id, text);
    if (!response) {
      std::lock_guard lock(m_mapper_mutex);
      m_mapper->originate_abandoned(action_id);
      return Unexpected(std::move(response).error());
    }
    if (response->name() != "Success") {
      ++m_refused_originates;
      m_metrics->originate_failures = m_refused_originates + m_mapper_originate_failures;
      return fail(ErrorCode::unavailable,
                  "asterisk-ami: Originate refused: " + printable(response->get("Message")));
    }
    return call_id;
  }

  Result<void> answer(std::string_view) override {
    return fail(ErrorCode::unavailable,
                "answer is not supported by asterisk-ami: AMI cannot take a SIP phone off-hook; "
                "answer on the phone");
  }

  Result<void> hangup(std::string_view call_id) override {
    CTI_TRY(require_login());
    std::string channel;
    {
      std::lock_guard lock(m_mapper_mutex);
      if (!m_mapper->knows_call(call_id)) {
        return fail(ErrorCode::not_found, "asterisk-ami: no active call " + printable(call_id));
      }
      channel = m_mapper->channel_of(call_id);
      if (channel.empty()) {
        return fail(ErrorCode::conflict,
                    "asterisk-ami: call " + printable(call_id) + " has no channel yet");
      }
      m_mapper->note_local_hangup(call_id);
    }
    const std::string action_id = next_action_id();
    const std::string text = CTI_TRY(
        format_action("Hangup", {{"ActionID", action_id}, {"Channel", channel}, {"Cause", "16"}}));
    const AmiPacket response = CTI_TRY(request(action_id, text));
    if (response.name() != "Success") {
      const std::string message = printable(response.get("Message"));
      return fail(message.find("No such channel") != std::string::npos ? ErrorCode::not_found
                                                                        : ErrorCode::unavailable,
                  "asterisk-ami: Hangup refused: " + message);
    }
    return {};
  }

  Result<void> hold(std::string_view) override {
    return fail(ErrorCode::unavailable,
                "hold is not supported by asterisk-ami: AMI has no hold action for SIP phones; "
                "use the phone's hold key");
  }

  Result<void> retrieve(std::string_view) override {
    return fail(ErrorCode::unavailable,
                "retrieve is not supported by asterisk-ami: AMI has no hold action for SIP "
                "phones; use the phone's hold key");
  }

  PbxCapabilities capabilities() const override {
    PbxCapabilities caps;
    caps.make_call = true;
    caps.hangup = true;
    return caps;
  }

  PbxHealth health() const override {
    std::lock_guard lock(m_health_mutex);
    return m_health;
  }

 private:
  struct Pending {
    bool done = false;
    AmiPacket response;
    std::optional<Error> error;
  };

  std::string endpoint() const { return m_config.host + ":" + std::to_string(m_config.port); }

  std::string next_action_id() { return m_id_prefix + "-" + std::to_string(++m_action_counter); }

  // --- The connection thread ---------------------------------------------------------------

  void run() {
    unsigned attempt = 0;
    std::string last_problem;
    while (!m_stopping) {
      bool logged_in = false;
      Result<void> ended = Result<void>{};
      try {
        ended = run_connection(logged_in);
      } catch (const std::exception& e) {
        // The adapter edge: nothing from one connection may take the process down.
        ended = fail(ErrorCode::internal, std::string("unexpected error: ") + e.what());
      }
      close_socket(false);
      m_logged_in = false;
      fail_pending(Error{ErrorCode::unavailable, "asterisk-ami: connection to " + endpoint() + " lost"});
      if (m_stopping) {
        break;
      }
      ++m_metrics->connection_losses;
      if (logged_in) {
        attempt = 0;
      }
      const auto delay = reconnect_delay(attempt, m_config.reconnect_backoff_min,
                                         m_config.reconnect_backoff_max, m_rng());
      attempt = attempt < 32 ? attempt + 1 : attempt;
      const std::string problem =
          ended ? "connection to " + endpoint() + " closed" : ended.error().message;
      set_health(false, problem + "; reconnecting in " + duration_text(delay));
      if (problem != last_problem) {
        // Repeated identical failures are in health(); the log gets each new one.
        m_log.warning("asterisk-ami: " + problem);
        last_problem = problem;
      }
      wait_for_stop(delay);
    }
  }

  Result<void> run_connection(bool& logged_in) {
    Poco::Net::StreamSocket socket;
    try {
      socket.connect(Poco::Net::SocketAddress(m_config.host, m_config.port),
                     to_timespan(m_config.connect_timeout));
      socket.setNoDelay(true);
      socket.setSendTimeout(to_timespan(m_config.action_timeout));
    } catch (const Poco::Exception& e) {
      return fail(ErrorCode::unavailable,
                  "cannot connect to AMI at " + endpoint() + ": " + printable(e.displayText()));
    }
    {
      std::lock_guard lock(m_send_mutex);
      if (m_stopping) {
        return {};
      }
      m_socket = socket;
      m_socket_open = true;
    }
    ++m_metrics->connects;
    m_parser.reset(true);

    const auto banner_deadline = Clock::now() + m_config.connect_timeout;
    while (!m_parser.take_banner()) {
      if (m_stopping) {
        return {};
      }
      if (Clock::now() >= banner_deadline) {
        return fail(ErrorCode::timeout, "no AMI banner from " + endpoint() + " within " +
                                            duration_text(m_config.connect_timeout));
      }
      CTI_TRY(read_some(socket, banner_deadline));
    }

    CTI_TRY(login(socket));
    logged_in = true;
    m_logged_in = true;
    ++m_metrics->logins;
    set_health(true, "logged in to " + endpoint() + " as " + m_config.username + " (AMI " +
                         printable(m_parser.banner_version()) + ")");
    m_log.information("asterisk-ami: logged in to " + endpoint());

    // Whatever happened while we were away: list the channels that exist now.
    const std::string resync_id = next_action_id();
    {
      std::lock_guard lock(m_mapper_mutex);
      m_mapper->begin_resync(resync_id);
    }
    m_resync_action_id = resync_id;
    ++m_metrics->resyncs;
    CTI_TRY(send_action("CoreShowChannels", {{"ActionID", resync_id}}));

    process_packets();  // anything that came in the same read as the login response

    // Keep-alive: a Ping every ping_interval; its Pong must come before the next one is due.
    auto last_ping = Clock::now();
    m_ping_action_id.clear();
    while (!m_stopping) {
      const auto now = Clock::now();
      if (now - last_ping >= m_config.ping_interval) {
        if (!m_ping_action_id.empty()) {
          ++m_metrics->ping_timeouts;
          return fail(ErrorCode::timeout, "no answer to Ping from " + endpoint() + " within " +
                                              duration_text(m_config.ping_interval));
        }
        m_ping_action_id = next_action_id();
        CTI_TRY(send_action("Ping", {{"ActionID", m_ping_action_id}}));
        last_ping = now;
      }
      const auto deadline = std::min(last_ping + m_config.ping_interval, now + k_max_poll_wait);
      CTI_TRY(read_some(socket, deadline));
      process_packets();
    }
    return {};
  }

  Result<void> login(Poco::Net::StreamSocket& socket) {
    const std::string login_id = next_action_id();
    CTI_TRY(send_action("Login", {{"ActionID", login_id},
                                  {"Username", m_config.username},
                                  {"Secret", m_secret},
                                  {"Events", "on"}}));
    const auto deadline = Clock::now() + m_config.action_timeout;
    AmiPacket packet;
    while (true) {
      while (m_parser.next(packet)) {
        ++m_metrics->packets;
        if (packet.kind() != "Response" || packet.get("ActionID") != login_id) {
          continue;  // nothing else is sent before login; ignore whatever it is
        }
        if (packet.name() == "Success") {
          return {};
        }
        ++m_metrics->login_refusals;
        return fail(ErrorCode::unauthorized, "login to " + endpoint() + " as " + m_config.username +
                                                 " refused: " + printable(packet.get("Message")));
      }
      if (m_stopping) {
        return fail(ErrorCode::unavailable, "stopping");
      }
      if (Clock::now() >= deadline) {
        return fail(ErrorCode::timeout, "no answer to Login from " + endpoint() + " within " +
                                            duration_text(m_config.action_timeout));
      }
      CTI_TRY(read_some(socket, deadline));
    }
  }

  // Waits until `deadline` for bytes and feeds them to the parser. Ok with nothing read is a
  // quiet line; an error is a lost connection.
  Result<void> read_some(Poco::Net::StreamSocket& socket, Clock::time_point deadline) {
    const auto wait = std::chrono::duration_cast<std::chrono::microseconds>(
        std::max(deadline - Clock::now(), Clock::duration::zero()));
    try {
      if (!socket.poll(to_timespan(wait), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR)) {
        return {};
      }
      const int received = socket.receiveBytes(m_read_buffer.data(), static_cast<int>(m_read_buffer.size()));
      if (received <= 0) {
        return fail(ErrorCode::unavailable, "connection to " + endpoint() + " closed by the PBX");
      }
      m_parser.feed(std::string_view(m_read_buffer.data(), static_cast<std::size_t>(received)));
      return {};
    } catch (const Poco::Exception& e) {
      return fail(ErrorCode::unavailable,
                  "connection to " + endpoint() + " failed: " + printable(e.displayText()));
    }
  }

  // Applies every complete packet and delivers the CallEvents they produced.
  void process_packets() {
    AmiPacket packet;
    m_events.clear();
    while (m_parser.next(packet)) {
      ++m_metrics->packets;
      const std::string_view kind = packet.kind();
      {
        std::lock_guard lock(m_mapper_mutex);
        m_mapper->apply(packet, m_events);
        if (kind == "Response" && packet.get("ActionID") == m_resync_action_id &&
            !m_resync_action_id.empty()) {
          if (packet.name() != "Success") {
            m_mapper->cancel_resync();
            note_anomaly(Anomaly::resync_refused,
                         "CoreShowChannels refused (" + printable(packet.get("Message")) +
                             "); calls that ended while disconnected stay open until their next "
                             "event. Give the AMI user write = reporting.");
          }
          m_resync_action_id.clear();
        }
      }
      if (kind == "Response") {
        const std::string_view action_id = packet.get("ActionID");
        if (!m_ping_action_id.empty() && action_id == m_ping_action_id) {
          m_ping_action_id.clear();  // the Pong
        } else {
          complete_pending(action_id, packet);
        }
      }
    }
    publish_counters();
    deliver();
  }

  void deliver() {
    for (const CallEvent& event : m_events) {
      ++m_metrics->call_events;
      try {
        m_on_event(event);
      } catch (const std::exception& e) {
        note_anomaly(Anomaly::handler_threw, std::string("event handler threw: ") + e.what());
      }
    }
    m_events.clear();
  }

  void publish_counters() {
    const ParserCounters& parser = m_parser.counters();
    m_metrics->garbage_lines = parser.garbage_lines;
    m_metrics->oversized_lines = parser.oversized_lines;
    m_metrics->oversized_packets = parser.oversized_packets;
    MapperCounters mapper;
    {
      std::lock_guard lock(m_mapper_mutex);
      mapper = m_mapper->counters();
    }
    m_metrics->unhandled_events = mapper.unhandled_events;
    m_metrics->unknown_channel_events = mapper.unknown_channel_events;
    m_metrics->malformed_events = mapper.malformed_events;
    m_metrics->dropped_values = mapper.dropped_values;
    m_metrics->calls_closed_by_resync = mapper.calls_closed_by_resync;
    m_mapper_originate_failures = mapper.originate_failures;
    m_metrics->originate_failures = m_refused_originates + m_mapper_originate_failures;

    // One log line per kind of anomaly, the first time it is counted.
    auto first_time = [this](Anomaly kind, std::uint64_t count) {
      return count > 0 && !m_logged_anomalies.test(static_cast<std::size_t>(kind));
    };
    auto example = [this](std::string MapperExamples::*field) {
      std::lock_guard lock(m_mapper_mutex);
      return m_mapper->examples().*field;
    };
    if (first_time(Anomaly::garbage_lines, parser.garbage_lines)) {
      note_anomaly(Anomaly::garbage_lines, "skipping lines that are not `Key: Value` (counted in garbage_lines)");
    }
    if (first_time(Anomaly::oversized_lines, parser.oversized_lines)) {
      note_anomaly(Anomaly::oversized_lines, "dropping over-long lines (counted in oversized_lines)");
    }
    if (first_time(Anomaly::oversized_packets, parser.oversized_packets)) {
      note_anomaly(Anomaly::oversized_packets, "dropping packets with too many headers");
    }
    if (first_time(Anomaly::unhandled_events, mapper.unhandled_events)) {
      note_anomaly(Anomaly::unhandled_events, "ignoring AMI events the adapter does not use (first: " +
                                                  example(&MapperExamples::unhandled_event) + ")");
    }
    if (first_time(Anomaly::unknown_channel, mapper.unknown_channel_events)) {
      note_anomaly(Anomaly::unknown_channel, "ignoring events for channels never seen (first: " +
                                                 example(&MapperExamples::unknown_channel) + ")");
    }
    if (first_time(Anomaly::malformed_events, mapper.malformed_events)) {
      note_anomaly(Anomaly::malformed_events, "dropping events missing a key they need (first: " +
                                                  example(&MapperExamples::malformed_event) + ")");
    }
    if (first_time(Anomaly::dropped_values, mapper.dropped_values)) {
      note_anomaly(Anomaly::dropped_values, "dropping over-long or control-character values");
    }
    if (first_time(Anomaly::channel_limit, mapper.channel_limit_hits)) {
      note_anomaly(Anomaly::channel_limit, "too many live channels; new ones are ignored");
    }
  }

  void note_anomaly(Anomaly kind, const std::string& message) {
    const auto bit = static_cast<std::size_t>(kind);
    if (!m_logged_anomalies.test(bit)) {
      m_logged_anomalies.set(bit);
      m_log.warning("asterisk-ami: " + message);
    }
  }

  void wait_for_stop(std::chrono::milliseconds delay) {
    std::unique_lock lock(m_stop_mutex);
    m_stop_cv.wait_for(lock, delay, [this] { return m_stopping.load(); });
  }

  // --- Sending and waiting for responses ---------------------------------------------------

  Result<void> require_login() const {
    if (!m_logged_in) {
      return fail(ErrorCode::unavailable, "asterisk-ami: not logged in to " + endpoint() + " (" +
                                              health().detail + ")");
    }
    return {};
  }

  Result<void> send_action(std::string_view name, const std::vector<ActionHeader>& headers) {
    const std::string text = CTI_TRY(format_action(name, headers));
    return send_text(text);
  }

  Result<void> send_text(const std::string& text) {
    std::lock_guard lock(m_send_mutex);
    if (!m_socket_open) {
      return fail(ErrorCode::unavailable, "asterisk-ami: not connected to " + endpoint());
    }
    try {
      std::size_t sent = 0;
      while (sent < text.size()) {
        const int n = m_socket.sendBytes(text.data() + sent, static_cast<int>(text.size() - sent));
        if (n <= 0) {
          return fail(ErrorCode::unavailable, "asterisk-ami: connection to " + endpoint() + " closed");
        }
        sent += static_cast<std::size_t>(n);
      }
    } catch (const Poco::Exception& e) {
      return fail(ErrorCode::unavailable,
                  "asterisk-ami: sending to " + endpoint() + " failed: " + printable(e.displayText()));
    }
    return {};
  }

  Result<AmiPacket> request(const std::string& action_id, const std::string& text) {
    {
      std::lock_guard lock(m_pending_mutex);
      if (m_pending.size() >= k_max_pending_actions) {
        return fail(ErrorCode::unavailable, "asterisk-ami: too many actions waiting for Asterisk");
      }
      m_pending.emplace(action_id, Pending{});
    }
    if (Result<void> sent = send_text(text); !sent) {
      std::lock_guard lock(m_pending_mutex);
      m_pending.erase(action_id);
      return Unexpected(std::move(sent).error());
    }
    std::unique_lock lock(m_pending_mutex);
    const bool done = m_pending_cv.wait_for(lock, m_config.action_timeout, [&] {
      const auto it = m_pending.find(action_id);
      return it == m_pending.end() || it->second.done;
    });
    const auto it = m_pending.find(action_id);
    if (it == m_pending.end()) {
      return fail(ErrorCode::unavailable, "asterisk-ami: connection to " + endpoint() + " lost");
    }
    Pending pending = std::move(it->second);
    m_pending.erase(it);
    if (!done) {
      return fail(ErrorCode::timeout, "asterisk-ami: no response from " + endpoint() + " within " +
                                          duration_text(m_config.action_timeout));
    }
    if (pending.error) {
      return Unexpected(std::move(*pending.error));
    }
    return std::move(pending.response);
  }

  void complete_pending(std::string_view action_id, const AmiPacket& response) {
    {
      std::lock_guard lock(m_pending_mutex);
      const auto it = m_pending.find(std::string(action_id));
      if (it == m_pending.end() || it->second.done) {
        return;
      }
      it->second.done = true;
      it->second.response = response;
    }
    m_pending_cv.notify_all();
  }

  void fail_pending(const Error& error) {
    {
      std::lock_guard lock(m_pending_mutex);
      for (auto& [id, pending] : m_pending) {
        if (!pending.done) {
          pending.done = true;
          pending.error = error;
        }
      }
    }
    m_pending_cv.notify_all();
  }

  void close_socket(bool shutdown_only) {
    std::lock_guard lock(m_send_mutex);
    if (!m_socket_open) {
      return;
    }
    try {
      if (shutdown_only) {
        m_socket.shutdown();  // wakes the reader; it closes the socket itself
        return;
      }
      m_socket.close();
    } catch (const Poco::Exception&) {
      // Already gone: nothing to release.
    }
    m_socket_open = false;
  }

  void set_health(bool connected, std::string detail) {
    std::lock_guard lock(m_health_mutex);
    m_health.connected = connected;
    m_health.detail = std::move(detail);
  }

  Config m_config;
  Options m_options;
  std::shared_ptr<Metrics> m_metrics;
  Poco::Logger& m_log;
  std::string m_secret;
  std::string m_id_prefix;
  std::atomic<std::uint64_t> m_action_counter{0};
  std::atomic<std::uint64_t> m_refused_originates{0};         // Originate answered with Error
  std::atomic<std::uint64_t> m_mapper_originate_failures{0};  // ended without connecting
  std::mt19937_64 m_rng;  // connection thread only (after construction)

  std::mutex m_lifecycle_mutex;  // start() / stop()
  std::thread m_thread;
  std::atomic<bool> m_stopping{false};
  std::mutex m_stop_mutex;
  std::condition_variable m_stop_cv;
  CallEventHandler m_on_event;

  // Connection thread only.
  AmiParser m_parser;
  std::array<char, k_read_chunk> m_read_buffer{};
  std::vector<CallEvent> m_events;
  std::string m_resync_action_id;
  std::string m_ping_action_id;
  std::bitset<static_cast<std::size_t>(Anomaly::count)> m_logged_anomalies;

  std::mutex m_mapper_mutex;
  std::unique_ptr<AmiEventMapper> m_mapper;

  std::mutex m_send_mutex;
  Poco::Net::StreamSocket m_socket;
  bool m_socket_open = false;
  std::atomic<bool> m_logged_in{false};

  std::mutex m_pending_mutex;
  std::condition_variable m_pending_cv;
  std::unordered_map<std::string, Pending> m_pending;

  mutable std::mutex m_health_mutex;
  PbxHealth m_health;
};

}  // namespace

std::unique_ptr<PbxConnector> make_pbx_connector(const Config& config) {
  return make_pbx_connector(config, Options{});
}

std::unique_ptr<PbxConnector> make_pbx_connector(const Config& config, Options options) {
  return std::make_unique<AmiPbxConnector>(config, std::move(options));
}

}  // namespace cti::adapters::asterisk_ami
