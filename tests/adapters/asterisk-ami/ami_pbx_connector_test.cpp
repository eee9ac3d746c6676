// The connector end to end: make_pbx_connector against FakeAmiServer on loopback. Login and
// its refusal, framing under split writes, LF-only ends and garbage, mid-call disconnects with
// resynchronisation, keep-alive, click-to-dial and hangup. Backoffs are a few milliseconds,
// so nothing here waits long; every wait is for a condition, with a generous deadline.
#include "adapters/asterisk-ami/fake_ami_server.hpp"
#include "adapters/asterisk-ami/transcript_runner.hpp"

#include "cti/adapters/asterisk_ami/asterisk_ami_adapter.hpp"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace cti::adapters::asterisk_ami {
namespace {

using namespace std::chrono_literals;

std::string brief(const CallEvent& e) {
  std::string out = std::string(to_string(e.type)) + " " + e.extension;
  if (e.type == CallEventType::disconnected) {
    out += " " + std::string(to_string(e.end_reason));
  }
  if (e.type == CallEventType::transferred) {
    out += " " + e.transfer_target;
  }
  return out;
}

std::vector<std::string> briefs(const std::vector<CallEvent>& events) {
  std::vector<std::string> out;
  for (const CallEvent& e : events) {
    out.push_back(brief(e));
  }
  return out;
}

TranscriptRun run_ok(std::string_view name, TranscriptRunOptions options = {}) {
  Result<TranscriptRun> run = run_transcript_for_test(name, std::move(options));
  REQUIRE_MESSAGE(run, (run ? std::string() : run.error().message));
  return std::move(run).value();
}

const std::vector<std::string> k_contract = {"ringing 137", "connected 137", "held 137",
                                             "retrieved 137", "disconnected 137 remote_hangup"};

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// A connector pointed at `port`, collecting its events.
struct Client {
  std::shared_ptr<Metrics> metrics = std::make_shared<Metrics>();
  std::unique_ptr<PbxConnector> connector;
  std::mutex mutex;
  std::vector<CallEvent> events;

  explicit Client(std::uint16_t port, Config config = default_test_config()) {
    config.host = "127.0.0.1";
    config.port = port;
    Options options;
    options.metrics = metrics;
    options.jitter_seed = 3;
    connector = make_pbx_connector(config, options);
    const Result<void> started = connector->start([this](const CallEvent& e) {
      std::lock_guard lock(mutex);
      events.push_back(e);
    });
    REQUIRE(started);
  }
};

}  // namespace

TEST_CASE("the contract call over TCP gives exactly the contract events") {
  const TranscriptRun run = run_ok("inbound_ivr_hold");
  CHECK(briefs(run.events) == k_contract);
  for (const CallEvent& e : run.events) {
    CHECK(e.call_id == "1732550000.16");
    CHECK(e.ani == "+12128425500");
    CHECK(e.dnis == "8005550100");
    CHECK(e.ivr_data == "Case.CaseNumber=1234");
    CHECK(e.direction == CallDirection::inbound);
  }
  CHECK(run.health.connected);
  CHECK(run.health.detail.find("logged in") != std::string::npos);
  CHECK(run.logins == 1);
  CHECK(run.metrics->logins == 1);
  CHECK(run.metrics->resyncs == 1);
  CHECK(run.metrics->call_events == 5);
  CHECK(run.metrics->garbage_lines == 0);
  REQUIRE(run.actions.size() >= 2);
  CHECK(run.actions[0].name() == "Login");
  CHECK(run.actions[0].get("Username") == "cti");
  CHECK(run.actions[0].get("Events") == "on");
  CHECK_FALSE(run.actions[0].get("ActionID").empty());
  CHECK(run.actions[1].name() == "CoreShowChannels");
}

