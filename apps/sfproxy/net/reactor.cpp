#include "net/reactor.hpp"

#include "net/exchange.hpp"
#include "net/http_message.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <limits>

namespace sfproxy::net {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t listener_tag = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t mailbox_tag = listener_tag - 1;

constexpr std::size_t read_buffer_size = 16 * 1024;  // one TLS record of plaintext
constexpr int max_events = 256;
constexpr int accepts_per_wakeup = 64;
// Progress rounds one connection gets per turn before the others get theirs.
constexpr int rounds_per_turn = 16;
// After the last response: keep reading (and dropping) what the client still sends, so that
// closing does not reset the connection under the response it has not read yet.
constexpr auto max_linger = 2s;
constexpr std::size_t max_linger_bytes = 1024 * 1024;
// Out of file descriptors: stop accepting for a moment rather than spin on the listener.
constexpr auto accept_pause = 100ms;

constexpr std::string_view continue_response = "HTTP/1.1 100 Continue\r\n\r\n";

std::string peer_address(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return {};
  char host[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, &address, sizeof in);
    ::inet_ntop(AF_INET, &in.sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(in.sin_port));
  }
  if (address.ss_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &address, sizeof in6);
    ::inet_ntop(AF_INET6, &in6.sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6.sin6_port));
  }
  return {};
}

void set_flag(int fd, int level, int option) {
  const int on = 1;
  ::setsockopt(fd, level, option, &on, sizeof on);
}

std::string errno_text(int error) { return std::strerror(error); }

}  // namespace

Reactor::Reactor(std::shared_ptr<ServerShared> shared, const Handler& handler)
    : m_shared(std::move(shared)),
      m_handler(handler),
      m_config(m_shared->config),
      m_mailbox(std::make_shared<Mailbox>()),
      m_buffer(std::make_unique<char[]>(read_buffer_size)) {
  m_limits.max_header_bytes = m_config.max_header_bytes;
  m_limits.max_target_bytes = std::min<std::size_t>(8 * 1024, m_config.max_header_bytes);
  m_limits.max_body_bytes = m_config.max_body_bytes;
}

Reactor::~Reactor() {
  stop();
  if (m_listener >= 0) ::close(m_listener);
  if (m_epoll >= 0) ::close(m_epoll);
}

cti::Result<void> Reactor::open() {
  if (!m_mailbox->valid()) {
    return cti::fail(cti::ErrorCode::unavailable, "cannot create eventfd: " + errno_text(errno));
  }
  m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
  if (m_epoll < 0) return cti::fail(cti::ErrorCode::unavailable, "cannot create epoll: " + errno_text(errno));
  epoll_event mailbox_event{};
  mailbox_event.events = EPOLLIN;
  mailbox_event.data.u64 = mailbox_tag;
  if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_mailbox->eventfd(), &mailbox_event) != 0) {
    return cti::fail(cti::ErrorCode::unavailable, "cannot register with epoll: " + errno_text(errno));
  }
  return {};
}

cti::Result<std::uint16_t> Reactor::listen(const sockaddr_storage& address, socklen_t length,
                                           std::vector<Reactor*> reactors) {
  m_reactors = std::move(reactors);
  m_listener = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (m_listener < 0) {
    return cti::fail(cti::ErrorCode::unavailable, "cannot create listening socket: " + errno_text(errno));
  }
  set_flag(m_listener, SOL_SOCKET, SO_REUSEADDR);  // restart while old connections linger in TIME_WAIT
  if (::bind(m_listener, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    return cti::fail(cti::ErrorCode::unavailable, "cannot bind: " + errno_text(errno));
  }
  if (::listen(m_listener, SOMAXCONN) != 0) {
    return cti::fail(cti::ErrorCode::unavailable, "cannot listen: " + errno_text(errno));
  }
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  std::uint16_t port = 0;
  if (bound.ss_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, &bound, sizeof in);
    port = ntohs(in.sin_port);
  } else {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &bound, sizeof in6);
    port = ntohs(in6.sin6_port);
  }
  epoll_event listener_event{};
  listener_event.events = EPOLLIN;  // level-triggered: a backlog left over wakes us again
  listener_event.data.u64 = listener_tag;
  if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_listener, &listener_event) != 0) {
    return cti::fail(cti::ErrorCode::unavailable, "cannot register with epoll: " + errno_text(errno));
  }
  return port;
}

