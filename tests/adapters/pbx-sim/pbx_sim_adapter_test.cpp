#include "cti/adapters/pbx_sim/pbx_sim_adapter.hpp"

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

using namespace cti::adapters::pbx_sim;
using cti::CallEvent;
using cti::CallEventType;
using cti::EndReason;
using std::chrono::milliseconds;

namespace {

const std::string k_scenarios = CTI_SCENARIO_DIR;
const auto k_epoch = std::chrono::system_clock::time_point(std::chrono::seconds(1714564800));

/// "<ms> <event> <call> <extension>[ <end reason>|-> <target>]" per delivered event.
struct Recorder {
  std::vector<CallEvent> events;
  std::vector<std::string> lines;

  cti::CallEventHandler handler() {
    return [this](const CallEvent& event) {
      events.push_back(event);
      std::ostringstream line;
      line << std::chrono::duration_cast<milliseconds>(event.occurred_at - k_epoch).count() << " "
           << cti::to_string(event.type) << " " << event.call_id << " " << event.extension;
      if (event.end_reason != EndReason::none) {
        line << " " << cti::to_string(event.end_reason);
      }
      if (!event.transfer_target.empty()) {
        line << " -> " << event.transfer_target;
      }
      lines.push_back(line.str());
    };
  }
  std::vector<std::string> take() { return std::exchange(lines, {}); }
};

using Lines = std::vector<std::string>;

std::unique_ptr<SteppedPbx> started(Config config, Recorder& recorder) {
  auto pbx = make_stepped_pbx(config, k_epoch);
  auto started = pbx->start(recorder.handler());
  REQUIRE_MESSAGE(started, (started ? "" : started.error().message));
  return pbx;
}

Config scenario_config(const std::string& name) {
  Config config;
  config.scenario_file = k_scenarios + "/" + name;
  return config;
}

Scenario load_only(std::uint64_t calls, double rate, std::uint64_t seed) {
  LoadProfile load;
  load.calls = calls;
  load.calls_per_second = rate;
  load.extensions = {"100", "101", "102"};
  load.anis = {"4155550101", "4155550102", "4155550103", "4155550104"};
  load.ivr_data = {"Case.CaseNumber=1234", ""};
  load.dnis = "8005550100";
  load.ring = {milliseconds(1000), milliseconds(3000)};
  load.talk = {milliseconds(5000), milliseconds(20000)};
  load.seed = seed;
  return Scenario{{}, load};
}

}  // namespace

TEST_CASE("inbound_ivr_hold plays exactly, step by step under the manual clock") {
  Recorder recorder;
  auto pbx = started(scenario_config("inbound_ivr_hold.yaml"), recorder);
  CHECK(recorder.take().empty());  // nothing before time moves
  pbx->advance(milliseconds(0));
  CHECK(recorder.take() == Lines{"0 ringing call-1 137"});
  pbx->advance(milliseconds(3999));
  CHECK(recorder.take().empty());
  pbx->advance(milliseconds(1));
  CHECK(recorder.take() == Lines{"4000 connected call-1 137"});
  CHECK(pbx->next_due() == milliseconds(10000));
  pbx->advance(milliseconds(60000));
  CHECK(recorder.take() == Lines{"10000 held call-1 137", "25000 retrieved call-1 137",
                                 "40000 disconnected call-1 137 remote_hangup"});
  CHECK(pbx->now() == milliseconds(64000));
  CHECK_FALSE(pbx->next_due().has_value());

  const CallEvent& ringing = recorder.events.front();
  CHECK(ringing.ani == "+12128425500");
  CHECK(ringing.dnis == "8005550100");
  CHECK(ringing.ivr_data == "Case.CaseNumber=1234");
  CHECK(ringing.direction == cti::CallDirection::inbound);
}

