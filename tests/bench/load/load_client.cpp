// load_client: the client side of the load harness (scripts/bench-load.sh). It holds N agents'
// event streams open over TLS, injects inbound calls at a steady rate at random connected
// agents, and measures how late each event arrives.
//
//   load_client --target sfproxy|nchan --port P --ca FILE --agents N [options]
//
// Two threads, each with its own epoll loop and non-blocking OpenSSL connections:
//  - the subscriber loop opens the N streams (at most --setup-concurrency being set up at a
//    time) and reads them. Against sfproxy each agent signs in (POST /api/v1/session) and
//    opens GET /api/v1/events on the same keep-alive connection; against nchan it opens
//    GET /sub/<extension> (nchan_subscriber eventsource).
//  - the driver loop plays the PBX: sfproxy gets signed webhook events (POST /pbx/v1/events
//    over TLS: "ringing", then "disconnected" --hold-s later, batched); nchan gets one message
//    per call (POST /pub/<extension>, plain HTTP on --publish-port) padded to --payload
//    bytes. It also holds one slow client: an extra agent whose stream is opened and then
//    never read, and which gets --slow-rate extra calls per second.
// Each call's id is "c<seq>t<ns>", ns being CLOCK_MONOTONIC when the request was written, so
// the subscriber loop can tell each event's age on arrival (both loops share that clock).
//
// Phases: set-up (the sign-in storm for sfproxy; calls already flow to connected agents),
// then --duration-s of steady calls. The server's RSS, threads and CPU (the process given
// by --server-pid and its descendants) are sampled at each boundary. Results go to stdout
// and, as "key value" lines, to --results.

#include "support/nonblocking_io.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <dirent.h>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

enum class Target { sfproxy, nchan };

struct Options {
  Target target = Target::sfproxy;
  std::uint16_t port = 0;          // TLS: streams (and, for sfproxy, sign-in and webhook)
  std::uint16_t publish_port = 0;  // nchan: the plain-HTTP publisher
  std::string ca_file;
  std::size_t agents = 10000;
  unsigned long first_extension = 300000;
  std::string password;
  std::string webhook_secret;
  double rate = 200;
  double setup_rate = -1;  // calls/s during set-up; < 0: the same as rate
  double duration_s = 60;
  double hold_s = 2;
  std::size_t setup_concurrency = 128;
  std::size_t payload = 0;  // nchan message bytes
  bool slow_client = true;
  double slow_rate = 20;
  long server_pid = 0;
  std::string results_file;
  std::string samples_file;  // every steady-phase latency: "<ms since the phase began> <kind> <latency ms>"
};

// --- Server process figures ---------------------------------------------------------

struct ProcessSample {
  long rss_kib = 0;
  long threads = 0;
  long processes = 0;
  double cpu_s = 0;
  std::int64_t at_ns = 0;
};

void collect_tree(long pid, std::vector<long>& out) {
  out.push_back(pid);
  const std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = ::opendir(task_dir.c_str());
  if (dir == nullptr) return;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream children(task_dir + "/" + entry->d_name + "/children");
    long child = 0;
    while (children >> child) collect_tree(child, out);
  }
  ::closedir(dir);
}

ProcessSample sample_process(long root) {
  ProcessSample sample;
  sample.at_ns = now_ns();
  if (root <= 0) return sample;
  std::vector<long> pids;
  collect_tree(root, pids);
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  for (long pid : pids) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    while (status >> key) {
      long value = 0;
      if (key == "VmRSS:" && status >> value) sample.rss_kib += value;
      if (key == "Threads:" && status >> value) sample.threads += value;
    }
    std::ifstream stat_file("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(stat_file, stat);
    const std::size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    // After the name: state(3) ... utime(14) stime(15), counting from 1 with pid.
    for (int index = 3; index <= 15 && fields >> field; ++index) {
      if (index == 14 || index == 15) sample.cpu_s += std::strtod(field.c_str(), nullptr) / ticks;
    }
    ++sample.processes;
  }
  return sample;
}

double cpu_percent(const ProcessSample& from, const ProcessSample& to) {
  const double wall = static_cast<double>(to.at_ns - from.at_ns) / 1e9;
  return wall > 0 ? 100.0 * (to.cpu_s - from.cpu_s) / wall : 0;
}

// --- Shared state between the two loops -------------------------------------------

struct Shared {
  std::mutex mutex;
  std::vector<std::uint32_t> connected;  // agents whose stream is open, in order

  std::atomic<bool> stop{false};
  std::atomic<bool> calls_on{true};
  std::atomic<std::int64_t> steady_start_ns{0};  // 0 during set-up

  // Set-up.
  std::atomic<std::size_t> established{0};
  std::atomic<std::size_t> setup_failures{0};
  std::atomic<std::size_t> setup_retries{0};  // 503 (sign-in queue full) or 429, retried
  std::atomic<std::size_t> streams_dropped{0};
  // Driver.
  std::atomic<std::size_t> calls_sent{0};
  std::atomic<std::size_t> calls_accepted{0};      // to ordinary agents
  std::atomic<std::size_t> calls_accepted_storm{0};
  std::atomic<std::size_t> slow_calls_accepted{0};
  std::atomic<std::size_t> publish_errors{0};
  std::atomic<std::size_t> publish_backlog_max{0};
  // Received.
  std::atomic<std::size_t> pops_received{0};
  std::atomic<std::size_t> pops_received_storm{0};
};

