// parse_config: every key, and every error names the key it is about.
#include "cti/adapters/asterisk_ami/asterisk_ami_adapter.hpp"

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace cti::adapters::asterisk_ami {
namespace {

Result<Config> parse(const std::string& yaml) {
  return parse_config(YAML::Load(yaml));
}

}  // namespace

TEST_CASE("parse_config: the smallest section takes the defaults") {
  const Result<Config> config = parse("username: cti\nsecret: s3cret\n");
  REQUIRE(config);
  CHECK(config->host == "127.0.0.1");
  CHECK(config->port == 5038);
  CHECK(config->secret == "s3cret");
  CHECK(config->agent_extensions.empty());
  CHECK(config->ivr_variable == "CTI_IVR_DATA");
  CHECK(config->ivr_user_event.empty());
  CHECK(config->originate_channel == "PJSIP/{extension}");
  CHECK(config->originate_context == "from-internal");
  CHECK(config->ping_interval == std::chrono::milliseconds(15000));
  CHECK(config->reconnect_backoff_min == std::chrono::milliseconds(500));
  CHECK(config->reconnect_backoff_max == std::chrono::milliseconds(30000));
}

TEST_CASE("parse_config: every key") {
  const Result<Config> config = parse(R"(
host: pbx.example.net
port: 5039
username: cti
secret: s3cret
agent_extensions: [137, 138, "alice"]
channel_pattern: '^PJSIP/([a-z0-9]+)-[0-9a-f]+$'
ivr_variable: IVR_TAG
ivr_user_event: CtiIvrData
originate_channel: 'SIP/{extension}'
originate_context: click-to-dial
originate_caller_id: '"CRM" <{digits}>'
originate_timeout_ms: 20000
ping_interval_ms: 10000
connect_timeout_ms: 3000
action_timeout_ms: 4000
reconnect_backoff_min_ms: 250
reconnect_backoff_max_ms: 60000
)");
  REQUIRE_MESSAGE(config, (config ? "" : config.error().message));
  CHECK(config->host == "pbx.example.net");
  CHECK(config->port == 5039);
  CHECK(config->agent_extensions == std::vector<std::string>{"137", "138", "alice"});
  CHECK(config->channel_pattern == "^PJSIP/([a-z0-9]+)-[0-9a-f]+$");
  CHECK(config->ivr_variable == "IVR_TAG");
  CHECK(config->ivr_user_event == "CtiIvrData");
  CHECK(config->originate_channel == "SIP/{extension}");
  CHECK(config->originate_context == "click-to-dial");
  CHECK(config->originate_caller_id == "\"CRM\" <{digits}>");
  CHECK(config->originate_timeout == std::chrono::milliseconds(20000));
  CHECK(config->ping_interval == std::chrono::milliseconds(10000));
  CHECK(config->connect_timeout == std::chrono::milliseconds(3000));
  CHECK(config->action_timeout == std::chrono::milliseconds(4000));
  CHECK(config->reconnect_backoff_min == std::chrono::milliseconds(250));
  CHECK(config->reconnect_backoff_max == std::chrono::milliseconds(60000));
}

TEST_CASE("parse_config: the secret from a file or the environment") {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("cti_ami_secret_" + std::to_string(::getpid()));
  {
    std::ofstream out(file);
    out << "from-file\r\nsecond line ignored\n";
  }
  const Result<Config> from_file = parse("username: cti\nsecret_file: " + file.string() + "\n");
  REQUIRE_MESSAGE(from_file, (from_file ? "" : from_file.error().message));
  CHECK(from_file->secret_file == file.string());
  std::filesystem::remove(file);

  ::setenv("CTI_AMI_TEST_SECRET", "from-env", 1);
  const Result<Config> from_env = parse("username: cti\nsecret_env: CTI_AMI_TEST_SECRET\n");
  CHECK(from_env);
  ::unsetenv("CTI_AMI_TEST_SECRET");
}

TEST_CASE("parse_config: errors name the key") {
  struct Case {
    const char* name;
    std::string yaml;
    std::string key;
  };
  const std::string base = "username: cti\nsecret: s3cret\n";
  const std::vector<Case> cases = {
      {"not a mapping", "[1, 2]", "asterisk-ami"},
      {"unknown key", base + "hots: pbx\n", "hots"},
      {"port out of range", base + "port: 70000\n", "port"},
      {"port not a number", base + "port: fifty\n", "port"},
      {"port is a list", base + "port: [1]\n", "port"},
      {"username missing", "secret: s3cret\n", "username"},
      {"username empty", "username: ''\nsecret: s3cret\n", "username"},
      {"no secret", "username: cti\n", "secret"},
      {"two secrets", base + "secret_env: HOME\n", "secret"},
      {"secret file missing", "username: cti\nsecret_file: /nonexistent/cti/secret\n", "secret_file"},
      {"secret env unset", "username: cti\nsecret_env: CTI_AMI_TEST_UNSET_VARIABLE\n", "secret_env"},
      {"multi-line secret", "username: cti\nsecret: \"a\\r\\nAction: Logoff\"\n", "secret"},
      {"bad extension", base + "agent_extensions: ['13 7']\n", "agent_extensions"},
      {"extensions not a list", base + "agent_extensions: 137\n", "agent_extensions"},
      {"pattern does not compile", base + "channel_pattern: '(['\n", "channel_pattern"},
      {"pattern without a group", base + "channel_pattern: '^PJSIP/.*$'\n", "channel_pattern"},
      {"bad IVR variable", base + "ivr_variable: 'A B'\n", "ivr_variable"},
      {"bad user event", base + "ivr_user_event: 'a,b'\n", "ivr_user_event"},
      {"originate channel without placeholder", base + "originate_channel: PJSIP/137\n",
       "originate_channel"},
      {"bad context", base + "originate_context: 'a b'\n", "originate_context"},
      {"zero duration", base + "ping_interval_ms: 0\n", "ping_interval_ms"},
      {"negative duration", base + "connect_timeout_ms: -5\n", "connect_timeout_ms"},
      {"duration with a unit", base + "action_timeout_ms: 5s\n", "action_timeout_ms"},
      {"backoff max below min",
       base + "reconnect_backoff_min_ms: 1000\nreconnect_backoff_max_ms: 10\n",
       "reconnect_backoff_max_ms"},
      {"host with a space", base + "host: 'pbx host'\n", "host"},
  };
  for (const Case& c : cases) {
    SUBCASE(c.name) {
      const Result<Config> config = parse(c.yaml);
      REQUIRE_FALSE(config);
      CHECK(config.error().code == ErrorCode::invalid_input);
      CAPTURE(config.error().message);
      CHECK(config.error().message.find(c.key) != std::string::npos);
      CHECK(config.error().message.find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("the example configuration parses") {
  YAML::Node section = YAML::LoadFile(std::string(CTI_AMI_EXAMPLE_DIR) + "/asterisk-ami.yaml")["asterisk-ami"];
  REQUIRE(section.IsMap());
  // The example points at a file on a PBX host; use a file that exists here.
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("cti_ami_example_" + std::to_string(::getpid()));
  {
    std::ofstream out(file);
    out << "s3cret\n";
  }
  section["secret_file"] = file.string();
  const Result<Config> config = parse_config(section);
  std::filesystem::remove(file);
  REQUIRE_MESSAGE(config, (config ? "" : config.error().message));
  CHECK(config->username == "cti");
  CHECK(config->agent_extensions == std::vector<std::string>{"137", "138"});
  CHECK(config->ivr_user_event == "CtiIvrData");
  const Config defaults;
  CHECK(config->channel_pattern == defaults.channel_pattern);
  CHECK(config->ping_interval == defaults.ping_interval);
}

TEST_CASE("validate checks a Config built in code") {
  Config config;
  config.username = "cti";
  config.secret = "s3cret";
  CHECK(validate(config));
  config.originate_channel = "PJSIP/137";
  const Result<void> bad = validate(config);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("originate_channel") != std::string::npos);
}

}  // namespace cti::adapters::asterisk_ami