TEST_CASE("framing survives split writes, bare LF and garbage lines") {
  struct Case {
    const char* name;
    FakeAmiOptions server;
  };
  std::vector<Case> cases(4);
  cases[0].name = "pieces of 1 to 3 bytes";
  cases[0].server.max_chunk = 3;
  cases[1].name = "pieces of 1 to 64 bytes, LF only";
  cases[1].server.max_chunk = 64;
  cases[1].server.lf_only = true;
  cases[1].server.seed = 99;
  cases[2].name = "a garbage line before every packet";
  cases[2].server.garbage_between_packets = true;
  cases[3].name = "everything at once";
  cases[3].server.max_chunk = 7;
  cases[3].server.lf_only = true;
  cases[3].server.garbage_between_packets = true;
  for (const Case& c : cases) {
    SUBCASE(c.name) {
      TranscriptRunOptions options;
      options.server = c.server;
      const TranscriptRun run = run_ok("inbound_ivr_hold", options);
      CHECK(briefs(run.events) == k_contract);
      if (c.server.garbage_between_packets) {
        CHECK(run.metrics->garbage_lines > 20);  // one per transcript packet, counted and skipped
      } else {
        CHECK(run.metrics->garbage_lines == 0);
      }
    }
  }
}

TEST_CASE("the checked-in transcripts over TCP") {
  struct Case {
    const char* name;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"inbound_agent_hangup", {"ringing 137", "connected 137", "disconnected 137 local_hangup"}},
      {"unanswered", {"ringing 138", "disconnected 138 no_answer"}},
      {"abandoned", {"ringing 137", "disconnected 137 abandoned"}},
      {"blind_transfer",
       {"ringing 137", "connected 137", "transferred 137 138", "ringing 138", "connected 138",
        "disconnected 138 remote_hangup"}},
  };
  for (const Case& c : cases) {
    SUBCASE(c.name) {
      CHECK(briefs(run_ok(c.name).events) == c.expected);
    }
  }
}

TEST_CASE("a refused login is reported and retried with backoff") {
  SUBCASE("refused twice, then accepted") {
    TranscriptRunOptions options;
    options.server.refuse_logins = 2;
    const TranscriptRun run = run_ok("inbound_ivr_hold", options);
    CHECK(briefs(run.events) == k_contract);
    CHECK(run.login_attempts == 3);
    CHECK(run.metrics->login_refusals == 2);
    CHECK(run.metrics->logins == 1);
  }
  SUBCASE("a wrong secret: health says so and the connector keeps trying") {
    FakeAmiServer server({}, {});
    Config config = default_test_config();
    config.secret = "wrong";
    Client client(server.port(), config);
    REQUIRE(eventually([&] { return server.login_attempts() >= 3; }));
    const PbxHealth health = client.connector->health();
    CHECK_FALSE(health.connected);
    CAPTURE(health.detail);
    CHECK(health.detail.find("refused") != std::string::npos);
    CHECK(health.detail.find("Authentication failed") != std::string::npos);
    CHECK(health.detail.find("reconnecting in") != std::string::npos);
    CHECK(server.logins() == 0);
    const Result<std::string> call = client.connector->make_call("137", "5550100");
    REQUIRE_FALSE(call);
    CHECK(call.error().code == ErrorCode::unavailable);
    client.connector->stop();
    CHECK(client.connector->health().detail == "stopped");
  }
}

TEST_CASE("mid-call disconnect, reconnect and resync") {
  SUBCASE("the call ended while away: closed as unknown, then the next call works") {
    const TranscriptRun run = run_ok("reconnect_call_ended");
    CHECK(briefs(run.events) == std::vector<std::string>{
                                    "ringing 137", "connected 137", "disconnected 137 unknown",
                                    "ringing 137", "connected 137", "disconnected 137 remote_hangup"});
    REQUIRE(run.events.size() == 6);
    CHECK(run.events[2].call_id == "1732550000.16");
    CHECK(run.events[3].call_id == "1732550300.40");
    CHECK(run.logins == 2);
    CHECK(run.metrics->connection_losses >= 1);
    CHECK(run.metrics->resyncs == 2);
    CHECK(run.metrics->calls_closed_by_resync == 1);
  }
  SUBCASE("the call survived: nothing repeated, nothing lost") {
    const TranscriptRun run = run_ok("reconnect_call_survives");
    CHECK(briefs(run.events) == k_contract);
    CHECK(run.logins == 2);
    CHECK(run.metrics->calls_closed_by_resync == 0);
  }
  SUBCASE("a call that started while away is reported from the channel list") {
    const TranscriptRun run = run_ok("reconnect_call_appeared");
    CHECK(briefs(run.events) == std::vector<std::string>{"ringing 137", "connected 137",
                                                         "disconnected 137 remote_hangup"});
    REQUIRE_FALSE(run.events.empty());
    CHECK(run.events[0].ani == "+12128425500");
    CHECK(run.logins == 2);
  }
  SUBCASE("a user without CoreShowChannels still gets events") {
    TranscriptRunOptions options;
    options.server.allow_core_show_channels = false;
    const TranscriptRun run = run_ok("reconnect_call_survives", options);
    CHECK(briefs(run.events) == k_contract);
  }
}

