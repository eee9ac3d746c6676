#pragma once
// The Exchange and Stream the handlers see. Both are thread-safe and only talk to their
// connection through its reactor's mailbox, by connection id, so they are safe to keep after
// the connection (or the whole server) is gone.

#include "net/http_message.hpp"
#include "net/server_state.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace sfproxy::net {

/// A response stream. The reactor moves the queued bytes out in batches (take_queued) and
/// reports what it has not written yet (set_in_flight), so the backlog cap counts every
/// byte between send() and the socket.
class StreamImpl final : public Stream {
 public:
  StreamImpl(std::uint64_t id, std::shared_ptr<Mailbox> mailbox, std::uint64_t connection_id,
             std::size_t backlog_limit, std::string head);

  bool send(std::string_view bytes) override;
  void close() override;
  bool is_open() const override;
  void on_close(std::function<void()> callback) override;
  std::uint64_t id() const override { return m_id; }

  // Reactor side.
  /// Swaps the queue into `out` (which must be empty); false if nothing was queued.
  bool take_queued(std::string& out);
  void set_in_flight(std::size_t bytes);
  bool close_requested() const;
  /// send() found the backlog over its cap.
  bool was_cut() const;
  /// The stream has ended: later sends fail, and the on_close callback runs (once, here or
  /// when it is registered later).
  void finish();

 private:
  const std::uint64_t m_id;
  const std::shared_ptr<Mailbox> m_mailbox;
  const std::uint64_t m_connection_id;
  const std::size_t m_backlog_limit;

  mutable std::mutex m_mutex;
  std::string m_queue;
  std::size_t m_in_flight = 0;
  bool m_open = true;
  bool m_close_requested = false;
  bool m_cut = false;
  bool m_finished = false;
  bool m_flush_posted = false;
  std::function<void()> m_on_close;
};

/// One request and its single answer.
class ExchangeImpl final : public Exchange {
 public:
  ExchangeImpl(std::shared_ptr<const ServerShared> shared, std::shared_ptr<Mailbox> mailbox,
               std::uint64_t connection_id, HttpRequest request, ResponseFraming framing);
  ~ExchangeImpl() override;
  ExchangeImpl(const ExchangeImpl&) = delete;
  ExchangeImpl& operator=(const ExchangeImpl&) = delete;

  const HttpRequest& request() const override { return m_request; }
  void respond(HttpResponse response) override;
  std::shared_ptr<Stream> start_stream(int status, Headers headers) override;

 private:
  void send_response(const HttpResponse& response);

  const std::shared_ptr<const ServerShared> m_shared;
  const std::shared_ptr<Mailbox> m_mailbox;
  const std::uint64_t m_connection_id;
  const HttpRequest m_request;
  const ResponseFraming m_framing;
  std::atomic<bool> m_answered{false};
};

/// The current time as an HTTP Date value, formatted at most once a second per thread.
std::string current_http_date();

}  // namespace sfproxy::net