TEST_CASE("transfer and unanswered scenarios") {
  Recorder recorder;
  auto pbx = started(scenario_config("transfer.yaml"), recorder);
  pbx->run_until_idle();
  CHECK(recorder.take() == Lines{"0 ringing call-3 137", "3000 connected call-3 137",
                                 "15000 transferred call-3 137 -> 138", "15000 ringing call-3-b 138",
                                 "18000 connected call-3-b 138",
                                 "60000 disconnected call-3-b 138 remote_hangup"});
  CHECK(pbx->now() == milliseconds(60000));

  Recorder unanswered;
  auto other = started(scenario_config("unanswered.yaml"), unanswered);
  other->run_until_idle(milliseconds(19999));
  CHECK(unanswered.take() == Lines{"0 ringing call-2 138"});
  other->run_until_idle();
  CHECK(unanswered.take() == Lines{"20000 disconnected call-2 138 no_answer"});
}

TEST_CASE("make_call plays dialing -> connected -> disconnected with the configured delays") {
  Config config;
  config.answer_after = milliseconds(2500);
  config.talk_time = milliseconds(10000);
  Recorder recorder;
  auto pbx = started(config, recorder);
  pbx->advance(milliseconds(1000));
  auto id = pbx->make_call("137", "912128425500");
  REQUIRE(id);
  CHECK(*id == "sim-1");
  CHECK(recorder.take().empty());  // queued at now, delivered by the next advance
  pbx->advance(milliseconds(0));
  CHECK(recorder.take() == Lines{"1000 dialing sim-1 137"});
  CHECK(recorder.events.back().direction == cti::CallDirection::outbound);
  CHECK(recorder.events.back().dnis == "912128425500");
  pbx->run_until_idle();
  CHECK(recorder.take() == Lines{"3500 connected sim-1 137", "13500 disconnected sim-1 137 remote_hangup"});

  auto second = pbx->make_call("138", "5550100");
  REQUIRE(second);
  CHECK(*second == "sim-2");
}

TEST_CASE("make_call to a configured failing number: busy by default") {
  Config config;
  config.fail_after = milliseconds(700);
  config.dial_failures.push_back({"9999", EndReason::no_answer});
  Recorder recorder;
  auto pbx = started(config, recorder);
  auto busy = pbx->make_call("137", "912125550000");
  auto unanswered = pbx->make_call("138", "912125559999");
  REQUIRE(busy);
  REQUIRE(unanswered);
  pbx->run_until_idle();
  CHECK(recorder.take() == Lines{"0 dialing sim-1 137", "0 dialing sim-2 138",
                                 "700 disconnected sim-1 137 busy",
                                 "700 disconnected sim-2 138 no_answer"});
}

TEST_CASE("make_call refuses bad input") {
  Recorder recorder;
  auto pbx = started(Config{}, recorder);
  for (const auto& row : {std::pair{"", "123"}, std::pair{"137", ""}, std::pair{"137", "12 34"},
                          std::pair{"137", "555-0100"}}) {
    CAPTURE(row.second);
    auto id = pbx->make_call(row.first, row.second);
    REQUIRE_FALSE(id);
    CHECK(id.error().code == cti::ErrorCode::invalid_input);
  }
  CHECK(pbx->make_call("137", std::string(65, '1')).error().code == cti::ErrorCode::invalid_input);
}

