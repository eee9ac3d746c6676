#include "sfproxy_config.hpp"

#include "support/test_tls.hpp"

#include <doctest/doctest.h>

namespace {

cti::Result<sfproxy::SfproxyConfig> load(const cti::testing::TempDir& dir, const std::string& yaml) {
  return sfproxy::load_config(dir.write_file("sfproxy.yaml", yaml));
}

constexpr const char* k_minimal = R"(server:
  listen: "127.0.0.1:0"
  development_plain_http: true
database: agents.db
pbx:
  adapter: pbx-sim
)";

}  // namespace

TEST_CASE("config: the development example loads") {
  auto config = sfproxy::load_config(std::string(CTI_SOURCE_DIR) + "/examples/config/sfproxy.dev.yaml");
  REQUIRE_MESSAGE(config, (config ? "" : config.error().message));
  CHECK(config->pbx_adapter == "pbx-sim");
  CHECK_FALSE(config->server.tls_enabled);
  CHECK(config->licence_seats == std::optional<std::size_t>(5));
  CHECK(config->make_pbx);
}

TEST_CASE("config: defaults, relative paths, absent sections") {
  cti::testing::TempDir dir;
  auto config = load(dir, k_minimal);
  REQUIRE_MESSAGE(config, (config ? "" : config.error().message));
  CHECK(config->database_path == dir.path() + "/agents.db");
  CHECK_FALSE(config->licence_seats.has_value());  // the recorded seat count applies
  CHECK(config->proxy.match_mode == sfproxy::MatchMode::agent);
  CHECK(config->server.port == 0);
  CHECK(config->frame_ancestors == sfproxy::default_frame_ancestors());
}

TEST_CASE("config: every problem is reported with its line and column") {
  cti::testing::TempDir dir;
  auto config = load(dir, std::string(k_minimal) + R"(matching:
  mode: psychic
  ivr_match: fuzzy
  colour: blue
dialing:
  country_code: "1234"
)");
  REQUIRE_FALSE(config);
  const std::string& message = config.error().message;
  CAPTURE(message);
  CHECK(message.find("sfproxy.yaml:8:9: matching.mode: match mode must be server or agent") != std::string::npos);
  CHECK(message.find("sfproxy.yaml:9:14: matching.ivr_match:") != std::string::npos);
  CHECK(message.find("sfproxy.yaml:10:3: matching.colour: unknown key") != std::string::npos);
  CHECK(message.find("dialing") != std::string::npos);
}

TEST_CASE("config: HTTPS needs a certificate; server mode needs Salesforce; unknown adapter") {
  cti::testing::TempDir dir;
  auto no_cert = load(dir, "server: {listen: \"127.0.0.1:8443\"}\ndatabase: a.db\npbx: {adapter: pbx-sim}\n");
  REQUIRE_FALSE(no_cert);
  CHECK(no_cert.error().message.find("certificate and private_key are required") != std::string::npos);

  auto no_salesforce = load(dir, std::string(k_minimal) + "matching: {mode: server}\n");
  REQUIRE_FALSE(no_salesforce);
  CHECK(no_salesforce.error().message.find("server needs a salesforce: section") != std::string::npos);

  auto bad_adapter = load(dir, "server: {listen: \"127.0.0.1:1\", development_plain_http: true}\n"
                               "database: a.db\npbx: {adapter: avaya}\n");
  REQUIRE_FALSE(bad_adapter);
  CHECK(bad_adapter.error().message.find("must be one of pbx-sim, webhook, asterisk-ami") != std::string::npos);

  auto not_yaml = load(dir, "server: [unclosed\n");
  REQUIRE_FALSE(not_yaml);
  CHECK(not_yaml.error().message.find("sfproxy.yaml:") != std::string::npos);
}

