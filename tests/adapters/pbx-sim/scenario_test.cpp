#include "cti/adapters/pbx_sim/scenario.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace cti::adapters::pbx_sim;
using std::chrono::milliseconds;

namespace {

const std::string k_scenarios = CTI_SCENARIO_DIR;

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("inbound_ivr_hold.yaml is the shared contract call") {
  auto scenario = load_scenario_file(k_scenarios + "/inbound_ivr_hold.yaml");
  REQUIRE_MESSAGE(scenario, (scenario ? "" : scenario.error().message));
  REQUIRE(scenario->steps.size() == 5);
  CHECK_FALSE(scenario->load.has_value());
  const cti::CallEventType types[] = {cti::CallEventType::ringing, cti::CallEventType::connected,
                                      cti::CallEventType::held, cti::CallEventType::retrieved,
                                      cti::CallEventType::disconnected};
  for (std::size_t i = 0; i < 5; ++i) {
    const auto& event = scenario->steps[i].event;
    CAPTURE(i);
    CHECK(event.type == types[i]);
    CHECK(event.call_id == "call-1");
    CHECK(event.extension == "137");
    CHECK(event.ani == "+12128425500");
    CHECK(event.dnis == "8005550100");
    CHECK(event.ivr_data == "Case.CaseNumber=1234");
    CHECK(event.direction == cti::CallDirection::inbound);
    CHECK(event.end_reason == (i == 4 ? cti::EndReason::remote_hangup : cti::EndReason::none));
  }
  CHECK(scenario->steps[0].at == milliseconds(0));
  CHECK(scenario->steps[1].at == milliseconds(4000));
}

TEST_CASE("every example scenario parses") {
  for (const char* name : {"inbound_ivr_hold.yaml", "unanswered.yaml", "transfer.yaml",
                           "outbound.yaml", "load_agents.yaml"}) {
    CAPTURE(name);
    auto scenario = load_scenario_file(k_scenarios + "/" + name);
    CHECK_MESSAGE(scenario, (scenario ? "" : scenario.error().message));
  }
}

TEST_CASE("steps of several calls are merged in time order, ties in file order") {
  auto scenario = parse_scenario(R"(
calls:
  - call_id: a
    extension: "137"
    steps:
      - {at: 0, event: ringing}
      - {at: 500, event: disconnected}
  - call_id: b
    extension: "138"
    steps:
      - {at: 0, event: ringing}
      - {at: 200, event: transferred, transfer_target: "139", ani: "555-0100"}
)",
                                 "merge.yaml");
  REQUIRE_MESSAGE(scenario, (scenario ? "" : scenario.error().message));
  REQUIRE(scenario->steps.size() == 4);
  CHECK(scenario->steps[0].event.call_id == "a");
  CHECK(scenario->steps[1].event.call_id == "b");
  CHECK(scenario->steps[2].event.type == cti::CallEventType::transferred);
  CHECK(scenario->steps[2].event.transfer_target == "139");
  CHECK(scenario->steps[2].event.ani == "555-0100");  // a step overrides a call field
  CHECK(scenario->steps[3].event.end_reason == cti::EndReason::none);
}

TEST_CASE("the load profile: range, ANI file, durations") {
  auto scenario = load_scenario_file(k_scenarios + "/load_agents.yaml");
  REQUIRE_MESSAGE(scenario, (scenario ? "" : scenario.error().message));
  REQUIRE(scenario->load);
  const LoadProfile& load = *scenario->load;
  CHECK(load.calls_per_second == 5.0);
  CHECK(load.calls == 300);
  REQUIRE(load.extensions.size() == 50);
  CHECK(load.extensions.front() == "100");
  CHECK(load.extensions.back() == "149");
  CHECK(load.anis.size() == 13);
  CHECK(load.anis.front() == "(415) 555-0143");
  CHECK(load.ring.min == milliseconds(1000));
  CHECK(load.ring.max == milliseconds(4000));
  CHECK(load.seed == 42);

  auto padded = parse_scenario("load: {calls_per_second: 1, extensions: \"0098-0101\", anis: [\"1\"]}",
                               "padded.yaml");
  REQUIRE(padded);
  CHECK(padded->load->extensions == std::vector<std::string>{"0098", "0099", "0100", "0101"});
}

