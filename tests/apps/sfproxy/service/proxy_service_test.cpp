#include "proxy_service.hpp"

#include "fakes.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using sfproxy::ProxyService;
using sfproxy::test::FakeCrm;
using sfproxy::test::FakePbx;
using sfproxy::test::MemoryDirectory;

namespace {

/// Collects the SSE frames a stream would send.
struct Collector {
  std::shared_ptr<std::vector<std::string>> frames = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<std::mutex> mutex = std::make_shared<std::mutex>();
  std::shared_ptr<bool> open = std::make_shared<bool>(true);

  sfproxy::EventSink sink() const {
    return [frames = frames, mutex = mutex, open = open](std::string_view bytes) {
      std::lock_guard lock(*mutex);
      if (!*open) {
        return false;
      }
      frames->emplace_back(bytes);
      return true;
    };
  }
  std::vector<std::string> take() const {
    std::lock_guard lock(*mutex);
    auto copy = *frames;
    frames->clear();
    return copy;
  }
};

std::size_t count_containing(const std::vector<std::string>& frames, std::string_view needle) {
  std::size_t n = 0;
  for (const auto& frame : frames) {
    n += frame.find(needle) != std::string::npos ? 1u : 0u;
  }
  return n;
}

cti::CallEvent event(cti::CallEventType type, std::string call_id = "call-1") {
  cti::CallEvent e;
  e.type = type;
  e.call_id = std::move(call_id);
  e.extension = "137";
  e.ani = "+1 (212) 842-5500";
  e.dnis = "8005550100";
  e.ivr_data = "Case.CaseNumber=1234";
  e.direction = cti::CallDirection::inbound;
  if (type == cti::CallEventType::disconnected) {
    e.end_reason = cti::EndReason::remote_hangup;
  }
  return e;
}

struct Fixture {
  explicit Fixture(sfproxy::MatchMode mode = sfproxy::MatchMode::agent, std::size_t log_capacity = 256) {
    directory.add_agent("137", "Rose Gonzalez", "correct horse").value();
    directory.assign_seat("137").value();
    directory.add_agent("138", "Tim Barr", "battery staple").value();
    sfproxy::ProxyConfig config;
    config.match_mode = mode;
    config.event_log_capacity = log_capacity;
    service = std::make_unique<ProxyService>(config, directory, sessions, throttle, pbx,
                                             mode == sfproxy::MatchMode::server ? &crm : nullptr,
                                             lookups, timer);
    service->start();
  }
  ~Fixture() {
    lookups.stop();
    service->stop();
  }

  MemoryDirectory directory{1};
  sfproxy::SessionManager sessions{sfproxy::SessionConfig{}};
  sfproxy::LoginThrottle throttle{sfproxy::ThrottleConfig{}};
  FakePbx pbx;
  FakeCrm crm;
  sfproxy::WorkerPool lookups{1, 16};
  sfproxy::ManualTimer timer;
  std::unique_ptr<ProxyService> service;
};

}  // namespace

TEST_CASE("agent mode: a ringing call goes out as a call event and a screenpop with the plan") {
  Fixture f;
  Collector tab;
  f.service->open_stream("137", std::nullopt, tab.sink());
  tab.take();  // the snapshot

  f.service->on_call_event(event(cti::CallEventType::ringing));
  auto frames = tab.take();
  REQUIRE(frames.size() == 2);
  CHECK(frames[0].rfind("id: 1\nevent: call\ndata: {\"call_id\":\"call-1\"", 0) == 0);
  CHECK(frames[0].find("\"state\":\"ringing\"") != std::string::npos);
  CHECK(frames[1].rfind("id: 2\nevent: screenpop\n", 0) == 0);
  CHECK(frames[1].find("\"mode\":\"agent\"") != std::string::npos);
  CHECK(frames[1].find("CaseNumber = '00001234'") != std::string::npos);
  CHECK(frames[1].find("FIND {2128425500}") != std::string::npos);
}

TEST_CASE("server mode: the proxy looks the caller up and pops the record") {
  Fixture f(sfproxy::MatchMode::server);
  f.crm.records["CaseNumber = '00001234'"] = {{"Case", "500000000000001AAA", "00001234"}};
  Collector tab;
  f.service->open_stream("137", std::nullopt, tab.sink());
  tab.take();

  f.service->on_call_event(event(cti::CallEventType::ringing));
  f.lookups.stop();  // waits for the lookup
  auto frames = tab.take();
  REQUIRE(frames.size() == 2);
  CHECK(frames[1].find("\"mode\":\"server\"") != std::string::npos);
  CHECK(frames[1].find("\"kind\":\"record\"") != std::string::npos);
  CHECK(frames[1].find("500000000000001AAA") != std::string::npos);
  CHECK(f.service->metrics().pops.at("server_record") == 1);
}