TEST_CASE("commands act on simulated calls; scripted steps that no longer fit are skipped") {
  Recorder recorder;
  auto pbx = started(scenario_config("inbound_ivr_hold.yaml"), recorder);
  pbx->advance(milliseconds(1000));
  CHECK(recorder.take() == Lines{"0 ringing call-1 137"});

  CHECK(pbx->hold("call-1").error().code == cti::ErrorCode::conflict);  // still ringing
  REQUIRE(pbx->answer("call-1"));
  CHECK(pbx->answer("call-1").error().code == cti::ErrorCode::conflict);
  REQUIRE(pbx->hold("call-1"));
  pbx->advance(milliseconds(0));
  CHECK(recorder.take() == Lines{"1000 connected call-1 137", "1000 held call-1 137"});
  CHECK(recorder.events.back().ivr_data == "Case.CaseNumber=1234");  // the call keeps its data

  REQUIRE(pbx->retrieve("call-1"));
  pbx->advance(milliseconds(500));
  CHECK(recorder.take() == Lines{"1000 retrieved call-1 137"});
  REQUIRE(pbx->hangup("call-1"));
  pbx->run_until_idle();
  // The script's connected (4000), held, retrieved and disconnected no longer fit.
  CHECK(recorder.take() == Lines{"1500 disconnected call-1 137 local_hangup"});
  CHECK(pbx->health().detail.find("4 scripted steps skipped") != std::string::npos);

  CHECK(pbx->hangup("call-1").error().code == cti::ErrorCode::not_found);
  CHECK(pbx->answer("no-such-call").error().code == cti::ErrorCode::not_found);
  const auto capabilities = pbx->capabilities();
  CHECK((capabilities.make_call && capabilities.answer && capabilities.hangup && capabilities.hold));
}

TEST_CASE("load mode: the configured rate, round-robin agents, complete calls") {
  Config config;
  config.scenario = load_only(50, 5.0, 7);
  Recorder recorder;
  auto pbx = started(config, recorder);
  pbx->advance(milliseconds(9999));
  std::vector<std::string> ringing_at;
  for (const auto& event : recorder.events) {
    if (event.type == CallEventType::ringing) {
      ringing_at.push_back(event.call_id + "@" +
                           std::to_string(std::chrono::duration_cast<milliseconds>(event.occurred_at - k_epoch).count()));
    }
  }
  REQUIRE(ringing_at.size() == 50);  // 5 per second for 10 s: one every 200 ms
  CHECK(ringing_at[0] == "load-1@0");
  CHECK(ringing_at[1] == "load-2@200");
  CHECK(ringing_at[49] == "load-50@9800");

  pbx->run_until_idle();
  std::map<std::string, std::vector<CallEventType>> by_call;
  for (const auto& event : recorder.events) {
    by_call[event.call_id].push_back(event.type);
    const auto n = std::stoul(event.call_id.substr(5));
    CHECK(event.extension == std::to_string(100 + (n - 1) % 3));
    CHECK(event.dnis == "8005550100");
  }
  CHECK(by_call.size() == 50);
  for (const auto& call : by_call) {
    CAPTURE(call.first);
    CHECK(call.second == std::vector{CallEventType::ringing, CallEventType::connected, CallEventType::disconnected});
  }
  CHECK(recorder.events.back().end_reason == EndReason::remote_hangup);
}

TEST_CASE("load mode is deterministic for a seed") {
  auto play = [](std::uint64_t seed) {
    Config config;
    config.scenario = load_only(40, 3.0, seed);
    Recorder recorder;
    auto pbx = started(config, recorder);
    pbx->run_until_idle();
    std::vector<std::string> out;
    for (const auto& event : recorder.events) {
      out.push_back(std::to_string((event.occurred_at - k_epoch).count()) + " " +
                    std::string(cti::to_string(event.type)) + " " + event.call_id + " " +
                    event.ani + " " + event.ivr_data);
    }
    return out;
  };
  const auto first = play(42);
  CHECK(first.size() == 120);
  CHECK(play(42) == first);
  CHECK(play(43) != first);

  // The draws vary: several ANIs and both IVR values are used.
  std::set<std::string> anis;
  for (const auto& line : first) {
    anis.insert(line.substr(0, line.find(' ', line.find("load-") + 1)));
  }
  CHECK(anis.size() > 1);
}