void Reactor::start() {
  m_thread = std::thread([this] { run(); });
}

void Reactor::stop() {
  if (!m_thread.joinable()) return;
  assert(std::this_thread::get_id() != m_thread.get_id() && "stop() from a handler or a callback");
  Task task;
  task.kind = Task::Kind::stop;
  m_mailbox->post(std::move(task));
  m_thread.join();
}

// --- The loop ---------------------------------------------------------------------

void Reactor::run() {
  m_mailbox->bind_to_current_thread();
  std::vector<epoll_event> events(max_events);
  while (!m_stop_requested) {
    const int count = ::epoll_wait(m_epoll, events.data(), max_events, wait_timeout_ms());
    m_now = Clock::now();
    for (int i = 0; i < count && !m_stop_requested; ++i) {
      const epoll_event& event = events[static_cast<std::size_t>(i)];
      if (event.data.u64 == listener_tag) {
        on_listener_ready();
      } else if (event.data.u64 == mailbox_tag) {
        for (Task& task : m_mailbox->take_remote()) run_task(task);
      } else if (Connection* c = find_open(event.data.u64)) {
        on_connection_event(*c, event.events);
      }
      run_local_tasks();
    }
    run_ready_list();
    run_timers();
    if (m_listener_paused && m_now >= m_listener_resume) {
      epoll_event listener_event{};
      listener_event.events = EPOLLIN;
      listener_event.data.u64 = listener_tag;
      ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, m_listener, &listener_event);
      m_listener_paused = false;
    }
    reap();
  }
  teardown();
}

int Reactor::wait_timeout_ms() const {
  if (!m_ready.empty() || m_mailbox->has_local()) return 0;
  Clock::time_point next = Clock::time_point::max();
  if (!m_timers.empty()) next = m_timers.top().when;
  if (m_listener_paused) next = std::min(next, m_listener_resume);
  if (next == Clock::time_point::max()) return -1;
  const auto now = Clock::now();
  if (next <= now) return 0;
  // Round up, so a deadline is never polled for a millisecond early in a loop.
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
  return static_cast<int>(std::min<long long>(wait, 60'000));
}

void Reactor::run_local_tasks() {
  while (m_mailbox->has_local()) {
    for (Task& task : m_mailbox->take_local()) run_task(task);
  }
}

void Reactor::run_ready_list() {
  if (m_ready.empty()) return;
  std::vector<std::uint64_t> ready;
  ready.swap(m_ready);
  for (std::uint64_t id : ready) {
    if (Connection* c = find_open(id)) {
      c->in_ready_list = false;
      drive(*c);
      run_local_tasks();
    }
  }
}

void Reactor::run_timers() {
  while (!m_timers.empty() && m_timers.top().when <= m_now) {
    const TimerEntry entry = m_timers.top();
    m_timers.pop();
    Connection* c = find_open(entry.id);
    if (c == nullptr) continue;
    if (c->timer_armed && c->timer_armed_at == entry.when) c->timer_armed = false;
    const Clock::time_point deadline = deadline_of(*c);
    if (deadline <= m_now) {
      on_timeout(*c);
      run_local_tasks();
    } else {
      update_timer(*c);
    }
  }
}

void Reactor::reap() {
  for (std::uint64_t id : m_closed) m_connections.erase(id);
  m_closed.clear();
}

void Reactor::teardown() {
  for (Task& task : m_mailbox->close()) {
    if (task.stream) task.stream->finish();
    if (task.kind == Task::Kind::adopt) drop_handed_over(task.fd);
  }
  if (m_listener >= 0) {
    ::close(m_listener);
    m_listener = -1;
  }
  for (auto& [id, c] : m_connections) close_connection(*c);
  reap();
}

Reactor::Connection* Reactor::find_open(std::uint64_t id) {
  const auto it = m_connections.find(id);
  if (it == m_connections.end() || it->second->closed) return nullptr;
  return it->second.get();
}

// --- Accepting --------------------------------------------------------------------

void Reactor::on_listener_ready() {
  for (int i = 0; i < accepts_per_wakeup; ++i) {
    const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      hand_over(fd);
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
      epoll_event none{};
      none.data.u64 = listener_tag;
      ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, m_listener, &none);
      m_listener_paused = true;
      m_listener_resume = m_now + accept_pause;
    }
    return;
  }
}

