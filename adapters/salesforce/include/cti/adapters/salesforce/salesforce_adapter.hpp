#pragma once
// The Salesforce adapter: sfmatch::CrmClient over the Salesforce REST API. OAuth 2.0 for a
// daemon (JWT bearer, client credentials, refresh token), one composite request per match
// plan, a caller-ID cache, retries, a circuit breaker and API-usage tracking. Poco, OpenSSL
// and yaml-cpp stay behind this header.

#include "sfmatch/crm_client.hpp"

#include "cti/result.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace YAML {
class Node;
}

namespace cti::adapters::salesforce {

/// How the adapter obtains an access token.
enum class AuthMethod {
  jwt_bearer,          ///< RS256-signed assertion; no stored secret but the key (recommended)
  client_credentials,  ///< consumer key + secret; the app's Run-As user (My Domain host only)
  refresh_token,       ///< a refresh token from a one-time interactive authorisation
  password,            ///< username-password flow: development only, blocked in new orgs
};

std::string_view to_string(AuthMethod method) noexcept;

/// Credentials. Secrets are resolved by parse_config from a value, a `*_file` or a `*_env`
/// key; here they are plain values (never logged, never put into error messages).
struct AuthConfig {
  AuthMethod method = AuthMethod::jwt_bearer;
  std::string client_id;         ///< the connected app's consumer key (JWT `iss`)
  std::string username;          ///< integration user (JWT `sub`; password flow)
  std::string private_key_file;  ///< PEM RSA private key for RS256 (jwt_bearer)
  std::string audience;          ///< JWT `aud`; empty: the login URL
  std::chrono::seconds jwt_lifetime{180};  ///< JWT `exp` = now + this (Salesforce allows 3 min)
  std::string client_secret;     ///< client_credentials, refresh_token (optional), password
  std::string refresh_token;     ///< refresh_token
  std::string password;          ///< password flow: password + security token
  /// The password flow is refused unless this is set: it is insecure and meant only for a
  /// developer org.
  bool allow_password_flow_for_development = false;
};

/// The caller-ID cache: repeat callers cost no API request.
struct CacheConfig {
  std::chrono::seconds ttl{300};          ///< lifetime of an entry with records
  std::chrono::seconds negative_ttl{60};  ///< lifetime of a "nobody has this number" entry
  std::size_t max_entries = 10000;        ///< 0 disables the cache
};

/// TLS towards Salesforce. Verification is on unless explicitly switched off for development.
struct TlsConfig {
  std::string ca_file;  ///< PEM bundle to trust instead of the system store; empty: system store
  bool verify = true;   ///< verify the peer certificate and host name
  /// Must be set together with verify: false; a deliberate "development only" switch.
  bool insecure_skip_verify = false;
};

/// Everything the adapter needs. Defaults are production values.
struct Config {
  std::string instance_url;     ///< REST API base, https://<MyDomain>.my.salesforce.com (required)
  std::string login_url;        ///< OAuth token endpoint host; empty: instance_url
  std::string api_version = "59.0";  ///< "NN.N", at least 40.0
  AuthConfig auth;
  std::chrono::milliseconds connect_timeout{3000};  ///< TCP + TLS connect
  std::chrono::milliseconds request_timeout{5000};  ///< one request's send/receive wait
  std::chrono::milliseconds call_deadline{8000};    ///< one public call, retries included
  unsigned retries = 2;                        ///< extra attempts after a 5xx or network error
  std::chrono::milliseconds backoff_base{200};  ///< first retry waits about this (jittered)
  std::chrono::milliseconds backoff_max{2000};  ///< cap on one retry's wait
  std::chrono::seconds circuit_cooldown{60};    ///< after an auth failure, before a trial call
  std::chrono::seconds limit_backoff{300};      ///< after REQUEST_LIMIT_EXCEEDED, no calls
  unsigned usage_warn_percent = 80;             ///< warn when api-usage reaches this share
  std::size_t max_response_bytes = 4u << 20;    ///< larger bodies are refused
  std::size_t max_query_pages = 10;             ///< nextRecordsUrl pages followed per query
  /// Object -> its name field, used when a query selects it; objects not listed use "Name"
  /// (or the first selected field). Same defaults as sfmatch::MatchSettings.
  std::map<std::string, std::string, std::less<>> name_fields{
      {"Case", "CaseNumber"}, {"Contract", "ContractNumber"}, {"Solution", "SolutionName"},
      {"Task", "Subject"},    {"Event", "Subject"}};
  CacheConfig cache;
  TlsConfig tls;
};

/// Reads a `salesforce:` YAML section. Secrets given as `*_file` are read and `*_env` looked
/// up here; relative file paths are taken from `base_directory` (the config file's folder)
/// when given. Unknown keys are errors. Every error names the key, e.g.
/// "salesforce.auth.client_secret_file: cannot read '/etc/x'".
cti::Result<Config> parse_config(const YAML::Node& node, std::string_view base_directory = {});

/// Checks a Config built in code (parse_config calls it too).
cti::Result<void> validate(const Config& config);

enum class LogLevel { debug, info, warning, error };

std::string_view to_string(LogLevel level) noexcept;

/// Where the adapter reports what a person should know (usage thresholds, circuit changes).
/// Messages never contain tokens or secrets.
using LogSink = std::function<void(LogLevel, std::string_view)>;

/// The outside world, injectable for tests. Empty members use the real thing.
struct Environment {
  std::function<std::chrono::steady_clock::time_point()> now;        ///< deadlines, TTLs
  std::function<std::chrono::system_clock::time_point()> wall_clock;  ///< JWT iat/exp
  std::function<void(std::chrono::milliseconds)> sleep;              ///< retry backoff
  std::function<double()> jitter;  ///< uniform in [0, 1) for backoff jitter
  LogSink log;
};

/// The org's API consumption as last reported by Sforce-Limit-Info (`api-usage=used/limit`).
struct ApiUsage {
  std::uint64_t used = 0;
  std::uint64_t limit = 0;  ///< 0: not reported yet

