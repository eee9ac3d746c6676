#include "net/http_server.hpp"

#include "net/reactor.hpp"
#include "net/server_state.hpp"
#include "net/tls_context.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>

#include <cstring>
#include <mutex>

namespace sfproxy::net {
namespace {

cti::Unexpected invalid(std::string message) {
  return cti::fail(cti::ErrorCode::invalid_input, std::move(message));
}

struct BindAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

cti::Result<BindAddress> parse_address(std::string_view text, std::uint16_t port) {
  std::string literal(text);
  if (literal.size() >= 2 && literal.front() == '[' && literal.back() == ']') {
    literal = literal.substr(1, literal.size() - 2);
  }
  BindAddress address;
  sockaddr_in in{};
  if (::inet_pton(AF_INET, literal.c_str(), &in.sin_addr) == 1) {
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    std::memcpy(&address.storage, &in, sizeof in);
    address.length = sizeof in;
    return address;
  }
  sockaddr_in6 in6{};
  if (::inet_pton(AF_INET6, literal.c_str(), &in6.sin6_addr) == 1) {
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    std::memcpy(&address.storage, &in6, sizeof in6);
    address.length = sizeof in6;
    return address;
  }
  return invalid("server address '" + std::string(text) + "' is not an IPv4 or IPv6 literal");
}

cti::Result<void> check_config(const ServerConfig& config) {
  if (config.reactor_threads < 1 || config.reactor_threads > 64) {
    return invalid("reactor_threads must be between 1 and 64");
  }
  if (config.max_connections < 1) return invalid("max_connections must be at least 1");
  if (config.max_header_bytes < 256) return invalid("max_header_bytes must be at least 256");
  if (config.stream_backlog_bytes < 1) return invalid("stream_backlog_bytes must be at least 1");
  using std::chrono::milliseconds;
  for (const milliseconds timeout : {config.handshake_timeout, config.request_timeout, config.keep_alive_timeout,
                                     config.stream_stall_timeout}) {
    if (timeout <= milliseconds::zero()) return invalid("timeouts must be positive");
  }
  if (config.stream_heartbeat_interval < milliseconds::zero()) {
    return invalid("stream_heartbeat_interval must not be negative");
  }
  if (config.stream_heartbeat_interval > milliseconds::zero() && config.stream_heartbeat.empty()) {
    return invalid("stream_heartbeat must not be empty when stream_heartbeat_interval is set");
  }
  CTI_TRY(parse_address(config.address, config.port));
  return {};
}

// OpenSSL writes to sockets with write(), which raises SIGPIPE on a connection the peer has
// reset; a daemon wants EPIPE instead. Only the default action is replaced.
void ignore_sigpipe() {
  struct sigaction current {};
  if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGPIPE, &ignore, nullptr);
  }
}

class ReactorHttpServer final : public HttpServer {
 public:
  ReactorHttpServer(std::shared_ptr<ServerShared> shared, Handler handler)
      : m_shared(std::move(shared)), m_handler(std::move(handler)) {}
  ~ReactorHttpServer() override { stop(); }
  ReactorHttpServer(const ReactorHttpServer&) = delete;
  ReactorHttpServer& operator=(const ReactorHttpServer&) = delete;

  cti::Result<void> start() override {
    std::lock_guard lock(m_mutex);
    if (m_started) return cti::fail(cti::ErrorCode::conflict, "the server was started before");
    m_started = true;
    const ServerConfig& config = m_shared->config;
    ignore_sigpipe();

    std::vector<std::unique_ptr<Reactor>> reactors;
    std::vector<Reactor*> owners;
    for (std::size_t i = 0; i < config.reactor_threads; ++i) {
      reactors.push_back(std::make_unique<Reactor>(m_shared, m_handler));
      CTI_TRY(reactors.back()->open());
      owners.push_back(reactors.back().get());
    }
    // The first reactor accepts for all of them; it is stopped first.
    const auto address = CTI_TRY(parse_address(config.address, config.port));
    auto bound = reactors.front()->listen(address.storage, address.length, owners);
    if (!bound) {
      return cti::fail(bound.error().code, "cannot listen on " + config.address + ":" +
                                               std::to_string(config.port) + ": " + bound.error().message);
    }
    for (auto& reactor : reactors) reactor->start();
    m_reactors = std::move(reactors);
    m_port.store(*bound);
    return {};
  }

  void stop() override {
    std::lock_guard lock(m_mutex);
    for (auto& reactor : m_reactors) reactor->stop();
    m_reactors.clear();
  }

  std::uint16_t port() const override { return m_port.load(); }
  ServerStats stats() const override { return m_shared->counters.snapshot(); }

 private:
  std::shared_ptr<ServerShared> m_shared;
  const Handler m_handler;
  std::mutex m_mutex;
  bool m_started = false;
  std::vector<std::unique_ptr<Reactor>> m_reactors;
  std::atomic<std::uint16_t> m_port{0};
};

}  // namespace

cti::Result<std::unique_ptr<HttpServer>> make_http_server(ServerConfig config, Handler handler) {
  if (!handler) return invalid("no request handler");
  CTI_TRY(check_config(config));
  auto shared = std::make_shared<ServerShared>();
  if (config.tls_enabled) shared->tls = CTI_TRY(make_server_tls_context(config.tls));
  shared->config = std::move(config);
  return std::unique_ptr<HttpServer>(std::make_unique<ReactorHttpServer>(std::move(shared), std::move(handler)));
}

}  // namespace sfproxy::net