TEST_CASE("server mode: a caller the client already knows pops at once, behind the call event, with no lookup") {
  Fixture f(sfproxy::MatchMode::server);
  f.crm.cached["2128425500"] = {{"Contact", "003000000000001AAA", "Ada Lovelace"}};
  f.crm.hold();  // a lookup would hang until the deadline
  Collector tab;
  f.service->open_stream("137", std::nullopt, tab.sink());
  tab.take();

  auto ringing = event(cti::CallEventType::ringing);
  ringing.ivr_data.clear();
  f.service->on_call_event(ringing);
  const auto frames = tab.take();  // nothing to wait for
  REQUIRE(frames.size() == 2);
  CHECK(frames[0].find("event: call\n") != std::string::npos);
  CHECK(frames[1].find("event: screenpop\n") != std::string::npos);
  CHECK(frames[1].find("\"mode\":\"server\"") != std::string::npos);
  CHECK(frames[1].find("003000000000001AAA") != std::string::npos);
  CHECK(f.crm.calls() == 0);
  CHECK(f.timer.pending() == 1);  // the access poll; no match deadline was set
  CHECK(f.service->metrics().pops.at("server_record") == 1);
  CHECK(f.service->metrics().match_latency_count == 1);

  // With IVR data the plan needs a request: the lookup runs as before.
  f.crm.release();
  f.service->on_call_event(event(cti::CallEventType::ringing, "call-2"));
  f.lookups.stop();
  CHECK(f.crm.calls() >= 1);
  CHECK(count_containing(tab.take(), "event: screenpop") == 1);
}

TEST_CASE("server mode: a slow Salesforce falls back to agent mode at the deadline, once") {
  Fixture f(sfproxy::MatchMode::server);
  f.crm.hold();
  Collector tab;
  f.service->open_stream("137", std::nullopt, tab.sink());
  tab.take();

  f.service->on_call_event(event(cti::CallEventType::ringing));
  CHECK(count_containing(tab.take(), "event: screenpop") == 0);  // still matching

  f.timer.advance(1500ms);
  auto frames = tab.take();
  REQUIRE(count_containing(frames, "event: screenpop") == 1);
  CHECK(count_containing(frames, "\"fallback_reason\":\"Salesforce did not answer within 1500 ms\"") == 1);

  f.crm.release();
  f.lookups.stop();
  CHECK(count_containing(tab.take(), "event: screenpop") == 0);  // the late answer is dropped
  CHECK(f.service->metrics().pops.at("fallback_timeout") == 1);
}

TEST_CASE("server mode: a failing Salesforce falls back at once with the reason") {
  Fixture f(sfproxy::MatchMode::server);
  f.crm.fail_with = cti::Error{cti::ErrorCode::unavailable, "Salesforce answered 503"};
  Collector tab;
  f.service->open_stream("137", std::nullopt, tab.sink());
  f.service->on_call_event(event(cti::CallEventType::ringing));
  f.lookups.stop();
  auto frames = tab.take();
  CHECK(count_containing(frames, "\"mode\":\"agent\"") == 1);
  CHECK(count_containing(frames, "Salesforce answered 503") == 1);
}

TEST_CASE("a page loaded during ringing gets the call and its pop; once popped, never again") {
  Fixture f;
  Collector first;
  f.service->open_stream("137", std::nullopt, first.sink());
  f.service->on_call_event(event(cti::CallEventType::ringing));
  first.take();

  // The page reloads: a fresh stream, no Last-Event-ID.
  Collector reloaded;
  f.service->open_stream("137", std::nullopt, reloaded.sink());
  auto snapshot = reloaded.take();
  CHECK(count_containing(snapshot, "event: agent") == 1);
  CHECK(count_containing(snapshot, "event: call") == 1);
  CHECK(count_containing(snapshot, "event: screenpop") == 1);

  REQUIRE(f.service->mark_popped("137", "call-1"));
  // Both tabs hear that it was popped.
  CHECK(count_containing(first.take(), "\"popped\":true") == 1);
  CHECK(count_containing(reloaded.take(), "\"popped\":true") == 1);
  CHECK(f.service->mark_popped("137", "call-1"));  // repeating is fine

  Collector third;
  f.service->open_stream("137", std::nullopt, third.sink());
  auto later = third.take();
  CHECK(count_containing(later, "event: call") == 1);
  CHECK(count_containing(later, "\"popped\":true") == 1);
  CHECK(count_containing(later, "event: screenpop") == 0);
}

