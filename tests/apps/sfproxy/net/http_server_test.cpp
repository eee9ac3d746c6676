#include "net/http_server.hpp"

#include "test_server.hpp"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace sfproxy::net;
using namespace sfproxy::net::testing;
using cti::testing::TestClientOptions;
using cti::testing::TestHttpClient;
using cti::testing::TestPki;

// Answers "<method> <path> <query> <body>" with the status asked for in ?status=.
void echo(const std::shared_ptr<Exchange>& exchange) {
  const HttpRequest& request = exchange->request();
  HttpResponse response;
  response.headers.emplace_back("Content-Type", "text/plain");
  response.body = request.method + " " + request.path + " " + request.query + " " + request.body;
  exchange->respond(std::move(response));
}

// Threads a test starts to answer later; joined before the test ends.
class Workers {
 public:
  ~Workers() {
    for (auto& thread : m_threads) thread.join();
  }
  void run(std::function<void()> work) {
    std::lock_guard lock(m_mutex);
    m_threads.emplace_back(std::move(work));
  }

 private:
  std::mutex m_mutex;
  std::vector<std::thread> m_threads;
};

}  // namespace

TEST_CASE("make_http_server checks the certificate and key up front, naming the file") {
  TestPki pki;
  cti::testing::TempDir dir;
  const auto make = [&](const std::string& certificate, const std::string& key) {
    ServerConfig config = test_config(pki);
    config.tls.certificate_file = certificate;
    config.tls.private_key_file = key;
    return make_http_server(config, echo);
  };

  SUBCASE("a missing certificate") {
    const auto server = make(dir.file("nope.crt"), pki.server().private_key_file);
    REQUIRE_FALSE(server);
    CHECK(server.error().code == cti::ErrorCode::invalid_input);
    CHECK(server.error().message.find(dir.file("nope.crt")) != std::string::npos);
    CHECK(server.error().message.find("does not exist") != std::string::npos);
  }
  SUBCASE("a missing key") {
    const auto server = make(pki.server().certificate_file, dir.file("nope.key"));
    REQUIRE_FALSE(server);
    CHECK(server.error().message.find(dir.file("nope.key")) != std::string::npos);
  }
  SUBCASE("a certificate file that holds no certificate") {
    const std::string garbage = dir.write_file("garbage.pem", "not a certificate\n");
    const auto server = make(garbage, pki.server().private_key_file);
    REQUIRE_FALSE(server);
    CHECK(server.error().message.find(garbage) != std::string::npos);
  }
  SUBCASE("a key file that holds no key") {
    const std::string garbage = dir.write_file("garbage.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    const auto server = make(pki.server().certificate_file, garbage);
    REQUIRE_FALSE(server);
    CHECK(server.error().message.find(garbage) != std::string::npos);
  }
  SUBCASE("a key that belongs to another certificate") {
    const auto other = pki.make_self_signed("other.example");
    const auto server = make(pki.server().certificate_file, other.private_key_file);
    REQUIRE_FALSE(server);
    CHECK(server.error().message.find("does not match") != std::string::npos);
    CHECK(server.error().message.find(other.private_key_file) != std::string::npos);
  }
  SUBCASE("an unreadable key") {
    if (::geteuid() == 0) return;  // root reads anything
    std::filesystem::permissions(pki.server().private_key_file, std::filesystem::perms::none);
    const auto server = make(pki.server().certificate_file, pki.server().private_key_file);
    std::filesystem::permissions(pki.server().private_key_file, std::filesystem::perms::owner_read);
    REQUIRE_FALSE(server);
    CHECK(server.error().message.find("cannot be read") != std::string::npos);
  }
  SUBCASE("the expired and wrong-host certificates still load (warnings are the daemon's)") {
    const auto expired = pki.make_expired_server();
    CHECK(make(expired.certificate_file, expired.private_key_file));
    const auto wrong = pki.make_self_signed("wrong.example");
    CHECK(make(wrong.certificate_file, wrong.private_key_file));
  }
}

TEST_CASE("the test certificates: a verifying client accepts the server's, refuses the others") {
  TestPki pki(cti::testing::KeyType::rsa_2048);
  const auto serve = [&](const cti::testing::CertificateFiles& files) {
    ServerConfig config = test_config(pki);
    config.tls.certificate_file = files.certificate_file;
    config.tls.private_key_file = files.private_key_file;
    return start_server(config, echo);
  };
  {
    auto server = serve(pki.server());
    CHECK(TestHttpClient::connect("127.0.0.1", server->port(), client_options(pki)));
  }
  {
    auto server = serve(pki.make_expired_server());
    const auto client = TestHttpClient::connect("127.0.0.1", server->port(), client_options(pki));
    REQUIRE_FALSE(client);
    CHECK(client.error().message.find("expired") != std::string::npos);
  }
  {
    auto server = serve(pki.make_self_signed("wrong.example"));
    const auto client = TestHttpClient::connect("127.0.0.1", server->port(), client_options(pki));
    REQUIRE_FALSE(client);
    CHECK(client.error().message.find("verify") != std::string::npos);
  }
}

TEST_CASE("make_http_server refuses settings it cannot serve") {
  TestPki pki;
  ServerConfig config = test_config(pki);
  SUBCASE("not an address literal") { config.address = "localhost"; }
  SUBCASE("no reactor") { config.reactor_threads = 0; }
  SUBCASE("no cipher") { config.tls.ciphers = "NO-SUCH-CIPHER"; }
  SUBCASE("a zero timeout") { config.request_timeout = std::chrono::milliseconds(0); }
  const auto server = make_http_server(config, echo);
  REQUIRE_FALSE(server);
  CHECK(server.error().code == cti::ErrorCode::invalid_input);
  CHECK_FALSE(make_http_server(test_config(pki), Handler()));
}

TEST_CASE("start() fails when the port is taken, and start() runs once") {
  TestPki pki;
  auto first = start_server(test_config(pki), echo);
  ServerConfig config = test_config(pki);
  config.port = first->port();
  auto second = make_http_server(config, echo);
  REQUIRE(second);
  const auto started = (*second)->start();
  REQUIRE_FALSE(started);
  CHECK(started.error().code == cti::ErrorCode::unavailable);
  CHECK(started.error().message.find(std::to_string(first->port())) != std::string::npos);
  CHECK_FALSE(first->start());
}

TEST_CASE("connections are spread over the reactors, and each reactor serves them") {
  TestPki pki;
  ServerConfig config = test_config(pki);
  config.reactor_threads = 3;
  std::mutex mutex;
  std::set<std::thread::id> threads;
  auto server = start_server(config, [&](std::shared_ptr<Exchange> exchange) {
    {
      std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
    }
    echo(exchange);
  });
  std::vector<std::unique_ptr<TestHttpClient>> clients;
  for (int i = 0; i < 6; ++i) {
    clients.push_back(connect_client(*server, client_options(pki)));
    CHECK(clients.back()->request("GET", "/")->status == 200);
  }
  std::lock_guard lock(mutex);
  CHECK(threads.size() == 3);
}

TEST_CASE("a request over TLS gets its response, with the server's headers") {
  TestPki pki;
  auto server = start_server(test_config(pki), echo);
  REQUIRE(server->port() != 0);
  auto client = connect_client(*server, client_options(pki));
  CHECK((client->protocol() == "TLSv1.3" || client->protocol() == "TLSv1.2"));

  const auto response = client->request("POST", "/api/v1/calls?x=1", "hello");
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(response->body == "POST /api/v1/calls x=1 hello");
  CHECK(*response->header("content-length") == "28");
  CHECK(*response->header("content-type") == "text/plain");
  CHECK(response->header("date") != nullptr);
  CHECK(*response->header("strict-transport-security") == "max-age=63072000");
  CHECK(*response->header("x-content-type-options") == "nosniff");
  CHECK(response->header("connection") == nullptr);
  CHECK(server->stats().requests == 1);
}

TEST_CASE("the handler sees the request as parsed, with the peer's address") {
  TestPki pki;
  std::promise<HttpRequest> seen;
  auto server = start_server(test_config(pki), [&](std::shared_ptr<Exchange> exchange) {
    seen.set_value(exchange->request());
    exchange->respond(HttpResponse{});
  });
  auto client = connect_client(*server, client_options(pki));
  REQUIRE(client->send("GET /a%20b/c?q=%20 HTTP/1.1\r\nHost: localhost\r\nX-Thing: One\r\n\r\n"));
  const auto response = client->read_response();
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(response->body.empty());
  const HttpRequest request = seen.get_future().get();
  CHECK(request.method == "GET");
  CHECK(request.target == "/a%20b/c?q=%20");
  CHECK(request.path == "/a b/c");
  CHECK(request.query == "q=%20");
  CHECK(*request.header("x-thing") == "One");
  CHECK(request.remote_address.rfind("127.0.0.1:", 0) == 0);
}

TEST_CASE("keep-alive: several requests on one connection") {
  TestPki pki;
  auto server = start_server(test_config(pki), echo);
  auto client = connect_client(*server, client_options(pki));
  for (int i = 0; i < 5; ++i) {
    const auto response = client->request("GET", "/n/" + std::to_string(i));
    REQUIRE(response);
    CHECK(response->body == "GET /n/" + std::to_string(i) + "  ");
  }
  CHECK(server->stats().connections_accepted == 1);
  CHECK(server->stats().requests == 5);
}

TEST_CASE("pipelined requests are answered in order, even when the first is slow") {
  TestPki pki;
  Workers workers;
  auto server = start_server(test_config(pki), [&](std::shared_ptr<Exchange> exchange) {
    if (exchange->request().path == "/slow") {
      workers.run([exchange] {
        std::this_thread::sleep_for(100ms);
        HttpResponse response;
        response.body = "slow";
        exchange->respond(response);
      });
      return;
    }
    HttpResponse response;
    response.body = exchange->request().path;
    exchange->respond(response);
  });
  auto client = connect_client(*server, client_options(pki));
  REQUIRE(client->send("GET /slow HTTP/1.1\r\n\r\nPOST /two HTTP/1.1\r\nContent-Length: 2\r\n\r\nxyGET /three HTTP/1.1\r\n\r\n"));
  const auto first = client->read_response();
  const auto second = client->read_response();
  const auto third = client->read_response();
  REQUIRE(first);
  REQUIRE(second);
  REQUIRE(third);
  CHECK(first->body == "slow");
  CHECK(second->body == "/two");
  CHECK(third->body == "/three");
}

TEST_CASE("a response completed later on another thread") {
  TestPki pki;
  Workers workers;
  auto server = start_server(test_config(pki), [&](std::shared_ptr<Exchange> exchange) {
    workers.run([exchange] {
      std::this_thread::sleep_for(50ms);
      HttpResponse response;
      response.status = 202;
      response.body = "later";
      exchange->respond(response);
      exchange->respond(HttpResponse{});  // only the first answer counts
    });
  });
  auto client = connect_client(*server, client_options(pki));
  const auto response = client->request("GET", "/");
  REQUIRE(response);
  CHECK(response->status == 202);
  CHECK(response->body == "later");
  const auto again = client->request("GET", "/");  // the connection is still usable
  REQUIRE(again);
  CHECK(again->status == 202);
}

TEST_CASE("an exchange dropped without an answer gets a 500, and a throwing handler too") {
  TestPki pki;
  auto server = start_server(test_config(pki), [](std::shared_ptr<Exchange> exchange) {
    if (exchange->request().path == "/throw") throw std::runtime_error("handler bug");
  });
  auto client = connect_client(*server, client_options(pki));
  for (const char* path : {"/drop", "/throw"}) {
    CAPTURE(path);
    const auto response = client->request("GET", path);
    REQUIRE(response);
    CHECK(response->status == 500);
    CHECK(response->body.find(R"({"error":{"code":"internal")") == 0);
    CHECK(*response->header("content-type") == "application/json");
  }
}

TEST_CASE("a late answer to a client that left is a harmless no-op") {
  TestPki pki;
  std::promise<std::shared_ptr<Exchange>> parked;
  std::atomic<bool> first{true};
  auto server = start_server(test_config(pki), [&](std::shared_ptr<Exchange> exchange) {
    if (first.exchange(false)) {
      parked.set_value(exchange);
    } else {
      echo(exchange);
    }
  });
  auto client = connect_client(*server, client_options(pki));
  REQUIRE(client->send("GET / HTTP/1.1\r\n\r\n"));
  auto exchange = parked.get_future().get();
  client.reset();  // the client gives up
  CHECK(eventually([&] { return server->stats().connections_open == 0; }));
  HttpResponse response;
  response.body = "too late";
  exchange->respond(response);
  CHECK_FALSE(exchange->start_stream(200, {})->send("x"));
  // The server carries on.
  auto other = connect_client(*server, client_options(pki));
  CHECK(other->request("GET", "/next")->body == "GET /next  ");
}

TEST_CASE("large bodies both ways: a request body in many records, a response in many writes") {
  TestPki pki;
  ServerConfig config = test_config(pki);
  config.max_body_bytes = 256 * 1024;
  auto server = start_server(config, [](std::shared_ptr<Exchange> exchange) {
    HttpResponse response;
    // Echo the body eight times: 2 MiB, more than the socket buffers take at once.
    for (int i = 0; i < 8; ++i) response.body += exchange->request().body;
    exchange->respond(std::move(response));
  });
  auto client = connect_client(*server, client_options(pki));
  std::string body(256 * 1024, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
  const auto response = client->request("POST", "/big", body);
  REQUIRE(response);
  REQUIRE(response->body.size() == 8 * body.size());
  CHECK(response->body.substr(7 * body.size()) == body);
  CHECK(client->request("GET", "/after")->status == 200);
}

TEST_CASE("Expect: 100-continue gets 100 before the body is sent") {
  TestPki pki;
  auto server = start_server(test_config(pki), echo);
  auto client = connect_client(*server, client_options(pki));
  REQUIRE(client->send("PUT /up HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  const auto interim = client->read_response();
  REQUIRE(interim);
  CHECK(interim->status == 100);
  REQUIRE(client->send("data"));
  const auto response = client->read_response();
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(response->body == "PUT /up  data");
}

TEST_CASE("HEAD gets the headers of the response without its body") {
  TestPki pki;
  auto server = start_server(test_config(pki), echo);
  auto client = connect_client(*server, client_options(pki));
  const auto response = client->request("HEAD", "/x");
  REQUIRE(response);
  CHECK(*response->header("content-length") == "9");
  CHECK(response->body.empty());
  const auto next = client->request("GET", "/y");  // nothing of the HEAD body was left behind
  REQUIRE(next);
  CHECK(next->body == "GET /y  ");
}

TEST_CASE("Connection: close and HTTP/1.0 end the connection after the response") {
  TestPki pki;
  auto server = start_server(test_config(pki), echo);
  SUBCASE("Connection: close") {
    auto client = connect_client(*server, client_options(pki));
    const auto response = client->request("GET", "/", "", {"Connection: close"});
    REQUIRE(response);
    CHECK(*response->header("connection") == "close");
    CHECK(client->wait_for_close());
  }
  SUBCASE("HTTP/1.0") {
    auto client = connect_client(*server, client_options(pki));
    REQUIRE(client->send("GET /old HTTP/1.0\r\n\r\n"));
    const auto response = client->read_response();
    REQUIRE(response);
    CHECK(response->body == "GET /old  ");
    CHECK(client->wait_for_close());
  }
  SUBCASE("HTTP/1.0 with keep-alive") {
    auto client = connect_client(*server, client_options(pki));
    REQUIRE(client->send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    const auto response = client->read_response();
    REQUIRE(response);
    CHECK(*response->header("connection") == "keep-alive");
    CHECK(client->request("GET", "/again")->body == "GET /again  ");
  }
}

TEST_CASE("malformed requests get a JSON error with the common headers, and the connection closes") {
  TestPki pki;
  auto server = start_server(test_config(pki), echo);
  const struct {
    const char* name;
    std::string request;
    int status;
  } cases[] = {
      {"bad percent-encoding", "GET /a%zz HTTP/1.1\r\n\r\n", 400},
      {"encoded NUL", "GET /a%00 HTTP/1.1\r\n\r\n", 400},
      {"obs-fold", "GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", 400},
      {"chunked body", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501},
      {"long target", "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n", 414},
      {"HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", 505},
      {"odd expectation", "POST / HTTP/1.1\r\nExpect: x\r\nContent-Length: 1\r\n\r\nx", 417},
  };
  std::uint64_t expected_bad = 0;
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto client = connect_client(*server, client_options(pki));
    REQUIRE(client->send(c.request));
    const auto response = client->read_response();
    REQUIRE(response);
    CHECK(response->status == c.status);
    CHECK(response->body.find(R"({"error":{"code":")") == 0);
    CHECK(*response->header("content-type") == "application/json");
    CHECK(*response->header("x-content-type-options") == "nosniff");
    CHECK(*response->header("connection") == "close");
    CHECK(client->wait_for_close());
    CHECK(server->stats().bad_requests == ++expected_bad);
  }
}

TEST_CASE("413 for a body over the limit, before the body is read") {
  TestPki pki;
  ServerConfig config = test_config(pki);
  config.max_body_bytes = 1024;
  std::atomic<int> handled{0};
  auto server = start_server(config, [&](std::shared_ptr<Exchange> exchange) {
    ++handled;
    echo(exchange);
  });
  auto client = connect_client(*server, client_options(pki));
  REQUIRE(client->send("POST /upload HTTP/1.1\r\nContent-Length: 200000\r\n\r\n"));
  const auto response = client->read_response();
  REQUIRE(response);
  CHECK(response->status == 413);
  CHECK(response->body.find("invalid_input") != std::string::npos);
  // What the client still sends is drained, not answered with a reset under the response.
  (void)client->send(std::string(64 * 1024, 'x'));
  CHECK(client->wait_for_close());
  CHECK(handled == 0);
}

TEST_CASE("431 for headers over the limit") {
  TestPki pki;
  ServerConfig config = test_config(pki);
  config.max_header_bytes = 4096;
  auto server = start_server(config, echo);
  auto client = connect_client(*server, client_options(pki));
  REQUIRE(client->send("GET / HTTP/1.1\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n"));
  const auto response = client->read_response();
  REQUIRE(response);
  CHECK(response->status == 431);
  CHECK(client->wait_for_close());
}

TEST_CASE("timeouts: a slow request gets 408, an idle connection is closed quietly") {
  TestPki pki;
  ServerConfig config = test_config(pki);
  config.request_timeout = 200ms;
  config.keep_alive_timeout = 200ms;
  config.handshake_timeout = 200ms;
  auto server = start_server(config, echo);

  SUBCASE("half a request") {
    auto client = connect_client(*server, client_options(pki));
    REQUIRE(client->send("GET / HTTP/1.1\r\nHost: loc"));
    const auto response = client->read_response();
    REQUIRE(response);
    CHECK(response->status == 408);
    CHECK(response->body.find(R"("code":"timeout")") != std::string::npos);
    CHECK(client->wait_for_close());
  }
  SUBCASE("a request trickled in byte by byte does not beat the deadline") {
    auto client = connect_client(*server, client_options(pki));
    const std::string request = "GET / HTTP/1.1\r\nX-Slow: " + std::string(100, 'a') + "\r\n\r\n";
    for (std::size_t i = 0; i < 40; ++i) {  // 40 bytes over about four request timeouts
      if (!client->send(request.substr(i, 1))) break;
      std::this_thread::sleep_for(20ms);
    }
    const auto response = client->read_response();
    REQUIRE(response);
    CHECK(response->status == 408);
  }
  SUBCASE("idle after a response") {
    auto client = connect_client(*server, client_options(pki));
    REQUIRE(client->request("GET", "/")->status == 200);
    CHECK(client->wait_for_close());
  }
  SUBCASE("connected but silent") {
    auto client = connect_client(*server, client_options(pki));
    CHECK(client->wait_for_close());
  }
  SUBCASE("a TLS handshake that never finishes") {
    TestClientOptions options = client_options(pki);
    options.tls = false;
    auto client = connect_client(*server, options);  // TCP only: no ClientHello
    CHECK(client->wait_for_close());
    CHECK(eventually([&] { return server->stats().tls_handshake_failures == 1; }));
  }
}

TEST_CASE("TLS: old protocols, weak ciphers and plain text are refused") {
  TestPki pki;
  auto server = start_server(test_config(pki), echo);

  SUBCASE("a TLS 1.1 client") {
    TestClientOptions options = client_options(pki);
    options.min_tls_version = TLS1_1_VERSION;
    options.max_tls_version = TLS1_1_VERSION;
    options.ciphers = "DEFAULT:@SECLEVEL=0";
    const auto client = TestHttpClient::connect("127.0.0.1", server->port(), options);
    REQUIRE_FALSE(client);
    CHECK(client.error().message.find("protocol version") != std::string::npos);
    CHECK(eventually([&] { return server->stats().tls_handshake_failures == 1; }));
  }
  SUBCASE("a TLS 1.2 client offering only a non-ECDHE cipher") {
    TestClientOptions options = client_options(pki);
    options.max_tls_version = TLS1_2_VERSION;
    options.ciphers = "AES128-SHA:AES256-GCM-SHA384";
    const auto client = TestHttpClient::connect("127.0.0.1", server->port(), options);
    REQUIRE_FALSE(client);
    CHECK(eventually([&] { return server->stats().tls_handshake_failures == 1; }));
  }
  SUBCASE("a TLS 1.2 client with an ECDHE cipher is fine") {
    TestClientOptions options = client_options(pki);
    options.max_tls_version = TLS1_2_VERSION;
    auto client = connect_client(*server, options);
    CHECK(client->protocol() == "TLSv1.2");
    CHECK(client->request("GET", "/")->status == 200);
  }
  SUBCASE("plain HTTP to the TLS port") {
    TestClientOptions options = client_options(pki);
    options.tls = false;
    auto client = connect_client(*server, options);
    REQUIRE(client->send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    CHECK(client->wait_for_close());
    CHECK(eventually([&] { return server->stats().tls_handshake_failures == 1; }));
  }
  SUBCASE("binary garbage to the TLS port") {
    TestClientOptions options = client_options(pki);
    options.tls = false;
    auto client = connect_client(*server, options);
    REQUIRE(client->send(std::string("\x16\x03\x01\xff\xff garbage garbage garbage", 29)));
    CHECK(client->wait_for_close());
  }
  // Whatever the others did, the server still serves.
  auto client = connect_client(*server, client_options(pki));
  CHECK(client->request("GET", "/")->status == 200);
}

TEST_CASE("plain HTTP when TLS is off") {
  TestPki pki;
  ServerConfig config = test_config(pki);
  config.tls_enabled = false;
  config.tls.certificate_file.clear();  // not needed, not checked
  auto server = start_server(config, echo);
  TestClientOptions options;
  options.tls = false;
  auto client = connect_client(*server, options);
  const auto response = client->request("GET", "/plain");
  REQUIRE(response);
  CHECK(response->body == "GET /plain  ");
}

TEST_CASE("max_connections: connections beyond it are closed at once") {
  TestPki pki;
  ServerConfig config = test_config(pki);
  config.max_connections = 2;
  config.reactor_threads = 1;

  SUBCASE("over TLS") {
    auto server = start_server(config, echo);
    auto first = connect_client(*server, client_options(pki));
    auto second = connect_client(*server, client_options(pki));
    REQUIRE(first->request("GET", "/")->status == 200);
    REQUIRE(second->request("GET", "/")->status == 200);
    const auto third = TestHttpClient::connect("127.0.0.1", server->port(), client_options(pki));
    CHECK_FALSE(third);
    CHECK(server->stats().connections_refused == 1);
    first.reset();
    CHECK(eventually([&] { return server->stats().connections_open == 1; }));
    auto fourth = connect_client(*server, client_options(pki));
    CHECK(fourth->request("GET", "/")->status == 200);
  }
  SUBCASE("plain HTTP is told 503") {
    config.tls_enabled = false;
    auto server = start_server(config, echo);
    TestClientOptions options;
    options.tls = false;
    auto first = connect_client(*server, options);
    auto second = connect_client(*server, options);
    REQUIRE(first->request("GET", "/")->status == 200);
    REQUIRE(second->request("GET", "/")->status == 200);
    auto third = connect_client(*server, options);
    const auto response = third->read_response();
    REQUIRE(response);
    CHECK(response->status == 503);
    CHECK(response->body.find(R"("code":"unavailable")") != std::string::npos);
    CHECK(server->stats().connections_refused == 1);
  }
}

TEST_CASE("IPv6 loopback") {
  const int probe = ::socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  const bool available = probe >= 0 && ::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  if (probe >= 0) ::close(probe);
  if (!available) {
    MESSAGE("no IPv6 loopback here: skipped");
    return;
  }
  TestPki pki;
  ServerConfig config = test_config(pki);
  config.address = "::1";
  std::promise<std::string> peer;
  auto server = start_server(config, [&](std::shared_ptr<Exchange> exchange) {
    peer.set_value(exchange->request().remote_address);
    echo(exchange);
  });
  TestClientOptions options = client_options(pki);
  options.server_name = "::1";  // verified against the certificate's IP entry
  auto client = connect_client(*server, options, "::1");
  CHECK(client->request("GET", "/six")->body == "GET /six  ");
  CHECK(peer.get_future().get().rfind("[::1]:", 0) == 0);
}

TEST_CASE("stop() with requests in flight, then a late answer") {
  TestPki pki;
  std::promise<std::shared_ptr<Exchange>> parked;
  auto server = start_server(test_config(pki), [&](std::shared_ptr<Exchange> exchange) { parked.set_value(exchange); });
  auto client = connect_client(*server, client_options(pki));
  REQUIRE(client->send("GET / HTTP/1.1\r\n\r\n"));
  auto exchange = parked.get_future().get();
  server->stop();
  CHECK(client->wait_for_close());
  exchange->respond(HttpResponse{});  // no reactor any more: nothing happens
  server->stop();                     // twice is fine
  CHECK(server->stats().connections_open == 0);
}
