#include "oauth.hpp"

#include "schema.hpp"

#include "cti/result.hpp"

#include <Poco/Crypto/RSADigestEngine.h>
#include <Poco/Crypto/RSAKey.h>
#include <Poco/Crypto/X509Certificate.h>
#include <Poco/Exception.h>
#include <Poco/HMACEngine.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <sstream>

namespace cti::sfemu {

namespace {

constexpr std::string_view jwt_grant_type = "urn:ietf:params:oauth:grant-type:jwt-bearer";
constexpr std::size_t max_sessions = 10000;

// HMACEngine needs BLOCK_SIZE and DIGEST_SIZE, which Poco 1.11's SHA2Engine lacks.
class Sha256Engine : public Poco::SHA2Engine {
 public:
  enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
  Sha256Engine() : Poco::SHA2Engine(SHA_256) {}
};

std::string hmac_sha256(const std::string& key, const std::string& data) {
  Poco::HMACEngine<Sha256Engine> hmac(key);
  hmac.update(data);
  const Poco::DigestEngine::Digest& digest = hmac.digest();
  return std::string(digest.begin(), digest.end());
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string trim_trailing_slash(std::string_view text) {
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  return std::string(text);
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

}  // namespace

OAuthReply oauth_error(std::string error, std::string description, int status) {
  JsonObject body = make_object();
  body->set("error", std::move(error));
  body->set("error_description", std::move(description));
  return OAuthReply{status, body};
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = hex_digit(text[i + 1]);
      int low = hex_digit(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::map<std::string, std::string>> parse_form(std::string_view body) {
  std::map<std::string, std::string> form;
  if (body.empty()) return form;
  for (const std::string& pair : split(body, '&')) {
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    auto key = percent_decode(std::string_view(pair).substr(0, eq), true);
    auto value = percent_decode(eq == std::string::npos ? std::string_view() : std::string_view(pair).substr(eq + 1), true);
    if (!key || !value) return std::nullopt;
    form.emplace(std::move(*key), std::move(*value));  // the first occurrence wins
  }
  return form;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value = -1;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '+' || c == '-') {
      value = 62;
    } else if (c == '/' || c == '_') {
      value = 63;
    } else if (c == '=') {
      break;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFFU);
    }
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(buffer >> bits) & 0x3FU];
    }
  }
  if (bits > 0) out += alphabet[(buffer << (6 - bits)) & 0x3FU];
  while (out.size() % 4 != 0) out += '=';
  return out;
}

TokenService::TokenService(std::function<std::int64_t()> clock_ms, std::string org_id, std::vector<std::string> audiences)
    : m_clock_ms(std::move(clock_ms)), m_org_id(std::move(org_id)), m_audiences(std::move(audiences)),
      m_random(std::random_device{}()) {}

TokenService::~TokenService() = default;

void TokenService::add_app(ConnectedApp app) {
  App entry{std::move(app), nullptr};
  if (!entry.config.certificate_pem.empty()) {
    try {
      std::istringstream pem(entry.config.certificate_pem);
      if (entry.config.certificate_pem.find("BEGIN CERTIFICATE") != std::string::npos) {
        Poco::Crypto::X509Certificate certificate(pem);
        entry.key = std::make_shared<Poco::Crypto::RSAKey>(certificate);
      } else {
        entry.key = std::make_shared<Poco::Crypto::RSAKey>(&pem);
      }
    } catch (const Poco::Exception& e) {
      throw cti::ConfigError("connected app " + entry.config.client_id +
                             ": cannot read its certificate or public key: " + e.displayText());
    }
  }
  m_apps.push_back(std::move(entry));
}

void TokenService::add_user(OrgUser user) { m_users.push_back(std::move(user)); }

void TokenService::add_refresh_token(RefreshGrant grant) { m_refresh_tokens.push_back(std::move(grant)); }

const TokenService::App* TokenService::find_app(std::string_view client_id) const {
  for (const App& app : m_apps) {
    if (app.config.client_id == client_id) return &app;
  }
  return nullptr;
}

const OrgUser* TokenService::find_user(std::string_view username) const {
  for (const OrgUser& user : m_users) {
    if (iequals(user.username, username)) return &user;
  }
  return nullptr;
}

bool TokenService::set_frozen(std::string_view username, bool frozen) {
  for (OrgUser& user : m_users) {
    if (iequals(user.username, username)) {
      user.frozen = frozen;
      return true;
    }
  }
  return false;
}

void TokenService::expire_tokens_after(std::uint64_t n) {
  m_expire_after = n;
  for (auto& [token, session] : m_sessions) session.uses = 0;
}

std::string TokenService::new_access_token() {
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string token = m_org_id.substr(0, 15) + "!AQ";
  for (int i = 0; i < 94; ++i) token += alphabet[pick(m_random)];
  return token;
}