TEST_CASE("keep-alive: a Ping left unanswered means reconnect") {
  FakeAmiOptions server_options;
  server_options.answer_pings = false;
  FakeAmiServer server(server_options, {});
  Config config = default_test_config();
  config.ping_interval = 30ms;
  Client client(server.port(), config);
  REQUIRE(eventually([&] { return client.metrics->ping_timeouts >= 1 && server.connections() >= 2; }));
  CHECK(client.metrics->logins >= 1);
  CHECK(eventually([&] { return client.connector->health().connected; }));
}

TEST_CASE("keep-alive: answered Pings keep the connection") {
  FakeAmiServer server({}, {});
  Config config = default_test_config();
  config.ping_interval = 10ms;
  Client client(server.port(), config);
  REQUIRE(eventually([&] {
    const auto actions = server.actions();
    return std::count_if(actions.begin(), actions.end(),
                         [](const AmiPacket& a) { return a.name() == "Ping"; }) >= 5;
  }));
  CHECK(client.metrics->ping_timeouts == 0);
  CHECK(server.connections() == 1);
}

TEST_CASE("a lost connection shows in health and recovers by itself") {
  FakeAmiServer server({}, {});
  Client client(server.port());
  REQUIRE(server.wait_for_logins(1, 5000ms));
  REQUIRE(eventually([&] { return client.connector->health().connected; }));
  server.drop_client();
  REQUIRE(server.wait_for_logins(2, 5000ms));
  CHECK(eventually([&] { return client.connector->health().connected; }));
  CHECK(client.metrics->connection_losses >= 1);
}

TEST_CASE("health explains a PBX that is down or is not AMI") {
  SUBCASE("nothing listening") {
    std::uint16_t port = 0;
    {
      Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
      port = probe.address().port();
    }
    Client client(port);
    REQUIRE(eventually([&] { return client.metrics->connection_losses >= 2; }));
    CAPTURE(client.connector->health().detail);
    CHECK(client.connector->health().detail.find("cannot connect") != std::string::npos);
    CHECK_FALSE(client.connector->health().connected);
  }
  SUBCASE("no banner") {
    FakeAmiOptions server_options;
    server_options.banner = "SSH-2.0-OpenSSH_9.2";
    FakeAmiServer server(server_options, {});
    Config config = default_test_config();
    config.connect_timeout = 50ms;
    Client client(server.port(), config);
    REQUIRE(eventually([&] { return client.metrics->connection_losses >= 1; }));
    CAPTURE(client.connector->health().detail);
    CHECK(client.connector->health().detail.find("no AMI banner") != std::string::npos);
    CHECK(client.metrics->logins == 0);
  }
}

