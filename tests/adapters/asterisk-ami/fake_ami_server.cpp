#include "adapters/asterisk-ami/fake_ami_server.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <array>

namespace cti::adapters::asterisk_ami {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr auto k_drain_limit = std::chrono::seconds(2);

// The snapshot keys, in Asterisk's order.
constexpr std::array<std::string_view, 14> k_snapshot_keys = {
    "Channel",   "ChannelState",     "ChannelStateDesc", "CallerIDNum", "CallerIDName",
    "ConnectedLineNum", "ConnectedLineName", "Language", "AccountCode", "Context",
    "Exten",     "Priority",         "Uniqueid",         "Linkedid"};

std::string_view value_of(const Headers& headers, std::string_view key) {
  for (const auto& [k, v] : headers) {
    if (k == key) {
      return v;
    }
  }
  return {};
}

Poco::Timespan millis(long ms) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms) * 1000);
}

}  // namespace

FakeAmiServer::FakeAmiServer(FakeAmiOptions options, std::vector<TranscriptStep> script)
    : m_options(std::move(options)), m_script(std::move(script)), m_rng(m_options.seed) {
  m_listener = std::make_unique<Poco::Net::ServerSocket>(Poco::Net::SocketAddress("127.0.0.1", 0));
  m_port = m_listener->address().port();
  m_done = m_script.empty();
  m_thread = std::thread([this] { run(); });
}

FakeAmiServer::~FakeAmiServer() {
  m_stopping = true;
  if (m_thread.joinable()) {
    m_thread.join();
  }
}

bool FakeAmiServer::wait_until_done(std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_mutex);
  return m_changed.wait_for(lock, timeout, [this] { return m_done; });
}

bool FakeAmiServer::wait_for_logins(int count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_mutex);
  return m_changed.wait_for(lock, timeout, [&] { return m_logins >= count; });
}

void FakeAmiServer::drop_client() {
  m_drop_requested = true;
}

std::vector<AmiPacket> FakeAmiServer::actions() const {
  std::lock_guard lock(m_mutex);
  return m_actions;
}

// --- The server thread ----------------------------------------------------------------------

void FakeAmiServer::run() {
  while (!m_stopping) {
    try {
      if (m_drop_requested.exchange(false) && m_client) {
        close_client();
      }
      if (m_closing) {
        // Half-closed: read until the client closes too, so nothing we sent is lost to a reset.
        std::array<char, 4096> sink{};
        if (m_closing->poll(millis(1), Poco::Net::Socket::SELECT_READ)) {
          if (m_closing->receiveBytes(sink.data(), static_cast<int>(sink.size())) <= 0) {
            m_closing->close();
            m_closing.reset();
          }
        } else if (std::chrono::steady_clock::now() - m_closing_since > k_drain_limit) {
          m_closing->close();
          m_closing.reset();
        }
      }
      if (!m_client) {
        accept_client();
      } else {
        read_client();
      }
      run_script();
      flush();
    } catch (const Poco::Exception&) {
      m_out.clear();
      // The client went away mid-write: forget it and accept the next one.
      if (m_client) {
        try {
          m_client->close();
        } catch (const Poco::Exception&) {
        }
        m_client.reset();
      }
    }
  }
  if (m_client) {
    m_client->close();
  }
  if (m_closing) {
    m_closing->close();
  }
}

void FakeAmiServer::accept_client() {
  if (m_closing || !m_listener->poll(millis(5), Poco::Net::Socket::SELECT_READ)) {
    return;
  }
  m_client = std::make_unique<Poco::Net::StreamSocket>(m_listener->acceptConnection());
  m_client->setNoDelay(true);
  ++m_connections;
  m_logged_in = false;
  m_resynced = false;
  m_parser.reset(false);
  send_line(m_options.banner);
}

void FakeAmiServer::read_client() {
  if (!m_client->poll(millis(2), Poco::Net::Socket::SELECT_READ)) {
    return;
  }
  std::array<char, 8192> buffer{};
  const int n = m_client->receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
  if (n <= 0) {
    m_client->close();
    m_client.reset();
    return;
  }
  m_parser.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  AmiPacket action;
  while (m_client && m_parser.next(action)) {
    {
      std::lock_guard lock(m_mutex);
      m_actions.push_back(action);
    }
    handle_action(action);
  }
}