TEST_CASE("bad scenarios: each error names the file, line, column and key") {
  struct Row {
    std::string yaml;
    const char* expected;
  };
  const char* head = "calls:\n  - call_id: c\n    extension: \"137\"\n    steps:\n";
  const std::string h(head);
  const Row rows[] = {
      {"calls: [", "bad.yaml:1:1: not valid YAML"},
      {"", "bad.yaml: the scenario is empty"},
      {"- just a list", "bad.yaml:1:1: scenario: must be a map"},
      {"colls: []", "bad.yaml:1:1: colls: unknown key"},
      {"calls: {}", "calls: must be a list"},
      {"calls:\n  - call_id: c\n    extension: \"137\"\n", "calls[0].steps: needs a non-empty list"},
      {"calls:\n  - extension: \"137\"\n    colour: red\n    steps: [{at: 0, event: ringing}]\n",
       "bad.yaml:3:5: calls[0].colour: unknown key"},
      {h + "      - {at: 0, event: rining}\n",
       "bad.yaml:5:24: calls[0].steps[0].event: unknown call event type \"rining\""},
      {h + "      - {event: ringing}\n", "bad.yaml:5:9: calls[0].steps[0].at: missing"},
      {h + "      - {at: -5, event: ringing}\n",
       "bad.yaml:5:14: calls[0].steps[0].at: must be a whole number, got '-5'"},
      {h + "      - {at: soon, event: ringing}\n", "steps[0].at: must be a whole number"},
      {h + "      - {at: 100, event: ringing}\n      - {at: 50, event: connected}\n",
       "bad.yaml:6:9: calls[0].steps[1].at: steps of a call must be in time order"},
      {h + "      - {at: 0, event: ringing}\n      - {at: 50, event: held}\n",
       "bad.yaml:6:25: calls[0].steps[1].event: held cannot follow ringing"},
      {h + "      - {at: 0, event: connected}\n",
       "connected cannot follow the start of a call"},
      {h + "      - {at: 0, event: ringing}\n      - {at: 9, event: disconnected}\n"
            "      - {at: 10, event: connected}\n",
       "connected cannot follow disconnected"},
      {h + "      - {at: 0, event: ringing, end_reason: busy}\n",
       "steps[0].end_reason: only a disconnected step has one"},
      {h + "      - {at: 0, event: ringing}\n      - {at: 1, event: disconnected, end_reason: bored}\n",
       "bad.yaml:6:50: calls[0].steps[1].end_reason: unknown end reason \"bored\""},
      {h + "      - {at: 0, event: ringing}\n      - {at: 1, event: transferred}\n",
       "steps[1].transfer_target: a transferred step needs one"},
      {h + "      - {at: 0, event: ringing, direction: sideways}\n",
       "steps[0].direction: unknown call direction"},
      {h + "      - {at: 0, event: ringing, ani: \"" + std::string(65, '5') + "\"}\n",
       "steps[0].ani: longer than 64 characters"},
      {h + "      - {at: 0, event: ringing, at: 5}\n", "steps[0].at: given twice"},
      {"calls:\n  - call_id: c\n    steps: [{at: 0, event: ringing}]\n",
       "calls[0].steps[0].extension: missing"},
      {"calls:\n  - {call_id: c, extension: \"1\", steps: [{at: 0, event: ringing}]}\n"
       "  - {call_id: c, extension: \"2\", steps: [{at: 0, event: ringing}]}\n",
       "bad.yaml:3:5: calls[1].call_id: call id 'c' is used twice"},
      {"calls:\n  - {call_id: \"a b\", extension: \"1\", steps: [{at: 0, event: ringing}]}\n",
       "calls[0].call_id: must be 1 to 128 printable characters"},
      {"load: {extensions: [\"137\"], anis: [\"1\"]}", "load.calls_per_second: missing"},
      {"load: {calls_per_second: 0, extensions: [\"137\"], anis: [\"1\"]}",
       "bad.yaml:1:26: load.calls_per_second: is out of range"},
      {"load: {calls_per_second: 1, extensions: \"149-100\", anis: [\"1\"]}",
       "load.extensions: range must go up"},
      {"load: {calls_per_second: 1, extensions: \"lots\", anis: [\"1\"]}",
       "load.extensions: must be a list or a range"},
      {"load: {calls_per_second: 1, extensions: [\"137\"]}", "load.anis: missing or empty"},
      {"load: {calls_per_second: 1, extensions: [\"137\"], ani_file: no-such-file.txt}",
       "load.ani_file: cannot read number list"},
      {"load: {calls_per_second: 1, extensions: [\"137\"], anis: [\"1\"], ring_ms: {min: 5, max: 1}}",
       "load.ring_ms: needs min and max with min <= max"},
      {"load: {calls_per_second: 1, extensions: [\"137\"], anis: [\"1\"], speed: 3}",
       "load.speed: unknown key"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.yaml);
    auto scenario = parse_scenario(row.yaml, "bad.yaml");
    REQUIRE_FALSE(scenario);
    CHECK(scenario.error().code == cti::ErrorCode::invalid_input);
    CHECK_MESSAGE(contains(scenario.error().message, row.expected), scenario.error().message);
  }
}

TEST_CASE("a missing scenario file is not_found") {
  auto scenario = load_scenario_file(k_scenarios + "/no-such-scenario.yaml");
  REQUIRE_FALSE(scenario);
  CHECK(scenario.error().code == cti::ErrorCode::not_found);
}

TEST_CASE("number lists skip blank lines and comments and refuse control characters") {
  const auto dir = std::filesystem::temp_directory_path();
  const auto good = (dir / "cti_pbx_sim_numbers_good.txt").string();
  const auto bad = (dir / "cti_pbx_sim_numbers_bad.txt").string();
  std::ofstream(good) << "# fictional\n\n  (415) 555-0143  \r\n4155550101\n";
  std::ofstream(bad) << "4155550101\n415\x01" "5550102\n";
  auto numbers = load_number_list(good);
  REQUIRE(numbers);
  CHECK(*numbers == std::vector<std::string>{"(415) 555-0143", "4155550101"});
  auto refused = load_number_list(bad);
  REQUIRE_FALSE(refused);
  CHECK(contains(refused.error().message, "cti_pbx_sim_numbers_bad.txt:2:"));
  std::filesystem::remove(good);
  std::filesystem::remove(bad);
}
