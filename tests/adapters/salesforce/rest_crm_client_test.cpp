// The adapter against the Salesforce emulator over TLS: lookups, the request budget,
// caching, authentication and every fault the emulator can inject.

#include "emulator_fixture.hpp"
#include "fake_salesforce.hpp"
#include "test_keys.hpp"

#include "sfmatch/crm_client.hpp"
#include "sfmatch/match_plan.hpp"
#include "sfmatch/pop_decision.hpp"

#include <doctest/doctest.h>

#include <thread>

namespace sf = cti::adapters::salesforce;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

sfmatch::MatchPlan plan_for(std::string_view ivr, std::string_view ani,
                            const sfmatch::MatchSettings& settings = {}) {
  auto plan = sfmatch::build_match_plan({ivr, ani}, settings);
  REQUIRE_MESSAGE(plan, plan.error().message);
  return std::move(*plan);
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::uint64_t endpoint_count(EmulatorFixture& fixture, const std::string& endpoint) {
  const auto counters = fixture.emulator().counters();
  const auto found = counters.by_endpoint.find(endpoint);
  return found == counters.by_endpoint.end() ? 0 : found->second;
}

/// Runs the plan and decides the pop, failing the test on an error.
sfmatch::PopDecision pop_for(sf::SalesforceClient& client, const sfmatch::MatchPlan& plan) {
  auto decision = sfmatch::match_with(client, plan, {});
  REQUIRE_MESSAGE(decision, decision.error().message);
  return *decision;
}

}  // namespace

TEST_CASE("IVR case number: the padded case in one request") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  const auto plan = plan_for("Case.CaseNumber=1234", "(212) 842-5500");
  const auto decision = pop_for(*client, plan);
  CHECK(decision.kind == sfmatch::PopKind::record);
  CHECK(decision.matched_by == sfmatch::StepSource::ivr);
  REQUIRE(decision.records.size() == 1);
  CHECK(decision.records[0].object == "Case");
  CHECK(decision.records[0].name == "00001234");
  CHECK(decision.records[0].id.size() == 18);
  CHECK(client->requests_sent() == 1);
  CHECK(fixture.emulator().counters().api_requests == 1);
}

TEST_CASE("caller ID across stored formats: one record each") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  const std::pair<const char*, const char*> rows[] = {
      {"14155550101", "Parens Format"},  {"+1 (415) 555-0102", "Dashes Format"},
      {"415-555-0103", "Digits Format"}, {"4155550104", "Plus Format"},
      {"+14155550105", "Trunk Format"},  {"1 415 555 0106", "Dots Format"},
      {"(212) 842-5500", "Ada Lovelace"},
  };
  for (const auto& row : rows) {
    const auto& [ani, name] = row;
    CAPTURE(row.first);
    const auto decision = pop_for(*client, plan_for("", ani));
    REQUIRE(decision.kind == sfmatch::PopKind::record);
    CHECK(decision.matched_by == sfmatch::StepSource::caller_id);
    CHECK(decision.records[0].object == "Contact");
    CHECK(decision.records[0].name == name);
  }
  CHECK(client->requests_sent() == std::size(rows));
}

TEST_CASE("several matches: a chooser, Contact ranked before Account") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  const auto decision = pop_for(*client, plan_for("", "646 555 0199"));
  CHECK(decision.kind == sfmatch::PopKind::chooser);
  REQUIRE(decision.records.size() == 2);
  CHECK(decision.records[0].object == "Contact");
  CHECK(decision.records[0].name == "Wile Coyote");
  CHECK(decision.records[1].object == "Account");
  CHECK(decision.records[1].name == "Acme Rockets");
}

TEST_CASE("no match: a new record prefilled with the number") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  const auto decision = pop_for(*client, plan_for("Case.CaseNumber=999", "(917) 555-0000"));
  CHECK(decision.kind == sfmatch::PopKind::new_record);
  CHECK(decision.new_record_object == "Contact");
  // The IVR miss and the caller-ID search: SOSL cannot ride in a composite request.
  CHECK(client->requests_sent() == 2);
}