struct Latencies {
  std::vector<std::int64_t> pop_storm, pop_steady, call_storm, call_steady;
  // Steady phase, sfproxy: the screenpop's arrival after its own call event's, per call (the
  // Salesforce lookup and the second publish), and the call events still waiting for theirs.
  std::vector<std::int64_t> pop_after_call;
  std::unordered_map<std::int64_t, std::int64_t> call_arrival;  // by send time
  std::vector<std::pair<std::int64_t, std::int64_t>> pop_samples, call_samples;  // (sent, latency), steady
  std::size_t event_bytes = 0;
  std::size_t pop_events = 0;
};

// --- One connection ------------------------------------------------------------------

struct Conn {
  enum class Kind : std::uint8_t { subscriber, publisher, slow };
  enum class Step : std::uint8_t { connecting, handshaking, sign_in, open_stream, streaming, publishing, dead };
  int fd = -1;
  SSL* ssl = nullptr;
  Kind kind = Kind::subscriber;
  Step step = Step::connecting;
  bool busy = false;  // publisher: a request is in flight
  std::uint32_t agent = 0;
  std::int64_t retry_at_ns = 0;
  std::string out;
  std::size_t out_offset = 0;
  std::string in;
  std::string token;
};

const char* step_name(Conn::Step step) {
  switch (step) {
    case Conn::Step::connecting: return "connecting";
    case Conn::Step::handshaking: return "in the TLS handshake";
    case Conn::Step::sign_in: return "signing in";
    case Conn::Step::open_stream: return "opening the stream";
    case Conn::Step::streaming: return "streaming";
    case Conn::Step::publishing: return "publishing";
    case Conn::Step::dead: return "closed";
  }
  return "?";
}

struct HttpHead {
  int status = 0;
  std::size_t head_bytes = 0;       // including the blank line
  std::size_t content_length = 0;   // 0 when absent
};

// Parses a response head at the start of `in`; false while incomplete.
bool parse_head(const std::string& in, HttpHead& head) {
  const std::size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  head.head_bytes = end + 4;
  head.status = in.size() > 12 ? std::atoi(in.c_str() + 9) : 0;
  head.content_length = 0;
  std::size_t line = in.find("\r\n") + 2;
  while (line < end) {
    const std::size_t next = in.find("\r\n", line);
    const std::string_view text(in.data() + line, next - line);
    if (text.size() > 15 && strncasecmp(text.data(), "content-length:", 15) == 0) {
      head.content_length = std::strtoul(std::string(text.substr(15)).c_str(), nullptr, 10);
    }
    line = next + 2;
  }
  return true;
}

std::string hex_hmac_sha256(const std::string& key, const std::string& message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), digest, &length);
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  for (unsigned int i = 0; i < length; ++i) {
    text.push_back(digits[digest[i] >> 4]);
    text.push_back(digits[digest[i] & 15]);
  }
  return text;
}

// --- The event loop both threads use --------------------------------------------------

class Loop {
 public:
  Loop(const Options& options, Shared& shared, SSL_CTX* tls) : m_options(options), m_shared(shared), m_tls(tls) {
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
  }
  virtual ~Loop() {
    for (auto& c : m_conns) {
      if (c) close_conn(*c);
    }
    ::close(m_epoll);
  }
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

 protected:
  // Starts a connection to `port` in slot `slot` (grown as needed); `tls` selects OpenSSL.
  Conn& open(std::size_t slot, Conn::Kind kind, std::uint16_t port, bool tls, int receive_buffer = 0) {
    if (slot >= m_conns.size()) m_conns.resize(slot + 1);
    if (!m_conns[slot]) m_conns[slot] = std::make_unique<Conn>();
    Conn& c = *m_conns[slot];
    c = Conn{};
    c.kind = kind;
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int on = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (receive_buffer > 0) ::setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(c.fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    if (tls) {
      c.ssl = SSL_new(m_tls);
      SSL_set_fd(c.ssl, c.fd);
      SSL_set1_host(c.ssl, "localhost");
      SSL_set_connect_state(c.ssl);
    }
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    event.data.u64 = slot;
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, c.fd, &event);
    return c;
  }

  void close_conn(Conn& c) {
    if (c.ssl != nullptr) SSL_free(c.ssl);
    c.ssl = nullptr;
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
    c.step = Conn::Step::dead;
    std::string().swap(c.in);
    std::string().swap(c.out);
  }

  void send(Conn& c, std::string bytes) {
    if (c.out_offset >= c.out.size()) {
      c.out = std::move(bytes);
      c.out_offset = 0;
    } else {
      c.out.append(bytes);
    }
    flush(c);
  }

  void poll(int timeout_ms) {
    epoll_event events[512];
    const int count = ::epoll_wait(m_epoll, events, 512, timeout_ms);
    for (int i = 0; i < count; ++i) {
      const std::size_t slot = events[i].data.u64;
      if (slot < m_conns.size() && m_conns[slot]) drive(*m_conns[slot], slot);
    }
  }

  // Hooks.
  virtual void on_ready(Conn& c, std::size_t slot) = 0;        // connected (and handshaken)
  virtual void on_input(Conn& c, std::size_t slot, std::int64_t arrived) = 0;
  /// Closed or failed; `was` is the step it was in.
  virtual void on_failed(Conn& c, std::size_t slot, Conn::Step was) = 0;

  void fail(Conn& c, std::size_t slot) {
    const Conn::Step was = c.step;
    close_conn(c);
    on_failed(c, slot, was);
  }

