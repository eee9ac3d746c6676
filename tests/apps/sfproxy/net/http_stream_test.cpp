#include "net/http_server.hpp"

#include "test_server.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace sfproxy::net;
using namespace sfproxy::net::testing;
using cti::testing::TestClientOptions;
using cti::testing::TestHttpClient;
using cti::testing::TestPki;

// Opens an event stream on /events, counts its on_close calls, and answers anything else.
struct StreamingHandler {
  StreamBox streams;
  std::atomic<int> closes{0};

  Handler handler() {
    return [this](std::shared_ptr<Exchange> exchange) {
      if (exchange->request().path != "/events") {
        HttpResponse response;
        response.body = "plain";
        exchange->respond(response);
        return;
      }
      auto stream = exchange->start_stream(200, {{"Content-Type", "text/event-stream"}});
      stream->on_close([this] { ++closes; });
      streams.add(stream);
    };
  }
};

std::string event(int n) { return "id: " + std::to_string(n) + "\ndata: {\"n\":" + std::to_string(n) + "}\n\n"; }

std::unique_ptr<TestHttpClient> open_stream(const HttpServer& server, const TestClientOptions& options) {
  auto client = connect_client(server, options);
  if (!client->send("GET /events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")) return nullptr;
  return client;
}

}  // namespace

TEST_CASE("an event stream carries events sent from another thread") {
  TestPki pki;
  StreamingHandler handler;
  auto server = start_server(test_config(pki), handler.handler());
  auto client = open_stream(*server, client_options(pki));
  REQUIRE(client);
  const auto head = client->read_head();
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(*head->header("content-type") == "text/event-stream");
  CHECK(*head->header("cache-control") == "no-store");
  CHECK(*head->header("strict-transport-security") == "max-age=63072000");
  CHECK(head->header("content-length") == nullptr);
  auto stream = handler.streams.wait_for(0);
  REQUIRE(stream);
  CHECK(stream->is_open());
  CHECK(server->stats().streams_open == 1);

  std::thread sender([stream] {
    for (int n = 1; n <= 50; ++n) CHECK(stream->send(event(n)));
  });
  sender.join();
  for (int n = 1; n <= 50; ++n) {
    const auto received = client->read_until("\n\n");
    REQUIRE(received);
    CHECK(*received == event(n));
  }
  CHECK(handler.closes == 0);
}

TEST_CASE("a handler's own Cache-Control is kept") {
  TestPki pki;
  StreamBox streams;
  auto server = start_server(test_config(pki), [&](std::shared_ptr<Exchange> exchange) {
    streams.add(exchange->start_stream(200, {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}}));
  });
  auto client = open_stream(*server, client_options(pki));
  REQUIRE(client);
  const auto head = client->read_head();
  REQUIRE(head);
  CHECK(*head->header("cache-control") == "no-cache");
  int cache_headers = 0;
  for (const auto& [name, value] : head->headers) cache_headers += name == "cache-control" ? 1 : 0;
  CHECK(cache_headers == 1);
}

TEST_CASE("events sent before the stream's head went out follow it in order") {
  TestPki pki;
  auto server = start_server(test_config(pki), [](std::shared_ptr<Exchange> exchange) {
    auto stream = exchange->start_stream(200, {{"Content-Type", "text/event-stream"}});
    stream->send(event(1));  // still on the reactor thread, before the head is written
    stream->send(event(2));
  });
  auto client = open_stream(*server, client_options(pki));
  REQUIRE(client);
  REQUIRE(client->read_head());
  CHECK(*client->read_until("\n\n") == event(1));
  CHECK(*client->read_until("\n\n") == event(2));
}

TEST_CASE("the stream's client leaving ends the stream: on_close once, sends fail") {
  TestPki pki;
  StreamingHandler handler;
  auto server = start_server(test_config(pki), handler.handler());
  auto client = open_stream(*server, client_options(pki));
  REQUIRE(client);
  REQUIRE(client->read_head());
  auto stream = handler.streams.wait_for(0);
  REQUIRE(stream);
  client.reset();
  CHECK(eventually([&] { return handler.closes == 1; }));
  CHECK(eventually([&] { return !stream->send("data: late\n\n"); }));
  CHECK_FALSE(stream->is_open());
  stream->close();
  CHECK(handler.closes == 1);
  CHECK(eventually([&] { return server->stats().streams_open == 0; }));
  CHECK(server->stats().streams_cut == 0);
  // A callback registered after the end runs at once.
  std::atomic<bool> late{false};
  stream->on_close([&] { late = true; });
  CHECK(late);
}

TEST_CASE("what a stream's client sends is read and dropped but too much ends the stream") {
  TestPki pki;
  ServerConfig config = test_config(pki);
  config.max_header_bytes = 1024;
  config.max_body_bytes = 1024;
  StreamingHandler handler;
  auto server = start_server(config, handler.handler());
  auto client = open_stream(*server, client_options(pki));
  REQUIRE(client);
  REQUIRE(client->read_head());
  auto stream = handler.streams.wait_for(0);
  REQUIRE(stream);
  REQUIRE(client->send(std::string(100, 'x')));  // a little is ignored
  CHECK(stream->send(event(1)));
  CHECK(*client->read_until("\n\n") == event(1));
  (void)client->send(std::string(8192, 'x'));  // more than anyone has reason to send
  CHECK(client->wait_for_close());
  CHECK(eventually([&] { return handler.closes == 1; }));
}