TEST_CASE("several IVR tags share one composite request") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  const auto plan = plan_for("Case.CaseNumber=1;Case.CaseNumber=4321;Case.CaseNumber=1000", "");
  auto results = client->run_plan(plan);
  REQUIRE_MESSAGE(results, results.error().message);
  // Steps 1 (no such case) and 2 (found) are reported; step 3 is not needed.
  REQUIRE(results->size() == 2);
  CHECK(results->at(0).records.empty());
  REQUIRE(results->at(1).records.size() == 1);
  CHECK(results->at(1).records[0].name == "00004321");
  CHECK(client->requests_sent() == 1);
  CHECK(endpoint_count(fixture, "composite") == 1);
}

TEST_CASE("run_plan gives what running the steps one by one gives") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  const std::pair<const char*, const char*> inputs[] = {
      {"Case.CaseNumber=1234", "(212) 842-5500"},
      {"Case.CaseNumber=77;Case.CaseNumber=1000", "6465550199"},
      {"Case.CaseNumber=77", "6465550199"},
      {"", "3035550142"},
      {"", "9175550000"},
      {"Case.CaseNumber=1;Case.CaseNumber=2", ""},
  };
  sf::Config no_cache = fixture.config();
  no_cache.cache.max_entries = 0;
  auto uncached = fixture.client(no_cache);
  for (const auto& input : inputs) {
    const auto& [ivr, ani] = input;
    CAPTURE(input.first);
    CAPTURE(input.second);
    const auto plan = plan_for(ivr, ani);
    auto batched = client->run_plan(plan);
    auto one_by_one = uncached->sfmatch::CrmClient::run_plan(plan);
    REQUIRE(batched);
    REQUIRE(one_by_one);
    REQUIRE(batched->size() == one_by_one->size());
    for (std::size_t i = 0; i < batched->size(); ++i) {
      CHECK(batched->at(i).step_index == one_by_one->at(i).step_index);
      CHECK(batched->at(i).records == one_by_one->at(i).records);
    }
  }
}

TEST_CASE("caller-ID cache: a repeat caller costs nothing, with IVR data only the IVR request") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  const auto caller = plan_for("", "(212) 842-5500");
  pop_for(*client, caller);
  CHECK(client->requests_sent() == 1);
  CHECK(pop_for(*client, caller).records.at(0).name == "Ada Lovelace");
  CHECK(client->requests_sent() == 1);  // from the cache

  // IVR data that does not match: the IVR request, then the cached caller.
  const auto with_ivr = plan_for("Case.CaseNumber=5", "(212) 842-5500");
  CHECK(pop_for(*client, with_ivr).matched_by == sfmatch::StepSource::caller_id);
  CHECK(client->requests_sent() == 2);
  CHECK(client->stats().cache_hits == 2);

  // Unknown callers are remembered for the shorter negative TTL.
  const auto stranger = plan_for("", "(917) 555-0000");
  pop_for(*client, stranger);
  pop_for(*client, stranger);
  CHECK(client->requests_sent() == 3);
}

