#include "net/exchange.hpp"

#include <chrono>
#include <utility>

namespace sfproxy::net {

std::string current_http_date() {
  thread_local std::chrono::system_clock::time_point cached_second;
  thread_local std::string cached;
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  if (cached.empty() || now != cached_second) {
    cached_second = now;
    cached = http_date(now);
  }
  return cached;
}

// --- StreamImpl ---------------------------------------------------------------

StreamImpl::StreamImpl(std::uint64_t id, std::shared_ptr<Mailbox> mailbox, std::uint64_t connection_id,
                       std::size_t backlog_limit, std::string head)
    : m_id(id),
      m_mailbox(std::move(mailbox)),
      m_connection_id(connection_id),
      m_backlog_limit(backlog_limit),
      m_queue(std::move(head)) {}

bool StreamImpl::send(std::string_view bytes) {
  Task::Kind post_kind;
  {
    std::lock_guard lock(m_mutex);
    if (!m_open) return false;
    if (m_queue.size() + m_in_flight + bytes.size() > m_backlog_limit) {
      // The client does not keep up: cut it off rather than buffer without end.
      m_open = false;
      m_cut = true;
      m_queue = std::string();
      post_kind = Task::Kind::stream_cut;
    } else {
      m_queue.append(bytes);
      if (m_flush_posted) return true;
      m_flush_posted = true;
      post_kind = Task::Kind::stream_flush;
    }
  }
  Task task;
  task.kind = post_kind;
  task.connection_id = m_connection_id;
  // A closed mailbox means the reactor is tearing down, and it finishes every stream it
  // holds. Finishing here instead would run on_close inside send(), whose caller may hold
  // the very lock on_close takes (a publisher sending under its own lock).
  if (!m_mailbox->post(std::move(task))) {
    std::lock_guard lock(m_mutex);
    m_open = false;
    return false;
  }
  return post_kind == Task::Kind::stream_flush;
}

void StreamImpl::close() {
  {
    std::lock_guard lock(m_mutex);
    if (!m_open) return;
    m_open = false;
    m_close_requested = true;
  }
  Task task;
  task.kind = Task::Kind::stream_close;
  task.connection_id = m_connection_id;
  m_mailbox->post(std::move(task));  // if refused, the reactor's teardown finishes the stream (see send)
}

bool StreamImpl::is_open() const {
  std::lock_guard lock(m_mutex);
  return m_open;
}

void StreamImpl::on_close(std::function<void()> callback) {
  {
    std::lock_guard lock(m_mutex);
    if (!m_finished) {
      m_on_close = std::move(callback);
      return;
    }
  }
  if (callback) callback();
}

bool StreamImpl::take_queued(std::string& out) {
  std::lock_guard lock(m_mutex);
  m_flush_posted = false;
  if (m_queue.empty()) return false;
  out = std::move(m_queue);
  m_queue = std::string();  // an idle stream keeps no buffer
  m_in_flight = out.size();
  return true;
}

void StreamImpl::set_in_flight(std::size_t bytes) {
  std::lock_guard lock(m_mutex);
  m_in_flight = bytes;
}

bool StreamImpl::close_requested() const {
  std::lock_guard lock(m_mutex);
  return m_close_requested;
}

bool StreamImpl::was_cut() const {
  std::lock_guard lock(m_mutex);
  return m_cut;
}

void StreamImpl::finish() {
  std::function<void()> callback;
  {
    std::lock_guard lock(m_mutex);
    if (m_finished) return;
    m_finished = true;
    m_open = false;
    m_queue = std::string();
    m_in_flight = 0;
    callback = std::move(m_on_close);
    m_on_close = nullptr;
  }
  if (callback) callback();
}

// --- ExchangeImpl -------------------------------------------------------------

ExchangeImpl::ExchangeImpl(std::shared_ptr<const ServerShared> shared, std::shared_ptr<Mailbox> mailbox,
                           std::uint64_t connection_id, HttpRequest request, ResponseFraming framing)
    : m_shared(std::move(shared)),
      m_mailbox(std::move(mailbox)),
      m_connection_id(connection_id),
      m_request(std::move(request)),
      m_framing(framing) {}

ExchangeImpl::~ExchangeImpl() {
  if (!m_answered.exchange(true)) {
    send_response(error_response(500, "the request was dropped without an answer"));
  }
}

void ExchangeImpl::respond(HttpResponse response) {
  if (m_answered.exchange(true)) return;
  send_response(response);
}

void ExchangeImpl::send_response(const HttpResponse& response) {
  ResponseFraming framing = m_framing;
  framing.keep_alive = framing.keep_alive && !wants_close(response.headers);
  Task task;
  task.kind = Task::Kind::respond;
  task.connection_id = m_connection_id;
  task.keep_alive = framing.keep_alive;
  task.bytes = serialize_response(response, framing, m_shared->config.common_headers, current_http_date());
  m_mailbox->post(std::move(task));
}

std::shared_ptr<Stream> ExchangeImpl::start_stream(int status, Headers headers) {
  const std::uint64_t stream_id = m_shared->next_stream_id.fetch_add(1);
  auto head = serialize_stream_head(status, headers, m_shared->config.common_headers, current_http_date());
  auto stream = std::make_shared<StreamImpl>(stream_id, m_mailbox, m_connection_id,
                                             m_shared->config.stream_backlog_bytes, std::move(head));
  if (m_answered.exchange(true)) {
    // Answered already: this stream never opens.
    stream->finish();
    return stream;
  }
  Task task;
  task.kind = Task::Kind::start_stream;
  task.connection_id = m_connection_id;
  task.stream = stream;
  if (!m_mailbox->post(std::move(task))) stream->finish();
  return stream;
}

}  // namespace sfproxy::net