// The acceptor's part: count the connection against max_connections and give it to the
// reactor that owns the fewest.
void Reactor::hand_over(int fd) {
  ServerCounters& counters = m_shared->counters;
  const std::uint64_t open_before = counters.connections_open.fetch_add(1, std::memory_order_relaxed);
  if (open_before >= m_config.max_connections) {
    counters.connections_open.fetch_sub(1, std::memory_order_relaxed);
    refuse_connection(fd);
    return;
  }
  counters.connections_accepted.fetch_add(1, std::memory_order_relaxed);
  Reactor* owner = this;
  for (Reactor* reactor : m_reactors) {
    if (reactor->m_load.load(std::memory_order_relaxed) < owner->m_load.load(std::memory_order_relaxed)) {
      owner = reactor;
    }
  }
  owner->m_load.fetch_add(1, std::memory_order_relaxed);
  if (owner == this) {
    adopt_connection(fd);
    return;
  }
  Task task;
  task.kind = Task::Kind::adopt;
  task.fd = fd;
  if (!owner->m_mailbox->post(std::move(task))) owner->drop_handed_over(fd);
}

// A socket handed over but never adopted (the owner stopped, or setting it up failed).
void Reactor::drop_handed_over(int fd) {
  ::close(fd);
  m_load.fetch_sub(1, std::memory_order_relaxed);
  m_shared->counters.connections_open.fetch_sub(1, std::memory_order_relaxed);
}

void Reactor::adopt_connection(int fd) {
  set_flag(fd, IPPROTO_TCP, TCP_NODELAY);
  set_flag(fd, SOL_SOCKET, SO_KEEPALIVE);

  auto c = std::make_unique<Connection>();
  c->id = m_shared->next_connection_id.fetch_add(1, std::memory_order_relaxed);
  c->fd = fd;
  if (m_shared->tls) {
    c->ssl = SSL_new(m_shared->tls.get());
    if (c->ssl == nullptr || SSL_set_fd(c->ssl, fd) != 1) {
      ERR_clear_error();
      if (c->ssl != nullptr) SSL_free(c->ssl);
      drop_handed_over(fd);
      return;
    }
    SSL_set_accept_state(c->ssl);
    c->phase = Phase::handshake;
    c->phase_deadline = m_now + m_config.handshake_timeout;
  } else {
    c->phase = Phase::request;
    c->phase_deadline = m_now + m_config.request_timeout;
  }

  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.u64 = c->id;
  if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event) != 0) {
    if (c->ssl != nullptr) SSL_free(c->ssl);
    drop_handed_over(fd);
    return;
  }
  Connection& connection = *c;
  m_connections.emplace(connection.id, std::move(c));
  drive(connection);
}

void Reactor::refuse_connection(int fd) {
  m_shared->counters.connections_refused.fetch_add(1, std::memory_order_relaxed);
  if (!m_shared->tls) {
    // Plain HTTP can be told why, in one best-effort write; TLS would need a handshake.
    ResponseFraming framing;
    framing.keep_alive = false;
    const std::string response = serialize_response(error_response(503, "too many connections"), framing,
                                                    m_config.common_headers, current_http_date());
    [[maybe_unused]] const ssize_t sent = ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
  }
  ::close(fd);
}