TEST_CASE("match_cached: a repeat caller is decided without a request; a new caller or IVR data is not") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  const auto caller = plan_for("", "(212) 842-5500");
  CHECK_FALSE(sfmatch::match_cached(*client, caller, {}));  // not seen yet
  CHECK(client->requests_sent() == 0);
  CHECK(client->stats().cache_hits == 0);
  const auto fetched = pop_for(*client, caller);
  CHECK(client->requests_sent() == 1);

  const auto cached = sfmatch::match_cached(*client, caller, {});
  REQUIRE(cached);
  CHECK(cached->kind == fetched.kind);
  REQUIRE(cached->records.size() == 1);
  CHECK(cached->records[0].id == fetched.records[0].id);
  CHECK(client->requests_sent() == 1);
  CHECK(client->stats().cache_hits == 1);

  // IVR steps are looked up per call: never answered from the cache.
  CHECK_FALSE(sfmatch::match_cached(*client, plan_for("Case.CaseNumber=1234", "(212) 842-5500"), {}));
  // A known "nobody" is an answer too (the negative entry).
  const auto stranger = plan_for("", "(917) 555-0000");
  pop_for(*client, stranger);
  const auto nobody = sfmatch::match_cached(*client, stranger, {});
  REQUIRE(nobody);
  CHECK(nobody->kind == pop_for(*client, stranger).kind);
  CHECK(client->requests_sent() == 2);

  // A client without a cache holds nothing.
  sf::Config config = fixture.config();
  config.cache.max_entries = 0;
  auto uncached = fixture.client(config);
  pop_for(*uncached, caller);
  CHECK_FALSE(sfmatch::match_cached(*uncached, caller, {}));
}

TEST_CASE("caller-ID cache: TTLs follow the injected clock") {
  EmulatorFixture fixture;
  sf::Config config = fixture.config();
  config.cache.ttl = seconds(300);
  config.cache.negative_ttl = seconds(60);
  auto client = fixture.client(config);
  const auto known = plan_for("", "(212) 842-5500");
  const auto stranger = plan_for("", "(917) 555-0000");
  pop_for(*client, known);
  pop_for(*client, stranger);
  CHECK(client->requests_sent() == 2);

  fixture.clock.advance(seconds(59));
  pop_for(*client, known);
  pop_for(*client, stranger);
  CHECK(client->requests_sent() == 2);

  fixture.clock.advance(seconds(2));  // 61 s: the negative entry is gone
  pop_for(*client, known);
  pop_for(*client, stranger);
  CHECK(client->requests_sent() == 3);

  fixture.clock.advance(seconds(240));  // 301 s: so is the positive one
  pop_for(*client, known);
  CHECK(client->requests_sent() == 4);
}

TEST_CASE("query: SOQL with paging through nextRecordsUrl") {
  EmulatorFixture fixture;
  fixture.emulator().set_query_batch_size(2);
  auto client = fixture.client();
  auto records = client->query("SELECT Id, CaseNumber FROM Case ORDER BY CaseNumber");
  REQUIRE_MESSAGE(records, records.error().message);
  REQUIRE(records->size() == 3);
  CHECK(records->at(0).name == "00001000");
  CHECK(records->at(2).name == "00004321");
  CHECK(client->requests_sent() == 2);
  CHECK(endpoint_count(fixture, "query_more") == 1);

  sf::Config limited = fixture.config();
  limited.max_query_pages = 1;
  auto first_page_only = fixture.client(limited)->query("SELECT Id, Name FROM Contact");
  REQUIRE(first_page_only);
  CHECK(first_page_only->size() == 2);
}

TEST_CASE("search and create") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  auto found = client->search("FIND {Lovelace} IN NAME FIELDS RETURNING Contact(Id, Name)");
  REQUIRE_MESSAGE(found, found.error().message);
  REQUIRE(found->size() == 1);
  CHECK(found->at(0).name == "Ada Lovelace");

  auto id = client->create("Task", {{"Subject", "Inbound call \"quoted\""}, {"CallType", "Inbound"},
                                    {"WhoId", found->at(0).id}});
  REQUIRE_MESSAGE(id, id.error().message);
  CHECK(id->substr(0, 3) == "00T");
  auto task = client->query("SELECT Id, Subject FROM Task WHERE Id = '" + *id + "'");
  REQUIRE(task);
  REQUIRE(task->size() == 1);
  CHECK(task->at(0).name == "Inbound call \"quoted\"");

  auto refused = client->create("Task Log", {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == cti::ErrorCode::invalid_input);
  auto bad_field = client->create("Task", {{"No Such", "x"}});
  REQUIRE_FALSE(bad_field);
}