TEST_CASE("lifecycle: not started, started twice, stopped") {
  Recorder recorder;
  auto pbx = make_stepped_pbx(scenario_config("inbound_ivr_hold.yaml"), k_epoch);
  CHECK(pbx->make_call("137", "1234").error().code == cti::ErrorCode::unavailable);
  CHECK_FALSE(pbx->health().connected);
  REQUIRE(pbx->start(recorder.handler()));
  CHECK(pbx->health().connected);
  CHECK(pbx->start(recorder.handler()).error().code == cti::ErrorCode::conflict);
  pbx->advance(milliseconds(5000));
  CHECK(recorder.take().size() == 2);
  pbx->stop();
  pbx->advance(milliseconds(60000));
  CHECK(recorder.take().empty());
  CHECK_FALSE(pbx->health().connected);

  Config missing;
  missing.scenario_file = k_scenarios + "/no-such.yaml";
  auto broken = make_stepped_pbx(missing, k_epoch);
  auto result = broken->start(recorder.handler());
  REQUIRE_FALSE(result);
  CHECK(result.error().code == cti::ErrorCode::not_found);
}

TEST_CASE("the real-time connector delivers on its own thread and stops cleanly") {
  Config config;
  auto scenario = parse_scenario(
      "calls:\n  - {call_id: rt, extension: \"137\", steps: [{at: 0, event: ringing}, {at: 20, "
      "event: disconnected}]}\n",
      "rt.yaml");
  REQUIRE(scenario);
  config.scenario = *scenario;
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<CallEventType> types;
  auto pbx = make_pbx_connector(config);
  REQUIRE(pbx->start([&](const CallEvent& event) {
    std::lock_guard lock(mutex);
    types.push_back(event.type);
    arrived.notify_all();
  }));
  {
    std::unique_lock lock(mutex);
    // Generous bound: this waits for delivery, it does not time it.
    arrived.wait_for(lock, std::chrono::seconds(30), [&] { return types.size() >= 2; });
  }
  auto id = pbx->make_call("137", "5550000");
  CHECK(id);
  pbx->stop();
  std::lock_guard lock(mutex);
  REQUIRE(types.size() >= 2);
  CHECK(types[0] == CallEventType::ringing);
  CHECK(types[1] == CallEventType::disconnected);
}

TEST_CASE("parse_config: good and bad") {
  auto good = parse_config(YAML::Load(
      "scenario: s.yaml\nanswer_after_ms: 100\ntalk_time_ms: 0\nfail_after_ms: 5\n"
      "dial_failures: {\"0000\": busy, \"13\": failed}\ncall_id_prefix: out-\n"));
  REQUIRE_MESSAGE(good, (good ? "" : good.error().message));
  CHECK(good->scenario_file == "s.yaml");
  CHECK(good->answer_after == milliseconds(100));
  CHECK(good->talk_time == milliseconds(0));
  REQUIRE(good->dial_failures.size() == 2);
  CHECK(good->dial_failures[1].suffix == "13");
  CHECK(good->dial_failures[1].end_reason == EndReason::failed);
  CHECK(good->call_id_prefix == "out-");

  auto defaults = parse_config(YAML::Node());
  REQUIRE(defaults);
  CHECK(defaults->answer_after == milliseconds(3000));

  struct Row {
    const char* yaml;
    const char* expected;
  };
  const Row rows[] = {
      {"answer_after_ms: soon", "config:1:18: pbx-sim.answer_after_ms: must be a whole number"},
      {"talk_time_ms: -1", "pbx-sim.talk_time_ms"},
      {"dial_failures: {\"0000\": remote_hangup}", "pbx-sim.dial_failures.0000: must be busy"},
      {"dial_failures: [busy]", "pbx-sim.dial_failures: must be a map"},
      {"scenery: x.yaml", "config:1:1: pbx-sim.scenery: unknown key"},
      {"- 1", "pbx-sim: must be a map"},
      {"call_id_prefix: \"sim \"", "pbx-sim.call_id_prefix: printable characters only"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.yaml);
    auto config = parse_config(YAML::Load(row.yaml));
    REQUIRE_FALSE(config);
    CHECK_MESSAGE(config.error().message.find(row.expected) != std::string::npos,
                  config.error().message);
  }
}
