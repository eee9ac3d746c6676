// The whole daemon against clients that misbehave: a seeded stream of mutated and random
// requests (signed-in and not) must get well-formed 4xx answers or a closed connection,
// never a 500 or a crash, and leave the proxy serving; a stream client that stops reading
// is cut without delaying the agent next to it.

#include "proxy_fixture.hpp"

#include <doctest/doctest.h>

#include <random>
#include <regex>

using namespace sfproxy_test;
using cti::testing::TestHttpClient;

namespace {

/// Valid requests the mutations start from; {token} is replaced by a real session token.
const std::vector<std::string> k_seeds = {
    "POST /api/v1/session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    "Content-Length: 45\r\n\r\n{\"extension\":\"137\",\"password\":\"correct horse\"}",
    "GET /api/v1/settings HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\r\n",
    "PUT /api/v1/settings HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n"
    "Content-Type: application/json\r\nContent-Length: 61\r\n\r\n"
    "{\"caller_id_objects\":[\"Contact\",\"Lead\"],\"ivr_match\":\"exact\"}",
    "POST /api/v1/calls HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n"
    "Content-Type: application/json\r\nContent-Length: 23\r\n\r\n{\"number\":\"2128425500\"}",
    "POST /api/v1/calls/call-1/popped HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n"
    "Content-Length: 0\r\n\r\n",
    "POST /api/v1/calls/call-1/hold HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n"
    "Content-Length: 0\r\n\r\n",
    "GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n"
    "Last-Event-ID: 3\r\n\r\n",
    "POST /pbx/v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    "X-CTI-Timestamp: 1700000000\r\nX-CTI-Signature: sha256=00\r\nContent-Length: 2\r\n\r\n{}",
    "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n",
    "DELETE /api/v1/session HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\r\n",
    "OPTIONS /api/v1/settings HTTP/1.1\r\nHost: localhost\r\nOrigin: https://evil.example\r\n"
    "Access-Control-Request-Method: PUT\r\n\r\n",
};

/// Fragments that parsers and handlers tend to trip on.
const std::vector<std::string> k_nasty = {
    "\r\n", "\n", "\0", ":", " ", "%00", "%2e%2e/", "../../etc/passwd", "\xff\xfe", "{", "}", "\"",
    "\\u0000", "Transfer-Encoding: chunked\r\n", "Content-Length: -1\r\n", "Content-Length: 99999999999\r\n",
    "Content-Length: 5\r\nContent-Length: 6\r\n", "\r\n\r\n", "HTTP/1.0", "HTTP/9.9", "GET", "Bearer ",
    std::string(5000, 'A'), "[[[[[[[[[[[[[[[[[[[[[[[[", "1e999999", "\"\\ud800\"", "Case.CaseNumber='; DROP--",
};

std::string mutate(std::string request, std::mt19937& random) {
  std::uniform_int_distribution<int> how(0, 5);
  const int rounds = std::uniform_int_distribution<int>(1, 4)(random);
  for (int round = 0; round < rounds && !request.empty(); ++round) {
    std::uniform_int_distribution<std::size_t> at(0, request.size() - 1);
    switch (how(random)) {
      case 0:  // flip a byte
        request[at(random)] = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(random));
        break;
      case 1:  // cut the request short
        request.resize(at(random));
        break;
      case 2:  // insert a nasty fragment
        request.insert(at(random), k_nasty[std::uniform_int_distribution<std::size_t>(0, k_nasty.size() - 1)(random)]);
        break;
      case 3: {  // delete a run
        const std::size_t from = at(random);
        request.erase(from, std::uniform_int_distribution<std::size_t>(1, 16)(random));
        break;
      }
      case 4: {  // duplicate a run
        const std::size_t from = at(random);
        request.insert(from, request.substr(from, 32));
        break;
      }
      default: {  // random bytes
        std::string noise(std::uniform_int_distribution<std::size_t>(1, 64)(random), '\0');
        for (char& c : noise) {
          c = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(random));
        }
        request.insert(at(random), noise);
      }
    }
  }
  return request;
}

std::string with_token(std::string request, const std::string& token) {
  const auto at = request.find("{token}");
  return at == std::string::npos ? request : request.replace(at, 7, token);
}

std::string metric(TestHttpClient& client, const std::string& name) {
  auto response = client.request("GET", "/metrics");
  REQUIRE(response);
  std::smatch value;
  REQUIRE(std::regex_search(response->body, value, std::regex("\n" + name + " ([0-9]+)\n")));
  return value[1];
}

}  // namespace