TEST_CASE("close() flushes what was queued, then closes") {
  TestPki pki;
  StreamingHandler handler;
  auto server = start_server(test_config(pki), handler.handler());
  auto client = open_stream(*server, client_options(pki));
  REQUIRE(client);
  REQUIRE(client->read_head());
  auto stream = handler.streams.wait_for(0);
  REQUIRE(stream);
  for (int n = 1; n <= 20; ++n) REQUIRE(stream->send(event(n)));
  stream->close();
  CHECK_FALSE(stream->is_open());
  CHECK_FALSE(stream->send(event(21)));
  for (int n = 1; n <= 20; ++n) CHECK(*client->read_until("\n\n") == event(n));
  CHECK(client->wait_for_close());
  CHECK(eventually([&] { return handler.closes == 1; }));
}

TEST_CASE("a stalled client is cut when its backlog fills while another on the same reactor keeps receiving") {
  TestPki pki;
  ServerConfig config = test_config(pki);
  config.reactor_threads = 1;  // both clients on one reactor
  config.stream_backlog_bytes = 64 * 1024;
  config.stream_stall_timeout = 60s;  // the backlog cap, not the timer, must cut it
  StreamingHandler handler;
  auto server = start_server(config, handler.handler());

  TestClientOptions stalled_options = client_options(pki);
  stalled_options.receive_buffer = 4096;
  auto stalled = open_stream(*server, stalled_options);
  REQUIRE(stalled);
  REQUIRE(stalled->read_head());
  auto stalled_stream = handler.streams.wait_for(0);
  REQUIRE(stalled_stream);

  auto healthy = open_stream(*server, client_options(pki));
  REQUIRE(healthy);
  REQUIRE(healthy->read_head());
  auto healthy_stream = handler.streams.wait_for(1);
  REQUIRE(healthy_stream);

  // The stalled client reads nothing more. Feed both until the stalled one is cut; the
  // healthy one must get every event meanwhile.
  const std::string padding(1000, 'p');
  int sent_to_healthy = 0;
  bool cut = false;
  for (int n = 1; n <= 100000 && !cut; ++n) {
    cut = !stalled_stream->send("data: " + padding + "\n\n");
    if (n % 10 == 0) {
      REQUIRE(healthy_stream->send(event(++sent_to_healthy)));
      const auto received = healthy->read_until("\n\n");
      REQUIRE(received);
      CHECK(*received == event(sent_to_healthy));
    }
  }
  CHECK(cut);
  CHECK_FALSE(stalled_stream->is_open());
  CHECK(eventually([&] { return server->stats().streams_cut == 1; }));
  CHECK(eventually([&] { return handler.closes == 1; }));
  // After the cut, the healthy stream goes on.
  REQUIRE(healthy_stream->send(event(++sent_to_healthy)));
  CHECK(*healthy->read_until("\n\n") == event(sent_to_healthy));
  CHECK(healthy_stream->is_open());
}

TEST_CASE("a client that stops reading is cut after the stall timeout") {
  TestPki pki;
  ServerConfig config = test_config(pki);
  config.stream_backlog_bytes = 64 * 1024 * 1024;
  config.stream_stall_timeout = 200ms;
  StreamingHandler handler;
  auto server = start_server(config, handler.handler());
  TestClientOptions options = client_options(pki);
  options.receive_buffer = 4096;
  auto client = open_stream(*server, options);
  REQUIRE(client);
  REQUIRE(client->read_head());
  auto stream = handler.streams.wait_for(0);
  REQUIRE(stream);
  // Enough to fill the socket buffers on both sides, so writing stalls.
  const std::string chunk(16 * 1024, 'x');
  for (int i = 0; i < 1024 && stream->send(chunk); ++i) {
  }
  CHECK(eventually([&] { return handler.closes == 1; }));
  CHECK(server->stats().streams_cut == 1);
  CHECK_FALSE(stream->send("data: late\n\n"));
}