TEST_CASE("click-to-dial with Originate") {
  auto dial = [](std::string& call_id, Error& error) {
    return [&call_id, &error](PbxConnector& connector, const std::function<bool(std::size_t)>&) {
      const Result<std::string> result = connector.make_call("137", "912128425500");
      if (result) {
        call_id = *result;
      } else {
        error = result.error();
      }
    };
  };

  SUBCASE("success: dialing, ringing, connected, disconnected, all on the returned id") {
    std::string call_id;
    Error error;
    TranscriptRunOptions options;
    options.drive = dial(call_id, error);
    const TranscriptRun run = run_ok("click_to_dial", options);
    REQUIRE_FALSE(call_id.empty());
    CHECK(briefs(run.events) == std::vector<std::string>{"dialing 137", "ringing 137",
                                                         "connected 137",
                                                         "disconnected 137 local_hangup"});
    for (const CallEvent& e : run.events) {
      CHECK(e.call_id == call_id);
      CHECK(e.direction == CallDirection::outbound);
      CHECK(e.ani == "912128425500");
      CHECK(e.dnis == "912128425500");
    }
    const auto originate = std::find_if(run.actions.begin(), run.actions.end(),
                                        [](const AmiPacket& a) { return a.name() == "Originate"; });
    REQUIRE(originate != run.actions.end());
    CHECK(originate->get("Channel") == "PJSIP/137");
    CHECK(originate->get("Exten") == "912128425500");
    CHECK(originate->get("Context") == "from-internal");
    CHECK(originate->get("Priority") == "1");
    CHECK(originate->get("Async") == "true");
    CHECK(originate->get("CallerID") == "912128425500");
    CHECK(originate->get("Timeout") == "30000");
    CHECK(originate->get("ChannelId") == call_id);
    CHECK(run.metrics->originate_failures == 0);
  }
  SUBCASE("the agent does not pick up") {
    std::string call_id;
    Error error;
    TranscriptRunOptions options;
    options.drive = dial(call_id, error);
    const TranscriptRun run = run_ok("click_to_dial_no_answer", options);
    CHECK(briefs(run.events) == std::vector<std::string>{"dialing 137", "disconnected 137 no_answer"});
    CHECK(run.metrics->originate_failures == 1);
  }
  SUBCASE("no such endpoint: OriginateResponse Failure") {
    std::string call_id;
    Error error;
    TranscriptRunOptions options;
    options.drive = dial(call_id, error);
    const TranscriptRun run = run_ok("click_to_dial_failed", options);
    REQUIRE_FALSE(call_id.empty());
    CHECK(briefs(run.events) == std::vector<std::string>{"dialing 137", "disconnected 137 failed"});
    REQUIRE(run.events.size() == 2);
    CHECK(run.events[1].call_id == call_id);
    CHECK(run.metrics->originate_failures == 1);
  }
  SUBCASE("refused outright: make_call fails and nothing is reported") {
    std::string call_id;
    Error error;
    TranscriptRunOptions options;
    options.drive = dial(call_id, error);
    const TranscriptRun run = run_ok("click_to_dial_refused", options);
    CHECK(call_id.empty());
    CHECK(error.code == ErrorCode::unavailable);
    CHECK(error.message.find("Originate failed") != std::string::npos);
    CHECK(run.events.empty());
    CHECK(run.metrics->originate_failures == 1);
  }
}

TEST_CASE("make_call refuses bad input before anything is sent") {
  FakeAmiServer server({}, {});
  Config config = default_test_config();
  config.agent_extensions = {"137"};
  Client client(server.port(), config);
  REQUIRE(eventually([&] { return client.connector->health().connected; }));
  struct Case {
    std::string_view extension;
    std::string_view digits;
  };
  for (const Case& c : {Case{"137", "12\r\nAction: Hangup"}, Case{"137", ""}, Case{"137", "12a"},
                        Case{"1 37", "5550100"}, Case{"138", "5550100"},
                        Case{"137", "123456789012345678901234567890123"}}) {
    CAPTURE(c.extension);
    CAPTURE(c.digits);
    const Result<std::string> result = client.connector->make_call(c.extension, c.digits);
    REQUIRE_FALSE(result);
    CHECK(result.error().code == ErrorCode::invalid_input);
  }
  const auto actions = server.actions();
  CHECK(std::none_of(actions.begin(), actions.end(),
                     [](const AmiPacket& a) { return a.name() == "Originate"; }));
}