TEST_CASE("Salesforce errors reach the caller with their code and reason") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  auto malformed = client->query("SELECT Id FROM Contact WHERE Name = 'a' AND Name = 'b' OR Name = 'c'");
  REQUIRE_FALSE(malformed);
  CHECK(malformed.error().code == cti::ErrorCode::invalid_input);
  CHECK(contains(malformed.error().message, "MALFORMED_QUERY"));
  auto unknown = client->query("SELECT Id FROM Nothing__c");
  REQUIRE_FALSE(unknown);
  CHECK(contains(unknown.error().message, "INVALID_TYPE"));
}

TEST_CASE("OAuth flows: JWT bearer, refresh token, password (development only)") {
  EmulatorFixture fixture;
  sf::Config jwt = fixture.config();
  jwt.auth.method = sf::AuthMethod::jwt_bearer;
  jwt.auth.private_key_file = test_keys().jwt_key_file;
  auto jwt_client = fixture.client(jwt);
  CHECK(pop_for(*jwt_client, plan_for("Case.CaseNumber=1234", "")).kind == sfmatch::PopKind::record);

  sf::Config refresh = fixture.config();
  refresh.auth.method = sf::AuthMethod::refresh_token;
  refresh.auth.refresh_token = org::refresh_token;
  CHECK(pop_for(*fixture.client(refresh), plan_for("Case.CaseNumber=1234", "")).kind ==
        sfmatch::PopKind::record);

  sf::Config password = fixture.config();
  password.auth.method = sf::AuthMethod::password;
  password.auth.password = org::user_password;
  password.auth.allow_password_flow_for_development = true;
  CHECK(pop_for(*fixture.client(password), plan_for("Case.CaseNumber=1234", "")).kind ==
        sfmatch::PopKind::record);

  sf::Config wrong = fixture.config();
  wrong.auth.client_secret = "not-the-secret";
  auto refused = fixture.client(wrong)->query("SELECT Id FROM Case");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == cti::ErrorCode::unauthorized);
  CHECK(contains(refused.error().message, "invalid_client"));
  CHECK_FALSE(contains(refused.error().message, "not-the-secret"));
}

TEST_CASE("token expiry mid-run: refreshed transparently") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  pop_for(*client, plan_for("Case.CaseNumber=1234", ""));
  fixture.emulator().expire_tokens_after(1);
  for (int i = 0; i < 4; ++i) {
    CHECK(pop_for(*client, plan_for("Case.CaseNumber=1000", "")).kind == sfmatch::PopKind::record);
  }
  // The first token served one call; every token after it served one more.
  CHECK(fixture.token_requests() >= 2);
  CHECK(client->stats().token_requests == fixture.token_requests());
  CHECK(client->circuit().state == sf::CircuitState::closed);
}

