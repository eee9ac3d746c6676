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
