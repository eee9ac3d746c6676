#include "emulator_fixture.hpp"

#include "test_keys.hpp"

#include <string>

namespace sf = cti::adapters::salesforce;

namespace {

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string test_org_seed() {
  const TestKeys& keys = test_keys();
  return std::string(R"({
  "org": {"id": "00D5g000004Xyz1", "name": "CTI Test Org",
          "jwt_audiences": [")") + org::jwt_audience + R"("]},
  "users": [
    {"referenceId": "u1", "Username": ")" + org::integration_user + R"(", "LastName": "Integration",
     "password": ")" + org::user_password + R"("},
    {"referenceId": "u2", "Username": ")" + org::other_user + R"(", "LastName": "Backup",
     "password": ")" + org::user_password + R"("}
  ],
  "connected_apps": [
    {"client_id": ")" + org::client_id + R"(", "client_secret": ")" + org::client_secret + R"(",
     "certificate_pem": )" + json_string(keys.jwt_cert_pem) + R"(, "run_as": ")" + org::integration_user + R"("}
  ],
  "refresh_tokens": [
    {"token": ")" + org::refresh_token + R"(", "client_id": ")" + org::client_id + R"(",
     "username": ")" + org::integration_user + R"("}
  ],
  "records": [
    {"attributes": {"type": "Account", "referenceId": "acme"}, "Name": "Acme Rockets", "Phone": "(646) 555-0199"},
    {"attributes": {"type": "Account", "referenceId": "engines"}, "Name": "Analytical Engines", "Phone": "+44 20 7946 0018"},
    {"attributes": {"type": "Contact", "referenceId": "ada"}, "FirstName": "Ada", "LastName": "Lovelace",
     "Phone": "(212) 842-5500", "AccountId": "@engines"},
    {"attributes": {"type": "Contact", "referenceId": "f1"}, "FirstName": "Parens", "LastName": "Format", "Phone": "(415) 555-0101"},
    {"attributes": {"type": "Contact", "referenceId": "f2"}, "FirstName": "Dashes", "LastName": "Format", "Phone": "415-555-0102"},
    {"attributes": {"type": "Contact", "referenceId": "f3"}, "FirstName": "Digits", "LastName": "Format", "Phone": "4155550103"},
    {"attributes": {"type": "Contact", "referenceId": "f4"}, "FirstName": "Plus", "LastName": "Format", "MobilePhone": "+1 415 555 0104"},
    {"attributes": {"type": "Contact", "referenceId": "f5"}, "FirstName": "Trunk", "LastName": "Format", "Phone": "1(415)555-0105"},
    {"attributes": {"type": "Contact", "referenceId": "f6"}, "FirstName": "Dots", "LastName": "Format", "Phone": "415.555.0106"},
    {"attributes": {"type": "Contact", "referenceId": "wile"}, "FirstName": "Wile", "LastName": "Coyote",
     "Phone": "646-555-0199", "AccountId": "@acme"},
    {"attributes": {"type": "Lead", "referenceId": "lead1"}, "FirstName": "Lena", "LastName": "Lead",
     "Company": "Prospects Ltd", "Phone": "(303) 555-0142"},
    {"attributes": {"type": "Case", "referenceId": "case1"}, "CaseNumber": "00001234", "Subject": "Rocket skates",
     "ContactId": "@ada"},
    {"attributes": {"type": "Case", "referenceId": "case2"}, "CaseNumber": "00001000", "Subject": "Anvil"},
    {"attributes": {"type": "Case", "referenceId": "case3"}, "CaseNumber": "00004321", "Subject": "Catapult"}
  ]
})";
}

EmulatorFixture::EmulatorFixture(cti::sfemu::Options options) {
  const TestKeys& keys = test_keys();
  options.bind_address = "127.0.0.1";
  options.port = 0;
  options.tls_cert_file = keys.tls_cert_file;
  options.tls_key_file = keys.tls_key_file;
  if (options.data_file.empty() && options.data_json.empty()) {
    options.data_json = test_org_seed();
  }
  m_emulator = cti::sfemu::Emulator::start(std::move(options));
}

sf::Config EmulatorFixture::config() const {
  sf::Config config;
  config.instance_url = m_emulator->base_url();
  config.auth.method = sf::AuthMethod::client_credentials;
  config.auth.client_id = org::client_id;
  config.auth.client_secret = org::client_secret;
  config.auth.username = org::integration_user;
  config.auth.audience = org::jwt_audience;
  config.tls.ca_file = test_keys().tls_cert_file;
  config.call_deadline = std::chrono::milliseconds(8000);
  return config;
}

sf::Environment EmulatorFixture::environment() {
  sf::Environment environment;
  environment.now = [this] { return clock.now(); };
  environment.jitter = [] { return 0.5; };
  std::shared_ptr<Recorder> sink = recorder;
  environment.sleep = [sink](std::chrono::milliseconds duration) {
    std::lock_guard lock(sink->mutex);
    sink->sleeps.push_back(duration);
  };
  environment.log = [sink](sf::LogLevel level, std::string_view message) {
    std::lock_guard lock(sink->mutex);
    sink->lines.push_back(std::string(sf::to_string(level)) + ": " + std::string(message));
  };
  return environment;
}

std::unique_ptr<sf::SalesforceClient> EmulatorFixture::client() { return client(config()); }

std::unique_ptr<sf::SalesforceClient> EmulatorFixture::client(const sf::Config& config) {
  return sf::make_salesforce_client(config, environment());
}

std::uint64_t EmulatorFixture::token_requests() const {
  const auto counters = m_emulator->counters();
  const auto found = counters.by_endpoint.find("token");
  return found == counters.by_endpoint.end() ? 0 : found->second;
}