TEST_CASE("config: the callcenter section has defaults and is read when present") {
  cti::testing::TempDir dir;
  auto defaults = load(dir, k_minimal);
  REQUIRE_MESSAGE(defaults, (defaults ? "" : defaults.error().message));
  CHECK(defaults->call_center.internal_name == "MaxCSCallCenter");
  CHECK(defaults->call_center.display_name == "MaxCS Call Center");
  CHECK(defaults->call_center.adapter_url.empty());
  CHECK(defaults->call_center.softphone_height == 550);
  CHECK(defaults->call_center.softphone_width == 400);
  CHECK(defaults->call_center.standby_url.empty());

  auto set = load(dir, std::string(k_minimal) + R"(callcenter:
  internal_name: Acme2
  display_name: "Acme & Co"
  adapter_url: http://localhost:8443/softphone/
  softphone_height: 240
  softphone_width: 1920
  standby_url: https://backup.example.com:8443/
  standby_timeout_ms: 5000
)");
  REQUIRE_MESSAGE(set, (set ? "" : set.error().message));
  CHECK(set->call_center.internal_name == "Acme2");
  CHECK(set->call_center.display_name == "Acme & Co");
  CHECK(set->call_center.adapter_url == "http://localhost:8443/softphone/");  // plain HTTP mode
  CHECK(set->call_center.softphone_height == 240);
  CHECK(set->call_center.softphone_width == 1920);
  CHECK(set->call_center.standby_url == "https://backup.example.com:8443/");
  CHECK(set->call_center.standby_timeout == std::chrono::milliseconds(5000));
}

TEST_CASE("config: callcenter problems carry their line and column") {
  cti::testing::TempDir dir;
  auto config = load(dir, R"(server:
  listen: "127.0.0.1:8443"
  tls: {certificate: c.pem, private_key: k.pem}
database: agents.db
pbx:
  adapter: pbx-sim
callcenter:
  internal_name: "My Call Center"
  display_name: ""
  adapter_url: http://pbx.example.com/
  softphone_height: 100
  softphone_width: 5000
  standby_timeout_ms: 3000
)");
  REQUIRE_FALSE(config);
  const std::string& message = config.error().message;
  CAPTURE(message);
  CHECK(message.find("sfproxy.yaml:8:18: callcenter.internal_name: must be letters and digits only") != std::string::npos);
  CHECK(message.find("sfproxy.yaml:9:17: callcenter.display_name: must be 1 to 1000 characters") != std::string::npos);
  CHECK(message.find("sfproxy.yaml:10:16: callcenter.adapter_url: must be https://") != std::string::npos);
  CHECK(message.find("sfproxy.yaml:11:21: callcenter.softphone_height: must be between 240 and 2560") != std::string::npos);
  CHECK(message.find("sfproxy.yaml:12:20: callcenter.softphone_width: must be between 200 and 1920") != std::string::npos);
  CHECK(message.find("sfproxy.yaml:13:23: callcenter.standby_timeout_ms: applies only with standby_url") != std::string::npos);
}

TEST_CASE("config: call-centre URL checks") {
  struct Case {
    const char* url;
    bool plain_http_allowed;
    bool valid;
  };
  const Case cases[] = {
      {"https://pbx.example.com:8443/", false, true},
      {"https://pbx.example.com", false, true},
      {"https://[2001:db8::1]:8443/?a=b&c=d", false, true},
      {"https://PBX-1.example.com/softphone/index.html", false, true},
      {"http://pbx.example.com/", false, false},
      {"http://pbx.example.com/", true, true},
      {"ftp://pbx.example.com/", true, false},
      {"/apex/softphone", false, false},
      {"https://", false, false},
      {"https://:8443/", false, false},
      {"https://pbx.example.com:/", false, false},
      {"https://pbx.example.com:65536/", false, false},
      {"https://pbx.example.com:8a/", false, false},
      {"https://u:p@pbx.example.com/", false, false},
      {"https://pbx..example.com/", false, false},
      {"https://-pbx.example.com/", false, false},
      {"https://pbx_1.example.com/", false, false},
      {"https://[2001:db8::1/", false, false},
      {"https://[2001:db8::1]x/", false, false},
      {"https://pbx.example.com/a b", false, false},
      {"https://pbx.example.com/<script>", false, false},
      {"https://pbx.example.com/\"", false, false},
      {"https://pbx.example.com/#top", false, false},
      {"https://pbx.example.com/caf\xC3\xA9", false, false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.url);
    CHECK(static_cast<bool>(sfproxy::validate_call_center_url(c.url, c.plain_http_allowed)) == c.valid);
  }
  CHECK_FALSE(sfproxy::validate_call_center_url("https://a.example.com/" + std::string(2000, 'x'), false));
}