TEST_CASE("Last-Event-ID resumes: missed events are replayed, acknowledged pops skipped") {
  Fixture f;
  f.service->on_call_event(event(cti::CallEventType::ringing));  // seq 1 call, seq 2 screenpop

  Collector resumed;
  f.service->open_stream("137", 0, resumed.sink());
  auto frames = resumed.take();
  REQUIRE(frames.size() == 2);
  CHECK(frames[1].rfind("id: 2\nevent: screenpop", 0) == 0);

  REQUIRE(f.service->mark_popped("137", "call-1"));  // seq 3
  Collector again;
  f.service->open_stream("137", 0, again.sink());
  frames = again.take();
  CHECK(count_containing(frames, "event: screenpop") == 0);
  CHECK(count_containing(frames, "id: 3\nevent: call") == 1);

  Collector up_to_date;
  f.service->open_stream("137", 3, up_to_date.sink());
  CHECK(up_to_date.take().empty());
}

TEST_CASE("a Last-Event-ID older than the log holds gets a snapshot flagged as a gap") {
  Fixture f(sfproxy::MatchMode::agent, 2);
  f.service->on_call_event(event(cti::CallEventType::ringing));
  f.service->on_call_event(event(cti::CallEventType::connected));
  f.service->on_call_event(event(cti::CallEventType::held));
  Collector tab;
  f.service->open_stream("137", 0, tab.sink());
  auto frames = tab.take();
  CHECK(count_containing(frames, "\"gap\":true") == 1);
  CHECK(count_containing(frames, "\"state\":\"held\"") == 1);
  CHECK(count_containing(frames, "event: screenpop") == 1);  // still not acknowledged
}

TEST_CASE("an ended call leaves nothing to pop") {
  Fixture f;
  f.service->on_call_event(event(cti::CallEventType::ringing));
  f.service->on_call_event(event(cti::CallEventType::disconnected));
  Collector tab;
  f.service->open_stream("137", std::nullopt, tab.sink());
  auto frames = tab.take();
  CHECK(count_containing(frames, "event: call") == 0);
  CHECK(count_containing(frames, "event: screenpop") == 0);
  auto popped = f.service->mark_popped("137", "call-1");
  REQUIRE_FALSE(popped);
  CHECK(popped.error().code == cti::ErrorCode::not_found);
}

TEST_CASE("events for unknown calls and duplicates are absorbed and counted") {
  Fixture f;
  Collector tab;
  f.service->open_stream("137", std::nullopt, tab.sink());
  tab.take();
  f.service->on_call_event(event(cti::CallEventType::held, "ghost"));
  f.service->on_call_event(event(cti::CallEventType::ringing));
  f.service->on_call_event(event(cti::CallEventType::ringing));
  auto frames = tab.take();
  CHECK(count_containing(frames, "event: call") == 1);
  auto metrics = f.service->metrics();
  CHECK(metrics.pbx_events.unknown_call == 1);
  CHECK(metrics.pbx_events.duplicate == 1);
}

TEST_CASE("sign-in: wrong password, no seat, success") {
  Fixture f;
  auto wrong = f.service->sign_in("137", "nope", "127.0.0.1");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().code == cti::ErrorCode::unauthorized);

  auto unknown = f.service->sign_in("999", "whatever", "127.0.0.1");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message == wrong.error().message);

  auto seatless = f.service->sign_in("138", "battery staple", "127.0.0.1");
  REQUIRE_FALSE(seatless);
  CHECK(seatless.error().code == cti::ErrorCode::forbidden);
  CHECK(seatless.error().message.find("\"Salesforce Integration\"") != std::string::npos);

  auto ok = f.service->sign_in("137", "correct horse", "127.0.0.1");
  REQUIRE(ok);
  CHECK(ok->agent.display_name == "Rose Gonzalez");
  auto session = f.service->authenticate(ok->token);
  REQUIRE(session);
  CHECK(session->extension == "137");
  f.service->sign_out(ok->token);
  CHECK_FALSE(f.service->authenticate(ok->token));
}