// --- Events and tasks ---------------------------------------------------------

void Reactor::on_connection_event(Connection& c, std::uint32_t events) {
  if ((events & EPOLLERR) != 0) {
    if (c.phase == Phase::handshake) {
      m_shared->counters.tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
    }
    close_connection(c);
    return;
  }
  if ((events & EPOLLIN) != 0) c.can_read = true;
  if ((events & EPOLLOUT) != 0) c.can_write = true;
  if ((events & (EPOLLRDHUP | EPOLLHUP)) != 0) {
    c.peer_closed = true;
    c.can_read = true;  // the next read reports the end of the stream
  }
  drive(c);
}

void Reactor::run_task(Task& task) {
  switch (task.kind) {
    case Task::Kind::stop:
      m_stop_requested = true;
      return;
    case Task::Kind::adopt:
      adopt_connection(task.fd);
      return;
    case Task::Kind::respond: {
      Connection* c = find_open(task.connection_id);
      if (c == nullptr || c->phase != Phase::waiting) return;
      c->keep_alive = task.keep_alive;
      c->phase = Phase::writing;
      queue_output(*c, std::move(task.bytes));
      drive(*c);
      return;
    }
    case Task::Kind::start_stream: {
      Connection* c = find_open(task.connection_id);
      if (c == nullptr || c->phase != Phase::waiting) {
        task.stream->finish();
        return;
      }
      c->stream = std::move(task.stream);
      c->phase = Phase::streaming;
      c->last_write_progress = m_now;  // the heartbeat interval counts from here
      c->in = std::string();  // anything pipelined after a stream's request is never answered
      c->keep_alive = false;
      c->discarded = 0;
      m_shared->counters.streams_open.fetch_add(1, std::memory_order_relaxed);
      if (c->stream->was_cut()) {
        m_shared->counters.streams_cut.fetch_add(1, std::memory_order_relaxed);
        close_connection(*c);
        return;
      }
      drive(*c);
      return;
    }
    case Task::Kind::stream_flush:
    case Task::Kind::stream_close: {
      Connection* c = find_open(task.connection_id);
      if (c != nullptr && c->phase == Phase::streaming) drive(*c);
      return;
    }
    case Task::Kind::stream_cut: {
      Connection* c = find_open(task.connection_id);
      if (c != nullptr && c->phase == Phase::streaming) {
        m_shared->counters.streams_cut.fetch_add(1, std::memory_order_relaxed);
        close_connection(*c);
      }
      return;
    }
  }
}

// --- Driving a connection -------------------------------------------------------

void Reactor::drive(Connection& c) {
  for (int round = 0; round < rounds_per_turn; ++round) {
    if (c.closed) return;
    bool progress = false;
    if (c.phase == Phase::handshake) {
      progress = step_handshake(c);
    } else {
      progress = flush(c);
      if (c.closed) return;
      if (!has_output(c)) progress = finish_output(c) || progress;
      if (c.closed) return;
      progress = read_step(c) || progress;
    }
    if (c.closed) return;
    if (c.phase == Phase::waiting && c.peer_closed) {
      // The client went away while its handler works: the late answer will find no one.
      close_connection(c);
      return;
    }
    if (!progress) {
      update_timer(c);
      return;
    }
  }
  // Still busy after its turn: continue after the other connections had theirs.
  if (!c.in_ready_list) {
    c.in_ready_list = true;
    m_ready.push_back(c.id);
  }
  update_timer(c);
}

bool Reactor::step_handshake(Connection& c) {
  ERR_clear_error();
  const int result = SSL_accept(c.ssl);
  if (result == 1) {
    c.phase = Phase::request;
    c.phase_deadline = m_now + m_config.request_timeout;
    return true;
  }
  const int error = SSL_get_error(c.ssl, result);
  if (error == SSL_ERROR_WANT_READ && !c.peer_closed) {
    c.can_read = false;
    return false;
  }
  if (error == SSL_ERROR_WANT_WRITE) {
    c.can_write = false;
    return false;
  }
  ERR_clear_error();
  m_shared->counters.tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
  close_connection(c);
  return false;
}