TEST_CASE("frozen integration user: the circuit opens and no refresh storm follows") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  pop_for(*client, plan_for("Case.CaseNumber=1234", ""));
  REQUIRE(fixture.token_requests() == 1);
  REQUIRE(fixture.emulator().set_user_frozen(org::integration_user, true));

  auto first = client->query("SELECT Id FROM Case");
  REQUIRE_FALSE(first);
  CHECK(first.error().code == cti::ErrorCode::unauthorized);
  CHECK(fixture.token_requests() == 2);  // exactly one refresh
  CHECK(client->circuit().state == sf::CircuitState::open);

  const auto sent = fixture.emulator().counters().http_requests;
  for (int i = 0; i < 20; ++i) {
    auto again = client->run_plan(plan_for("Case.CaseNumber=1234", "2128425500"));
    REQUIRE_FALSE(again);
    CHECK(again.error().code == cti::ErrorCode::unauthorized);
    CHECK(contains(again.error().message, "paused"));
  }
  CHECK(fixture.emulator().counters().http_requests == sent);  // nothing reached the wire
  CHECK(fixture.token_requests() == 2);

  // After the cool-down one trial goes out; still frozen, so the circuit opens again.
  fixture.clock.advance(seconds(61));
  CHECK(client->circuit().state == sf::CircuitState::half_open);
  REQUIRE_FALSE(client->query("SELECT Id FROM Case"));
  CHECK(fixture.token_requests() == 3);
  CHECK(client->circuit().state == sf::CircuitState::open);

  // Unfrozen: the next trial closes the circuit.
  REQUIRE(fixture.emulator().set_user_frozen(org::integration_user, false));
  fixture.clock.advance(seconds(61));
  auto recovered = client->query("SELECT Id FROM Case");
  REQUIRE_MESSAGE(recovered, recovered.error().message);
  CHECK(client->circuit().state == sf::CircuitState::closed);
  bool logged_pause = false;
  for (const auto& line : fixture.recorder->log_lines()) {
    logged_pause = logged_pause || contains(line, "pausing Salesforce calls");
  }
  CHECK(logged_pause);
}

TEST_CASE("daily API limit exceeded: forbidden, calls stop for the back-off, no re-authentication") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  pop_for(*client, plan_for("Case.CaseNumber=1234", ""));
  fixture.emulator().set_daily_limit(100);
  fixture.emulator().set_api_usage(100);

  auto refused = client->run_plan(plan_for("Case.CaseNumber=1000", ""));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == cti::ErrorCode::forbidden);
  CHECK(contains(refused.error().message, "REQUEST_LIMIT_EXCEEDED"));
  CHECK(contains(refused.error().message, "no Salesforce calls for 300 s"));
  CHECK(client->circuit().state == sf::CircuitState::open);

  const auto sent = fixture.emulator().counters().http_requests;
  auto paused = client->query("SELECT Id FROM Case");
  REQUIRE_FALSE(paused);
  CHECK(paused.error().code == cti::ErrorCode::forbidden);
  CHECK(fixture.emulator().counters().http_requests == sent);
  CHECK(fixture.token_requests() == 1);

  fixture.emulator().set_daily_limit(15000);
  fixture.clock.advance(seconds(301));
  auto resumed = client->query("SELECT Id FROM Case");
  REQUIRE_MESSAGE(resumed, resumed.error().message);
  CHECK(client->circuit().state == sf::CircuitState::closed);
}

TEST_CASE("API usage: read from Sforce-Limit-Info, warned once at the threshold") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  CHECK_FALSE(client->usage().known());
  pop_for(*client, plan_for("Case.CaseNumber=1234", ""));
  CHECK(client->usage().limit == 15000);
  CHECK(client->usage().used >= 1);

  fixture.emulator().set_api_usage(12500);  // 83 %
  pop_for(*client, plan_for("Case.CaseNumber=1000", ""));
  pop_for(*client, plan_for("Case.CaseNumber=4321", ""));
  std::size_t warnings = 0;
  for (const auto& line : fixture.recorder->log_lines()) {
    warnings += contains(line, "warning: Salesforce API usage") ? 1u : 0u;
  }
  CHECK(warnings == 1);
  CHECK(client->usage().used >= 12500);
}

TEST_CASE("slow Salesforce: the call deadline holds") {
  EmulatorFixture fixture;
  fixture.emulator().set_latency(milliseconds(3000));
  sf::Config config = fixture.config();
  config.call_deadline = milliseconds(400);
  auto client = fixture.client(config);
  const auto start = std::chrono::steady_clock::now();
  auto result = client->run_plan(plan_for("Case.CaseNumber=1234", ""));
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(result);
  CHECK(result.error().code == cti::ErrorCode::timeout);
  CHECK(contains(result.error().message, "deadline"));
  CHECK(took < milliseconds(2500));  // far below the emulator's 3 s latency
  fixture.emulator().set_latency(milliseconds(0));
}

