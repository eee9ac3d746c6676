// sse_fanout_bench: how much memory an idle TLS event stream costs the server, and how late
// events arrive when they are sent at a steady rate to random streams.
//
// The server runs in this process; a forked client process holds the N connections (its own
// file descriptors and memory, so the server's figures are its own) with non-blocking OpenSSL
// on epoll. Each event carries its send time (CLOCK_MONOTONIC, shared by both processes);
// the client records arrival minus send time.
//
//   sse_fanout_bench [--connections N] [--events M] [--rate EVENTS_PER_S] [--payload BYTES]
//                    [--reactors R] [--concurrency HANDSHAKES_IN_FLIGHT] [--plain]
//
// Prints the server's RSS and heap growth per connection and the latency p50/p99/max.

#include "net/http_server.hpp"
#include "support/nonblocking_io.hpp"
#include "support/test_tls.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Options {
  std::size_t connections = 2000;
  std::size_t events = 2000;
  double rate = 200;
  std::size_t payload = 200;
  std::size_t reactors = 2;
  std::size_t concurrency = 64;
  bool tls = true;
};

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// --- Control channel between the two processes: one text line per message. ------------

void send_line(int fd, const std::string& line) {
  const std::string text = line + "\n";
  std::size_t sent = 0;
  while (sent < text.size()) {
    const ssize_t n = ::write(fd, text.data() + sent, text.size() - sent);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

std::string read_line(int fd) {
  std::string line;
  char c = 0;
  while (::read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
  return line;
}

// --- The client process --------------------------------------------------------------

struct ClientConnection {
  enum class State { connecting, handshaking, requesting, reading_head, streaming, dead };
  int fd = -1;
  SSL* ssl = nullptr;
  State state = State::connecting;
  std::string in;
  std::string request;
};

class FanoutClient {
 public:
  FanoutClient(const Options& options, std::uint16_t port, const std::string& ca_file)
      : m_options(options), m_port(port) {
    m_epoll = ::epoll_create1(0);
    if (options.tls) {
      m_context = SSL_CTX_new(TLS_client_method());
      SSL_CTX_load_verify_locations(m_context, ca_file.c_str(), nullptr);
      SSL_CTX_set_verify(m_context, SSL_VERIFY_PEER, nullptr);
      SSL_CTX_set_mode(m_context, SSL_MODE_RELEASE_BUFFERS);
    }
    m_connections.resize(options.connections);
    m_latencies.reserve(options.events);
  }

  // Opens every connection, at most `concurrency` being set up at a time.
  void connect_all() {
    std::size_t next = 0;
    std::vector<epoll_event> events(1024);
    while (m_established + m_failed < m_options.connections) {
      while (next < m_options.connections && m_in_setup < m_options.concurrency) start(next++);
      const int count = ::epoll_wait(m_epoll, events.data(), static_cast<int>(events.size()), 1000);
      for (int i = 0; i < count; ++i) step(events[static_cast<std::size_t>(i)].data.u32);
    }
  }

  // Reads events until `expected` arrived or nothing came for a while.
  void receive(std::size_t expected) {
    std::vector<epoll_event> events(1024);
    auto last_progress = Clock::now();
    while (m_latencies.size() < expected && Clock::now() - last_progress < 5s) {
      const std::size_t before = m_latencies.size();
      const int count = ::epoll_wait(m_epoll, events.data(), static_cast<int>(events.size()), 100);
      for (int i = 0; i < count; ++i) step(events[static_cast<std::size_t>(i)].data.u32);
      if (m_latencies.size() != before) last_progress = Clock::now();
    }
  }

  void run_events_phase(int control) {
    // The parent says how many events it sent once it is done; read them all meanwhile.
    std::vector<epoll_event> events(1024);
    epoll_event control_event{};
    control_event.events = EPOLLIN;
    control_event.data.u32 = control_tag;
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, control, &control_event);
    std::size_t expected = 0;
    bool done = false;
    while (!done) {
      const int count = ::epoll_wait(m_epoll, events.data(), static_cast<int>(events.size()), 100);
      for (int i = 0; i < count; ++i) {
        const std::uint32_t tag = events[static_cast<std::size_t>(i)].data.u32;
        if (tag == control_tag) {
          const std::string line = read_line(control);
          expected = std::strtoull(line.c_str() + 5, nullptr, 10);  // "sent <n>"
          done = true;
        } else {
          step(tag);
        }
      }
    }
    ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, control, nullptr);
    receive(expected);
  }

  std::string report() {
    std::sort(m_latencies.begin(), m_latencies.end());
    const auto pick = [&](double q) -> double {
      if (m_latencies.empty()) return 0;
      const auto index = static_cast<std::size_t>(q * static_cast<double>(m_latencies.size() - 1));
      return static_cast<double>(m_latencies[index]) / 1e6;
    };
    char text[256];
    std::snprintf(text, sizeof text, "received %zu established %zu failed %zu p50 %.3f p99 %.3f max %.3f",
                  m_latencies.size(), m_established, m_failed, pick(0.5), pick(0.99), pick(1.0));
    return text;
  }

  std::size_t established() const { return m_established; }
  std::size_t failed() const { return m_failed; }

 private:
  static constexpr std::uint32_t control_tag = 0xffffffffu;

  void start(std::size_t index) {
    ClientConnection& c = m_connections[index];
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const int on = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(m_port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(c.fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    c.request = "GET /events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n";
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT | EPOLLET;
    event.data.u32 = static_cast<std::uint32_t>(index);
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, c.fd, &event);
    ++m_in_setup;
  }

  void fail(ClientConnection& c) {
    if (c.state != ClientConnection::State::streaming) {
      --m_in_setup;
      ++m_failed;
    }
    c.state = ClientConnection::State::dead;
    if (c.ssl != nullptr) SSL_free(c.ssl);
    c.ssl = nullptr;
    ::close(c.fd);
  }

  // Advances one connection as far as it goes (edge-triggered: until it would block).
  void step(std::uint32_t index) {
    ClientConnection& c = m_connections[index];
    using State = ClientConnection::State;
    while (true) {
      switch (c.state) {
        case State::dead:
          return;
        case State::connecting: {
          int error = 0;
          socklen_t length = sizeof error;
          ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
          if (error != 0) return fail(c);
          if (m_options.tls) {
            c.ssl = SSL_new(m_context);
            SSL_set_fd(c.ssl, c.fd);
            SSL_set1_host(c.ssl, "localhost");
            c.state = State::handshaking;
          } else {
            c.state = State::requesting;
          }
          continue;
        }
        case State::handshaking: {
          ERR_clear_error();
          const int result = SSL_connect(c.ssl);
          if (result == 1) {
            c.state = State::requesting;
            continue;
          }
          const int error = SSL_get_error(c.ssl, result);
          if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
          return fail(c);
        }
        case State::requesting: {
          const ssize_t written = write_bytes(c, c.request.data(), c.request.size());
          if (written < 0) return fail(c);
          if (written == 0) return;
          c.request.erase(0, static_cast<std::size_t>(written));
          if (c.request.empty()) c.state = State::reading_head;
          continue;
        }
        case State::reading_head:
        case State::streaming: {
          char buffer[16 * 1024];
          const ssize_t got = read_bytes(c, buffer, sizeof buffer);
          if (got < 0) return fail(c);
          if (got == 0) return;
          const std::int64_t arrived = now_ns();
          c.in.append(buffer, static_cast<std::size_t>(got));
          if (c.state == State::reading_head) {
            const std::size_t end = c.in.find("\r\n\r\n");
            if (end == std::string::npos) continue;
            c.in.erase(0, end + 4);
            c.state = State::streaming;
            --m_in_setup;
            ++m_established;
          }
          std::size_t end;
          while ((end = c.in.find("\n\n")) != std::string::npos) {
            // "data: <seq> <sent_ns> <padding>"
            const char* text = c.in.c_str() + 6;
            char* after = nullptr;
            std::strtoull(text, &after, 10);
            const long long sent = std::strtoll(after, nullptr, 10);
            m_latencies.push_back(arrived - sent);
            c.in.erase(0, end + 2);
          }
          std::string().swap(c.in);  // idle clients hold no buffer either
          continue;
        }
      }
    }
  }

  ssize_t read_bytes(ClientConnection& c, char* buffer, std::size_t size) {
    return cti::testing::read_some(c.fd, c.ssl, buffer, size);
  }
  ssize_t write_bytes(ClientConnection& c, const char* data, std::size_t size) {
    return cti::testing::write_some(c.fd, c.ssl, data, size);
  }

  Options m_options;
  std::uint16_t m_port;
  int m_epoll = -1;
  SSL_CTX* m_context = nullptr;
  std::vector<ClientConnection> m_connections;
  std::size_t m_in_setup = 0;
  std::size_t m_established = 0;
  std::size_t m_failed = 0;
  std::vector<std::int64_t> m_latencies;
};

int run_client(const Options& options, int control, const std::string& ca_file) {
  const auto port = static_cast<std::uint16_t>(std::strtoul(read_line(control).c_str(), nullptr, 10));
  FanoutClient client(options, port, ca_file);
  const auto started = Clock::now();
  client.connect_all();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  char line[128];
  std::snprintf(line, sizeof line, "ready %zu %zu %.2f", client.established(), client.failed(), seconds);
  send_line(control, line);
  client.run_events_phase(control);
  send_line(control, client.report());
  return 0;
}

// --- The server process ------------------------------------------------------------

struct MemorySample {
  long rss_kib = 0;
  std::size_t heap_bytes = 0;
  long threads = 0;
};

MemorySample sample_memory() {
  MemorySample sample;
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") status >> sample.rss_kib;
    if (key == "Threads:") status >> sample.threads;
  }
  sample.heap_bytes = mallinfo2().uordblks;
  return sample;
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&] {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return std::string(argv[++i]);
    };
    if (arg == "--connections") {
      options.connections = std::stoul(value());
    } else if (arg == "--events") {
      options.events = std::stoul(value());
    } else if (arg == "--rate") {
      options.rate = std::stod(value());
    } else if (arg == "--payload") {
      options.payload = std::stoul(value());
    } else if (arg == "--reactors") {
      options.reactors = std::stoul(value());
    } else if (arg == "--concurrency") {
      options.concurrency = std::stoul(value());
    } else if (arg == "--plain") {
      options.tls = false;
    } else {
      std::fprintf(stderr,
                   "usage: sse_fanout_bench [--connections N] [--events M] [--rate PER_S] [--payload BYTES]\n"
                   "                        [--reactors R] [--concurrency N] [--plain]\n");
      std::exit(2);
    }
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);
  if (options.connections + 100 > files.rlim_cur) {
    std::fprintf(stderr, "open-file limit %ju is too low for %zu connections\n",
                 static_cast<std::uintmax_t>(files.rlim_cur), options.connections);
    return 2;
  }

  cti::testing::TestPki pki;  // ECDSA P-256, as recommended for handshake cost
  int control[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, control) != 0) return 1;
  // Fork before any thread exists, so the child starts clean.
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(control[0]);
    return run_client(options, control[1], pki.ca_file());
  }
  ::close(control[1]);

  std::mutex streams_mutex;
  std::vector<std::shared_ptr<sfproxy::net::Stream>> streams;
  streams.reserve(options.connections);
  sfproxy::net::ServerConfig config;
  config.address = "127.0.0.1";
  config.port = 0;
  config.tls_enabled = options.tls;
  config.tls.certificate_file = pki.server().certificate_file;
  config.tls.private_key_file = pki.server().private_key_file;
  config.reactor_threads = options.reactors;
  config.max_connections = options.connections + 100;
  auto made = sfproxy::net::make_http_server(config, [&](std::shared_ptr<sfproxy::net::Exchange> exchange) {
    auto stream = exchange->start_stream(200, {{"Content-Type", "text/event-stream"}});
    std::lock_guard lock(streams_mutex);
    streams.push_back(std::move(stream));
  });
  if (!made) {
    std::fprintf(stderr, "server: %s\n", made.error().message.c_str());
    return 1;
  }
  auto server = std::move(*made);
  if (auto started = server->start(); !started) {
    std::fprintf(stderr, "start: %s\n", started.error().message.c_str());
    return 1;
  }
  std::this_thread::sleep_for(200ms);
  const MemorySample before = sample_memory();
  send_line(control[0], std::to_string(server->port()));

  const std::string ready = read_line(control[0]);
  std::size_t established = 0, failed = 0;
  double connect_seconds = 0;
  std::sscanf(ready.c_str(), "ready %zu %zu %lf", &established, &failed, &connect_seconds);
  while (server->stats().streams_open < established) std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(500ms);
  const MemorySample connected = sample_memory();

  // Events at a steady rate, each to a random stream.
  std::mt19937_64 random(42);
  const std::string padding(options.payload > 40 ? options.payload - 40 : 0, 'x');
  const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / options.rate));
  auto next = Clock::now();
  std::size_t sent = 0;
  std::size_t refused = 0;
  std::vector<std::shared_ptr<sfproxy::net::Stream>> targets;
  {
    std::lock_guard lock(streams_mutex);
    targets = streams;
  }
  for (std::size_t seq = 0; seq < options.events && !targets.empty(); ++seq) {
    std::this_thread::sleep_until(next);
    next += interval;
    auto& stream = targets[random() % targets.size()];
    char head[64];
    std::snprintf(head, sizeof head, "data: %zu %" PRId64 " ", seq, now_ns());
    if (stream->send(std::string(head) + padding + "\n\n")) {
      ++sent;
    } else {
      ++refused;
    }
  }
  send_line(control[0], "sent " + std::to_string(sent));
  const std::string result = read_line(control[0]);
  const MemorySample after = sample_memory();
  const auto stats = server->stats();
  server->stop();
  int status = 0;
  ::waitpid(child, &status, 0);

  const double n = static_cast<double>(std::max<std::size_t>(established, 1));
  std::printf("sse_fanout_bench: %s, %zu connections (%zu failed) in %.2f s, %zu reactors\n",
              options.tls ? "TLS" : "plain", established, failed, connect_seconds, options.reactors);
  std::printf("server RSS: %ld KiB before, %ld KiB connected -> %.2f KiB per connection\n", before.rss_kib,
              connected.rss_kib, static_cast<double>(connected.rss_kib - before.rss_kib) / n);
  std::printf("server heap in use: %.2f KiB per connection; threads: %ld\n",
              static_cast<double>(connected.heap_bytes) / 1024.0 / n -
                  static_cast<double>(before.heap_bytes) / 1024.0 / n,
              connected.threads);
  std::printf("after events: RSS %ld KiB, heap %.2f KiB per connection\n", after.rss_kib,
              static_cast<double>(after.heap_bytes) / 1024.0 / n - static_cast<double>(before.heap_bytes) / 1024.0 / n);
  std::printf("events: %zu sent at %.0f/s of %zu bytes, %zu refused; streams cut %" PRIu64 "\n", sent, options.rate,
              options.payload, refused, stats.streams_cut);
  std::printf("latency (ms) %s\n", result.c_str());
  return 0;
}
