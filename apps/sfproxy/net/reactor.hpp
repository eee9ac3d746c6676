#pragma once
// Reactor: one epoll loop on one thread and the connections it owns. The first reactor also
// holds the listening socket and hands each accepted socket to the reactor with the fewest
// connections. One socket bound without SO_REUSEPORT means a second instance on the same
// port fails to start instead of silently sharing the port, and port 0 needs nothing more.
// Connections are edge-triggered and remember whether the socket may still be readable or
// writable, so a connection waiting for its handler, or one whose client stopped reading,
// costs nothing until something changes; OpenSSL's WANT_READ/WANT_WRITE clear those flags
// in either direction. Other threads reach a connection only through the mailbox, by id.
//
// Timeouts: each connection has one deadline at a time (handshake, whole request, keep-alive
// idle, write stall, lingering close, a quiet stream's next heartbeat), kept in a per-reactor
// min-heap that is updated lazily: pushing a later deadline is skipped, and a popped entry
// re-arms at the current deadline.

#include "net/http_parser.hpp"
#include "net/server_state.hpp"

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

struct ssl_st;

namespace sfproxy::net {

class Reactor {
 public:
  using Clock = std::chrono::steady_clock;

  /// The handler must outlive the reactor (the server owns both and stops the reactor first).
  Reactor(std::shared_ptr<ServerShared> shared, const Handler& handler);
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  /// Creates the epoll set; call before start().
  cti::Result<void> open();
  /// Makes this reactor the acceptor for all of `reactors` (itself included); returns the
  /// bound port. The reactors must outlive this one's thread (the server stops it first).
  cti::Result<std::uint16_t> listen(const sockaddr_storage& address, socklen_t length,
                                    std::vector<Reactor*> reactors);
  void start();
  /// Closes every connection (streams get on_close) and joins the thread. Not from a handler.
  void stop();

 private:
  enum class Phase : std::uint8_t {
    handshake,  // TLS handshake in progress
    request,    // reading a request (or idle between requests)
    waiting,    // the handler has the request
    writing,    // a response is going out
    streaming,  // an open-ended response: the stream's bytes go out, input is discarded
    lingering,  // answered and shut down for writing; reading until the peer closes
  };

  struct Connection {
    std::uint64_t id = 0;
    int fd = -1;
    ::ssl_st* ssl = nullptr;
    Phase phase = Phase::request;
    bool can_read = true;
    bool can_write = true;
    bool peer_closed = false;
    bool closed = false;
    bool idle = false;        // in the request phase, between requests
    bool keep_alive = true;   // after the current response
    bool timer_armed = false;
    bool in_ready_list = false;
    Clock::time_point phase_deadline{};
    Clock::time_point last_write_progress{};
    Clock::time_point timer_armed_at{};
    std::unique_ptr<HttpRequestParser> parser;  // only while a request is being read
    std::string in;                             // pipelined bytes not parsed yet
    std::string out;
    std::size_t out_offset = 0;
    std::size_t discarded = 0;
    std::shared_ptr<StreamImpl> stream;
  };

  enum class IoStatus { ok, would_block, eof, error };
  struct IoResult {
    IoStatus status = IoStatus::error;
    std::size_t bytes = 0;
  };

  struct TimerEntry {
    Clock::time_point when;
    std::uint64_t id;
    friend bool operator>(const TimerEntry& a, const TimerEntry& b) { return a.when > b.when; }
  };

  void run();
  int wait_timeout_ms() const;
  void on_listener_ready();
  void hand_over(int fd);
  void adopt_connection(int fd);
  void refuse_connection(int fd);
  void drop_handed_over(int fd);
  void on_connection_event(Connection& c, std::uint32_t events);
  void run_task(Task& task);
  void run_local_tasks();
  void run_ready_list();
  void run_timers();
  void on_timeout(Connection& c);
  void reap();
  void teardown();

  void drive(Connection& c);
  bool step_handshake(Connection& c);
  bool flush(Connection& c);
  bool finish_output(Connection& c);
  bool read_step(Connection& c);
  bool read_request(Connection& c);
  bool discard_input(Connection& c, bool raw, std::size_t limit);
  void consume_request_bytes(Connection& c, std::string_view data);
  void dispatch(Connection& c);
  void answer_error(Connection& c, int status, std::string_view message);
  void queue_output(Connection& c, std::string bytes);
  void begin_graceful_close(Connection& c);
  void close_connection(Connection& c);
  void end_stream(Connection& c);
  IoResult io_read(Connection& c, char* buffer, std::size_t size);
  IoResult io_write(Connection& c, const char* data, std::size_t size);

  bool has_output(const Connection& c) const noexcept { return c.out_offset < c.out.size(); }
  Clock::time_point deadline_of(const Connection& c) const;
  void update_timer(Connection& c);
  Connection* find_open(std::uint64_t id);

  std::shared_ptr<ServerShared> m_shared;
  const Handler& m_handler;
  const ServerConfig& m_config;
  std::shared_ptr<Mailbox> m_mailbox;
  ParserLimits m_limits;
  int m_epoll = -1;
  int m_listener = -1;
  std::vector<Reactor*> m_reactors;           // the acceptor's choice of owners
  std::atomic<std::size_t> m_load{0};         // connections owned or on their way here
  bool m_listener_paused = false;
  Clock::time_point m_listener_resume{};
  bool m_stop_requested = false;
  Clock::time_point m_now{};
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> m_connections;
  std::vector<std::uint64_t> m_closed;
  std::vector<std::uint64_t> m_ready;
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> m_timers;
  std::unique_ptr<char[]> m_buffer;  // one read buffer for all connections of this reactor
  std::thread m_thread;
};

}  // namespace sfproxy::net