bool Reactor::flush(Connection& c) {
  bool progress = false;
  while (true) {
    if (!has_output(c)) {
      c.out.clear();
      c.out_offset = 0;
      if (!c.stream || !c.stream->take_queued(c.out)) break;
      c.last_write_progress = m_now;
    }
    if (!c.can_write) break;
    const IoResult result = io_write(c, c.out.data() + c.out_offset, c.out.size() - c.out_offset);
    if (result.status == IoStatus::ok) {
      c.out_offset += result.bytes;
      c.last_write_progress = m_now;
      progress = true;
      if (c.stream) c.stream->set_in_flight(c.out.size() - c.out_offset);
      continue;
    }
    if (result.status == IoStatus::would_block) break;
    close_connection(c);
    return false;
  }
  if (!has_output(c) && c.out.capacity() != 0) {
    // Idle connections hold no buffers.
    c.out = std::string();
    c.out_offset = 0;
  }
  return progress;
}

bool Reactor::finish_output(Connection& c) {
  switch (c.phase) {
    case Phase::writing:
      if (c.keep_alive) {
        c.phase = Phase::request;
        c.idle = true;
        c.phase_deadline = m_now + m_config.keep_alive_timeout;
      } else {
        begin_graceful_close(c);
      }
      return true;
    case Phase::streaming:
      if (c.stream->close_requested()) {
        begin_graceful_close(c);
        return true;
      }
      return false;
    default:
      return false;
  }
}

bool Reactor::read_step(Connection& c) {
  switch (c.phase) {
    case Phase::request:
      return read_request(c);
    case Phase::streaming:
      // A stream's client has nothing to say; what it sends is dropped, within reason.
      return discard_input(c, false, m_config.max_header_bytes + m_config.max_body_bytes);
    case Phase::lingering:
      return discard_input(c, true, max_linger_bytes);
    default:
      return false;
  }
}

bool Reactor::read_request(Connection& c) {
  if (!c.in.empty()) {
    const std::string pending = std::exchange(c.in, std::string());
    consume_request_bytes(c, pending);
    return true;
  }
  if (!c.can_read) return false;
  const IoResult result = io_read(c, m_buffer.get(), read_buffer_size);
  if (result.status == IoStatus::ok) {
    consume_request_bytes(c, std::string_view(m_buffer.get(), result.bytes));
    return true;
  }
  if (result.status == IoStatus::would_block) return false;
  close_connection(c);
  return false;
}

bool Reactor::discard_input(Connection& c, bool raw, std::size_t limit) {
  if (!c.can_read) return false;
  IoResult result;
  if (raw) {
    const ssize_t received = ::recv(c.fd, m_buffer.get(), read_buffer_size, 0);
    if (received > 0) {
      result = {IoStatus::ok, static_cast<std::size_t>(received)};
    } else if (received == 0) {
      result = {IoStatus::eof, 0};
    } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      if (errno != EINTR) c.can_read = false;
      result = {IoStatus::would_block, 0};
    }
  } else {
    result = io_read(c, m_buffer.get(), read_buffer_size);
  }
  if (result.status == IoStatus::would_block) return false;
  if (result.status == IoStatus::ok) {
    c.discarded += result.bytes;
    if (c.discarded <= limit) return true;
  }
  close_connection(c);
  return false;
}

void Reactor::consume_request_bytes(Connection& c, std::string_view data) {
  if (!c.parser) c.parser = std::make_unique<HttpRequestParser>(m_limits);
  while (true) {
    const bool was_started = c.parser->started();
    const ParseStep step = c.parser->feed(data);
    data.remove_prefix(step.consumed);
    if (!was_started && c.parser->started() && c.idle) {
      // The keep-alive wait is over; the whole request must now arrive in time.
      c.idle = false;
      c.phase_deadline = m_now + m_config.request_timeout;
    }
    switch (step.event) {
      case ParseEvent::need_more:
        return;
      case ParseEvent::head_complete:
        if (c.parser->expects_continue()) queue_output(c, std::string(continue_response));
        continue;
      case ParseEvent::complete:
        if (!data.empty()) c.in.assign(data);
        dispatch(c);
        return;
      case ParseEvent::failed:
        answer_error(c, c.parser->error().status, c.parser->error().message);
        return;
    }
  }
}