void FakeAmiServer::handle_action(const AmiPacket& action) {
  const std::string action_id(action.get("ActionID"));
  if (action.kind() != "Action") {
    send_response("Error", action_id, {{"Message", "Missing action in request"}});
    return;
  }
  const std::string_view name = action.name();
  if (name == "Login") {
    ++m_login_attempts;
    const bool matches =
        action.get("Username") == m_options.username && action.get("Secret") == m_options.secret;
    if (!matches || m_refused < m_options.refuse_logins) {
      ++m_refused;
      send_response("Error", action_id, {{"Message", "Authentication failed"}});
      close_client();
      return;
    }
    m_logged_in = true;
    send_response("Success", action_id, {{"Message", "Authentication accepted"}});
    send_packet({{"Event", "FullyBooted"}, {"Privilege", "system,all"}, {"Uptime", "3601"},
                 {"LastReload", "3601"}, {"Status", "Fully Booted"}});
    {
      std::lock_guard lock(m_mutex);
      ++m_logins;
    }
    m_changed.notify_all();
    return;
  }
  if (name == "Logoff") {
    send_response("Goodbye", action_id, {{"Message", "Thanks for all the fish."}});
    close_client();
    return;
  }
  if (!m_logged_in) {
    send_response("Error", action_id, {{"Message", "Permission denied"}});
    return;
  }
  if (name == "Ping") {
    if (m_options.answer_pings) {
      send_response("Success", action_id, {{"Ping", "Pong"}, {"Timestamp", "1732550000.123456"}});
    }
    return;
  }
  if (name == "CoreShowChannels") {
    m_resynced = true;
    if (!m_options.allow_core_show_channels) {
      send_response("Error", action_id, {{"Message", "Permission denied"}});
      return;
    }
    send_response("Success", action_id,
                  {{"EventList", "start"}, {"Message", "Channels will follow"}});
    for (const std::string& id : m_channel_order) {
      const Snapshot& snapshot = m_channels.at(id);
      Headers item{{"Event", "CoreShowChannel"}, {"ActionID", action_id}};
      item.insert(item.end(), snapshot.fields.begin(), snapshot.fields.end());
      item.emplace_back("BridgeId", snapshot.bridge);
      item.emplace_back("Application", "Dial");
      item.emplace_back("ApplicationData", "");
      item.emplace_back("Duration", "00:00:10");
      send_packet(item);
    }
    send_packet({{"Event", "CoreShowChannelsComplete"}, {"ActionID", action_id},
                 {"EventList", "Complete"}, {"ListItems", std::to_string(m_channel_order.size())}});
    return;
  }
  if (future_expect(name)) {
    m_deferred.push_back(action);  // answered when the script reaches its %expect
    return;
  }
  if (name == "Originate") {
    send_response("Success", action_id, {{"Message", "Originate successfully queued"}});
  } else if (name == "Hangup") {
    const std::string_view channel = action.get("Channel");
    const bool exists = std::any_of(m_channels.begin(), m_channels.end(), [&](const auto& entry) {
      return value_of(entry.second.fields, "Channel") == channel;
    });
    if (exists) {
      send_response("Success", action_id, {{"Message", "Channel Hungup"}});
    } else {
      send_response("Error", action_id, {{"Message", "No such channel"}});
    }
  } else if (name == "Events") {
    send_response("Success", action_id, {{"Events", "On"}});
  } else {
    send_response("Error", action_id,
                  {{"Message", "Invalid/unknown command: " + std::string(name) +
                                   ". Use Action: ListCommands to show available commands."}});
  }
}

bool FakeAmiServer::future_expect(std::string_view action) const {
  for (std::size_t i = m_step; i < m_script.size(); ++i) {
    if (m_script[i].kind == TranscriptStep::Kind::expect && m_script[i].text == action) {
      return true;
    }
  }
  return false;
}

void FakeAmiServer::answer_expected(const AmiPacket& action, const TranscriptStep& step) {
  m_variables.clear();
  for (std::size_t i = 0; i < action.size(); ++i) {
    m_variables.emplace(std::string(action.key(i)), std::string(action.value(i)));
  }
  const std::string action_id(action.get("ActionID"));
  if (step.reply_error) {
    send_response("Error", action_id, {{"Message", step.reply_message}});
    return;
  }
  std::string message = "Success";
  if (step.text == "Originate") {
    message = "Originate successfully queued";
  } else if (step.text == "Hangup") {
    message = "Channel Hungup";
  }
  send_response("Success", action_id, {{"Message", message}});
}

bool FakeAmiServer::script_ready() const {
  return m_client && m_logged_in && m_resynced;
}

void FakeAmiServer::run_script() {
  while (m_step < m_script.size()) {
    const TranscriptStep& step = m_script[m_step];
    switch (step.kind) {
      case TranscriptStep::Kind::packet: {
        const Headers headers = substituted(step);
        if (m_offline) {
          apply_to_model(headers);
        } else if (!script_ready()) {
          return;
        } else {
          if (m_options.garbage_between_packets) {
            send_line("this line is not a header");
          }
          send_packet(headers);
          apply_to_model(headers);
        }
        break;
      }
      case TranscriptStep::Kind::garbage:
        if (!m_offline) {
          if (!script_ready()) {
            return;
          }
          send_line(step.text);
        }
        break;
      case TranscriptStep::Kind::expect: {
        if (!script_ready()) {
          return;
        }
        const auto match = std::find_if(m_deferred.begin(), m_deferred.end(), [&](const AmiPacket& a) {
          return a.name() == step.text;
        });
        if (match == m_deferred.end()) {
          return;  // blocked until the client sends it
        }
        const AmiPacket action = *match;
        m_deferred.erase(match);
        answer_expected(action, step);
        break;
      }
      case TranscriptStep::Kind::drop:
        close_client();
        m_offline = true;
        break;
      case TranscriptStep::Kind::accept:
        m_offline = false;
        break;
    }
    ++m_step;
  }
  std::lock_guard lock(m_mutex);
  if (!m_done) {
    m_done = true;
    m_changed.notify_all();
  }
}