  // Advances a connection as far as it goes (edge-triggered).
  void drive(Conn& c, std::size_t slot) {
    if (c.step == Conn::Step::dead) return;
    if (c.kind == Conn::Kind::slow && c.step == Conn::Step::streaming) return;  // never reads
    if (c.step == Conn::Step::connecting) {
      int error = 0;
      socklen_t length = sizeof error;
      ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
      if (error != 0) return fail(c, slot);
      c.step = c.ssl != nullptr ? Conn::Step::handshaking : Conn::Step::sign_in;
      if (c.ssl == nullptr) on_ready(c, slot);
    }
    if (c.step == Conn::Step::handshaking) {
      ERR_clear_error();
      const int result = SSL_do_handshake(c.ssl);
      if (result != 1) {
        const int error = SSL_get_error(c.ssl, result);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
        return fail(c, slot);
      }
      c.step = Conn::Step::sign_in;
      on_ready(c, slot);
      if (c.step == Conn::Step::dead) return;
    }
    if (!flush(c)) return fail(c, slot);
    char buffer[16 * 1024];
    while (c.step != Conn::Step::dead) {
      if (c.kind == Conn::Kind::slow && c.step == Conn::Step::streaming) return;
      const ssize_t got = read_bytes(c, buffer, sizeof buffer);
      if (got < 0) return fail(c, slot);
      if (got == 0) break;
      c.in.append(buffer, static_cast<std::size_t>(got));
      on_input(c, slot, now_ns());
    }
    if (c.step != Conn::Step::dead && c.in.empty() && c.in.capacity() > 0) std::string().swap(c.in);
  }

  bool flush(Conn& c) {
    while (c.out_offset < c.out.size()) {
      const ssize_t n = write_bytes(c, c.out.data() + c.out_offset, c.out.size() - c.out_offset);
      if (n < 0) return false;
      if (n == 0) return true;
      c.out_offset += static_cast<std::size_t>(n);
    }
    if (c.out.capacity() > 0) {
      std::string().swap(c.out);
      c.out_offset = 0;
    }
    return true;
  }

  static ssize_t read_bytes(Conn& c, char* buffer, std::size_t size) {
    return cti::testing::read_some(c.fd, c.ssl, buffer, size);
  }
  static ssize_t write_bytes(Conn& c, const char* data, std::size_t size) {
    return cti::testing::write_some(c.fd, c.ssl, data, size);
  }

  std::string extension_of(std::size_t agent) const { return std::to_string(m_options.first_extension + agent); }

  std::string sign_in_request(std::size_t agent) const {
    const std::string body =
        "{\"extension\":\"" + extension_of(agent) + "\",\"password\":\"" + m_options.password + "\"}";
    return "POST /api/v1/session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  std::string stream_request(std::size_t agent, const std::string& token) const {
    if (m_options.target == Target::nchan) {
      return "GET /sub/" + extension_of(agent) +
             " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n";
    }
    return "GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
           "Authorization: Bearer " +
           token + "\r\n\r\n";
  }

  // Sign-in and stream-opening steps shared by subscribers and the slow client. `streaming`
  // once the stream is open (the bytes after the head stay in c.in); `retry` for a 503 or
  // 429 answer to the sign-in, which the caller repeats later on the same connection.
  enum class SetupOutcome { pending, streaming, retry, failed };
  SetupOutcome advance_setup(Conn& c) {
    HttpHead head;
    if (c.step == Conn::Step::sign_in) {
      if (!parse_head(c.in, head) || c.in.size() < head.head_bytes + head.content_length) return SetupOutcome::pending;
      const std::string body = c.in.substr(head.head_bytes, head.content_length);
      c.in.erase(0, head.head_bytes + head.content_length);
      if (head.status == 503 || head.status == 429) return SetupOutcome::retry;
      const std::size_t at = body.find("\"token\":\"");
      if (head.status != 200 || at == std::string::npos) {
        if (m_reported_failures++ < 5) {
          std::fprintf(stderr, "load_client: sign-in answered %d: %.200s\n", head.status, body.c_str());
        }
        return SetupOutcome::failed;
      }
      c.token = body.substr(at + 9, body.find('"', at + 9) - at - 9);
      c.step = Conn::Step::open_stream;
      send(c, stream_request(c.agent, c.token));
      std::string().swap(c.token);
    }
    if (c.step == Conn::Step::open_stream) {
      if (!parse_head(c.in, head)) return SetupOutcome::pending;
      if (head.status != 200) {
        if (m_reported_failures++ < 5) std::fprintf(stderr, "load_client: stream answered %d\n", head.status);
        return SetupOutcome::failed;
      }
      c.in.erase(0, head.head_bytes);
      c.step = Conn::Step::streaming;
      return SetupOutcome::streaming;
    }
    return SetupOutcome::pending;
  }

  const Options& m_options;
  Shared& m_shared;
  SSL_CTX* m_tls;
  int m_epoll = -1;
  std::vector<std::unique_ptr<Conn>> m_conns;
  std::size_t m_reported_failures = 0;
};

// --- The subscriber loop --------------------------------------------------------------

class Subscribers final : public Loop {
 public:
  using Loop::Loop;

  void run() {
    m_conns.resize(m_options.agents);
    m_retry_delay_ns = 200'000'000;
    while (!m_shared.stop.load()) {
      while (m_next < m_options.agents && m_in_setup < m_options.setup_concurrency) start(m_next++);
      retry_due();
      poll(m_retries.empty() ? 20 : 5);
    }
  }

  Latencies latencies;

 private:
  void start(std::size_t agent) {
    ++m_in_setup;
    Conn& c = open(agent, Conn::Kind::subscriber, m_options.port, true);
    c.agent = static_cast<std::uint32_t>(agent);
  }

  void retry_due() {
    const std::int64_t now = now_ns();
    while (!m_retries.empty() && m_retries.front().first <= now) {
      const std::size_t agent = m_retries.front().second;
      m_retries.pop_front();
      Conn& c = *m_conns[agent];
      if (c.step == Conn::Step::sign_in) send(c, sign_in_request(agent));
    }
  }