TEST_CASE("click-to-dial goes through the dial plan; call control checks ownership and support") {
  Fixture f;
  auto id = f.service->make_call("137", "(212) 842-5500");
  REQUIRE(id);
  CHECK(f.pbx.commands.back() == "make_call 137 912128425500");
  CHECK_FALSE(f.service->make_call("137", "call mom"));

  f.service->on_call_event(event(cti::CallEventType::ringing));
  CHECK(f.service->call_action("138", "call-1", ProxyService::CallAction::hangup).error().code ==
        cti::ErrorCode::not_found);
  CHECK(f.service->call_action("137", "call-1", ProxyService::CallAction::answer).error().code ==
        cti::ErrorCode::not_supported);
  REQUIRE(f.service->call_action("137", "call-1", ProxyService::CallAction::hangup));
  CHECK(f.pbx.commands.back() == "hangup call-1");
}

TEST_CASE("settings: validated, saved, used for the next call, announced to the agent's tabs") {
  Fixture f;
  cti::AgentSettings bad;
  bad.caller_id_objects = {"Contact", "Robert'); DROP TABLE"};
  auto refused = f.service->update_settings("137", bad);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == cti::ErrorCode::invalid_input);

  Collector tab;
  f.service->open_stream("137", std::nullopt, tab.sink());
  tab.take();
  cti::AgentSettings good;
  good.caller_id_objects = {"Lead"};
  good.ivr_match = "starts_with";
  REQUIRE(f.service->update_settings("137", good));
  CHECK(count_containing(tab.take(), "\"ivr_match\":\"starts_with\"") == 1);
  CHECK(f.directory.find_agent("137")->settings == good);

  f.service->on_call_event(event(cti::CallEventType::ringing));
  auto frames = tab.take();
  CHECK(count_containing(frames, "CaseNumber LIKE '1234%'") == 1);
  CHECK(count_containing(frames, "RETURNING Lead(") == 1);
  CHECK(count_containing(frames, "Contact(") == 0);
}

TEST_CASE("a stream whose client is gone is dropped at its agent's next event, the others keep theirs") {
  Fixture f;
  Collector alive;
  Collector gone;
  f.service->open_stream("137", std::nullopt, alive.sink());
  f.service->open_stream("137", std::nullopt, gone.sink());
  CHECK(f.service->metrics().streams_open == 2);
  *gone.open = false;
  alive.take();
  f.service->on_call_event(event(cti::CallEventType::ringing));
  CHECK(count_containing(alive.take(), "event: call") == 1);
  CHECK(f.service->metrics().streams_open == 1);
  // Heartbeats are the server's (net layer), not the service's: time alone sends nothing.
  f.timer.advance(60000ms);
  CHECK(alive.take().empty());
}

TEST_CASE("a password changed elsewhere ends the agent's sessions and streams at the next poll") {
  Fixture f;
  auto signed_in = f.service->sign_in("137", "correct horse", "127.0.0.1");
  REQUIRE(signed_in);
  Collector tab;
  auto ended = std::make_shared<int>(0);
  f.service->open_stream("137", std::nullopt, tab.sink(), [ended] { ++*ended; });
  tab.take();

  // Nothing changed: a poll leaves everything alone.
  f.timer.advance(2000ms);
  CHECK(f.service->authenticate(signed_in->token));
  CHECK(*ended == 0);

  // As `ctictl agents passwd` would, through the directory (another process in real life).
  f.directory.set_password("137", "new password").value();
  CHECK(f.service->authenticate(signed_in->token));  // not until the journal is read
  f.timer.advance(2000ms);
  CHECK_FALSE(f.service->authenticate(signed_in->token));
  CHECK(*ended == 1);
  const auto frames = tab.take();
  REQUIRE(frames.size() == 1);
  CHECK(frames.front().rfind("event: signed_out\n", 0) == 0);
  CHECK(f.service->metrics().streams_open == 0);
  CHECK(f.service->metrics().sessions_revoked == 1);

  // The new password works; the next poll does not revoke the new session again.
  auto again = f.service->sign_in("137", "new password", "127.0.0.1");
  REQUIRE(again);
  f.timer.advance(2000ms);
  CHECK(f.service->authenticate(again->token));
}

TEST_CASE("a freed seat ends only that agent's sessions") {
  Fixture f;
  f.directory.assign_seat("138").value();
  auto rose = f.service->sign_in("137", "correct horse", "127.0.0.1");
  auto tim = f.service->sign_in("138", "battery staple", "127.0.0.1");
  REQUIRE(rose);
  REQUIRE(tim);
  f.directory.unassign_seat("138").value();
  f.service->poll_access_changes();
  CHECK(f.service->authenticate(rose->token));
  CHECK_FALSE(f.service->authenticate(tim->token));
}