TEST_CASE("a fuzzed stream of requests gets 4xx answers or a closed connection, and the proxy keeps serving") {
  Proxy proxy(sfproxy::MatchMode::agent, [](sfproxy::SfproxyConfig& config) {
    config.server.request_timeout = std::chrono::milliseconds(300);  // truncated requests end quickly
  });
  const std::string token = proxy.sign_in();
  proxy.pbx->emit(cti::testing::ringing("call-1", "2125550142", "Case.CaseNumber=1234"));

  const unsigned seed = 20261124;
  CAPTURE(seed);
  std::mt19937 random(seed);
  cti::testing::TestClientOptions options;
  options.timeout = std::chrono::milliseconds(2000);
  int answered = 0;
  int closed = 0;
  for (int i = 0; i < 300; ++i) {
    const std::string& seed_request = k_seeds[static_cast<std::size_t>(i) % k_seeds.size()];
    const std::string request = mutate(with_token(seed_request, token), random);
    CAPTURE(i);
    CAPTURE(request);
    auto client = proxy.client(options);
    if (!client->send(request)) {
      ++closed;
      continue;
    }
    auto response = client->read_head();
    if (!response) {
      // No answer: the server closed the connection, or waits for the rest of a request
      // cut short (it gives up at the request timeout) or streams events. Both are fine.
      ++closed;
      continue;
    }
    ++answered;
    CHECK(response->status >= 200);
    CHECK(response->status < 600);
    CHECK(response->status != 500);
  }
  MESSAGE(answered << " answered, " << closed << " closed or unanswered");
  CHECK(answered > 100);

  // Still serving: health, the signed-in agent's settings are whole, a new sign-in and stream work.
  auto c = proxy.client();
  CHECK(c->request("GET", "/healthz")->status == 200);
  auto settings = c->request("GET", "/api/v1/settings", {}, {"Authorization: Bearer " + proxy.sign_in()});
  REQUIRE(settings);
  CHECK(settings->status == 200);
  CHECK(std::regex_search(settings->body, std::regex(R"re(^\{"caller_id_objects":\[[^\]]*\],"ivr_match":"[a-z_]+"\}$)re")));
  auto tab = proxy.stream(proxy.sign_in());
  CHECK(next_event(*tab, "call").find(R"("call_id":"call-1")") != std::string::npos);
  CHECK(std::stoull(metric(*c, "sfproxy_http_bad_requests_total")) > 0);
}

TEST_CASE("a stream client that stops reading is cut and delays no other agent's events") {
  Proxy proxy(sfproxy::MatchMode::agent, [](sfproxy::SfproxyConfig& config) {
    config.server.stream_backlog_bytes = 16 * 1024;
  });
  const std::string token = proxy.sign_in();
  cti::testing::TestClientOptions small_window;
  small_window.receive_buffer = 4096;  // fills after a few events, so the backlog grows
  auto stalled = proxy.stream(token, {}, small_window);
  auto reading = proxy.stream(token);
  next_event(*reading, "agent");

  // Calls with long IVR data make big events. The reading tab takes each call as it comes
  // while the stalled one reads nothing.
  const std::string ivr = "Case.CaseNumber=1234;Account.AccountNumber=" + std::string(200, '7');
  auto c = proxy.client();
  bool cut = false;
  int calls = 0;
  for (; calls < 2000 && !cut; ++calls) {
    const std::string id = "call-" + std::to_string(calls);
    proxy.pbx->emit(cti::testing::ringing(id, "2125550142", ivr));
    CHECK(next_event(*reading, "call").find("\"call_id\":\"" + id + "\"") != std::string::npos);
    CHECK(next_event(*reading, "screenpop").find("\"call_id\":\"" + id + "\"") != std::string::npos);
    cti::CallEvent hangup;
    hangup.type = cti::CallEventType::disconnected;
    hangup.call_id = id;
    hangup.extension = "137";
    hangup.end_reason = cti::EndReason::remote_hangup;
    proxy.pbx->emit(hangup);
    CHECK(next_event(*reading, "call").find("\"state\":\"disconnected\"") != std::string::npos);
    if (calls % 25 == 24) {
      cut = metric(*c, "sfproxy_streams_cut_total") != "0";
    }
  }
  MESSAGE("stalled stream cut after " << calls << " calls");
  CHECK(cut);
  CHECK(stalled->wait_for_close());
  // The cut tab reconnects as a browser would; what it missed is older than the event log
  // holds, so it gets a fresh snapshot flagged as a gap.
  auto resumed = proxy.stream(token, "1");
  CHECK(next_event(*resumed, "agent").find("\"gap\":true") != std::string::npos);
}
