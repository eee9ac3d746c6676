#include "cti/adapters/salesforce/salesforce_adapter.hpp"

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace sf = cti::adapters::salesforce;

namespace {

cti::Result<sf::Config> parse(const std::string& yaml, std::string_view base = {}) {
  return sf::parse_config(YAML::Load(yaml), base);
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

const std::string k_client_credentials = R"(
instance_url: https://acme.my.salesforce.com
auth:
  method: client_credentials
  client_id: 3MVG9consumer
  client_secret: s3cr3t-value
)";

}  // namespace

TEST_CASE("salesforce config: defaults and a minimal client-credentials section") {
  auto config = parse(k_client_credentials);
  REQUIRE(config);
  CHECK(config->instance_url == "https://acme.my.salesforce.com");
  CHECK(config->api_version == "59.0");
  CHECK(config->auth.method == sf::AuthMethod::client_credentials);
  CHECK(config->auth.client_secret == "s3cr3t-value");
  CHECK(config->connect_timeout == std::chrono::milliseconds(3000));
  CHECK(config->request_timeout == std::chrono::milliseconds(5000));
  CHECK(config->retries == 2);
  CHECK(config->usage_warn_percent == 80);
  CHECK(config->cache.ttl == std::chrono::seconds(300));
  CHECK(config->cache.negative_ttl == std::chrono::seconds(60));
  CHECK(config->cache.max_entries == 10000);
  CHECK(config->tls.verify);
  CHECK(config->name_fields.at("Case") == "CaseNumber");
}

TEST_CASE("salesforce config: every field is read") {
  auto config = parse(R"(
instance_url: https://acme.my.salesforce.com:8443
login_url: https://login.salesforce.com
api_version: "60.0"
connect_timeout_ms: 1000
request_timeout_ms: 2000
call_deadline_ms: 2500
retries: 4
backoff_base_ms: 50
backoff_max_ms: 400
circuit_cooldown_s: 30
limit_backoff_s: 600
usage_warn_percent: 90
max_response_bytes: 65536
max_query_pages: 3
name_fields: {Opportunity__c: Title__c}
auth:
  method: jwt_bearer
  client_id: key
  username: integration@acme.com
  private_key_file: keys/sf.pem
  audience: https://test.salesforce.com
  jwt_lifetime_s: 120
cache: {ttl_s: 10, negative_ttl_s: 5, max_entries: 7}
tls: {ca_file: ca.pem, verify: true}
)",
                      "/etc/cti");
  REQUIRE(config);
  CHECK(config->login_url == "https://login.salesforce.com");
  CHECK(config->api_version == "60.0");
  CHECK(config->call_deadline == std::chrono::milliseconds(2500));
  CHECK(config->retries == 4);
  CHECK(config->backoff_base == std::chrono::milliseconds(50));
  CHECK(config->backoff_max == std::chrono::milliseconds(400));
  CHECK(config->circuit_cooldown == std::chrono::seconds(30));
  CHECK(config->limit_backoff == std::chrono::seconds(600));
  CHECK(config->usage_warn_percent == 90);
  CHECK(config->max_response_bytes == 65536);
  CHECK(config->max_query_pages == 3);
  CHECK(config->name_fields.at("Opportunity__c") == "Title__c");
  CHECK(config->name_fields.at("Case") == "CaseNumber");  // defaults stay
  CHECK(config->auth.private_key_file == "/etc/cti/keys/sf.pem");
  CHECK(config->auth.audience == "https://test.salesforce.com");
  CHECK(config->auth.jwt_lifetime == std::chrono::seconds(120));
  CHECK(config->cache.max_entries == 7);
  CHECK(config->tls.ca_file == "/etc/cti/ca.pem");
}

TEST_CASE("salesforce config: secrets from a file or the environment") {
  const auto dir = std::filesystem::temp_directory_path() / "cti_sf_config_test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "secret.txt") << "from-a-file\n";
  }
  ::setenv("CTI_SF_TEST_SECRET", "from-the-env", 1);

  auto from_file = parse(R"(
instance_url: https://acme.my.salesforce.com
auth: {method: client_credentials, client_id: k, client_secret_file: secret.txt}
)",
                         dir.string());
  REQUIRE(from_file);
  CHECK(from_file->auth.client_secret == "from-a-file");

  auto from_env = parse(R"(
instance_url: https://acme.my.salesforce.com
auth: {method: refresh_token, client_id: k, refresh_token_env: CTI_SF_TEST_SECRET}
)");
  REQUIRE(from_env);
  CHECK(from_env->auth.refresh_token == "from-the-env");
  std::filesystem::remove_all(dir);
}

