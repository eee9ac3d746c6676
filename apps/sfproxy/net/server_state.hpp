#pragma once
// What the reactors, exchanges and streams of one server share: the settings, the counters,
// and each reactor's mailbox. Exchanges and streams may outlive the server (a handler can
// keep them), so they hold these by shared_ptr and find a closed mailbox once it is gone.

#include "net/http_server.hpp"
#include "net/tls_context.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sfproxy::net {

class StreamImpl;

/// Counters behind ServerStats (relaxed atomics: they are statistics, not synchronisation).
struct ServerCounters {
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> streams_open{0};
  std::atomic<std::uint64_t> tls_handshake_failures{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> bad_requests{0};
  std::atomic<std::uint64_t> streams_cut{0};
  std::atomic<std::uint64_t> connections_refused{0};

  ServerStats snapshot() const noexcept;
};

/// No user objects in here (the handler lives with the server), so an exchange a handler
/// keeps can never keep its own handler alive.
struct ServerShared {
  ServerConfig config;
  SslContextPtr tls;  ///< null when TLS is off
  ServerCounters counters;
  std::atomic<std::uint64_t> next_connection_id{1};
  mutable std::atomic<std::uint64_t> next_stream_id{1};  ///< taken by exchanges, which see it const
};

/// Work for a reactor from an exchange or a stream, named by connection id: the connection
/// may be gone by the time the task runs, in which case the task is dropped (and a stream it
/// carries is finished).
struct Task {
  enum class Kind { respond, start_stream, stream_flush, stream_close, stream_cut, adopt, stop };
  Kind kind = Kind::respond;
  std::uint64_t connection_id = 0;
  std::string bytes;                   ///< respond: the serialized response
  bool keep_alive = true;              ///< respond: the connection may carry another request
  std::shared_ptr<StreamImpl> stream;  ///< start_stream
  int fd = -1;                         ///< adopt: an accepted socket for this reactor
};

/// A reactor's inbox. post() from another thread queues under a mutex and wakes the reactor
/// through its eventfd (once per batch); from the reactor's own thread it queues locally
/// without a system call, and the reactor runs the task as soon as the current callback
/// returns. Once closed (the reactor stopped), post() refuses.
class Mailbox {
 public:
  Mailbox();
  ~Mailbox();
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  bool valid() const noexcept { return m_eventfd >= 0; }
  int eventfd() const noexcept { return m_eventfd; }

  /// False if the reactor has stopped; the task is then dropped.
  bool post(Task task);

  // Reactor side.
  void bind_to_current_thread() noexcept;
  std::vector<Task> take_remote();
  std::vector<Task> take_local();
  bool has_local() const noexcept { return !m_local.empty(); }
  /// Refuses further posts; returns what was still queued.
  std::vector<Task> close();

 private:
  int m_eventfd = -1;
  std::mutex m_mutex;
  std::vector<Task> m_remote;
  bool m_wake_pending = false;
  bool m_closed = false;
  std::vector<Task> m_local;  // reactor thread only
};

}  // namespace sfproxy::net