  bool known() const noexcept { return limit != 0; }
};

/// What `ctictl sf ping` prints.
struct PingResult {
  std::string api_version;   ///< the version the client speaks, confirmed by the org
  std::string latest_version;  ///< the newest version the org offers
  ApiUsage usage;
  std::chrono::microseconds round_trip{0};  ///< the authenticated request alone
};

enum class CircuitState {
  closed,     ///< calls flow
  open,       ///< calls fail at once (auth refused, or the API limit was hit)
  half_open,  ///< the cool-down passed: the next call is a trial
};

std::string_view to_string(CircuitState state) noexcept;

struct CircuitStatus {
  CircuitState state = CircuitState::closed;
  std::string reason;                      ///< why it opened; empty when closed
  std::chrono::milliseconds retry_in{0};   ///< until half-open (open only)
};

/// Counters since the client was made.
struct ClientStats {
  std::uint64_t api_requests = 0;    ///< requests sent to the REST API (what the org counts)
  std::uint64_t token_requests = 0;  ///< requests to the OAuth token endpoint
  std::uint64_t retries = 0;         ///< attempts repeated after a 5xx or network error
  std::uint64_t cache_hits = 0;
  std::uint64_t cache_misses = 0;
};

/// A CrmClient with what the apps need on top: health, usage and counters. Thread-safe.
class SalesforceClient : public sfmatch::CrmClient {
 public:
  /// Authenticates if needed and makes one cheap authenticated request.
  virtual cti::Result<PingResult> ping() = 0;
  virtual ApiUsage usage() const = 0;
  /// Requests sent to the REST API so far (token requests excluded).
  virtual std::uint64_t requests_sent() const = 0;
  virtual ClientStats stats() const = 0;
  virtual CircuitStatus circuit() const = 0;
};

/// Makes the client. Nothing is sent yet. Throws cti::ConfigError when the config is invalid
/// or the private key cannot be loaded.
std::unique_ptr<SalesforceClient> make_salesforce_client(const Config& config,
                                                         Environment environment = {});

}  // namespace cti::adapters::salesforce