void Reactor::dispatch(Connection& c) {
  HttpRequestParser& parser = *c.parser;
  HttpRequest request = std::move(parser.request());
  request.remote_address = peer_address(c.fd);
  ResponseFraming framing;
  framing.keep_alive = parser.keep_alive();
  framing.http10 = parser.is_http10();
  framing.head_request = request.method == "HEAD";
  c.parser.reset();
  c.phase = Phase::waiting;
  c.idle = false;
  m_shared->counters.requests.fetch_add(1, std::memory_order_relaxed);

  auto exchange = std::make_shared<ExchangeImpl>(m_shared, m_mailbox, c.id, std::move(request), framing);
  try {
    m_handler(exchange);
  } catch (...) {
    // The handler boundary: a throwing handler costs its own request, nothing else.
    exchange->respond(error_response(500, "internal error"));
  }
}

void Reactor::answer_error(Connection& c, int status, std::string_view message) {
  m_shared->counters.bad_requests.fetch_add(1, std::memory_order_relaxed);
  ResponseFraming framing;
  framing.keep_alive = false;
  // The message may belong to the parser, so the response is made before the parser goes.
  std::string response = serialize_response(error_response(status, message), framing, m_config.common_headers,
                                            current_http_date());
  c.parser.reset();
  c.in = std::string();
  c.keep_alive = false;
  c.phase = Phase::writing;
  queue_output(c, std::move(response));
}

void Reactor::queue_output(Connection& c, std::string bytes) {
  if (!has_output(c)) {
    c.out = std::move(bytes);
    c.out_offset = 0;
    c.last_write_progress = m_now;
  } else {
    c.out.append(bytes);
  }
}

void Reactor::begin_graceful_close(Connection& c) {
  end_stream(c);
  if (c.ssl != nullptr) {
    ERR_clear_error();
    SSL_shutdown(c.ssl);  // close_notify, best effort
    ERR_clear_error();
    SSL_free(c.ssl);
    c.ssl = nullptr;
  }
  ::shutdown(c.fd, SHUT_WR);
  c.parser.reset();
  c.in = std::string();
  c.out = std::string();
  c.out_offset = 0;
  c.discarded = 0;
  c.phase = Phase::lingering;
  c.phase_deadline = m_now + std::min<Clock::duration>(max_linger, m_config.request_timeout);
}

void Reactor::end_stream(Connection& c) {
  if (!c.stream) return;
  m_shared->counters.streams_open.fetch_sub(1, std::memory_order_relaxed);
  const std::shared_ptr<StreamImpl> stream = std::move(c.stream);
  c.stream.reset();
  try {
    stream->finish();
  } catch (...) {
    // An on_close callback that throws must not take the reactor with it.
  }
}

void Reactor::close_connection(Connection& c) {
  if (c.closed) return;
  c.closed = true;
  end_stream(c);
  if (c.ssl != nullptr) {
    SSL_free(c.ssl);
    c.ssl = nullptr;
  }
  ::close(c.fd);  // also leaves the epoll set
  c.fd = -1;
  c.parser.reset();
  c.in = std::string();
  c.out = std::string();
  m_shared->counters.connections_open.fetch_sub(1, std::memory_order_relaxed);
  m_load.fetch_sub(1, std::memory_order_relaxed);
  m_closed.push_back(c.id);
}

// --- Timeouts -------------------------------------------------------------------

