// sfproxy end to end, in-process: the real HTTPS server on 127.0.0.1:0 with a test CA, the
// SQLite agent directory, and (in server mode) the Salesforce adapter against the REST
// emulator over TLS. Call events are injected through a PBX fake; clients are real TLS
// clients reading the event stream as a browser would.

#include "proxy_fixture.hpp"

#include <doctest/doctest.h>

#include <mutex>
#include <regex>
#include <thread>

using namespace std::chrono_literals;
using cti::testing::TestHttpClient;
using namespace sfproxy_test;

TEST_CASE("sign-in: right password, wrong password, no licence seat, throttled") {
  // Back-off starts after two failures and doubles from 1 s, so a busy machine cannot
  // outwait it between attempts.
  Proxy proxy(sfproxy::MatchMode::agent, [](sfproxy::SfproxyConfig& config) { config.throttle.free_failures = 2; });
  auto c = proxy.client();
  auto post = [&](std::string body) {
    auto response = c->request("POST", "/api/v1/session", body, {"Content-Type: application/json"});
    REQUIRE(response);
    return *response;
  };
  auto ok = post(R"({"extension":"137","password":"correct horse"})");
  CHECK(ok.status == 200);
  CHECK(ok.body.find(R"("display_name":"Rose Gonzalez")") != std::string::npos);
  CHECK(*ok.header("cache-control") == "no-store");
  CHECK(ok.header("strict-transport-security") != nullptr);
  CHECK(ok.header("content-security-policy")->find("frame-ancestors") != std::string::npos);
  CHECK(ok.header("x-frame-options") == nullptr);

  auto wrong = post(R"({"extension":"137","password":"not the one"})");
  auto unknown = post(R"({"extension":"999","password":"not the one"})");
  CHECK(wrong.status == 401);
  CHECK(unknown.status == 401);
  CHECK(wrong.body == unknown.body);  // an outsider cannot tell which extensions exist

  auto seatless = post(R"({"extension":"138","password":"battery staple"})");
  CHECK(seatless.status == 403);
  CHECK(seatless.body.find("no seat of the \\\"Salesforce Integration\\\" licence") != std::string::npos);

  int throttled = 0;
  for (int i = 0; i < 8 && throttled == 0; ++i) {
    throttled += post(R"({"extension":"137","password":"guessing"})").status == 429 ? 1 : 0;
  }
  CHECK(throttled == 1);
}

TEST_CASE("bad requests get JSON errors and change nothing") {
  Proxy proxy;
  auto c = proxy.client();
  struct Row {
    std::string body;
    std::string content_type;
    int status;
  };
  const Row rows[] = {
      {R"({"extension":"137",)", "application/json", 400},
      {R"([1,2,3])", "application/json", 400},
      {R"({"extension":137,"password":"x"})", "application/json", 400},
      {R"({"extension":"137"})", "application/json", 400},
      {R"(extension=137)", "application/x-www-form-urlencoded", 415},
      {std::string(100000, '{'), "application/json", 413},
  };
  for (const auto& row : rows) {
    CAPTURE(row.status);
    auto response = c->request("POST", "/api/v1/session", row.body, {"Content-Type: " + row.content_type});
    REQUIRE(response);
    CHECK(response->status == row.status);
    CHECK(response->body.find(R"({"error":{"code":)") == 0);
    if (row.status == 413) {
      c = proxy.client();  // the server closes after refusing a body it did not read
    }
  }
  auto no_token = c->request("GET", "/api/v1/settings");
  CHECK(no_token->status == 401);
  auto bad_token = c->request("GET", "/api/v1/settings", {}, {"Authorization: Bearer not-a-token"});
  CHECK(bad_token->status == 401);
  auto nowhere = c->request("GET", "/api/v1/nothing");
  CHECK(nowhere->status == 404);
  auto wrong_method = c->request("DELETE", "/api/v1/calls");
  CHECK(wrong_method->status == 405);
}

TEST_CASE("a signed-out session no longer works") {
  Proxy proxy;
  const std::string token = proxy.sign_in();
  auto c = proxy.client();
  CHECK(c->request("GET", "/api/v1/settings", {}, {"Authorization: Bearer " + token})->status == 200);
  CHECK(c->request("DELETE", "/api/v1/session", {}, {"Authorization: Bearer " + token})->status == 204);
  CHECK(c->request("GET", "/api/v1/settings", {}, {"Authorization: Bearer " + token})->status == 401);
}

