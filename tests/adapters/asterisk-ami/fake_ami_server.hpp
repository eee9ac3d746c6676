#pragma once
// FakeAmiServer: a real TCP AMI server on 127.0.0.1 (port 0) that plays a transcript. It
// sends the banner, checks Login (and can refuse it), answers Ping, CoreShowChannels (from a
// channel list it keeps by following the events it plays), Originate and Hangup, and can
// split its output at random byte boundaries, use bare LF line ends, put garbage lines between
// packets, drop the connection mid-call and accept the reconnect. One thread; stops by itself
// when destroyed.

#include "adapters/asterisk-ami/transcript.hpp"

#include "ami_parser.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace Poco::Net {
class ServerSocket;
class StreamSocket;
}  // namespace Poco::Net

namespace cti::adapters::asterisk_ami {

struct FakeAmiOptions {
  std::string username = "cti";
  std::string secret = "s3cret";
  int refuse_logins = 0;                  ///< refuse this many Login attempts before accepting
  bool answer_pings = true;               ///< false: Ping goes unanswered (a dead link)
  bool allow_core_show_channels = true;   ///< false: `Permission denied`, as for a user without `reporting`
  std::size_t max_chunk = 0;              ///< > 0: write in random pieces of 1..max_chunk bytes
  std::uint32_t seed = 1;                 ///< for the random pieces
  bool lf_only = false;                   ///< end lines with LF instead of CRLF
  bool garbage_between_packets = false;   ///< a junk line before every transcript packet
  std::string banner = "Asterisk Call Manager/9.0.0";
};

class FakeAmiServer {
 public:
  FakeAmiServer(FakeAmiOptions options, std::vector<TranscriptStep> script);
  ~FakeAmiServer();
  FakeAmiServer(const FakeAmiServer&) = delete;
  FakeAmiServer& operator=(const FakeAmiServer&) = delete;

  std::uint16_t port() const noexcept { return m_port; }

  /// True once every step ran (waits at most `timeout`).
  bool wait_until_done(std::chrono::milliseconds timeout);
  /// Waits until `count` logins have been accepted.
  bool wait_for_logins(int count, std::chrono::milliseconds timeout);
  /// Closes the current client connection (as a PBX restart would).
  void drop_client();

  std::uint64_t packets_sent() const noexcept { return m_packets_sent; }
  int connections() const noexcept { return m_connections; }
  int login_attempts() const noexcept { return m_login_attempts; }
  int logins() const noexcept { return m_logins; }
  /// Every action received, in order (all connections).
  std::vector<AmiPacket> actions() const;

 private:
  struct Snapshot {
    std::vector<std::pair<std::string, std::string>> fields;
    std::string bridge;
  };

  void run();
  void accept_client();
  void read_client();
  void handle_action(const AmiPacket& action);
  void answer_expected(const AmiPacket& action, const TranscriptStep& step);
  void run_script();
  bool script_ready() const;
  bool future_expect(std::string_view action) const;

  void send_packet(const std::vector<std::pair<std::string, std::string>>& headers);
  void send_response(std::string_view status, std::string_view action_id,
                     std::vector<std::pair<std::string, std::string>> extra = {});
  void send_line(std::string_view line);
  void write(const std::string& bytes);
  void flush();
  void close_client();
  void apply_to_model(const std::vector<std::pair<std::string, std::string>>& headers);
  std::vector<std::pair<std::string, std::string>> substituted(const TranscriptStep& step) const;

  FakeAmiOptions m_options;
  std::vector<TranscriptStep> m_script;
  std::unique_ptr<Poco::Net::ServerSocket> m_listener;
  std::unique_ptr<Poco::Net::StreamSocket> m_client;   // null when none
  std::unique_ptr<Poco::Net::StreamSocket> m_closing;  // half-closed, drained until EOF
  std::chrono::steady_clock::time_point m_closing_since{};
  std::uint16_t m_port = 0;
  std::thread m_thread;
  std::atomic<bool> m_stopping{false};
  std::atomic<bool> m_drop_requested{false};

  // Server thread only.
  AmiParser m_parser{ParserLimits{}, false};
  std::mt19937 m_rng;
  bool m_logged_in = false;
  bool m_resynced = false;
  bool m_offline = false;
  std::size_t m_step = 0;
  std::string m_out;  // written, not yet sent
  std::deque<AmiPacket> m_deferred;  // actions a later %expect will answer
  std::unordered_map<std::string, std::string> m_variables;
  std::vector<std::string> m_channel_order;
  std::unordered_map<std::string, Snapshot> m_channels;
  int m_refused = 0;

  std::atomic<std::uint64_t> m_packets_sent{0};
  std::atomic<int> m_connections{0};
  std::atomic<int> m_login_attempts{0};
  std::atomic<int> m_logins{0};

  mutable std::mutex m_mutex;  // guards m_actions and the wait conditions below
  std::condition_variable m_changed;
  std::vector<AmiPacket> m_actions;
  bool m_done = false;
};

}  // namespace cti::adapters::asterisk_ami