  void on_ready(Conn& c, std::size_t agent) override {
    if (m_options.target == Target::nchan) {
      c.step = Conn::Step::open_stream;
      send(c, stream_request(agent, {}));
    } else {
      send(c, sign_in_request(agent));
    }
  }

  void on_input(Conn& c, std::size_t agent, std::int64_t arrived) override {
    if (c.step != Conn::Step::streaming) {
      switch (advance_setup(c)) {
        case SetupOutcome::pending:
          return;
        case SetupOutcome::retry:
          m_shared.setup_retries.fetch_add(1);
          m_retries.emplace_back(now_ns() + m_retry_delay_ns, agent);
          return;
        case SetupOutcome::failed:
          close_conn(c);
          --m_in_setup;
          m_shared.setup_failures.fetch_add(1);
          return;
        case SetupOutcome::streaming: {
          --m_in_setup;
          m_shared.established.fetch_add(1);
          std::lock_guard lock(m_shared.mutex);
          m_shared.connected.push_back(static_cast<std::uint32_t>(agent));
          break;
        }
      }
    }
    read_events(c, arrived);
  }

  void on_failed(Conn&, std::size_t agent, Conn::Step was) override {
    if (was != Conn::Step::streaming && m_reported_failures++ < 5) {
      std::fprintf(stderr, "load_client: agent %zu: connection lost while %s (%s)\n", agent, step_name(was),
                   std::strerror(errno));
    }
    if (was == Conn::Step::streaming) {
      m_shared.streams_dropped.fetch_add(1);
    } else {
      --m_in_setup;
      m_shared.setup_failures.fetch_add(1);
    }
  }

  // SSE: events end with a blank line. The call id "c<seq>t<ns>" carries the send time.
  void read_events(Conn& c, std::int64_t arrived) {
    std::size_t start = 0;
    std::size_t end;
    const std::int64_t steady_start = m_shared.steady_start_ns.load(std::memory_order_relaxed);
    while ((end = c.in.find("\n\n", start)) != std::string::npos) {
      const std::string_view event(c.in.data() + start, end - start);
      start = end + 2;
      const std::size_t marker = event.find("\"call_id\":\"c");
      if (marker == std::string_view::npos) continue;
      const char* text = event.data() + marker + 12;
      char* after = nullptr;
      std::strtoull(text, &after, 10);
      if (after == nullptr || *after != 't') continue;
      const std::int64_t sent = std::strtoll(after + 1, nullptr, 10);
      const std::int64_t latency = arrived - sent;
      const bool storm = steady_start == 0 || sent < steady_start;
      const bool is_pop = m_options.target == Target::nchan || event.find("event: screenpop") != std::string_view::npos;
      if (is_pop) {
        (storm ? latencies.pop_storm : latencies.pop_steady).push_back(latency);
        if (!storm) latencies.pop_samples.emplace_back(sent, latency);
        if (const auto call = latencies.call_arrival.find(sent); call != latencies.call_arrival.end()) {
          latencies.pop_after_call.push_back(arrived - call->second);
          latencies.call_arrival.erase(call);
        }
        latencies.event_bytes += event.size() + 2;
        ++latencies.pop_events;
        m_shared.pops_received.fetch_add(1, std::memory_order_relaxed);
        if (storm) m_shared.pops_received_storm.fetch_add(1, std::memory_order_relaxed);
      } else if (event.find("event: call") != std::string_view::npos &&
                 event.find("\"state\":\"ringing\"") != std::string_view::npos) {
        (storm ? latencies.call_storm : latencies.call_steady).push_back(latency);
        if (!storm) {
          latencies.call_samples.emplace_back(sent, latency);
          latencies.call_arrival.emplace(sent, arrived);
        }
      }
    }
    c.in.erase(0, start);
  }

  std::size_t m_next = 0;
  std::size_t m_in_setup = 0;
  std::int64_t m_retry_delay_ns = 0;
  std::deque<std::pair<std::int64_t, std::size_t>> m_retries;
};

// --- The driver loop: the PBX (or nchan publisher) and the slow client -------------------

class Driver final : public Loop {
 public:
  Driver(const Options& options, Shared& shared, SSL_CTX* tls) : Loop(options, shared, tls), m_random(7) {}

  void run() {
    const bool tls = m_options.target == Target::sfproxy;
    const std::uint16_t port = tls ? m_options.port : m_options.publish_port;
    m_publish_tls = tls;
    m_publish_port = port;
    if (m_options.slow_client) {
      Conn& slow = open(slow_slot, Conn::Kind::slow, m_options.port, true, 4096);
      slow.agent = static_cast<std::uint32_t>(m_options.agents);  // the extra agent
    }
    const auto steady_interval = static_cast<std::int64_t>(1e9 / m_options.rate);
    const double setup_rate = m_options.setup_rate < 0 ? m_options.rate : m_options.setup_rate;
    const auto setup_interval = static_cast<std::int64_t>(1e9 / std::max(setup_rate, 1e-3));
    const auto slow_interval = static_cast<std::int64_t>(1e9 / std::max(m_options.slow_rate, 0.001));
    std::int64_t next_call = now_ns();
    std::int64_t next_slow = next_call;
    std::int64_t next_batch = next_call;
    while (!m_shared.stop.load()) {
      const std::int64_t now = now_ns();
      const std::int64_t interval = m_shared.steady_start_ns.load() == 0 ? setup_interval : steady_interval;
      if (m_shared.calls_on.load() && (setup_rate > 0 || m_shared.steady_start_ns.load() != 0)) {
        while (next_call <= now) {
          next_call += interval;
          std::uint32_t agent = 0;
          {
            std::lock_guard lock(m_shared.mutex);
            if (m_shared.connected.empty()) continue;
            agent = m_shared.connected[m_random() % m_shared.connected.size()];
          }
          m_pending.push_back(Pending{agent, {}});
        }
        while (m_slow_streaming && next_slow <= now) {
          next_slow += slow_interval;
          m_pending.push_back(Pending{static_cast<std::uint32_t>(m_options.agents), {}});
        }
        if (!m_slow_streaming) next_slow = now;
      } else {
        next_call = now;
        next_slow = now;
      }
      if (m_options.target == Target::sfproxy && now >= next_batch) {
        next_batch = now + 100'000'000;
        queue_hangups(now);
      }
      dispatch();
      const std::int64_t wait_ns = std::max<std::int64_t>(0, std::min(next_call, next_batch) - now_ns());
      poll(static_cast<int>(std::min<std::int64_t>(wait_ns / 1'000'000, 20)));
    }
  }

