// ctictl sf ping and ctictl match --config against the Salesforce emulator over TLS.

#include "run_command.hpp"

#include "emulator_fixture.hpp"
#include "test_keys.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

using ctictl_test::contains;
constexpr auto run = ctictl_test::run_command;

/// A config file for the emulator, removed when the test ends.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) {
    std::string pattern = (std::filesystem::temp_directory_path() / "cti-ctictl-sf-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    m_dir = pattern;
    std::ofstream(path()) << text;
  }
  ~ConfigFile() {
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
  }
  std::string path() const { return m_dir + "/config.yaml"; }

 private:
  std::string m_dir;
};

std::string config_for(const std::string& url, const std::string& secret = org::client_secret) {
  return "# sfproxy settings ctictl ignores\nserver: {listen: \"127.0.0.1:0\"}\n"
         "salesforce:\n"
         "  instance_url: " + url + "\n"
         "  call_deadline_ms: 5000\n"
         "  auth:\n"
         "    method: client_credentials\n"
         "    client_id: " + std::string(org::client_id) + "\n"
         "    client_secret: " + secret + "\n"
         "  tls:\n"
         "    ca_file: " + test_keys().tls_cert_file + "\n";
}

}  // namespace

TEST_CASE("ctictl sf ping: API version, usage and round trip") {
  EmulatorFixture fixture;
  ConfigFile config(config_for(fixture.base_url()));
  auto text = run(ctictl::run_sf, {"ping", "--config", config.path()});
  REQUIRE_MESSAGE(text.code == 0, text.err);
  CHECK(contains(text.out, "api version: 59.0"));
  CHECK(contains(text.out, "api usage: 1/15000"));
  CHECK(contains(text.out, "round trip: "));

  auto json = run(ctictl::run_sf, {"ping", "--config", config.path(), "--json"});
  REQUIRE(json.code == 0);
  CHECK(contains(json.out, R"("api_version":"59.0")"));
  CHECK(contains(json.out, R"("limit":15000)"));
  CHECK(contains(json.out, R"("api_requests":1)"));
}

TEST_CASE("ctictl sf ping: refused credentials exit 1 without printing the secret") {
  EmulatorFixture fixture;
  ConfigFile config(config_for(fixture.base_url(), "wrong-secret-value"));
  auto result = run(ctictl::run_sf, {"ping", "--config", config.path()});
  CHECK(result.code == 1);
  CHECK(result.out.empty());
  CHECK(contains(result.err, "ctictl: error: salesforce: "));
  CHECK(contains(result.err, "invalid_client"));
  CHECK_FALSE(contains(result.err, "wrong-secret-value"));
}

TEST_CASE("ctictl sf: usage and configuration errors exit 2") {
  CHECK(run(ctictl::run_sf, {}).code == 2);
  CHECK(run(ctictl::run_sf, {"pong"}).code == 2);
  CHECK(run(ctictl::run_sf, {"ping"}).code == 2);
  CHECK(run(ctictl::run_sf, {"--help"}).code == 0);
  CHECK(contains(run(ctictl::run_sf, {"ping", "--help"}).out, "--config FILE"));

  auto missing = run(ctictl::run_sf, {"ping", "--config", "/nonexistent/cti.yaml"});
  CHECK(missing.code == 2);
  CHECK(contains(missing.err, "/nonexistent/cti.yaml: cannot read the file"));

  ConfigFile no_section("server: {listen: \"127.0.0.1:0\"}\n");
  auto section = run(ctictl::run_sf, {"ping", "--config", no_section.path()});
  CHECK(section.code == 2);
  CHECK(contains(section.err, "no salesforce: section"));

  ConfigFile bad_key(config_for("https://127.0.0.1:9") + "  retries: lots\n");
  auto key = run(ctictl::run_sf, {"ping", "--config", bad_key.path()});
  CHECK(key.code == 2);
  CHECK(contains(key.err, "salesforce.retries"));
}

TEST_CASE("ctictl match --config: the padded case with one API request") {
  EmulatorFixture fixture;
  ConfigFile config(config_for(fixture.base_url()));
  auto text = run(ctictl::run_match, {"--config", config.path(), "--ivr", "Case.CaseNumber=1234",
                                      "--ani", "(212) 842-5500"});
  REQUIRE_MESSAGE(text.code == 0, text.err);
  CHECK(contains(text.out, "caller id: external +12128425500"));
  CHECK(contains(text.out, "CaseNumber = '00001234'"));
  CHECK(contains(text.out, "pop: record (matched by ivr, step 1)"));
  CHECK(contains(text.out, " 00001234\n"));
  CHECK(contains(text.out, "not run: an IVR step found the record"));
  CHECK(contains(text.out, "api requests: 1 (token requests: 1)"));
  CHECK(fixture.emulator().counters().api_requests == 1);

  auto json = run(ctictl::run_match, {"--config", config.path(), "--ani", "(212) 842-5500", "--json"});
  REQUIRE(json.code == 0);
  CHECK(contains(json.out, R"("name":"Ada Lovelace")"));
  CHECK(contains(json.out, R"("kind":"record","matched_by":"caller_id")"));
  CHECK(contains(json.out, R"("api_requests":1)"));
}

TEST_CASE("ctictl match --config: Salesforce failures exit 1, bad config exits 2") {
  std::string url;
  {
    EmulatorFixture fixture;
    url = fixture.base_url();
  }  // stopped: nothing listens there any more
  ConfigFile config(config_for(url));
  auto down = run(ctictl::run_match, {"--config", config.path(), "--ani", "2128425500"});
  CHECK(down.code == 1);
  CHECK(contains(down.err, "ctictl: error: salesforce: "));

  ConfigFile broken("salesforce:\n  instance_url: http://insecure.example\n");
  auto bad = run(ctictl::run_match, {"--config", broken.path(), "--ani", "2128425500"});
  CHECK(bad.code == 2);
  CHECK(contains(bad.err, "salesforce.instance_url"));

  // --plan still needs no network and no config.
  auto plan = run(ctictl::run_match, {"--plan", "--ani", "2128425500", "--config", "/nonexistent"});
  CHECK(plan.code == 0);
}