TEST_CASE("salesforce config: errors name the key") {
  struct Row {
    std::string yaml;
    std::string key;
  };
  const Row rows[] = {
      {"auth: {method: client_credentials, client_id: k, client_secret: s}", "salesforce.instance_url"},
      {"instance_url: http://acme.my.salesforce.com\nauth: {method: client_credentials, client_id: k, client_secret: s}",
       "salesforce.instance_url: must start with https://"},
      {"instance_url: https://acme.my.salesforce.com/services\nauth: {method: client_credentials, client_id: k, client_secret: s}",
       "salesforce.instance_url"},
      {k_client_credentials + "api_version: '39.0'\n", "salesforce.api_version"},
      {k_client_credentials + "api_version: v59\n", "salesforce.api_version"},
      {k_client_credentials + "api_version: '59.00'\n", "salesforce.api_version"},
      {k_client_credentials + "retries: many\n", "salesforce.retries"},
      {k_client_credentials + "retries: 11\n", "salesforce.retries"},
      {k_client_credentials + "request_timeout_ms: 0\n", "salesforce.request_timeout_ms"},
      {k_client_credentials + "usage_warn_percent: 101\n", "salesforce.usage_warn_percent"},
      {k_client_credentials + "backoff_base_ms: 500\nbackoff_max_ms: 100\n", "salesforce.backoff_max_ms"},
      {k_client_credentials + "cache: {ttl_s: -1}\n", "salesforce.cache.ttl_s"},
      {k_client_credentials + "cache: {max_entry: 5}\n", "salesforce.cache.max_entry: unknown key"},
      {k_client_credentials + "tls: {verify: false}\n", "salesforce.tls.verify"},
      {k_client_credentials + "tls: {insecure_skip_verify: true}\n", "salesforce.tls.insecure_skip_verify"},
      {k_client_credentials + "tls: {verify: maybe}\n", "salesforce.tls.verify: must be true or false"},
      {k_client_credentials + "instance: x\n", "salesforce.instance: unknown key"},
      {k_client_credentials + "name_fields: {Case: Case Number}\n", "salesforce.name_fields.Case"},
      {"instance_url: https://a.my.salesforce.com\nauth: {method: oauth, client_id: k}", "salesforce.auth.method"},
      {"instance_url: https://a.my.salesforce.com\nauth: {method: client_credentials, client_secret: s}",
       "salesforce.auth.client_id"},
      {"instance_url: https://a.my.salesforce.com\nauth: {method: client_credentials, client_id: k}",
       "salesforce.auth.client_secret"},
      {"instance_url: https://a.my.salesforce.com\nauth: {method: jwt_bearer, client_id: k, private_key_file: k.pem}",
       "salesforce.auth.username"},
      {"instance_url: https://a.my.salesforce.com\nauth: {method: jwt_bearer, client_id: k, username: u}",
       "salesforce.auth.private_key_file"},
      {"instance_url: https://a.my.salesforce.com\nauth: {method: refresh_token, client_id: k}",
       "salesforce.auth.refresh_token"},
      {"instance_url: https://a.my.salesforce.com\nauth: {method: password, client_id: k, client_secret: s, username: u, password: p}",
       "allow_password_flow_for_development"},
      {"instance_url: https://a.my.salesforce.com\nauth: {method: client_credentials, client_id: k, client_secret: s, client_secret_env: X}",
       "give only one of client_secret, client_secret_file and client_secret_env"},
      {"instance_url: https://a.my.salesforce.com\nauth: {method: client_credentials, client_id: k, client_secret_file: /nonexistent/secret}",
       "salesforce.auth.client_secret_file: cannot read '/nonexistent/secret'"},
      {"instance_url: https://a.my.salesforce.com\nauth: {method: client_credentials, client_id: k, client_secret_env: CTI_SF_TEST_UNSET_VARIABLE}",
       "salesforce.auth.client_secret_env: environment variable 'CTI_SF_TEST_UNSET_VARIABLE' is not set"},
      {"instance_url: https://a.my.salesforce.com\nauth: {method: client_credentials, client_id: k, client_secret: s, secret: x}",
       "salesforce.auth.secret: unknown key"},
      {"instance_url: https://a.my.salesforce.com\nauth: [1, 2]", "salesforce.auth: must be a mapping"},
      {"just text", "salesforce: must be a mapping"},
      {"", "salesforce: section missing"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.yaml);
    auto config = parse(row.yaml);
    REQUIRE_FALSE(config);
    CHECK(config.error().code == cti::ErrorCode::invalid_input);
    CHECK(contains(config.error().message, row.key));
  }
}

TEST_CASE("salesforce config: the password flow needs the development flag") {
  auto config = parse(R"(
instance_url: https://acme.my.salesforce.com
auth:
  method: password
  client_id: k
  client_secret: s
  username: dev@example.com
  password: pw-and-token
  allow_password_flow_for_development: true
)");
  REQUIRE(config);
  CHECK(config->auth.method == sf::AuthMethod::password);
  CHECK(config->auth.password == "pw-and-token");
}

TEST_CASE("salesforce config: errors never echo a secret value") {
  auto config = parse(R"(
instance_url: https://acme.my.salesforce.com
auth: {method: client_credentials, client_id: k, client_secret: hunter2-secret, bogus: 1}
)");
  REQUIRE_FALSE(config);
  CHECK_FALSE(contains(config.error().message, "hunter2-secret"));
}

TEST_CASE("salesforce config: the factory refuses an invalid config or an unreadable key") {
  sf::Config config;
  CHECK_THROWS_AS(sf::make_salesforce_client(config), cti::ConfigError);
  config.instance_url = "https://acme.my.salesforce.com";
  config.auth.client_id = "k";
  config.auth.username = "u";
  config.auth.private_key_file = "/nonexistent/key.pem";
  try {
    (void)sf::make_salesforce_client(config);
    FAIL("expected a ConfigError");
  } catch (const cti::ConfigError& error) {
    CHECK(contains(error.what(), "salesforce.auth.private_key_file"));
  }
}