  // The slow client's stream, read at the end: how much it got and whether it was cut.
  std::string slow_report() {
    if (!m_options.slow_client || m_conns.size() <= slow_slot || !m_conns[slow_slot]) return "none";
    Conn& c = *m_conns[slow_slot];
    if (c.step != Conn::Step::streaming) return "never streamed";
    std::size_t bytes = c.in.size();
    bool closed = false;
    char buffer[16 * 1024];
    const auto until = Clock::now() + 2s;
    while (Clock::now() < until) {
      const ssize_t got = read_bytes(c, buffer, sizeof buffer);
      if (got < 0) {
        closed = true;
        break;
      }
      if (got == 0) {
        std::this_thread::sleep_for(10ms);
        continue;
      }
      bytes += static_cast<std::size_t>(got);
    }
    char text[200];
    std::snprintf(text, sizeof text, "%zu extra calls sent; it held %zu bytes unread; %s",
                  m_shared.slow_calls_accepted.load(), bytes,
                  closed ? "the server had closed it" : "still open");
    return text;
  }

  std::size_t publish_connections() const { return m_publishers; }

 private:
  static constexpr std::size_t slow_slot = 0;
  static constexpr std::size_t max_publishers = 64;

  struct Pending {
    std::uint32_t agent = 0;
    std::string hangups;  // a batch of "disconnected" events, or empty for a new call
  };
  struct Hangup {
    std::int64_t due;
    std::uint32_t agent;
    std::string call_id;
  };

  void on_ready(Conn& c, std::size_t slot) override {
    if (c.kind == Conn::Kind::slow) {
      if (m_options.target == Target::nchan) {
        c.step = Conn::Step::open_stream;
        send(c, stream_request(c.agent, {}));
      } else {
        send(c, sign_in_request(c.agent));
      }
      return;
    }
    c.step = Conn::Step::publishing;
    c.busy = false;
    --m_opening;
    m_free.push_back(slot);
  }

  void on_input(Conn& c, std::size_t slot, std::int64_t) override {
    if (c.kind == Conn::Kind::slow) {
      switch (advance_setup(c)) {
        case SetupOutcome::streaming:
          m_slow_streaming = true;
          return;
        case SetupOutcome::retry:
          send(c, sign_in_request(c.agent));  // at once: one connection, nothing to protect
          return;
        case SetupOutcome::failed:
          std::fprintf(stderr, "load_client: the slow client could not open its stream\n");
          close_conn(c);
          return;
        case SetupOutcome::pending:
          return;
      }
      return;
    }
    HttpHead head;
    while (parse_head(c.in, head) && c.in.size() >= head.head_bytes + head.content_length) {
      const bool ok = head.status == 200 || head.status == 201 || head.status == 202;
      if (!ok && m_reported_errors++ < 5) {
        std::fprintf(stderr, "load_client: publish answered %d: %.200s\n", head.status,
                     c.in.substr(head.head_bytes, head.content_length).c_str());
      }
      c.in.erase(0, head.head_bytes + head.content_length);
      finish_request(slot, ok);
    }
  }

  void on_failed(Conn& c, std::size_t slot, Conn::Step was) override {
    if (c.kind == Conn::Kind::slow) return;
    if (was == Conn::Step::connecting || was == Conn::Step::handshaking) --m_opening;
    if (c.busy) finish_request(slot, false);
    m_free.erase(std::remove(m_free.begin(), m_free.end(), slot), m_free.end());
    --m_publishers;
  }

  void finish_request(std::size_t slot, bool ok) {
    Conn& c = *m_conns[slot];
    c.busy = false;
    const InFlight request = m_in_flight[slot];
    if (ok) {
      if (request.kind == InFlight::Kind::call) {
        if (request.slow) {
          m_shared.slow_calls_accepted.fetch_add(1);
        } else {
          m_shared.calls_accepted.fetch_add(1);
          if (m_shared.steady_start_ns.load() == 0 || request.sent < m_shared.steady_start_ns.load()) {
            m_shared.calls_accepted_storm.fetch_add(1);
          }
        }
      }
    } else {
      m_shared.publish_errors.fetch_add(1);
    }
    if (c.step == Conn::Step::publishing) m_free.push_back(slot);
  }

  void queue_hangups(std::int64_t now) {
    while (!m_hangups.empty() && m_hangups.front().due <= now) {
      std::string body = "[";
      std::size_t count = 0;
      while (!m_hangups.empty() && m_hangups.front().due <= now && count < 100) {
        const Hangup& h = m_hangups.front();
        if (count++ > 0) body += ',';
        body += "{\"event\":\"disconnected\",\"call_id\":\"" + h.call_id + "\",\"extension\":\"" +
                extension_of(h.agent) + "\",\"end_reason\":\"remote_hangup\"}";
        m_hangups.pop_front();
      }
      body += ']';
      m_pending.push_back(Pending{0, std::move(body)});
    }
  }