TEST_CASE("dropped connection: retried") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  pop_for(*client, plan_for("Case.CaseNumber=1234", ""));
  fixture.emulator().drop_next(1);
  CHECK(pop_for(*client, plan_for("Case.CaseNumber=1000", "")).kind == sfmatch::PopKind::record);
  CHECK(fixture.emulator().counters().dropped == 1);
}

TEST_CASE("503s: retried with backoff, then success or a clear give-up") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  pop_for(*client, plan_for("Case.CaseNumber=1234", ""));

  fixture.emulator().fail_next(2);
  CHECK(pop_for(*client, plan_for("Case.CaseNumber=1000", "")).kind == sfmatch::PopKind::record);
  CHECK(fixture.recorder->sleep_count() == 2);
  CHECK(client->stats().retries == 2);

  fixture.emulator().fail_next(10);
  auto gave_up = client->run_plan(plan_for("Case.CaseNumber=1000", ""));
  REQUIRE_FALSE(gave_up);
  CHECK(gave_up.error().code == cti::ErrorCode::unavailable);
  CHECK(contains(gave_up.error().message, "HTTP 503"));
  CHECK(fixture.recorder->sleep_count() == 4);  // two more waits, then it stopped
  fixture.emulator().fail_next(0);
}

TEST_CASE("malformed response: a clear error, and the next call works") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  pop_for(*client, plan_for("Case.CaseNumber=1234", ""));
  fixture.emulator().malform_next(1);
  auto broken = client->run_plan(plan_for("Case.CaseNumber=1000", ""));
  REQUIRE_FALSE(broken);
  CHECK(broken.error().code == cti::ErrorCode::unavailable);
  CHECK(contains(broken.error().message, "malformed"));
  CHECK(pop_for(*client, plan_for("Case.CaseNumber=1000", "")).kind == sfmatch::PopKind::record);
}

TEST_CASE("ping: API version, usage and round trip") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  auto pong = client->ping();
  REQUIRE_MESSAGE(pong, pong.error().message);
  CHECK(pong->api_version == "59.0");
  CHECK_FALSE(pong->latest_version.empty());
  CHECK(pong->usage.known());
  CHECK(pong->round_trip.count() > 0);
  CHECK(client->requests_sent() == 1);

  sf::Config old = fixture.config();
  old.api_version = "41.0";
  auto refused = fixture.client(old)->ping();
  if (!refused) {
    CHECK(contains(refused.error().message, "41.0"));
  }
}

TEST_CASE("TLS: an untrusted certificate or a wrong host name is refused") {
  EmulatorFixture fixture;
  sf::Config untrusted = fixture.config();
  untrusted.tls.ca_file = test_keys().other_cert_file;
  auto refused = fixture.client(untrusted)->query("SELECT Id FROM Case");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == cti::ErrorCode::unavailable);
  CHECK(contains(refused.error().message, "certificate"));
  CHECK(fixture.token_requests() == 0);

  FakeSalesforce wrong_host(test_keys().wrong_host_cert_file, test_keys().wrong_host_key_file,
                            [](const FakeRequest&) { return FakeReply{200, R"({"access_token":"x"})", {}}; });
  sf::Config config = fixture.config();
  config.instance_url = wrong_host.base_url();
  config.tls.ca_file = test_keys().wrong_host_cert_file;
  auto mismatch = fixture.client(config)->query("SELECT Id FROM Case");
  REQUIRE_FALSE(mismatch);
  CHECK(contains(mismatch.error().message, "certificate"));
  CHECK(wrong_host.requests().empty());
}

