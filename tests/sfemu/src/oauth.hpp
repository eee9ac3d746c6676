#pragma once
// The OAuth 2.0 token endpoint (/services/oauth2/token) and the sessions it issues.
// Grant types: password, client_credentials, refresh_token and the JWT bearer flow
// (urn:ietf:params:oauth:grant-type:jwt-bearer, RS256 checked against the connected app's
// certificate or public key). Success and failure bodies follow Salesforce: failures are
// HTTP 400 with a JSON object {"error","error_description"}.

#include "json_util.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace Poco::Crypto {
class RSAKey;
}

namespace cti::sfemu {

/// A connected app (or External Client App) as configured in the org.
struct ConnectedApp {
  std::string client_id;      ///< the consumer key
  std::string client_secret;  ///< the consumer secret
  std::string certificate_pem;  ///< X.509 certificate or public key for the JWT bearer flow
  std::string run_as;           ///< username the client credentials flow runs as (empty: flow off)
};

/// A user who can sign in; also a User record in the org.
struct OrgUser {
  std::string username;
  std::string password;
  std::string security_token;  ///< when set, the password flow needs password + token
  std::string user_id;         ///< 18-character 005 Id
  bool frozen = false;
};

/// A refresh token issued earlier (Salesforce hands them out in the web-server flow,
/// which needs a browser; the seed file lists them instead).
struct RefreshGrant {
  std::string token;
  std::string client_id;
  std::string username;
};

/// An access token and who it belongs to.
struct Session {
  std::string user_id;
  std::string username;
  std::string client_id;
  std::int64_t issued_ms = 0;
  std::int64_t last_used_ms = 0;
  std::uint64_t uses = 0;  ///< data requests authorised since issue (or since the expiry knob was set)
};

struct OAuthReply {
  int status = 200;
  JsonObject body;
};

class TokenService {
 public:
  TokenService(std::function<std::int64_t()> clock_ms, std::string org_id, std::vector<std::string> audiences);
  ~TokenService();
  TokenService(const TokenService&) = delete;
  TokenService& operator=(const TokenService&) = delete;

  /// Adds a connected app; throws cti::ConfigError when its certificate cannot be read.
  void add_app(ConnectedApp app);
  void add_user(OrgUser user);
  void add_refresh_token(RefreshGrant grant);

  /// Adds a JWT audience (the emulator accepts its own URL as well as Salesforce's).
  void add_audience(std::string audience) { m_audiences.push_back(std::move(audience)); }

  /// The instance URL put into token responses (the emulator's own base URL).
  void set_instance_url(std::string url) { m_instance_url = std::move(url); }

  /// Handles a token request: the form-encoded body and the Authorization header (HTTP
  /// Basic may carry the client id and secret).
  OAuthReply token(std::string_view method, std::string_view form_body, std::string_view authorization);

  /// The session behind "Bearer <token>", or nullptr when the token is missing, unknown,
  /// timed out, belongs to a frozen user, or has used up its quota (expire_tokens_after).
  /// A successful call counts one use.
  const Session* authenticate(std::string_view authorization);

  /// Freezes or unfreezes a user: a frozen user's tokens stop working and new token
  /// requests for them fail with invalid_grant. Returns false for an unknown username.
  bool set_frozen(std::string_view username, bool frozen);

  /// Every access token stops working after authorising `n` more data requests (0: never).
  void expire_tokens_after(std::uint64_t n);
  std::uint64_t expire_tokens_after() const { return m_expire_after; }

  /// Idle time after which a token stops working, like Salesforce's session timeout.
  void set_session_timeout_ms(std::int64_t ms) { m_session_timeout_ms = ms; }

  /// Drops every session (all access tokens become invalid).
  void revoke_all() { m_sessions.clear(); }

  const std::string& org_id() const { return m_org_id; }
  const OrgUser* find_user(std::string_view username) const;

 private:
  struct App {
    ConnectedApp config;
    std::shared_ptr<Poco::Crypto::RSAKey> key;
  };

  OAuthReply issue(const OrgUser& user, const App& app, bool with_signature, bool with_scope);
  OAuthReply password_grant(const std::map<std::string, std::string>& form, const std::string& client_id,
                            const std::string& client_secret);
  OAuthReply client_credentials_grant(const std::string& client_id, const std::string& client_secret);
  OAuthReply refresh_grant(const std::map<std::string, std::string>& form, const std::string& client_id,
                           const std::string& client_secret);
  OAuthReply jwt_grant(const std::map<std::string, std::string>& form);
  const App* find_app(std::string_view client_id) const;
  std::string new_access_token();

  std::function<std::int64_t()> m_clock_ms;
  std::string m_org_id;
  std::vector<std::string> m_audiences;
  std::string m_instance_url;
  std::vector<App> m_apps;
  std::vector<OrgUser> m_users;
  std::vector<RefreshGrant> m_refresh_tokens;
  std::unordered_map<std::string, Session> m_sessions;
  std::uint64_t m_expire_after = 0;
  std::int64_t m_session_timeout_ms = 2 * 60 * 60 * 1000;
  std::mt19937_64 m_random;
};

/// The OAuth error body: {"error":..., "error_description":...} with status 400.
OAuthReply oauth_error(std::string error, std::string description, int status = 400);

/// Splits an application/x-www-form-urlencoded body; nullopt on a broken %-escape.
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body);

/// Percent-decoding ('+' is a space when `plus_is_space`); nullopt on a broken escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

/// Base64 and base64url (with or without padding) decoding; nullopt on bad input.
std::optional<std::string> base64_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);

}  // namespace cti::sfemu