  // Sends what is pending on free connections, opening more (up to a cap) when all are busy.
  void dispatch() {
    while (!m_pending.empty()) {
      if (m_free.empty()) {
        if (m_publishers + m_opening < max_publishers && m_opening < 4) {
          ++m_opening;
          ++m_publishers;
          m_in_flight.resize(m_next_slot + 1);
          open(m_next_slot++, Conn::Kind::publisher, m_publish_port, m_publish_tls);
        }
        const std::size_t backlog = m_pending.size();
        if (backlog > m_shared.publish_backlog_max.load()) m_shared.publish_backlog_max.store(backlog);
        return;
      }
      const std::size_t slot = m_free.back();
      m_free.pop_back();
      Conn& c = *m_conns[slot];
      if (c.step != Conn::Step::publishing) continue;
      Pending pending = std::move(m_pending.front());
      m_pending.pop_front();
      c.busy = true;
      InFlight& record = m_in_flight[slot];
      if (!pending.hangups.empty()) {
        record = InFlight{InFlight::Kind::hangups, false, now_ns()};
        send(c, webhook_request(std::move(pending.hangups)));
        continue;
      }
      const bool slow = pending.agent == m_options.agents;
      const std::uint64_t seq = m_seq++;
      const std::int64_t sent = now_ns();
      // Appended rather than concatenated: g++ 12 -O3 gives a false -Wrestrict on the latter.
      std::string call_id(1, 'c');
      call_id.append(std::to_string(seq)).append(1, 't').append(std::to_string(sent));
      record = InFlight{InFlight::Kind::call, slow, sent};
      m_shared.calls_sent.fetch_add(1, std::memory_order_relaxed);
      if (m_options.target == Target::nchan) {
        std::string body = "{\"call_id\":\"" + call_id + "\",\"padding\":\"";
        const std::size_t payload = m_options.payload > 0 ? m_options.payload : 400;
        if (body.size() + 2 < payload) body.append(payload - body.size() - 2, 'x');
        body += "\"}";
        send(c, "POST /pub/" + extension_of(pending.agent) +
                    " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body);
      } else {
        char ani[32];
        std::snprintf(ani, sizeof ani, "+1212842%04u", static_cast<unsigned>(m_random() % 10000));
        send(c, webhook_request("{\"event\":\"ringing\",\"call_id\":\"" + call_id + "\",\"extension\":\"" +
                                extension_of(pending.agent) + "\",\"ani\":\"" + ani +
                                "\",\"dnis\":\"8005550100\",\"direction\":\"inbound\"}"));
        m_hangups.push_back(Hangup{sent + static_cast<std::int64_t>(m_options.hold_s * 1e9), pending.agent, call_id});
      }
    }
  }

  std::string webhook_request(std::string body) const {
    const std::string timestamp = std::to_string(std::time(nullptr));
    const std::string signature = hex_hmac_sha256(m_options.webhook_secret, timestamp + "." + body);
    return "POST /pbx/v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
           "X-CTI-Timestamp: " +
           timestamp + "\r\nX-CTI-Signature: sha256=" + signature + "\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  struct InFlight {
    enum class Kind : std::uint8_t { call, hangups };
    Kind kind = Kind::call;
    bool slow = false;
    std::int64_t sent = 0;
  };

  std::mt19937_64 m_random;
  bool m_publish_tls = true;
  std::uint16_t m_publish_port = 0;
  bool m_slow_streaming = false;
  std::uint64_t m_seq = 0;
  std::size_t m_next_slot = 1;
  std::size_t m_publishers = 0;
  std::size_t m_opening = 0;
  std::size_t m_reported_errors = 0;
  std::vector<std::size_t> m_free;
  std::deque<Pending> m_pending;
  std::deque<Hangup> m_hangups;
  std::vector<InFlight> m_in_flight;  // by slot
};

// --- Figures ---------------------------------------------------------------------------

struct Percentiles {
  double p50 = 0, p99 = 0, p999 = 0, max = 0;
  std::size_t count = 0;
};

Percentiles percentiles(std::vector<std::int64_t> values) {
  Percentiles result;
  result.count = values.size();
  if (values.empty()) return result;
  std::sort(values.begin(), values.end());
  const auto pick = [&](double q) {
    const auto index = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
    return static_cast<double>(values[std::min(index, values.size() - 1)]) / 1e6;
  };
  result.p50 = pick(0.5);
  result.p99 = pick(0.99);
  result.p999 = pick(0.999);
  result.max = pick(1.0);
  return result;
}

// A blocking HTTPS GET with Connection: close, for the server's /metrics.
std::string https_get(SSL_CTX* tls, std::uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    SSL* ssl = SSL_new(tls);
    SSL_set_fd(ssl, fd);
    SSL_set1_host(ssl, "localhost");
    if (SSL_connect(ssl) == 1) {
      const std::string request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
      std::size_t written = 0;
      SSL_write_ex(ssl, request.data(), request.size(), &written);
      char buffer[16 * 1024];
      std::size_t read = 0;
      while (SSL_read_ex(ssl, buffer, sizeof buffer, &read) == 1) response.append(buffer, read);
    }
    SSL_free(ssl);
  }
  ::close(fd);
  return response;
}

