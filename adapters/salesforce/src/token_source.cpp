#include "token_source.hpp"

#include "rest_parser.hpp"
#include "text.hpp"

namespace cti::adapters::salesforce::detail {
namespace {

void append_form_field(std::string& body, std::string_view name, std::string_view value) {
  if (!body.empty()) {
    body += '&';
  }
  body += name;
  body += '=';
  append_percent_encoded(body, value);
}

}  // namespace

TokenSource::TokenSource(const Config& config, const Runtime& runtime, const RetryingSender& sender,
                         HttpsChannel& login_channel, std::optional<JwtSigner> signer,
                         std::atomic<std::uint64_t>& token_requests)
    : m_config(config),
      m_runtime(runtime),
      m_sender(sender),
      m_login_channel(login_channel),
      m_signer(std::move(signer)),
      m_token_requests(token_requests),
      m_audience(config.auth.audience.empty() ? login_channel.endpoint().url()
                                              : config.auth.audience) {}

cti::Result<std::string> TokenSource::token(std::chrono::steady_clock::time_point deadline) {
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - m_runtime.now());
  std::unique_lock lock(m_mutex, std::defer_lock);
  if (wait <= std::chrono::milliseconds::zero() || !lock.try_lock_for(wait)) {
    return cti::fail(ErrorCode::timeout, "the call deadline passed while waiting for a Salesforce token");
  }
  if (!m_token.empty()) {
    return m_token;
  }
  m_token = CTI_TRY(fetch(deadline));
  constexpr std::size_t k_remembered = 4;
  if (m_recent.size() == k_remembered) {
    m_recent.erase(m_recent.begin());
  }
  m_recent.push_back(m_token);
  return m_token;
}

void TokenSource::invalidate(const std::string& stale) {
  std::lock_guard lock(m_mutex);
  if (m_token == stale) {
    m_token.clear();
  }
}

std::vector<std::string> TokenSource::recent_tokens() const {
  std::lock_guard lock(m_mutex);
  return m_recent;
}

cti::Result<std::string> TokenSource::request_body() const {
  const AuthConfig& auth = m_config.auth;
  std::string body;
  switch (auth.method) {
    case AuthMethod::jwt_bearer: {
      if (!m_signer) {
        return cti::fail(ErrorCode::internal, "no private key loaded for the JWT bearer flow");
      }
      const std::string assertion = CTI_TRY(m_signer->assertion(
          {auth.client_id, auth.username, m_audience, m_runtime.wall_clock() + auth.jwt_lifetime}));
      append_form_field(body, "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
      append_form_field(body, "assertion", assertion);
      break;
    }
    case AuthMethod::client_credentials:
      append_form_field(body, "grant_type", "client_credentials");
      append_form_field(body, "client_id", auth.client_id);
      append_form_field(body, "client_secret", auth.client_secret);
      break;
    case AuthMethod::refresh_token:
      append_form_field(body, "grant_type", "refresh_token");
      append_form_field(body, "refresh_token", auth.refresh_token);
      append_form_field(body, "client_id", auth.client_id);
      if (!auth.client_secret.empty()) {
        append_form_field(body, "client_secret", auth.client_secret);
      }
      break;
    case AuthMethod::password:
      append_form_field(body, "grant_type", "password");
      append_form_field(body, "client_id", auth.client_id);
      append_form_field(body, "client_secret", auth.client_secret);
      append_form_field(body, "username", auth.username);
      append_form_field(body, "password", auth.password);
      break;
  }
  return body;
}

cti::Result<std::string> TokenSource::fetch(std::chrono::steady_clock::time_point deadline) {
  HttpRequest request;
  request.method = "POST";
  request.target = "/services/oauth2/token";
  request.content_type = "application/x-www-form-urlencoded";
  request.body = CTI_TRY(request_body());
  const std::string flow(to_string(m_config.auth.method));
  auto response = m_sender.send(m_login_channel, request, deadline, true, m_token_requests);
  if (!response) {
    auto error = std::move(response).error();
    error.message = "cannot get a Salesforce token (" + flow + "): " + error.message;
    return cti::Unexpected(std::move(error));
  }
  if (response->status == 200) {
    auto grant = read_token_grant(response->body);
    if (!grant) {
      return cti::fail(ErrorCode::unavailable,
                       "the Salesforce token endpoint sent an unusable answer: " + grant.error().message);
    }
    m_runtime.log(LogLevel::info, "obtained a Salesforce access token (" + flow + ")");
    return std::move(grant->access_token);
  }
  const std::string reason = describe(read_api_error(response->body));
  if (response->status == 400 || response->status == 401 || response->status == 403) {
    // invalid_grant covers wrong credentials, an unapproved or frozen user, a disabled flow
    // and JWT clock skew; invalid_client a wrong consumer key or secret.
    return cti::fail(ErrorCode::unauthorized,
                     "Salesforce refused the " + flow + " token request (HTTP " +
                         std::to_string(response->status) + ", " + reason + ")");
  }
  return cti::fail(ErrorCode::unavailable, "the Salesforce token endpoint answered HTTP " +
                                               std::to_string(response->status) + " (" + reason + ")");
}

}  // namespace cti::adapters::salesforce::detail