TEST_CASE("config: call-centre names") {
  CHECK(sfproxy::validate_call_center_internal_name("MaxCSCallCenter"));
  CHECK(sfproxy::validate_call_center_internal_name(std::string(40, 'a')));
  CHECK_FALSE(sfproxy::validate_call_center_internal_name(std::string(41, 'a')));
  CHECK_FALSE(sfproxy::validate_call_center_internal_name(""));
  CHECK_FALSE(sfproxy::validate_call_center_internal_name("9Lives"));
  CHECK_FALSE(sfproxy::validate_call_center_internal_name("Max_CS"));
  CHECK_FALSE(sfproxy::validate_call_center_internal_name("Caf\xC3\xA9"));

  CHECK(sfproxy::validate_call_center_display_name("Caf\xC3\xA9 <Support> & \"Sales\""));
  CHECK(sfproxy::validate_call_center_display_name(std::string(1000, 'x')));
  // 1000 characters of two bytes each: the limit counts characters, not bytes.
  std::string accents;
  for (int i = 0; i < 1000; ++i) {
    accents += "\xC3\xA9";
  }
  CHECK(sfproxy::validate_call_center_display_name(accents));
  CHECK_FALSE(sfproxy::validate_call_center_display_name(accents + "x"));
  CHECK_FALSE(sfproxy::validate_call_center_display_name(""));
  CHECK_FALSE(sfproxy::validate_call_center_display_name("tab\there"));
  CHECK_FALSE(sfproxy::validate_call_center_display_name("del\x7F"));
  CHECK_FALSE(sfproxy::validate_call_center_display_name("\xC3"));          // truncated
  CHECK_FALSE(sfproxy::validate_call_center_display_name("\xC0\xAF"));      // overlong '/'
  CHECK_FALSE(sfproxy::validate_call_center_display_name("\xED\xA0\x80"));  // a surrogate
  CHECK_FALSE(sfproxy::validate_call_center_display_name("\xF4\x90\x80\x80"));  // past U+10FFFF
  CHECK(sfproxy::validate_call_center_display_name("\xF0\x9F\x93\x9E"));   // U+1F4DE, a telephone
  CHECK_FALSE(sfproxy::validate_call_center_display_name("a\xEF\xBF\xBE"));  // U+FFFE: not in XML
  CHECK_FALSE(sfproxy::validate_call_center_display_name("\xEF\xBF\xBF"));   // U+FFFF
  CHECK(sfproxy::validate_call_center_display_name("\xEF\xBF\xBD"));         // U+FFFD is fine
}

TEST_CASE("config: an empty file and a file that is not a mapping get one clear problem each") {
  cti::testing::TempDir dir;
  auto empty = load(dir, "");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message == dir.file("sfproxy.yaml") + ": the file is empty: it must be a YAML mapping (server:, pbx:, ...)");
  auto list = load(dir, "- server\n- pbx\n");
  REQUIRE_FALSE(list);
  CHECK(list.error().message == dir.file("sfproxy.yaml") + ":1:1: must be a mapping of keys to values");
}

TEST_CASE("config: an adapter's secret file is found relative to the configuration file") {
  cti::testing::TempDir dir;
  dir.write_file("webhook.secret", "0123456789abcdef0123456789abcdef\n");
  auto config = load(dir, R"(server:
  listen: "127.0.0.1:0"
  development_plain_http: true
database: agents.db
pbx:
  adapter: webhook
  webhook:
    secret_file: webhook.secret
)");
  REQUIRE_MESSAGE(config, (config ? "" : config.error().message));
  CHECK(config->pbx_adapter == "webhook");
}

TEST_CASE("config: values the daemon could not run with are refused up front") {
  cti::testing::TempDir dir;
  auto config = load(dir, R"(server:
  listen: "localhost:8443"
  development_plain_http: true
  keep_alive_timeout_ms: 0
database: agents.db
licence:
  seats:
sessions:
  idle_timeout_s: 0
matching:
  mode: server
pbx:
  adapter: pbx-sim
log:
  level: chatty
)");
  REQUIRE_FALSE(config);
  const std::string& message = config.error().message;
  CAPTURE(message);
  CHECK(message.find("sfproxy.yaml:2:11: server.listen: must be IP-ADDRESS:PORT") != std::string::npos);
  CHECK(message.find("sfproxy.yaml:4:26: server.keep_alive_timeout_ms: must be between 1000") != std::string::npos);
  CHECK(message.find("sfproxy.yaml:9:19: sessions.idle_timeout_s: must be between 60") != std::string::npos);
  CHECK(message.find("sfproxy.yaml:11:9: matching.mode: server needs a salesforce: section") != std::string::npos);
  CHECK(message.find("sfproxy.yaml:15:10: log.level:") != std::string::npos);
  CHECK(message.find("licence.seats") == std::string::npos);  // empty: the recorded count applies
}