Reactor::Clock::time_point Reactor::deadline_of(const Connection& c) const {
  if (has_output(c)) return c.last_write_progress + m_config.stream_stall_timeout;
  switch (c.phase) {
    case Phase::handshake:
    case Phase::request:
    case Phase::lingering:
      return c.phase_deadline;
    case Phase::streaming:
      if (m_config.stream_heartbeat_interval.count() > 0) {
        return c.last_write_progress + m_config.stream_heartbeat_interval;
      }
      return Clock::time_point::max();
    default:
      return Clock::time_point::max();
  }
}

void Reactor::update_timer(Connection& c) {
  if (c.closed) return;
  const Clock::time_point deadline = deadline_of(c);
  if (deadline == Clock::time_point::max()) return;
  if (c.timer_armed && c.timer_armed_at <= deadline) return;
  c.timer_armed = true;
  c.timer_armed_at = deadline;
  m_timers.push(TimerEntry{deadline, c.id});
}

void Reactor::on_timeout(Connection& c) {
  if (has_output(c)) {
    // The client stopped reading.
    if (c.stream) m_shared->counters.streams_cut.fetch_add(1, std::memory_order_relaxed);
    close_connection(c);
    return;
  }
  switch (c.phase) {
    case Phase::handshake:
      m_shared->counters.tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
      close_connection(c);
      return;
    case Phase::request:
      if (c.parser && c.parser->started()) {
        answer_error(c, 408, "the request did not arrive in time");
        drive(c);
      } else {
        close_connection(c);  // idle: nothing to answer
      }
      return;
    case Phase::streaming:
      // Nothing written for a heartbeat interval (deadline_of has no other streaming case).
      queue_output(c, m_config.stream_heartbeat);
      drive(c);
      return;
    default:
      close_connection(c);
      return;
  }
}

// --- I/O ---------------------------------------------------------------------------

Reactor::IoResult Reactor::io_read(Connection& c, char* buffer, std::size_t size) {
  if (c.ssl != nullptr) {
    ERR_clear_error();
    std::size_t read = 0;
    const int result = SSL_read_ex(c.ssl, buffer, size, &read);
    if (result == 1) return {IoStatus::ok, read};
    switch (SSL_get_error(c.ssl, result)) {
      case SSL_ERROR_WANT_READ:
        c.can_read = false;
        return {IoStatus::would_block, 0};
      case SSL_ERROR_WANT_WRITE:
        c.can_write = false;
        return {IoStatus::would_block, 0};
      case SSL_ERROR_ZERO_RETURN:
        return {IoStatus::eof, 0};
      default:
        ERR_clear_error();
        return {IoStatus::error, 0};
    }
  }
  while (true) {
    const ssize_t received = ::recv(c.fd, buffer, size, 0);
    if (received > 0) return {IoStatus::ok, static_cast<std::size_t>(received)};
    if (received == 0) return {IoStatus::eof, 0};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      c.can_read = false;
      return {IoStatus::would_block, 0};
    }
    return {IoStatus::error, 0};
  }
}

Reactor::IoResult Reactor::io_write(Connection& c, const char* data, std::size_t size) {
  if (c.ssl != nullptr) {
    ERR_clear_error();
    std::size_t written = 0;
    const int result = SSL_write_ex(c.ssl, data, size, &written);
    if (result == 1) return {IoStatus::ok, written};
    switch (SSL_get_error(c.ssl, result)) {
      case SSL_ERROR_WANT_WRITE:
        c.can_write = false;
        return {IoStatus::would_block, 0};
      case SSL_ERROR_WANT_READ:
        c.can_read = false;
        return {IoStatus::would_block, 0};
      default:
        ERR_clear_error();
        return {IoStatus::error, 0};
    }
  }
  while (true) {
    const ssize_t sent = ::send(c.fd, data, size, MSG_NOSIGNAL);
    if (sent >= 0) return {IoStatus::ok, static_cast<std::size_t>(sent)};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      c.can_write = false;
      return {IoStatus::would_block, 0};
    }
    return {IoStatus::error, 0};
  }
}

}  // namespace sfproxy::net