// The value of the first metrics line that starts with `name` followed by a space.
double metric(const std::string& text, const std::string& name) {
  std::size_t at = 0;
  while ((at = text.find(name + " ", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') return std::strtod(text.c_str() + at + name.size() + 1, nullptr);
    at += name.size();
  }
  return 0;
}

double sum_metric_lines(const std::string& text, const std::string& prefix) {
  double total = 0;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(prefix, 0) == 0) total += std::strtod(line.c_str() + line.rfind(' ') + 1, nullptr);
  }
  return total;
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: load_client --target sfproxy|nchan --port P --ca FILE [--agents N] [--first-extension E]\n"
               "         [--password TEXT] [--webhook-secret-file F] [--publish-port P] [--rate R] [--setup-rate R]\n"
               "         [--duration-s S] [--hold-s S] [--setup-concurrency K] [--payload BYTES]\n"
               "         [--slow-rate R] [--no-slow-client] [--server-pid PID] [--results FILE] [--samples FILE]\n");
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--no-slow-client") {
      options.slow_client = false;
      continue;
    }
    if (i + 1 >= argc) usage();
    const std::string value = argv[++i];
    if (arg == "--target") {
      if (value != "sfproxy" && value != "nchan") usage();
      options.target = value == "nchan" ? Target::nchan : Target::sfproxy;
    } else if (arg == "--port") {
      options.port = static_cast<std::uint16_t>(std::stoul(value));
    } else if (arg == "--publish-port") {
      options.publish_port = static_cast<std::uint16_t>(std::stoul(value));
    } else if (arg == "--ca") {
      options.ca_file = value;
    } else if (arg == "--agents") {
      options.agents = std::stoul(value);
    } else if (arg == "--first-extension") {
      options.first_extension = std::stoul(value);
    } else if (arg == "--password") {
      options.password = value;
    } else if (arg == "--webhook-secret-file") {
      std::ifstream file(value);
      std::getline(file, options.webhook_secret);
    } else if (arg == "--rate") {
      options.rate = std::stod(value);
    } else if (arg == "--setup-rate") {
      options.setup_rate = std::stod(value);
    } else if (arg == "--duration-s") {
      options.duration_s = std::stod(value);
    } else if (arg == "--hold-s") {
      options.hold_s = std::stod(value);
    } else if (arg == "--setup-concurrency") {
      options.setup_concurrency = std::max<std::size_t>(1, std::stoul(value));
    } else if (arg == "--payload") {
      options.payload = std::stoul(value);
    } else if (arg == "--slow-rate") {
      options.slow_rate = std::stod(value);
    } else if (arg == "--server-pid") {
      options.server_pid = std::stol(value);
    } else if (arg == "--samples") {
      options.samples_file = value;
    } else if (arg == "--results") {
      options.results_file = value;
    } else {
      usage();
    }
  }
  if (options.port == 0 || options.ca_file.empty() || options.agents == 0 || options.rate <= 0) usage();
  if (options.target == Target::nchan && options.publish_port == 0) usage();
  if (options.target == Target::sfproxy && (options.password.empty() || options.webhook_secret.empty())) usage();
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  const char* name = options.target == Target::sfproxy ? "sfproxy" : "nchan";

  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);
  if (options.agents + 200 > files.rlim_cur) {
    std::fprintf(stderr, "load_client: open-file limit %ju is too low for %zu agents\n",
                 static_cast<std::uintmax_t>(files.rlim_cur), options.agents);
    return 2;
  }

  SSL_CTX* tls = SSL_CTX_new(TLS_client_method());
  if (SSL_CTX_load_verify_locations(tls, options.ca_file.c_str(), nullptr) != 1) {
    std::fprintf(stderr, "load_client: cannot read %s\n", options.ca_file.c_str());
    return 2;
  }
  SSL_CTX_set_verify(tls, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_mode(tls, SSL_MODE_RELEASE_BUFFERS);

  Shared shared;
  const auto metrics_text = [&] {
    return options.target == Target::sfproxy ? https_get(tls, options.port, "/metrics") : std::string();
  };
  const std::string metrics_before = metrics_text();
  const ProcessSample base = sample_process(options.server_pid);

  Subscribers subscribers(options, shared, tls);
  Driver driver(options, shared, tls);
  std::thread subscriber_thread([&] { subscribers.run(); });
  std::thread driver_thread([&] { driver.run(); });

  // Set-up: until every agent is connected or has failed.
  const auto setup_started = Clock::now();
  std::size_t last_done = 0;
  auto last_progress = Clock::now();
  while (true) {
    const std::size_t done = shared.established.load() + shared.setup_failures.load();
    if (done >= options.agents) break;
    if (done != last_done) {
      last_done = done;
      last_progress = Clock::now();
    }
    if (Clock::now() - last_progress > 60s) {
      std::fprintf(stderr, "load_client: set-up stalled at %zu of %zu\n", done, options.agents);
      break;
    }
    std::this_thread::sleep_for(50ms);
  }
  const double setup_s = std::chrono::duration<double>(Clock::now() - setup_started).count();
  const ProcessSample after_setup = sample_process(options.server_pid);

  // Memory with every stream open, after a moment to settle.
  std::this_thread::sleep_for(2s);
  const ProcessSample connected = sample_process(options.server_pid);

  // Steady calls.
  shared.steady_start_ns.store(now_ns());
  const std::size_t accepted_at_steady = shared.calls_accepted.load();
  const ProcessSample steady_from = sample_process(options.server_pid);
  std::this_thread::sleep_for(std::chrono::duration<double>(options.duration_s));
  const ProcessSample steady_to = sample_process(options.server_pid);
  shared.calls_on.store(false);
  // Let the last events arrive (and, for sfproxy, the last calls end).
  std::this_thread::sleep_for(std::chrono::duration<double>(options.hold_s + 1.5));
  const ProcessSample end = sample_process(options.server_pid);
  const std::string metrics_after = metrics_text();
  shared.stop.store(true);
  subscriber_thread.join();
  driver_thread.join();
  const std::string slow = options.slow_client ? driver.slow_report() : "not run (--no-slow-client)";

  const Latencies& lat = subscribers.latencies;
  const Percentiles pop_storm = percentiles(lat.pop_storm);
  const Percentiles pop_steady = percentiles(lat.pop_steady);
  const Percentiles call_storm = percentiles(lat.call_storm);
  const Percentiles call_steady = percentiles(lat.call_steady);
  const std::size_t established = shared.established.load();
  const double per_agent_kib =
      established > 0 ? static_cast<double>(connected.rss_kib - base.rss_kib) / static_cast<double>(established) : 0;
  const std::size_t accepted = shared.calls_accepted.load();
  const std::size_t received = shared.pops_received.load();
  const std::size_t missing = accepted > received ? accepted - received : 0;
  const std::size_t errors = shared.setup_failures.load() + shared.streams_dropped.load() +
                             shared.publish_errors.load() + missing;
  const double sf_requests = metric(metrics_after, "sfproxy_salesforce_requests_total") -
                             metric(metrics_before, "sfproxy_salesforce_requests_total");
  const double pops_total = sum_metric_lines(metrics_after, "sfproxy_pops_total{") -
                            sum_metric_lines(metrics_before, "sfproxy_pops_total{");
  const double match_count = metric(metrics_after, "sfproxy_match_latency_ms_count") -
                             metric(metrics_before, "sfproxy_match_latency_ms_count");
  const double match_mean = match_count > 0 ? (metric(metrics_after, "sfproxy_match_latency_ms_sum") -
                                                metric(metrics_before, "sfproxy_match_latency_ms_sum")) /
                                                   match_count
                                             : 0;
  const double steady_s = static_cast<double>(steady_to.at_ns - steady_from.at_ns) / 1e9;

  std::ostringstream out;
  const auto line = [&](const std::string& key, const std::string& value) { out << key << ' ' << value << '\n'; };
  const auto number = [](double value, int decimals = 2) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return std::string(text);
  };
  line("target", name);
  line("agents", std::to_string(options.agents));
  line("established", std::to_string(established));
  line("setup_s", number(setup_s));
  line("setup_per_s", number(static_cast<double>(established) / std::max(setup_s, 1e-9), 0));
  line("setup_failures", std::to_string(shared.setup_failures.load()));
  line("setup_retries", std::to_string(shared.setup_retries.load()));
  line("streams_dropped", std::to_string(shared.streams_dropped.load()));
  line("rss_base_kib", std::to_string(base.rss_kib));
  line("rss_connected_kib", std::to_string(connected.rss_kib));
  line("rss_end_kib", std::to_string(end.rss_kib));
  line("kib_per_agent", number(per_agent_kib));
  line("threads", std::to_string(connected.threads));
  line("processes", std::to_string(connected.processes));
  line("cpu_setup_pct", number(cpu_percent(base, after_setup), 0));
  line("cpu_steady_pct", number(cpu_percent(steady_from, steady_to), 0));
  line("rate", number(options.rate, 0));
  line("steady_s", number(steady_s, 1));
  line("calls_sent", std::to_string(shared.calls_sent.load()));
  line("calls_accepted", std::to_string(accepted));
  line("calls_accepted_steady", std::to_string(accepted - accepted_at_steady));
  line("pops_received", std::to_string(received));
  line("pops_missing", std::to_string(missing));
  line("publish_errors", std::to_string(shared.publish_errors.load()));
  line("publish_backlog_max", std::to_string(shared.publish_backlog_max.load()));
  line("publish_connections", std::to_string(driver.publish_connections()));
  line("errors", std::to_string(errors));
  line("pop_bytes", std::to_string(lat.pop_events > 0 ? lat.event_bytes / lat.pop_events : 0));
  const auto row = [&](const std::string& key, const Percentiles& p) {
    line(key + "_count", std::to_string(p.count));
    line(key + "_p50_ms", number(p.p50, 3));
    line(key + "_p99_ms", number(p.p99, 3));
    line(key + "_p999_ms", number(p.p999, 3));
    line(key + "_max_ms", number(p.max, 3));
  };
  row("pop", pop_steady);
  row("pop_storm", pop_storm);
  row("call", call_steady);
  row("call_storm", call_storm);
  row("pop_after_call", percentiles(lat.pop_after_call));
  line("match_mean_ms", number(match_mean, 3));
  line("sf_requests", number(sf_requests, 0));
  line("sf_requests_per_call", pops_total > 0 ? number(sf_requests / pops_total, 2) : "-");
  line("slow_client", "\"" + slow + "\"");

  const std::string text = out.str();
  std::fputs(text.c_str(), stdout);
  if (!options.results_file.empty()) {
    std::ofstream file(options.results_file);
    file << text;
  }
  if (!options.samples_file.empty()) {
    std::ofstream file(options.samples_file);
    const std::int64_t origin = shared.steady_start_ns.load();
    for (const auto& [sent, latency] : lat.pop_samples) {
      file << (sent - origin) / 1'000'000 << " pop " << static_cast<double>(latency) / 1e6 << '\n';
    }
    for (const auto& [sent, latency] : lat.call_samples) {
      file << (sent - origin) / 1'000'000 << " call " << static_cast<double>(latency) / 1e6 << '\n';
    }
  }
  SSL_CTX_free(tls);
  return 0;
}