TEST_CASE("hangup sends Hangup for the agent's channel; the rest is honest about AMI") {
  const std::string transcript = [] {
    std::string text;
    const Result<std::vector<TranscriptStep>> steps = load_transcript(transcript_path("inbound_ivr_hold"));
    REQUIRE(steps);
    // The contract call up to the bridge, then our Hangup, then Asterisk hanging the legs up.
    for (const TranscriptStep& step : *steps) {
      if (step.kind != TranscriptStep::Kind::packet) {
        continue;
      }
      std::string packet;
      for (const auto& [key, value] : step.headers) {
        packet += key + ": " + value + "\n";
      }
      text += packet + "\n";
      if (step.headers[0].second == "BridgeEnter" &&
          packet.find("PJSIP/137-00000011") != std::string::npos) {
        break;
      }
    }
    text += R"(%expect Hangup

Event: SoftHangupRequest
Uniqueid: 1732550004.17
Cause: 16

Event: BridgeLeave
BridgeUniqueid: 5b1f0c2e-8d7a-4c55-9a0e-2f4b6a1d9e31
Uniqueid: 1732550004.17

Event: Hangup
Uniqueid: 1732550004.17
Cause: 16

Event: BridgeLeave
BridgeUniqueid: 5b1f0c2e-8d7a-4c55-9a0e-2f4b6a1d9e31
Uniqueid: 1732550000.16

Event: Hangup
Uniqueid: 1732550000.16
Cause: 16
)";
    return text;
  }();

  Result<void> hung_up = fail(ErrorCode::internal, "not called");
  Result<void> unknown = fail(ErrorCode::internal, "not called");
  TranscriptRunOptions options;
  options.drive = [&](PbxConnector& connector, const std::function<bool(std::size_t)>& wait_for_events) {
    REQUIRE(wait_for_events(2));  // ringing, connected
    unknown = connector.hangup("no-such-call");
    hung_up = connector.hangup("1732550000.16");

    CHECK(connector.answer("1732550000.16").error().message.find("not supported by asterisk-ami") !=
          std::string::npos);
    CHECK(connector.hold("1732550000.16").error().code == ErrorCode::unavailable);
    CHECK(connector.retrieve("1732550000.16").error().code == ErrorCode::unavailable);
    const PbxCapabilities caps = connector.capabilities();
    CHECK(caps.make_call);
    CHECK(caps.hangup);
    CHECK_FALSE(caps.answer);
    CHECK_FALSE(caps.hold);
  };
  const Result<TranscriptRun> run = run_transcript_text_for_test(transcript, options);
  REQUIRE_MESSAGE(run, (run ? std::string() : run.error().message));
  CHECK(hung_up);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::not_found);
  CHECK(briefs(run->events) == std::vector<std::string>{"ringing 137", "connected 137",
                                                        "disconnected 137 local_hangup"});
  const auto hangup = std::find_if(run->actions.begin(), run->actions.end(),
                                   [](const AmiPacket& a) { return a.name() == "Hangup"; });
  REQUIRE(hangup != run->actions.end());
  CHECK(hangup->get("Channel") == "PJSIP/137-00000011");
}

TEST_CASE("start and stop") {
  SUBCASE("an invalid config is refused by start") {
    Config config;  // no username, no secret
    const auto connector = make_pbx_connector(config);
    const Result<void> started = connector->start([](const CallEvent&) {});
    REQUIRE_FALSE(started);
    CHECK(started.error().message.find("username") != std::string::npos);
  }
  SUBCASE("a second start is a conflict; stop is idempotent") {
    FakeAmiServer server({}, {});
    Client client(server.port());
    const Result<void> again = client.connector->start([](const CallEvent&) {});
    REQUIRE_FALSE(again);
    CHECK(again.error().code == ErrorCode::conflict);
    client.connector->stop();
    client.connector->stop();
    CHECK_FALSE(client.connector->health().connected);
  }
  SUBCASE("a handler that throws does not stop the adapter") {
    FakeAmiServer server({}, load_transcript(transcript_path("inbound_ivr_hold")).value());
    Config config = default_test_config();
    config.host = "127.0.0.1";
    config.port = server.port();
    std::atomic<int> calls{0};
    const auto connector = make_pbx_connector(config);
    REQUIRE(connector->start([&](const CallEvent&) {
      ++calls;
      throw std::runtime_error("handler bug");
    }));
    REQUIRE(server.wait_until_done(5000ms));
    CHECK(eventually([&] { return calls == 5; }));
    connector->stop();
  }
}

}  // namespace cti::adapters::asterisk_ami