TEST_CASE("a reloaded page resumes its session with the Partitioned cookie") {
  Proxy proxy(sfproxy::MatchMode::agent, [](sfproxy::SfproxyConfig& config) {
    config.http.cors_origins = {"https://softphone.example"};
  });
  auto c = proxy.client();
  auto signed_in = c->request("POST", "/api/v1/session", R"({"extension":"137","password":"correct horse"})",
                              {"Content-Type: application/json"});
  REQUIRE(signed_in);
  REQUIRE(signed_in->status == 200);
  std::smatch match;
  REQUIRE(std::regex_search(signed_in->body, match, std::regex(R"re("token":"([^"]+)")re")));
  const std::string token = match[1];
  REQUIRE(signed_in->header("set-cookie") != nullptr);
  CHECK(*signed_in->header("set-cookie") ==
        "cti_session=" + token + "; Path=/api/v1/; Secure; HttpOnly; SameSite=None; Partitioned");
  const std::string cookie = "Cookie: theme=dark; cti_session=" + token;

  SUBCASE("the cookie resumes the same session, with the agent as sign-in gave it") {
    auto resumed = c->request("GET", "/api/v1/session", {}, {cookie});
    REQUIRE(resumed);
    CHECK(resumed->status == 200);
    CHECK(resumed->body == signed_in->body);
    CHECK(*resumed->header("cache-control") == "no-store");
    CHECK(resumed->header("set-cookie") == nullptr);

    // Settings saved since sign-in are what the resumed page gets.
    auto put = c->request("PUT", "/api/v1/settings", R"({"caller_id_objects":["Lead"],"ivr_match":"exact"})",
                          {"Authorization: Bearer " + token, "Content-Type: application/json"});
    REQUIRE(put->status == 200);
    auto later = c->request("GET", "/api/v1/session", {}, {cookie});
    CHECK(later->status == 200);
    CHECK(later->body.find(R"("token":")" + token + "\"") != std::string::npos);
    CHECK(later->body.find(R"("display_name":"Rose Gonzalez")") != std::string::npos);
    CHECK(later->body.find(R"("settings":{"caller_id_objects":["Lead"],"ivr_match":"exact"})") != std::string::npos);

    // The event stream accepts the cookie too.
    auto stream = proxy.client();
    REQUIRE(stream->send("GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\n" + cookie + "\r\n\r\n"));
    auto head = stream->read_head();
    REQUIRE(head);
    CHECK(head->status == 200);
  }

  SUBCASE("the bearer header resumes it too") {
    auto resumed = c->request("GET", "/api/v1/session", {}, {"Authorization: Bearer " + token});
    REQUIRE(resumed);
    CHECK(resumed->status == 200);
    CHECK(resumed->body == signed_in->body);
  }

  SUBCASE("no cookie, an unknown token or another cookie: 401 as JSON") {
    for (const std::vector<std::string>& headers :
         {std::vector<std::string>{}, {"Cookie: cti_session=not-a-token"}, {"Cookie: cti_session="},
          {"Cookie: other=" + token}, {"Authorization: Bearer not-a-token", cookie}}) {
      CAPTURE(headers.size());
      auto refused = c->request("GET", "/api/v1/session", {}, headers);
      REQUIRE(refused);
      CHECK(refused->status == 401);
      CHECK(refused->body.find(R"({"error":{"code":"unauthorized")") == 0);
      CHECK(refused->body.find(token) == std::string::npos);
    }
  }

  SUBCASE("after sign-out the cookie is cleared and no longer works") {
    auto out = c->request("DELETE", "/api/v1/session", {}, {"Authorization: Bearer " + token, cookie});
    REQUIRE(out);
    CHECK(out->status == 204);
    REQUIRE(out->header("set-cookie") != nullptr);
    CHECK(*out->header("set-cookie") == "cti_session=; Max-Age=0; Path=/api/v1/; Secure; HttpOnly; SameSite=None; Partitioned");
    CHECK(c->request("GET", "/api/v1/session", {}, {cookie})->status == 401);
  }

  SUBCASE("a session ended by an access change no longer resumes") {
    CHECK(proxy.stack->service().revoke_agent("137", "password changed") == 1);
    CHECK(c->request("GET", "/api/v1/session", {}, {cookie})->status == 401);
  }

  SUBCASE("the cookie changes nothing: state-changing requests need the header") {
    auto put = c->request("PUT", "/api/v1/settings", R"({"ivr_match":"exact"})", {cookie, "Content-Type: application/json"});
    REQUIRE(put);
    CHECK(put->status == 401);
    CHECK(c->request("GET", "/api/v1/settings", {}, {cookie})->status == 401);
    auto dial = c->request("POST", "/api/v1/calls", R"({"number":"2125550100"})", {cookie, "Content-Type: application/json"});
    CHECK(dial->status == 401);
    CHECK(proxy.pbx->dialled().empty());
    // Nor does it sign out.
    CHECK(c->request("DELETE", "/api/v1/session", {}, {cookie})->status == 401);
    CHECK(c->request("GET", "/api/v1/session", {}, {cookie})->status == 200);
  }

  SUBCASE("another site cannot read the answer: no CORS headers for it, no credentials for anyone") {
    auto foreign = c->request("GET", "/api/v1/session", {}, {cookie, "Origin: https://attacker.example"});
    REQUIRE(foreign);
    CHECK(foreign->header("access-control-allow-origin") == nullptr);
    CHECK(foreign->header("access-control-allow-credentials") == nullptr);
    auto preflight = c->request("OPTIONS", "/api/v1/session", {},
                                {"Origin: https://attacker.example", "Access-Control-Request-Method: GET"});
    CHECK(preflight->status == 403);
    CHECK(preflight->header("access-control-allow-origin") == nullptr);
    // A configured origin may read what it asks with the header, but the browser withholds a
    // cookie-authenticated answer from it too (no Allow-Credentials).
    auto allowed = c->request("GET", "/api/v1/session", {}, {cookie, "Origin: https://softphone.example"});
    CHECK(*allowed->header("access-control-allow-origin") == "https://softphone.example");
    CHECK(allowed->header("access-control-allow-credentials") == nullptr);
  }
}

TEST_CASE("a password changed with ctictl ends the running daemon's sessions and streams") {
  Proxy proxy(sfproxy::MatchMode::agent,
              [](sfproxy::SfproxyConfig& config) { config.proxy.access_poll_interval = 50ms; });
  const std::string token = proxy.sign_in();
  auto tab = proxy.stream(token);
  next_event(*tab, "agent");

  // What `ctictl agents passwd 137` does: its own connection to the same database file.
  sfproxy::SqliteAgentDirectory admin(proxy.dir.file("agents.db"), "Salesforce Integration", std::nullopt,
                                      sfproxy::PasswordHasher::with_cost_for_test({1, 8192}));
  REQUIRE(admin.set_password("137", "a new passphrase"));

  CHECK(next_event(*tab, "signed_out").find("password") != std::string::npos);
  CHECK_FALSE(tab->read_until("\n\n"));  // the server closed the stream
  auto c = proxy.client();
  CHECK(c->request("GET", "/api/v1/settings", {}, {"Authorization: Bearer " + token})->status == 401);
  proxy.sign_in("137", "a new passphrase");
}

TEST_CASE("agent mode: a reload during ringing still pops, and only once across tabs") {
  Proxy proxy;
  const std::string token = proxy.sign_in();
  auto first_tab = proxy.stream(token);
  next_event(*first_tab, "agent");  // the snapshot header

  proxy.pbx->emit(ringing("call-1", "+1 (212) 842-5500", "Case.CaseNumber=1234"));
  const std::string pop = next_event(*first_tab, "screenpop");
  CHECK(pop.find(R"("call_id":"call-1")") != std::string::npos);
  CHECK(pop.find("CaseNumber = '00001234'") != std::string::npos);
  CHECK(pop.find("FIND {2128425500}") != std::string::npos);

  // The page reloads before the pop was shown: the new page gets the call and the pop.
  auto reloaded = proxy.stream(token);
  CHECK(next_event(*reloaded, "call").find(R"("state":"ringing")") != std::string::npos);
  CHECK(next_event(*reloaded, "screenpop").find(R"("call_id":"call-1")") != std::string::npos);

  // One tab shows it and says so; every tab hears, and a third tab gets no pop.
  auto c = proxy.client();
  CHECK(c->request("POST", "/api/v1/calls/call-1/popped", {}, {"Authorization: Bearer " + token})->status == 204);
  CHECK(next_event(*first_tab, "call").find(R"("popped":true)") != std::string::npos);
  CHECK(next_event(*reloaded, "call").find(R"("popped":true)") != std::string::npos);
  auto third = proxy.stream(token);
  next_event(*third, "agent");
  const std::string call = next_event(*third, "call");
  CHECK(call.find(R"("popped":true)") != std::string::npos);
  // The next thing on the third tab is a heartbeat or a new event, never the old pop.
  proxy.pbx->emit(ringing("call-2", "2125550142", ""));
  CHECK(next_event(*third, "screenpop").find(R"("call_id":"call-2")") != std::string::npos);
}

TEST_CASE("Last-Event-ID resumes where the stream broke") {
  Proxy proxy;
  const std::string token = proxy.sign_in();
  proxy.pbx->emit(ringing("call-1", "2125550142", ""));  // ids 1 (call) and 2 (screenpop)
  auto resumed = proxy.stream(token, "1");
  const std::string pop = next_event(*resumed, "screenpop");
  CHECK(pop.rfind("id: 2\n", 0) == 0);
}

TEST_CASE("server mode: pop by case number and by caller ID through the Salesforce emulator") {
  Proxy proxy(sfproxy::MatchMode::server);
  const std::string token = proxy.sign_in();
  auto tab = proxy.stream(token);

  proxy.pbx->emit(ringing("call-1", "+1 (212) 842-5500", "Case.CaseNumber=1234"));
  std::string pop = next_event(*tab, "screenpop");
  CHECK(pop.find(R"("mode":"server")") != std::string::npos);
  CHECK(pop.find(R"("kind":"record")") != std::string::npos);
  CHECK(pop.find(R"("matched_by":"ivr")") != std::string::npos);
  CHECK(pop.find(R"("object":"Case")") != std::string::npos);
  CHECK(pop.find(R"("name":"00001234")") != std::string::npos);

  proxy.pbx->emit(ringing("call-2", "(212) 842-5500", ""));
  pop = next_event(*tab, "screenpop");
  CHECK(pop.find(R"("mode":"server")") != std::string::npos);
  CHECK(pop.find(R"("matched_by":"caller_id")") != std::string::npos);
  CHECK(pop.find(R"("object":"Contact")") != std::string::npos);
}

TEST_CASE("server mode: Salesforce down -> the call still rings and the pop falls back to agent mode") {
  Proxy proxy(sfproxy::MatchMode::server);
  const std::string token = proxy.sign_in();
  auto tab = proxy.stream(token);
  proxy.emulator->stop();

  proxy.pbx->emit(ringing("call-1", "+1 (212) 842-5500", "Case.CaseNumber=1234"));
  CHECK(next_event(*tab, "call").find(R"("state":"ringing")") != std::string::npos);
  const std::string pop = next_event(*tab, "screenpop");
  CHECK(pop.find(R"("mode":"agent")") != std::string::npos);
  CHECK(pop.find("fallback_reason") != std::string::npos);
  CHECK(pop.find("CaseNumber = '00001234'") != std::string::npos);  // the plan travels instead
}

TEST_CASE("settings and click-to-dial through the API") {
  Proxy proxy;
  const std::string token = proxy.sign_in();
  auto c = proxy.client();
  const std::string auth = "Authorization: Bearer " + token;
  auto put = c->request("PUT", "/api/v1/settings", R"({"caller_id_objects":["Contact","Lead"],"ivr_match":"starts_with"})",
                        {auth, "Content-Type: application/json"});
  REQUIRE(put);
  CHECK(put->status == 200);
  auto bad = c->request("PUT", "/api/v1/settings", R"({"ivr_match":"fuzzy"})", {auth, "Content-Type: application/json"});
  CHECK(bad->status == 400);
  auto get = c->request("GET", "/api/v1/settings", {}, {auth});
  CHECK(get->body == R"({"caller_id_objects":["Contact","Lead"],"ivr_match":"starts_with"})");

  auto dial = c->request("POST", "/api/v1/calls", R"({"number":"(212) 842-5500"})", {auth, "Content-Type: application/json"});
  CHECK(dial->status == 201);
  CHECK(proxy.pbx->dialled().back() == "137>912128425500");
  auto junk = c->request("POST", "/api/v1/calls", R"({"number":"call mom"})", {auth, "Content-Type: application/json"});
  CHECK(junk->status == 400);
  auto answer = c->request("POST", "/api/v1/calls/nope/answer", {}, {auth});
  CHECK(answer->status == 404);
}

TEST_CASE("health and metrics") {
  Proxy proxy;
  auto c = proxy.client();
  auto health = c->request("GET", "/healthz");
  CHECK(health->status == 200);
  CHECK(health->body.find(R"("status":"ok")") != std::string::npos);
  auto metrics = c->request("GET", "/metrics");
  CHECK(metrics->status == 200);
  CHECK(metrics->body.find("sfproxy_connections_open") != std::string::npos);
  CHECK(metrics->body.find("sfproxy_pbx_events_total{outcome=\"applied\"} 0") != std::string::npos);
}
