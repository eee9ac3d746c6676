#include "support/test_http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cti::testing {
namespace {

using Clock = std::chrono::steady_clock;

cti::Unexpected closed(std::string message) { return cti::fail(cti::ErrorCode::unavailable, std::move(message)); }

std::string openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text;
}

bool is_ip_literal(const std::string& name) {
  unsigned char buffer[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, name.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

std::string to_lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace

struct TestHttpClient::Tls {
  SSL_CTX* context = nullptr;
  SSL* ssl = nullptr;
  ~Tls() {
    if (ssl != nullptr) SSL_free(ssl);
    if (context != nullptr) SSL_CTX_free(context);
  }
};

const std::string* TestResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

TestHttpClient::TestHttpClient(int fd, TestClientOptions options) : m_fd(fd), m_options(std::move(options)) {}

TestHttpClient::~TestHttpClient() {
  m_tls.reset();
  if (m_fd >= 0) ::close(m_fd);
}

cti::Result<std::unique_ptr<TestHttpClient>> TestHttpClient::connect(const std::string& address, std::uint16_t port,
                                                                     TestClientOptions options) {
  // A test whose server went away must fail, not die of SIGPIPE inside SSL_write.
  ::signal(SIGPIPE, SIG_IGN);
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr) {
    return cti::fail(cti::ErrorCode::invalid_input, "not a numeric address: " + address);
  }
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::freeaddrinfo(found);
    return closed(std::string("socket: ") + std::strerror(errno));
  }
  std::unique_ptr<TestHttpClient> client(new TestHttpClient(fd, std::move(options)));
  const TestClientOptions& opts = client->m_options;
  if (opts.receive_buffer > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &opts.receive_buffer, sizeof opts.receive_buffer);
  }
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);

  // Connect without blocking past the timeout, then work in blocking mode.
  const int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int result = ::connect(fd, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  if (result != 0 && errno == EINPROGRESS) {
    pollfd poll_fd{fd, POLLOUT, 0};
    if (::poll(&poll_fd, 1, static_cast<int>(opts.timeout.count())) != 1) {
      return cti::fail(cti::ErrorCode::timeout, "connect timed out");
    }
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    errno = error;
    result = error == 0 ? 0 : -1;
  }
  if (result != 0) return closed(std::string("connect: ") + std::strerror(errno));
  ::fcntl(fd, F_SETFL, flags);
  timeval timeout{};
  timeout.tv_sec = static_cast<time_t>(opts.timeout.count() / 1000);
  timeout.tv_usec = static_cast<suseconds_t>((opts.timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);

  if (!opts.tls) return client;

  ERR_clear_error();
  client->m_tls = std::make_unique<Tls>();
  Tls& tls = *client->m_tls;
  tls.context = SSL_CTX_new(TLS_client_method());
  if (tls.context == nullptr) return closed("SSL_CTX_new: " + openssl_errors());
  if (opts.min_tls_version != 0) SSL_CTX_set_min_proto_version(tls.context, opts.min_tls_version);
  if (opts.max_tls_version != 0) SSL_CTX_set_max_proto_version(tls.context, opts.max_tls_version);
  if (!opts.ciphers.empty() && SSL_CTX_set_cipher_list(tls.context, opts.ciphers.c_str()) != 1) {
    return cti::fail(cti::ErrorCode::invalid_input, "bad cipher list: " + openssl_errors());
  }
  if (opts.verify) {
    if (SSL_CTX_load_verify_locations(tls.context, opts.ca_file.c_str(), nullptr) != 1) {
      return cti::fail(cti::ErrorCode::invalid_input, "cannot load CA " + opts.ca_file + ": " + openssl_errors());
    }
    SSL_CTX_set_verify(tls.context, SSL_VERIFY_PEER, nullptr);
  }
  tls.ssl = SSL_new(tls.context);
  if (tls.ssl == nullptr || SSL_set_fd(tls.ssl, fd) != 1) return closed("SSL_new: " + openssl_errors());
  if (is_ip_literal(opts.server_name)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls.ssl), opts.server_name.c_str());
  } else if (!opts.server_name.empty()) {
    // SSL_set_tlsext_host_name is a macro with a C-style cast.
    SSL_ctrl(tls.ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(opts.server_name.c_str()));
    SSL_set1_host(tls.ssl, opts.server_name.c_str());
  }
  if (SSL_connect(tls.ssl) != 1) {
    std::string detail = openssl_errors();
    const long verify = SSL_get_verify_result(tls.ssl);
    if (verify != X509_V_OK) detail += std::string("; verify: ") + X509_verify_cert_error_string(verify);
    return closed("TLS handshake failed: " + detail);
  }
  return client;
}

cti::Result<void> TestHttpClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    std::size_t written = 0;
    if (m_tls) {
      ERR_clear_error();
      if (SSL_write_ex(m_tls->ssl, bytes.data(), bytes.size(), &written) != 1) {
        return closed("TLS write failed: " + openssl_errors());
      }
    } else {
      const ssize_t sent = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno == EINTR) continue;
        return closed(std::string("send: ") + std::strerror(errno));
      }
      written = static_cast<std::size_t>(sent);
    }
    bytes.remove_prefix(written);
  }
  return {};
}