TEST_CASE("a quiet stream gets the server's heartbeat after the interval, and events put it off") {
  TestPki pki;
  ServerConfig config = test_config(pki);
  config.stream_heartbeat = ": heartbeat\n\n";
  config.stream_heartbeat_interval = 1000ms;
  StreamingHandler handler;
  auto server = start_server(config, handler.handler());
  using Clock = std::chrono::steady_clock;

  auto quiet = open_stream(*server, client_options(pki));
  REQUIRE(quiet);
  REQUIRE(quiet->read_head());
  const auto quiet_opened = Clock::now();
  auto busy = open_stream(*server, client_options(pki));
  REQUIRE(busy);
  REQUIRE(busy->read_head());
  auto busy_stream = handler.streams.wait_for(1);
  REQUIRE(busy_stream);

  // The busy stream writes an event every 20 ms for 400 ms: no heartbeat in between, and
  // the first one comes no sooner than an interval after the last event.
  Clock::time_point last_event;
  for (int n = 1; n <= 20; ++n) {
    last_event = Clock::now();
    REQUIRE(busy_stream->send(event(n)));
    CHECK(*busy->read_until("\n\n") == event(n));
    std::this_thread::sleep_for(20ms);
  }
  const auto heartbeat = busy->read_until("\n\n");
  REQUIRE(heartbeat);
  CHECK(*heartbeat == ": heartbeat\n\n");
  CHECK(Clock::now() - last_event >= 990ms);

  // The quiet one had one an interval after it opened, and one an interval after that.
  CHECK(*quiet->read_until("\n\n") == ": heartbeat\n\n");
  CHECK(*quiet->read_until("\n\n") == ": heartbeat\n\n");
  CHECK(Clock::now() - quiet_opened >= 1900ms);
  CHECK(handler.closes == 0);
}

TEST_CASE("stop() ends every open stream with on_close") {
  TestPki pki;
  StreamingHandler handler;
  auto server = start_server(test_config(pki), handler.handler());
  std::vector<std::unique_ptr<TestHttpClient>> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(open_stream(*server, client_options(pki)));
    REQUIRE(clients.back());
    REQUIRE(clients.back()->read_head());
  }
  for (std::size_t i = 0; i < 5; ++i) REQUIRE(handler.streams.wait_for(i));
  CHECK(server->stats().streams_open == 5);
  server->stop();
  CHECK(handler.closes == 5);
  for (std::size_t i = 0; i < 5; ++i) {
    auto stream = handler.streams.wait_for(i);
    CHECK_FALSE(stream->is_open());
    CHECK_FALSE(stream->send("data: after stop\n\n"));
  }
  for (auto& client : clients) CHECK(client->wait_for_close());
  CHECK(server->stats().streams_open == 0);
}

TEST_CASE("a stream started from another thread, and a second answer ignored") {
  TestPki pki;
  StreamBox streams;
  std::vector<std::thread> threads;
  std::mutex threads_mutex;
  auto server = start_server(test_config(pki), [&](std::shared_ptr<Exchange> exchange) {
    std::lock_guard lock(threads_mutex);
    threads.emplace_back([exchange, &streams] {
      auto stream = exchange->start_stream(200, {{"Content-Type", "text/event-stream"}});
      exchange->respond(HttpResponse{});  // too late: the stream is the answer
      auto second = exchange->start_stream(200, {});
      CHECK_FALSE(second->is_open());
      streams.add(stream);
    });
  });
  auto client = open_stream(*server, client_options(pki));
  REQUIRE(client);
  const auto head = client->read_head();
  REQUIRE(head);
  CHECK(head->status == 200);
  auto stream = streams.wait_for(0);
  REQUIRE(stream);
  REQUIRE(stream->send(event(7)));
  CHECK(*client->read_until("\n\n") == event(7));
  server->stop();
  std::lock_guard lock(threads_mutex);
  for (auto& thread : threads) thread.join();
}

TEST_CASE("many streams across reactors each get their own events") {
  TestPki pki;
  StreamingHandler handler;
  auto server = start_server(test_config(pki), handler.handler());
  constexpr int count = 20;
  std::vector<std::unique_ptr<TestHttpClient>> clients;
  for (int i = 0; i < count; ++i) {
    clients.push_back(open_stream(*server, client_options(pki)));
    REQUIRE(clients.back());
    REQUIRE(clients.back()->read_head());
  }
  std::vector<std::shared_ptr<Stream>> streams;
  for (int i = 0; i < count; ++i) streams.push_back(handler.streams.wait_for(static_cast<std::size_t>(i)));
  std::vector<std::uint64_t> ids;
  for (auto& stream : streams) {
    REQUIRE(stream);
    ids.push_back(stream->id());
  }
  std::sort(ids.begin(), ids.end());
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());

  // Stream i (in the order the handler saw them) gets events i*1000+1.. from two threads.
  std::thread first([&] {
    for (int i = 0; i < count; i += 2) streams[static_cast<std::size_t>(i)]->send(event(i * 1000 + 1));
  });
  std::thread second([&] {
    for (int i = 1; i < count; i += 2) streams[static_cast<std::size_t>(i)]->send(event(i * 1000 + 1));
  });
  first.join();
  second.join();
  // The handler's order is not the clients' order: collect what each client got.
  std::vector<std::string> got;
  for (auto& client : clients) {
    const auto received = client->read_until("\n\n");
    REQUIRE(received);
    got.push_back(*received);
  }
  std::vector<std::string> expected;
  for (int i = 0; i < count; ++i) expected.push_back(event(i * 1000 + 1));
  std::sort(got.begin(), got.end());
  std::sort(expected.begin(), expected.end());
  CHECK(got == expected);
}
