#pragma once
// The whole proxy in-process for end-to-end tests: the real HTTPS server on 127.0.0.1:0 with
// a test CA, the SQLite agent directory (agent 137 with a seat, 138 without), a hand-driven
// PBX and, in server mode, the Salesforce emulator over TLS.

#include "proxy_stack.hpp"
#include "store/password_hash.hpp"
#include "store/sqlite_agent_directory.hpp"

#include "sfemu/emulator.hpp"
#include "support/hand_pbx.hpp"
#include "support/test_http_client.hpp"
#include "support/test_tls.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <regex>
#include <string>

namespace sfproxy_test {

using namespace std::chrono_literals;
using cti::testing::TestHttpClient;

using cti::testing::HandPbx;
using cti::testing::ringing;

inline std::string data_file() { return std::string(CTI_SOURCE_DIR) + "/examples/data/crm.json"; }

struct Proxy {
  explicit Proxy(sfproxy::MatchMode mode = sfproxy::MatchMode::agent,
                 std::function<void(sfproxy::SfproxyConfig&)> tweak = {}) {
    sfproxy::SfproxyConfig config;
    config.server.address = "127.0.0.1";
    config.server.port = 0;
    config.server.reactor_threads = 1;
    config.server.tls.certificate_file = pki.server().certificate_file;
    config.server.tls.private_key_file = pki.server().private_key_file;
    config.public_host = "localhost";
    config.frame_ancestors = sfproxy::default_frame_ancestors();
    config.proxy.match_mode = mode;
    config.proxy.match_deadline = 1500ms;
    config.log_level = cti::app::LogLevel::error;
    if (mode == sfproxy::MatchMode::server) {
      cti::sfemu::Options options;
      options.data_file = data_file();
      options.tls_cert_file = pki.server().certificate_file;
      options.tls_key_file = pki.server().private_key_file;
      emulator = cti::sfemu::Emulator::start(options);
      cti::adapters::salesforce::Config sf;
      sf.instance_url = "https://localhost:" + std::to_string(emulator->port());
      sf.auth.method = cti::adapters::salesforce::AuthMethod::client_credentials;
      sf.auth.client_id = "3MVG9sfemuDemoConsumerKeyForSfproxy";
      sf.auth.client_secret = "sfemu-demo-secret-0001";
      sf.tls.ca_file = pki.ca_file();
      sf.retries = 0;
      sf.request_timeout = 1000ms;
      sf.call_deadline = 1200ms;
      config.salesforce = sf;
    }
    if (tweak) {
      tweak(config);
    }
    auto directory = std::make_unique<sfproxy::SqliteAgentDirectory>(
        dir.file("agents.db"), "Salesforce Integration", 1,
        sfproxy::PasswordHasher::with_cost_for_test({1, 8192}));
    directory->add_agent("137", "Rose Gonzalez", "correct horse").value();
    directory->assign_seat("137").value();
    directory->add_agent("138", "Tim Barr", "battery staple").value();
    auto hand = std::make_unique<HandPbx>();
    pbx = hand.get();
    auto started = sfproxy::ProxyStack::start(std::move(config),
                                              sfproxy::StackParts{std::move(hand), std::move(directory), {}});
    REQUIRE_MESSAGE(started, (started ? "" : started.error().message));
    stack = std::move(*started);
  }

  std::unique_ptr<TestHttpClient> client(cti::testing::TestClientOptions options = {}) {
    options.ca_file = pki.ca_file();
    auto connected = TestHttpClient::connect("127.0.0.1", stack->port(), options);
    REQUIRE_MESSAGE(connected, (connected ? "" : connected.error().message));
    return std::move(*connected);
  }

  std::string sign_in(const std::string& extension = "137", const std::string& password = "correct horse") {
    auto c = client();
    auto response = c->request("POST", "/api/v1/session",
                               R"({"extension":")" + extension + R"(","password":")" + password + R"("})",
                               {"Content-Type: application/json"});
    REQUIRE(response);
    REQUIRE_MESSAGE(response->status == 200, response->body);
    std::smatch token;
    REQUIRE(std::regex_search(response->body, token, std::regex(R"re("token":"([^"]+)")re")));
    return token[1];
  }

  /// Opens an event stream (optionally resuming) and returns the client reading it.
  std::unique_ptr<TestHttpClient> stream(const std::string& token, std::string last_event_id = {},
                                         cti::testing::TestClientOptions options = {}) {
    auto c = client(std::move(options));
    std::string request = "GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\n";
    if (!last_event_id.empty()) {
      request += "Last-Event-ID: " + last_event_id + "\r\n";
    }
    REQUIRE(c->send(request + "\r\n"));
    auto head = c->read_head();
    REQUIRE(head);
    REQUIRE(head->status == 200);
    CHECK(*head->header("content-type") == "text/event-stream; charset=utf-8");
    return c;
  }

  cti::testing::TempDir dir;
  cti::testing::TestPki pki;
  std::unique_ptr<cti::sfemu::Emulator> emulator;
  HandPbx* pbx = nullptr;
  std::unique_ptr<sfproxy::ProxyStack> stack;
};

/// Reads SSE events until one of `type` arrives (skipping others); returns it whole.
inline std::string next_event(TestHttpClient& stream, std::string_view type) {
  for (int i = 0; i < 50; ++i) {
    auto event = stream.read_until("\n\n");
    REQUIRE_MESSAGE(event, (event ? "" : event.error().message));
    if (event->find("event: " + std::string(type) + "\n") != std::string::npos) {
      return *event;
    }
  }
  FAIL("no '" << type << "' event");
  return {};
}


}  // namespace sfproxy_test
