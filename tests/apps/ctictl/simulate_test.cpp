#include "run_command.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

// This file sits in tests/apps/ctictl; the example scenarios are in examples/scenarios.
const std::string k_scenarios =
    (std::filesystem::path(__FILE__).parent_path() / "../../../examples/scenarios").lexically_normal().string();

using ctictl_test::contains;
using ctictl_test::Run;

Run run(const std::vector<std::string>& args) { return ctictl_test::run_command(ctictl::run_simulate, args); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

}  // namespace

TEST_CASE("ctictl simulate --scenario prints every event at once") {
  auto result = run({"--scenario", k_scenarios + "/inbound_ivr_hold.yaml"});
  REQUIRE_MESSAGE(result.code == 0, result.err);
  CHECK(result.err.empty());
  const std::string call = " call-1 ext=137 ani=+12128425500 dnis=8005550100 inbound ivr=\"Case.CaseNumber=1234\"";
  CHECK(lines_of(result.out) == std::vector<std::string>{
                                    "+0.000s ringing" + call,
                                    "+4.000s connected" + call,
                                    "+10.000s held" + call,
                                    "+25.000s retrieved" + call,
                                    "+40.000s disconnected" + call + " reason=remote_hangup",
                                });
}

TEST_CASE("ctictl simulate --json prints the webhook wire format, one event per line") {
  auto result = run({"--scenario", k_scenarios + "/transfer.yaml", "--json"});
  REQUIRE(result.code == 0);
  const auto lines = lines_of(result.out);
  REQUIRE(lines.size() == 6);
  CHECK(lines[0].rfind(R"({"event":"ringing","call_id":"call-3","extension":"137","ani":"+1 415 555 0143",)"
                       R"("dnis":"8005550100","direction":"inbound","ivr_data":"Account.AccountNumber=CD355119",)"
                       R"("occurred_at":")",
                       0) == 0);
  CHECK(contains(lines[2], R"("event":"transferred")"));
  CHECK(contains(lines[2], R"("transfer_target":"138")"));
  CHECK(contains(lines[5], R"("end_reason":"remote_hangup")"));
}

TEST_CASE("ctictl simulate --agent builds one call from the options") {
  auto result = run({"--agent", "137", "--ani", "+12128425500", "--ivr", "Case.CaseNumber=1234",
                     "--answer-after", "2000", "--hold", "--hangup-after", "11000"});
  REQUIRE_MESSAGE(result.code == 0, result.err);
  const std::string call = " call-1 ext=137 ani=+12128425500 inbound ivr=\"Case.CaseNumber=1234\"";
  CHECK(lines_of(result.out) == std::vector<std::string>{
                                    "+0.000s ringing" + call,
                                    "+2.000s connected" + call,
                                    "+5.000s held" + call,
                                    "+8.000s retrieved" + call,
                                    "+11.000s disconnected" + call + " reason=remote_hangup",
                                });

  auto unanswered = run({"--agent", "138", "--no-answer", "--hangup-after", "9000", "--call-id", "x-1"});
  REQUIRE(unanswered.code == 0);
  CHECK(lines_of(unanswered.out) == std::vector<std::string>{
                                        "+0.000s ringing x-1 ext=138 inbound",
                                        "+9.000s disconnected x-1 ext=138 inbound reason=no_answer",
                                    });
}

TEST_CASE("ctictl simulate plays generated load up to --until") {
  auto result = run({"--scenario", k_scenarios + "/load_agents.yaml", "--until", "999"});
  REQUIRE(result.code == 0);
  const auto lines = lines_of(result.out);
  REQUIRE(lines.size() == 5);  // 5 calls per second: rings at 0, 200, 400, 600, 800 ms
  CHECK(lines[0].rfind("+0.000s ringing load-1 ext=100 ", 0) == 0);
  CHECK(lines[4].rfind("+0.800s ringing load-5 ext=104 ", 0) == 0);
  // Same seed, same output.
  CHECK(run({"--scenario", k_scenarios + "/load_agents.yaml", "--until", "999"}).out == result.out);
}

TEST_CASE("ctictl simulate: usage errors exit 2 with ctictl: error:") {
  const auto bad = (std::filesystem::temp_directory_path() / "cti_simulate_bad.yaml").string();
  std::ofstream(bad) << "calls:\n  - extension: \"137\"\n    steps:\n      - {at: 0, event: rining}\n";
  const auto endless = (std::filesystem::temp_directory_path() / "cti_simulate_endless.yaml").string();
  std::ofstream(endless) << "load: {calls_per_second: 1, extensions: [\"1\"], anis: [\"2\"]}\n";
  const auto short_secret = (std::filesystem::temp_directory_path() / "cti_simulate_secret.txt").string();
  std::ofstream(short_secret) << "short\n";
  const std::string file = k_scenarios + "/inbound_ivr_hold.yaml";
  ::unsetenv("CTI_SIMULATE_TEST_UNSET");

  struct Row {
    std::vector<std::string> args;
    std::string reason;
  };
  const Row rows[] = {
      {{}, "give either --scenario FILE or --agent EXT"},
      {{"--scenario", file, "--agent", "137"}, "give either --scenario FILE or --agent EXT"},
      {{"--scenario", file, "--hold"}, "--hold describes a single call"},
      {{"--scenario", "/no/such/scenario.yaml"}, "cannot read scenario file '/no/such/scenario.yaml'"},
      {{"--scenario", bad}, "cti_simulate_bad.yaml:4:24: calls[0].steps[0].event: unknown call event type"},
      {{"--scenario", endless}, "give --until MS"},
      {{"--agent", "137", "--answer-after", "soon"}, "--answer-after must be milliseconds, got 'soon'"},
      {{"--agent", "137", "--answer-after", "5000", "--hangup-after", "4000"}, "--hangup-after must be later"},
      {{"--agent", "137", "--no-answer", "--hold"}, "--no-answer cannot be combined"},
      {{"--agent", "137 138"}, "calls[0].extension: spaces and control characters are not allowed"},
      {{"--agent", "137", "--ani", std::string(65, '5')}, "ani: longer than 64 characters"},
      {{"--agent", "137", "--insecure"}, "--insecure only applies with --url"},
      {{"--agent", "137", "--url", "http://127.0.0.1:9/pbx/v1/events"}, "--url needs one of --secret-file or --secret-env"},
      {{"--agent", "137", "--url", "http://127.0.0.1:9/x", "--secret-file", "/no/such/secret"}, "cannot read the secret file"},
      {{"--agent", "137", "--url", "http://127.0.0.1:9/x", "--secret-env", "CTI_SIMULATE_TEST_UNSET"}, "CTI_SIMULATE_TEST_UNSET is not set"},
      {{"--agent", "137", "--url", "http://127.0.0.1:9/x", "--secret-file", short_secret}, "at least 16 bytes"},
      {{"--agent", "137", "--bogus"}, "unknown option '--bogus'"},
      {{"--agent", "137", "extra"}, "unexpected argument 'extra'"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.reason);
    auto result = run(row.args);
    CHECK(result.code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.rfind("ctictl: error: ", 0) == 0);
    CHECK_MESSAGE(contains(result.err, row.reason), result.err);
  }
  std::filesystem::remove(bad);
  std::filesystem::remove(endless);
  std::filesystem::remove(short_secret);
}

TEST_CASE("ctictl simulate --help") {
  auto result = run({"--help"});
  CHECK(result.code == 0);
  CHECK(contains(result.out, "usage: ctictl simulate"));
  CHECK(contains(result.out, "--secret-file FILE"));
}