cti::Result<void> TestHttpClient::fill() {
  char buffer[16 * 1024];
  const bool buffered = m_tls && SSL_pending(m_tls->ssl) > 0;
  if (!buffered) {
    pollfd poll_fd{m_fd, POLLIN, 0};
    const int ready = ::poll(&poll_fd, 1, static_cast<int>(m_options.timeout.count()));
    if (ready == 0) return cti::fail(cti::ErrorCode::timeout, "nothing received in time");
    if (ready < 0) return closed(std::string("poll: ") + std::strerror(errno));
  }
  if (m_tls) {
    ERR_clear_error();
    std::size_t read = 0;
    if (SSL_read_ex(m_tls->ssl, buffer, sizeof buffer, &read) == 1) {
      m_buffer.append(buffer, read);
      return {};
    }
    const int error = SSL_get_error(m_tls->ssl, 0);
    if (error == SSL_ERROR_ZERO_RETURN) return closed("connection closed by the server");
    if (error == SSL_ERROR_WANT_READ) return cti::fail(cti::ErrorCode::timeout, "nothing received in time");
    return closed("connection closed or reset: " + openssl_errors());
  }
  const ssize_t received = ::recv(m_fd, buffer, sizeof buffer, 0);
  if (received > 0) {
    m_buffer.append(buffer, static_cast<std::size_t>(received));
    return {};
  }
  if (received == 0) return closed("connection closed by the server");
  if (errno == EAGAIN || errno == EWOULDBLOCK) return cti::fail(cti::ErrorCode::timeout, "nothing received in time");
  return closed(std::string("recv: ") + std::strerror(errno));
}

cti::Result<std::string> TestHttpClient::read_until(std::string_view delimiter) {
  std::size_t searched = 0;
  while (true) {
    const std::size_t found = m_buffer.find(delimiter, searched);
    if (found != std::string::npos) {
      std::string out = m_buffer.substr(0, found + delimiter.size());
      m_buffer.erase(0, found + delimiter.size());
      return out;
    }
    searched = m_buffer.size() >= delimiter.size() ? m_buffer.size() - delimiter.size() + 1 : 0;
    CTI_TRY(fill());
  }
}

cti::Result<std::string> TestHttpClient::read_some() {
  if (m_buffer.empty()) CTI_TRY(fill());
  return std::exchange(m_buffer, std::string());
}

cti::Result<std::string> TestHttpClient::read_exactly(std::size_t count) {
  while (m_buffer.size() < count) CTI_TRY(fill());
  std::string out = m_buffer.substr(0, count);
  m_buffer.erase(0, count);
  return out;
}

cti::Result<TestResponse> TestHttpClient::read_head() {
  const std::string head = CTI_TRY(read_until("\r\n\r\n"));
  TestResponse response;
  const std::size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) {
    return cti::fail(cti::ErrorCode::invalid_input, "malformed status line: " + status_line);
  }
  response.status = std::atoi(status_line.c_str() + 9);
  std::size_t position = line_end + 2;
  while (position < head.size() - 2) {
    const std::size_t end = head.find("\r\n", position);
    const std::string line = head.substr(position, end - position);
    position = end + 2;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) return cti::fail(cti::ErrorCode::invalid_input, "malformed header: " + line);
    std::size_t value_start = colon + 1;
    while (value_start < line.size() && (line[value_start] == ' ' || line[value_start] == '\t')) ++value_start;
    response.headers.emplace_back(to_lower(line.substr(0, colon)), line.substr(value_start));
  }
  return response;
}

cti::Result<TestResponse> TestHttpClient::read_response(bool head_request) {
  TestResponse response = CTI_TRY(read_head());
  if (response.status < 200 || head_request || response.status == 204 || response.status == 304) {
    return response;
  }
  if (const std::string* length = response.header("content-length")) {
    response.body = CTI_TRY(read_exactly(static_cast<std::size_t>(std::stoull(*length))));
    return response;
  }
  while (true) {
    auto more = fill();
    if (!more) break;
  }
  response.body = std::exchange(m_buffer, std::string());
  return response;
}

cti::Result<TestResponse> TestHttpClient::request(std::string_view method, std::string_view target,
                                                  std::string_view body,
                                                  const std::vector<std::string>& extra_headers) {
  std::string bytes;
  bytes.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
  if (!body.empty() || method == "POST" || method == "PUT") {
    bytes.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  for (const std::string& line : extra_headers) bytes.append(line).append("\r\n");
  bytes.append("\r\n").append(body);
  CTI_TRY(send(bytes));
  return read_response(method == "HEAD");
}

bool TestHttpClient::wait_for_close() {
  while (true) {
    auto more = fill();
    if (!more) return more.error().code != cti::ErrorCode::timeout;
  }
}

std::string TestHttpClient::protocol() const { return m_tls ? SSL_get_version(m_tls->ssl) : ""; }

}  // namespace cti::testing