// --- Output ---------------------------------------------------------------------------------

void FakeAmiServer::send_packet(const Headers& headers) {
  const std::string_view end = m_options.lf_only ? "\n" : "\r\n";
  std::string text;
  for (const auto& [key, value] : headers) {
    text.append(key).append(": ").append(value).append(end);
  }
  text.append(end);
  write(text);
  ++m_packets_sent;
}

void FakeAmiServer::send_response(std::string_view status, std::string_view action_id, Headers extra) {
  Headers headers{{"Response", std::string(status)}};
  if (!action_id.empty()) {
    headers.emplace_back("ActionID", std::string(action_id));
  }
  headers.insert(headers.end(), extra.begin(), extra.end());
  send_packet(headers);
}

void FakeAmiServer::send_line(std::string_view line) {
  std::string text(line);
  text.append(m_options.lf_only ? "\n" : "\r\n");
  write(text);
}

void FakeAmiServer::write(const std::string& bytes) {
  if (!m_client) {
    return;
  }
  // Gathered and sent once per loop turn (or every 64 KiB), as a PBX's buffered stream is.
  m_out.append(bytes);
  if (m_out.size() >= 65536) {
    flush();
  }
}

void FakeAmiServer::flush() {
  if (!m_client || m_out.empty()) {
    m_out.clear();
    return;
  }
  const std::string bytes = std::move(m_out);
  m_out.clear();
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    std::size_t piece = bytes.size() - sent;
    if (m_options.max_chunk > 0) {
      std::uniform_int_distribution<std::size_t> size(1, m_options.max_chunk);
      piece = std::min(piece, size(m_rng));
    }
    const int n = m_client->sendBytes(bytes.data() + sent, static_cast<int>(piece));
    if (n <= 0) {
      throw Poco::IOException("client closed");
    }
    sent += static_cast<std::size_t>(n);
  }
}

void FakeAmiServer::close_client() {
  if (!m_client) {
    return;
  }
  flush();
  try {
    m_client->shutdownSend();
  } catch (const Poco::Exception&) {
  }
  if (m_closing) {
    m_closing->close();
  }
  m_closing = std::move(m_client);
  m_closing_since = std::chrono::steady_clock::now();
  m_logged_in = false;
  m_resynced = false;
}

// --- The channel list CoreShowChannels reports ---------------------------------------------

void FakeAmiServer::apply_to_model(const Headers& headers) {
  const std::string_view event = value_of(headers, "Event");
  const std::string id(value_of(headers, "Uniqueid"));
  if (id.empty()) {
    return;
  }
  const auto found = m_channels.find(id);
  if (event == "Newchannel" && found == m_channels.end()) {
    Snapshot snapshot;
    for (const std::string_view key : k_snapshot_keys) {
      snapshot.fields.emplace_back(std::string(key), std::string(value_of(headers, key)));
    }
    m_channels.emplace(id, std::move(snapshot));
    m_channel_order.push_back(id);
    return;
  }
  if (found == m_channels.end()) {
    return;
  }
  if (event == "Hangup") {
    m_channels.erase(found);
    std::erase(m_channel_order, id);
  } else if (event == "BridgeEnter") {
    found->second.bridge = std::string(value_of(headers, "BridgeUniqueid"));
  } else if (event == "BridgeLeave") {
    found->second.bridge.clear();
  } else {
    for (auto& [key, value] : found->second.fields) {
      if (key == "ChannelState" || key == "ChannelStateDesc" || key == "ConnectedLineNum" ||
          key == "ConnectedLineName") {
        const std::string_view now = value_of(headers, key);
        if (!now.empty()) {
          value = std::string(now);
        }
      }
    }
  }
}

Headers FakeAmiServer::substituted(const TranscriptStep& step) const {
  Headers headers = step.headers;
  for (auto& [key, value] : headers) {
    std::size_t at = 0;
    while ((at = value.find("${", at)) != std::string::npos) {
      const std::size_t close = value.find('}', at);
      if (close == std::string::npos) {
        break;
      }
      const std::string name = value.substr(at + 2, close - at - 2);
      const auto found = m_variables.find(name);
      const std::string replacement = found == m_variables.end() ? std::string() : found->second;
      value.replace(at, close - at + 1, replacement);
      at += replacement.size();
    }
  }
  return headers;
}

}  // namespace cti::adapters::asterisk_ami
