#pragma once
// HttpServer: sfproxy's HTTPS/1.1 server. A few reactor threads (epoll, non-blocking sockets,
// OpenSSL with released buffers) hold every connection, so thousands of mostly idle event
// streams cost a few KiB each instead of a thread each, and a stalled client only ever
// stalls itself. Handlers run on a reactor thread and must not block: slow work goes to
// another thread, which completes the exchange later from there.

#include "cti/result.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sfproxy::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// One parsed request. Header names are lower-cased; the body is complete.
struct HttpRequest {
  std::string method;
  std::string target;  ///< as sent: path and query
  std::string path;    ///< percent-decoded path, without the query
  std::string query;   ///< raw query string, without '?'
  Headers headers;
  std::string body;
  std::string remote_address;  ///< "ip:port" of the peer

  /// The first header with this (lower-case) name, or nullptr.
  const std::string* header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  Headers headers;  ///< Content-Length and Date are added by the server
  std::string body;
};

/// An open response stream (server-sent events). Thread-safe; may outlive the connection,
/// in which case send() returns false.
class Stream {
 public:
  virtual ~Stream() = default;
  /// Queues bytes for the client. Returns false if the stream is closed, or if the bytes
  /// would push its unsent backlog past the configured cap, in which case the stream is
  /// closed (a client that does not read is cut off, never waited for).
  virtual bool send(std::string_view bytes) = 0;
  /// Flushes what is queued, then closes the connection.
  virtual void close() = 0;
  virtual bool is_open() const = 0;
  /// Called once, on any thread, when the stream ends for whatever reason.
  virtual void on_close(std::function<void()> callback) = 0;
  /// A small id unique within the server, for logs and bookkeeping.
  virtual std::uint64_t id() const = 0;
};

/// One request being answered. Exactly one of respond() or start_stream() takes effect; it
/// may be called from any thread, now or later. An exchange dropped without an answer gets
/// a 500.
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual const HttpRequest& request() const = 0;
  virtual void respond(HttpResponse response) = 0;
  /// Sends the status line and headers (no Content-Length; the body is open-ended) and
  /// returns the stream to write the rest to.
  virtual std::shared_ptr<Stream> start_stream(int status, Headers headers) = 0;
};

/// Runs on a reactor thread, concurrently with itself when there are several reactors; it
/// must not block (answer later from another thread instead) nor call HttpServer::stop().
using Handler = std::function<void(std::shared_ptr<Exchange>)>;

struct TlsConfig {
  std::string certificate_file;  ///< PEM: the server certificate, then any intermediates
  std::string private_key_file;  ///< PEM
  /// OpenSSL cipher list for TLS 1.2 (Mozilla "intermediate"); TLS 1.3 suites are OpenSSL's.
  std::string ciphers =
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
      "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
};

struct ServerConfig {
  std::string address = "0.0.0.0";  ///< IPv4 or IPv6 literal
  std::uint16_t port = 8443;         ///< 0 picks a free port (see HttpServer::port)
  bool tls_enabled = true;           ///< false only for development (plain HTTP)
  TlsConfig tls;
  std::size_t reactor_threads = 2;
  std::size_t max_connections = 15000;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds handshake_timeout{10000};
  std::chrono::milliseconds request_timeout{15000};   ///< to receive a whole request
  std::chrono::milliseconds keep_alive_timeout{60000};
  std::size_t stream_backlog_bytes = 64 * 1024;       ///< unsent bytes before a stream is cut
  std::chrono::milliseconds stream_stall_timeout{30000};  ///< no write progress -> cut
  /// Written by the server itself to an open stream that has had nothing else to write for
  /// stream_heartbeat_interval (0 = never), e.g. an SSE event the client's watchdog expects.
  /// Each stream keeps its own idle timer on its reactor, so heartbeats need no lock and
  /// no pass over all streams, and a busy stream gets none.
  std::string stream_heartbeat;
  std::chrono::milliseconds stream_heartbeat_interval{0};
  Headers common_headers;  ///< added to every response, including the server's own errors
};

/// Counters for /metrics. Monotonic unless noted.
struct ServerStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_open = 0;  ///< current
  std::uint64_t streams_open = 0;      ///< current
  std::uint64_t tls_handshake_failures = 0;
  std::uint64_t requests = 0;
  std::uint64_t bad_requests = 0;      ///< malformed, oversized, timed out
  std::uint64_t streams_cut = 0;       ///< backlog or stall limit
  std::uint64_t connections_refused = 0;  ///< over max_connections
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;
  /// Binds and starts the reactor threads. Sets SIGPIPE to ignored if it had its default
  /// action (OpenSSL writes to sockets with write(), which raises it on a reset peer).
  virtual cti::Result<void> start() = 0;
  /// Stops accepting, closes every connection (streams get their on_close) and joins. Not from
  /// a handler or an on_close callback. Exchanges and streams kept after this are inert.
  virtual void stop() = 0;
  virtual std::uint16_t port() const = 0;
  virtual ServerStats stats() const = 0;
};

/// The TLS context is built (certificate, key and chain checked) here: errors are
/// cti::ConfigError-worthy and returned as invalid_input with the file named.
cti::Result<std::unique_ptr<HttpServer>> make_http_server(ServerConfig config, Handler handler);

}  // namespace sfproxy::net
