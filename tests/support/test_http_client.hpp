#pragma once
// TestHttpClient: a tiny blocking HTTP/1.1 client for tests, over TLS (OpenSSL, verifying
// the server against a test CA) or plain TCP. It sends raw bytes, so tests can send exactly
// what they mean (malformed requests included), and reads responses whole or in pieces
// (an event stream, one event at a time). Every blocking call is bounded by the timeout.
//
//   auto client = TestHttpClient::connect("127.0.0.1", port, {.ca_file = pki.ca_file()});
//   REQUIRE(client);
//   auto response = (*client)->request("GET", "/healthz");
//   CHECK(response->status == 200);
//
// Expected failures (handshake refused, connection closed, timeout) are cti::Result errors.

#include "cti/result.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cti::testing {

struct TestClientOptions {
  bool tls = true;
  std::string ca_file;                     ///< trust anchor (PEM); required when verify is on
  bool verify = true;                      ///< check the chain and the name below
  std::string server_name = "localhost";   ///< SNI and the name (or IP) the certificate must match
  int min_tls_version = 0;                 ///< e.g. TLS1_1_VERSION (0x0302); 0: OpenSSL's default
  int max_tls_version = 0;
  std::string ciphers;                     ///< TLS 1.2 cipher list; empty: OpenSSL's default
  std::chrono::milliseconds timeout{5000}; ///< bound on each blocking call
  int receive_buffer = 0;                  ///< SO_RCVBUF before connecting; 0: system default
};

struct TestResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-cased
  std::string body;

  /// The first header with this lower-case name, or nullptr.
  const std::string* header(std::string_view name) const;
};

class TestHttpClient {
 public:
  /// Connects to a numeric address ("127.0.0.1", "::1") and, with tls, completes the handshake.
  static cti::Result<std::unique_ptr<TestHttpClient>> connect(const std::string& address, std::uint16_t port,
                                                              TestClientOptions options = {});
  ~TestHttpClient();
  TestHttpClient(const TestHttpClient&) = delete;
  TestHttpClient& operator=(const TestHttpClient&) = delete;

  /// Sends the bytes as they are.
  cti::Result<void> send(std::string_view bytes);
  /// Sends a request with Host, Content-Length (if there is a body) and the extra header lines
  /// (each "Name: value"), then reads the response.
  cti::Result<TestResponse> request(std::string_view method, std::string_view target, std::string_view body = {},
                                    const std::vector<std::string>& extra_headers = {});
  /// Reads one response: a 1xx comes back on its own; otherwise the body by Content-Length,
  /// none for HEAD/204/304, else until the server closes.
  cti::Result<TestResponse> read_response(bool head_request = false);
  /// Reads the status line and headers only (for a stream whose body never ends).
  cti::Result<TestResponse> read_head();
  /// Reads through the next `delimiter` and returns everything up to and including it
  /// (an SSE event: read_until("\n\n")).
  cti::Result<std::string> read_until(std::string_view delimiter);
  /// Returns whatever arrives next (at least one byte).
  cti::Result<std::string> read_some();
  /// True if the server closes the connection (or resets it) within the timeout; what it
  /// sends before that is kept for later reads.
  bool wait_for_close();
  /// "TLSv1.3", "TLSv1.2", or "" without TLS.
  std::string protocol() const;
  /// The socket, e.g. to check that the peer is gone.
  int fd() const noexcept { return m_fd; }

 private:
  struct Tls;
  TestHttpClient(int fd, TestClientOptions options);
  cti::Result<void> fill();  // reads more into m_buffer
  cti::Result<std::string> read_exactly(std::size_t count);

  int m_fd = -1;
  TestClientOptions m_options;
  std::unique_ptr<Tls> m_tls;
  std::string m_buffer;  // received, not returned yet
};

}  // namespace cti::testing