OAuthReply TokenService::issue(const OrgUser& user, const App& app, bool with_signature, bool with_scope) {
  std::int64_t now = m_clock_ms();
  if (m_sessions.size() >= max_sessions) {
    // Bounded: the oldest session goes first.
    auto oldest = std::min_element(m_sessions.begin(), m_sessions.end(),
                                   [](const auto& a, const auto& b) { return a.second.issued_ms < b.second.issued_ms; });
    m_sessions.erase(oldest);
  }
  std::string token = new_access_token();
  m_sessions[token] = Session{user.user_id, user.username, app.config.client_id, now, now, 0};

  std::string id = m_instance_url + "/id/" + m_org_id + "/" + user.user_id;
  std::string issued_at = std::to_string(now);
  JsonObject body = make_object();
  body->set("access_token", token);
  if (with_signature) body->set("signature", base64_encode(hmac_sha256(app.config.client_secret, id + issued_at)));
  if (with_scope) body->set("scope", "api");
  body->set("instance_url", m_instance_url);
  body->set("id", id);
  body->set("token_type", "Bearer");
  if (with_signature) body->set("issued_at", issued_at);
  return OAuthReply{200, body};
}

OAuthReply TokenService::token(std::string_view method, std::string_view form_body, std::string_view authorization) {
  if (method != "POST") return oauth_error("invalid_request", "must use HTTP POST");
  auto form = parse_form(form_body);
  if (!form) return oauth_error("invalid_request", "malformed request body");

  std::string client_id;
  std::string client_secret;
  if (authorization.size() > 6 && iequals(authorization.substr(0, 6), "Basic ")) {
    if (auto decoded = base64_decode(authorization.substr(6))) {
      std::size_t colon = decoded->find(':');
      if (colon != std::string::npos) {
        client_id = percent_decode(decoded->substr(0, colon), true).value_or("");
        client_secret = percent_decode(decoded->substr(colon + 1), true).value_or("");
      }
    }
  }
  if (auto it = form->find("client_id"); it != form->end()) client_id = it->second;
  if (auto it = form->find("client_secret"); it != form->end()) client_secret = it->second;

  auto grant = form->find("grant_type");
  if (grant == form->end() || grant->second.empty()) return oauth_error("unsupported_grant_type", "grant type not supported");
  if (grant->second == "password") return password_grant(*form, client_id, client_secret);
  if (grant->second == "client_credentials") return client_credentials_grant(client_id, client_secret);
  if (grant->second == "refresh_token") return refresh_grant(*form, client_id, client_secret);
  if (grant->second == jwt_grant_type) return jwt_grant(*form);
  return oauth_error("unsupported_grant_type", "grant type not supported");
}

OAuthReply TokenService::password_grant(const std::map<std::string, std::string>& form, const std::string& client_id,
                                        const std::string& client_secret) {
  const App* app = find_app(client_id);
  if (!app) return oauth_error("invalid_client_id", "client identifier invalid");
  if (client_secret != app->config.client_secret) return oauth_error("invalid_client", "invalid client credentials");
  auto username = form.find("username");
  auto password = form.find("password");
  const OrgUser* user = username == form.end() ? nullptr : find_user(username->second);
  if (!user || password == form.end()) return oauth_error("invalid_grant", "authentication failure");
  // With a security token configured the password must carry it appended, as in Salesforce.
  if (password->second != user->password + user->security_token) {
    return oauth_error("invalid_grant", "authentication failure");
  }
  if (user->frozen) return oauth_error("invalid_grant", "user is inactive");
  return issue(*user, *app, true, false);
}

OAuthReply TokenService::client_credentials_grant(const std::string& client_id, const std::string& client_secret) {
  const App* app = find_app(client_id);
  if (!app) return oauth_error("invalid_client_id", "client identifier invalid");
  if (client_secret != app->config.client_secret) return oauth_error("invalid_client", "invalid client credentials");
  const OrgUser* user = app->config.run_as.empty() ? nullptr : find_user(app->config.run_as);
  if (!user) return oauth_error("invalid_grant", "no client credentials user enabled");
  if (user->frozen) return oauth_error("invalid_grant", "user is inactive");
  return issue(*user, *app, true, true);
}

OAuthReply TokenService::refresh_grant(const std::map<std::string, std::string>& form, const std::string& client_id,
                                       const std::string& client_secret) {
  const App* app = find_app(client_id);
  if (!app) return oauth_error("invalid_client_id", "client identifier invalid");
  if (!client_secret.empty() && client_secret != app->config.client_secret) {
    return oauth_error("invalid_client", "invalid client credentials");
  }
  auto token = form.find("refresh_token");
  const RefreshGrant* grant = nullptr;
  if (token != form.end()) {
    for (const RefreshGrant& candidate : m_refresh_tokens) {
      if (candidate.token == token->second && candidate.client_id == client_id) grant = &candidate;
    }
  }
  const OrgUser* user = grant ? find_user(grant->username) : nullptr;
  if (!user) return oauth_error("invalid_grant", "expired access/refresh token");
  if (user->frozen) return oauth_error("invalid_grant", "user is inactive");
  return issue(*user, *app, true, true);
}