TEST_CASE("TLS: verification off only with the explicit development switch") {
  EmulatorFixture fixture;
  sf::Config insecure = fixture.config();
  insecure.tls.ca_file = test_keys().other_cert_file;  // would not verify
  insecure.tls.verify = false;
  insecure.tls.insecure_skip_verify = true;
  auto result = fixture.client(insecure)->query("SELECT Id FROM Case");
  REQUIRE_MESSAGE(result, result.error().message);
  insecure.tls.insecure_skip_verify = false;
  CHECK_THROWS_AS(fixture.client(insecure), cti::ConfigError);
}

TEST_CASE("a separate login host: tokens from there, lookups at the instance") {
  const std::string token = "00Dx!issued-by-the-login-host";
  FakeSalesforce login(test_keys().tls_cert_file, test_keys().tls_key_file, [&](const FakeRequest&) {
    return FakeReply{200, R"({"access_token":")" + token + R"("})", {}};
  });
  FakeSalesforce instance(test_keys().tls_cert_file, test_keys().tls_key_file, [&](const FakeRequest& request) {
    if (request.authorization != "Bearer " + token) {
      return FakeReply{401, R"([{"errorCode":"INVALID_SESSION_ID","message":"Session expired or invalid"}])", {}};
    }
    return FakeReply{200, R"({"done":true,"records":[{"attributes":{"type":"Case"},"Id":"500D000000IqhSLIAZ","CaseNumber":"00001234"}]})", {}};
  });
  EmulatorFixture fixture;
  sf::Config config = fixture.config();
  config.instance_url = instance.base_url();
  config.login_url = login.base_url();
  auto records = fixture.client(config)->query("SELECT Id, CaseNumber FROM Case");
  REQUIRE_MESSAGE(records, records.error().message);
  CHECK(records->at(0).name == "00001234");
  REQUIRE(login.requests().size() == 1);
  CHECK(login.requests()[0].target == "/services/oauth2/token");
  CHECK(contains(login.requests()[0].body, "grant_type=client_credentials"));
  REQUIRE(instance.requests().size() == 1);
}

TEST_CASE("tokens and secrets never appear in errors or logs, even when Salesforce echoes them") {
  const std::string token = "00D5g000004Xyz1!AQ8AQ.secret-session-value";
  FakeSalesforce echo(test_keys().tls_cert_file, test_keys().tls_key_file, [&](const FakeRequest& request) {
    if (request.target == "/services/oauth2/token") {
      return FakeReply{200, R"({"access_token":")" + token + R"(","instance_url":"x","token_type":"Bearer"})", {}};
    }
    if (contains(request.target, "query")) {
      return FakeReply{400, R"([{"errorCode":"MALFORMED_QUERY","message":"you sent )" + request.authorization + " and " +
                                request.body + R"("}])", {}};
    }
    if (contains(request.target, "search")) {
      return FakeReply{500, "<html>" + request.authorization + "</html>", {}};
    }
    return FakeReply{401, R"([{"errorCode":"INVALID_SESSION_ID","message":"bad )" + request.authorization + R"("}])", {}};
  });
  EmulatorFixture fixture;  // for its environment helpers only
  sf::Config config = fixture.config();
  config.instance_url = echo.base_url();
  auto client = fixture.client(config);
  std::vector<std::string> messages;
  for (auto result : {client->query("SELECT Id FROM Case"), client->search("FIND {x}"),
                      client->query("SELECT Id FROM Case")}) {
    REQUIRE_FALSE(result);
    messages.push_back(result.error().message);
  }
  auto created = client->create("Task", {{"Subject", "x"}});
  REQUIRE_FALSE(created);
  messages.push_back(created.error().message);
  for (const auto& line : fixture.recorder->log_lines()) {
    messages.push_back(line);
  }
  CHECK(contains(messages[0], "[redacted]"));
  for (const auto& message : messages) {
    CAPTURE(message);
    CHECK_FALSE(contains(message, token));
    CHECK_FALSE(contains(message, "secret-session-value"));
    CHECK_FALSE(contains(message, org::client_secret));
  }
  // The token went only where it belongs: the Authorization header.
  for (const auto& request : echo.requests()) {
    CHECK_FALSE(contains(request.target, "secret-session-value"));
  }
}

