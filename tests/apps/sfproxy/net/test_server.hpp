#pragma once
// Helpers for the server tests: a server on 127.0.0.1:0 with the test CA's certificate and
// short timeouts, a client connected to it, a place where handlers park their streams, and
// polling for conditions that other threads make true.

#include "net/http_server.hpp"
#include "support/test_http_client.hpp"
#include "support/test_tls.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sfproxy::net::testing {

using namespace std::chrono_literals;

inline ServerConfig test_config(const cti::testing::TestPki& pki) {
  ServerConfig config;
  config.address = "127.0.0.1";
  config.port = 0;
  config.tls.certificate_file = pki.server().certificate_file;
  config.tls.private_key_file = pki.server().private_key_file;
  config.reactor_threads = 2;
  config.handshake_timeout = 2s;
  config.request_timeout = 2s;
  config.keep_alive_timeout = 5s;
  config.stream_stall_timeout = 10s;
  config.common_headers = {{"Strict-Transport-Security", "max-age=63072000"}, {"X-Content-Type-Options", "nosniff"}};
  return config;
}

inline std::unique_ptr<HttpServer> start_server(ServerConfig config, Handler handler) {
  auto server = make_http_server(std::move(config), std::move(handler));
  if (!server) throw std::runtime_error("make_http_server: " + server.error().message);
  auto started = (*server)->start();
  if (!started) throw std::runtime_error("start: " + started.error().message);
  return std::move(*server);
}

inline cti::testing::TestClientOptions client_options(const cti::testing::TestPki& pki) {
  cti::testing::TestClientOptions options;
  options.ca_file = pki.ca_file();
  return options;
}

inline std::unique_ptr<cti::testing::TestHttpClient> connect_client(const HttpServer& server,
                                                                    cti::testing::TestClientOptions options,
                                                                    const std::string& address = "127.0.0.1") {
  auto client = cti::testing::TestHttpClient::connect(address, server.port(), std::move(options));
  if (!client) throw std::runtime_error("connect: " + client.error().message);
  return std::move(*client);
}

/// Polls until the condition holds or the (generous) limit passes; returns the condition.
inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

/// Where a test handler leaves the streams it opened, for the test body to use.
class StreamBox {
 public:
  void add(std::shared_ptr<Stream> stream) {
    std::lock_guard lock(m_mutex);
    m_streams.push_back(std::move(stream));
    m_changed.notify_all();
  }
  /// Waits for the n-th stream (0-based).
  std::shared_ptr<Stream> wait_for(std::size_t index, std::chrono::milliseconds limit = 10s) {
    std::unique_lock lock(m_mutex);
    if (!m_changed.wait_for(lock, limit, [&] { return m_streams.size() > index; })) return nullptr;
    return m_streams[index];
  }
  std::size_t size() {
    std::lock_guard lock(m_mutex);
    return m_streams.size();
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::vector<std::shared_ptr<Stream>> m_streams;
};

}  // namespace sfproxy::net::testing