OAuthReply TokenService::jwt_grant(const std::map<std::string, std::string>& form) {
  auto assertion = form.find("assertion");
  if (assertion == form.end()) return oauth_error("invalid_grant", "invalid assertion");
  std::vector<std::string> parts = split(assertion->second, '.');
  if (parts.size() != 3) return oauth_error("invalid_grant", "invalid assertion");
  auto header_text = base64_decode(parts[0]);
  auto payload_text = base64_decode(parts[1]);
  auto signature = base64_decode(parts[2]);
  if (!header_text || !payload_text || !signature) return oauth_error("invalid_grant", "invalid assertion");
  auto header = parse_json(*header_text);
  auto payload = parse_json(*payload_text);
  JsonObject header_object = header ? as_object(*header) : nullptr;
  JsonObject claims = payload ? as_object(*payload) : nullptr;
  if (!header_object || !claims) return oauth_error("invalid_grant", "invalid assertion");

  auto text_claim = [](const JsonObject& object, const std::string& name) -> std::string {
    if (!object->has(name)) return {};
    Poco::Dynamic::Var value = object->get(name);
    return value.isString() ? value.extract<std::string>() : std::string();
  };

  const App* app = find_app(text_claim(claims, "iss"));
  if (!app) return oauth_error("invalid_client_id", "client identifier invalid");
  if (!app->key || text_claim(header_object, "alg") != "RS256") return oauth_error("invalid_grant", "invalid assertion");
  try {
    Poco::Crypto::RSADigestEngine verifier(*app->key, "SHA256");
    verifier.update(parts[0] + "." + parts[1]);
    Poco::DigestEngine::Digest digest(signature->begin(), signature->end());
    if (!verifier.verify(digest)) return oauth_error("invalid_grant", "invalid assertion");
  } catch (const Poco::Exception&) {
    return oauth_error("invalid_grant", "invalid assertion");
  }

  // aud may be a string or an array of strings; a trailing slash does not matter.
  std::vector<std::string> audiences;
  if (claims->has("aud")) {
    Poco::Dynamic::Var aud = claims->get("aud");
    if (aud.isString()) {
      audiences.push_back(aud.extract<std::string>());
    } else if (JsonArray list = as_array(aud)) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        if (list->get(static_cast<unsigned>(i)).isString()) audiences.push_back(list->getElement<std::string>(static_cast<unsigned>(i)));
      }
    }
  }
  bool audience_ok = std::any_of(audiences.begin(), audiences.end(), [&](const std::string& aud) {
    return std::any_of(m_audiences.begin(), m_audiences.end(),
                       [&](const std::string& accepted) { return trim_trailing_slash(aud) == trim_trailing_slash(accepted); });
  });
  if (!audience_ok) return oauth_error("invalid_grant", "audience is invalid");

  if (!claims->has("exp") || !claims->get("exp").isNumeric()) return oauth_error("invalid_grant", "invalid assertion");
  double exp_seconds = claims->get("exp").convert<double>();
  if (exp_seconds * 1000.0 <= static_cast<double>(m_clock_ms())) {
    return oauth_error("invalid_grant", "expired authorization code");
  }

  const OrgUser* user = find_user(text_claim(claims, "sub"));
  if (!user) return oauth_error("invalid_grant", "user hasn't approved this consumer");
  if (user->frozen) return oauth_error("invalid_grant", "user is inactive");
  return issue(*user, *app, false, true);
}

const Session* TokenService::authenticate(std::string_view authorization) {
  std::string_view token;
  if (authorization.size() > 7 && iequals(authorization.substr(0, 7), "Bearer ")) {
    token = authorization.substr(7);
  } else if (authorization.size() > 6 && iequals(authorization.substr(0, 6), "OAuth ")) {
    token = authorization.substr(6);
  } else {
    return nullptr;
  }
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  auto it = m_sessions.find(std::string(token));
  if (it == m_sessions.end()) return nullptr;
  Session& session = it->second;
  std::int64_t now = m_clock_ms();
  const OrgUser* user = find_user(session.username);
  if (!user || user->frozen) return nullptr;  // unfreezing makes the token usable again
  bool expired = now - session.last_used_ms > m_session_timeout_ms ||
                 (m_expire_after != 0 && session.uses >= m_expire_after);
  if (expired) {
    m_sessions.erase(it);
    return nullptr;
  }
  ++session.uses;
  session.last_used_ms = now;
  return &session;
}

}  // namespace cti::sfemu