TEST_CASE("untrusted bodies: oversize and wrong shapes are clear errors") {
  std::string huge(3u << 20, 'x');
  FakeSalesforce odd(test_keys().tls_cert_file, test_keys().tls_key_file, [&](const FakeRequest& request) {
    if (request.target == "/services/oauth2/token") {
      return FakeReply{200, R"({"access_token":"00Dx!token"})", {}};
    }
    if (contains(request.target, "Huge")) {
      return FakeReply{200, R"({"records":[],"pad":")" + huge + R"("})", {}};
    }
    if (contains(request.target, "Shape")) {
      return FakeReply{200, R"({"records":[{"attributes":{"type":"Contact"},"Id":["not","an","id"]}]})", {}};
    }
    if (contains(request.target, "Locator")) {
      return FakeReply{200, R"({"done":false,"nextRecordsUrl":"https://evil.example/steal","records":[]})", {}};
    }
    return FakeReply{200, R"({"done":true,"records":[]})", {{"Sforce-Limit-Info", "api-usage=garbage"}}};
  });
  EmulatorFixture fixture;
  sf::Config config = fixture.config();
  config.instance_url = odd.base_url();
  config.max_response_bytes = 1u << 20;
  auto client = fixture.client(config);
  auto huge_result = client->query("SELECT Id FROM Huge__c");
  REQUIRE_FALSE(huge_result);
  CHECK(contains(huge_result.error().message, "larger than 1048576 bytes"));
  auto shape = client->query("SELECT Id FROM Shape__c");
  REQUIRE_FALSE(shape);
  CHECK(contains(shape.error().message, "no valid Id"));
  auto locator = client->query("SELECT Id FROM Locator__c");
  REQUIRE_FALSE(locator);
  CHECK(contains(locator.error().message, "unexpected nextRecordsUrl"));
  auto fine = client->query("SELECT Id FROM Contact");
  REQUIRE_MESSAGE(fine, fine.error().message);
  CHECK_FALSE(client->usage().known());  // a garbled header is ignored
}

TEST_CASE("keep-alive: the token and the lookups share one TLS connection") {
  FakeSalesforce server(test_keys().tls_cert_file, test_keys().tls_key_file, [](const FakeRequest& request) {
    if (request.target == "/services/oauth2/token") {
      return FakeReply{200, R"({"access_token":"00Dx!keep-alive-token"})", {}};
    }
    return FakeReply{200, R"({"done":true,"records":[]})", {{"Sforce-Limit-Info", "api-usage=7/15000"}}};
  });
  EmulatorFixture fixture;
  sf::Config config = fixture.config();
  config.instance_url = server.base_url();
  auto client = fixture.client(config);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(client->query("SELECT Id, Name FROM Contact"));
  }
  const auto requests = server.requests();
  REQUIRE(requests.size() == 6);
  for (const auto& request : requests) {
    CHECK(request.client_port == requests.front().client_port);
  }
  CHECK(requests[1].authorization == "Bearer 00Dx!keep-alive-token");
  CHECK(client->usage().used == 7);
}

TEST_CASE("concurrent callers share one client safely") {
  EmulatorFixture fixture;
  auto client = fixture.client();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const auto plan = sfmatch::build_match_plan(
            {(i % 2 == 0) ? "Case.CaseNumber=1234" : "", t % 2 == 0 ? "2128425500" : "4155550101"}, {});
        auto decision = plan ? sfmatch::match_with(*client, *plan, {})
                             : cti::Result<sfmatch::PopDecision>(cti::Unexpected(plan.error()));
        if (!decision || decision->kind != sfmatch::PopKind::record) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  CHECK(failures == 0);
  CHECK(client->stats().token_requests == 1);
}
