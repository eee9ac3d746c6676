#include "cti/adapters/salesforce/salesforce_adapter.hpp"

#include "https_channel.hpp"
#include "text.hpp"

#include "sfmatch/api_name.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

namespace cti::adapters::salesforce {
namespace {

constexpr std::size_t k_max_secret_file_bytes = 64 * 1024;

/// A config problem found while reading: thrown inside this file only and turned into a
/// Result by parse_config.
struct Problem {
  std::string message;
};

cti::Unexpected config_error(std::string message) {
  return cti::fail(ErrorCode::invalid_input, std::move(message));
}

/// Reads one YAML mapping, remembering which keys were used so unknown ones are reported.
class Section {
 public:
  Section(const YAML::Node& node, std::string path) : m_node(node), m_path(std::move(path)) {
    if (m_node && !m_node.IsNull() && !m_node.IsMap()) {
      throw Problem{m_path + ": must be a mapping"};
    }
  }

  std::string key(std::string_view name) const { return m_path + "." + std::string(name); }

  YAML::Node child(const std::string& name) {
    m_known.insert(name);
    if (!m_node || m_node.IsNull()) {
      return YAML::Node();
    }
    return m_node[name];
  }

  std::optional<std::string> text(const std::string& name) {
    const YAML::Node value = child(name);
    if (!value || value.IsNull()) {
      return std::nullopt;
    }
    if (!value.IsScalar()) {
      throw Problem{key(name) + ": must be a string"};
    }
    return value.Scalar();
  }

  std::optional<long long> integer(const std::string& name, long long min, long long max) {
    const auto raw = text(name);
    if (!raw) {
      return std::nullopt;
    }
    long long value = 0;
    std::size_t used = 0;
    try {
      value = std::stoll(*raw, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != raw->size()) {
      throw Problem{key(name) + ": must be a whole number, got " + detail::quoted_excerpt(*raw, 40)};
    }
    if (value < min || value > max) {
      throw Problem{key(name) + ": must be between " + std::to_string(min) + " and " +
                    std::to_string(max) + ", got " + *raw};
    }
    return value;
  }

  std::optional<bool> boolean(const std::string& name) {
    const auto raw = text(name);
    if (!raw) {
      return std::nullopt;
    }
    if (*raw == "true" || *raw == "yes" || *raw == "on") {
      return true;
    }
    if (*raw == "false" || *raw == "no" || *raw == "off") {
      return false;
    }
    throw Problem{key(name) + ": must be true or false, got " + detail::quoted_excerpt(*raw, 40)};
  }

  template <typename Duration>
  void duration(const std::string& name, Duration& out, long long min, long long max) {
    if (const auto value = integer(name, min, max)) {
      out = Duration(*value);
    }
  }

  /// Rejects keys nobody asked for: a typo must not silently fall back to a default.
  void check_unknown() const {
    if (!m_node || !m_node.IsMap()) {
      return;
    }
    for (const auto& item : m_node) {
      const std::string name = item.first.IsScalar() ? item.first.Scalar() : "?";
      if (m_known.count(name) == 0) {
        throw Problem{key(name) + ": unknown key"};
      }
    }
  }

 private:
  YAML::Node m_node;
  std::string m_path;
  std::set<std::string> m_known;
};

std::string resolve_path(std::string_view base_directory, const std::string& path) {
  if (base_directory.empty() || path.empty() || std::filesystem::path(path).is_absolute()) {
    return path;
  }
  return (std::filesystem::path(base_directory) / path).lexically_normal().string();
}

/// A secret given as `name`, `name_file` or `name_env` (at most one of them).
std::string secret(Section& section, const std::string& name, std::string_view base_directory) {
  const auto value = section.text(name);
  const auto file = section.text(name + "_file");
  const auto env = section.text(name + "_env");
  if (int{value.has_value()} + int{file.has_value()} + int{env.has_value()} > 1) {
    throw Problem{section.key(name) + ": give only one of " + name + ", " + name + "_file and " +
                  name + "_env"};
  }
  if (value) {
    return *value;
  }
  if (file) {
    const std::string path = resolve_path(base_directory, *file);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      throw Problem{section.key(name + "_file") + ": cannot read '" + path + "'"};
    }
    std::string content(k_max_secret_file_bytes + 1, '\0');
    in.read(content.data(), static_cast<std::streamsize>(content.size()));
    content.resize(static_cast<std::size_t>(in.gcount()));
    if (content.size() > k_max_secret_file_bytes) {
      throw Problem{section.key(name + "_file") + ": '" + path + "' is too large for a secret"};
    }
    const std::string trimmed(detail::trim(content));
    if (trimmed.empty()) {
      throw Problem{section.key(name + "_file") + ": '" + path + "' is empty"};
    }
    return trimmed;
  }
  if (env) {
    const char* found = std::getenv(env->c_str());
    if (found == nullptr || *found == '\0') {
      throw Problem{section.key(name + "_env") + ": environment variable '" + *env +
                    "' is not set"};
    }
    return found;
  }
  return {};
}

cti::Result<AuthMethod> parse_auth_method(std::string_view text) {
  for (const AuthMethod method : {AuthMethod::jwt_bearer, AuthMethod::client_credentials,
                                  AuthMethod::refresh_token, AuthMethod::password}) {
    if (text == to_string(method)) {
      return method;
    }
  }
  return config_error("must be jwt_bearer, client_credentials, refresh_token or password, got " +
                      detail::quoted_excerpt(text, 40));
}

bool is_api_version(std::string_view version) {
  const std::size_t dot = version.find('.');
  if (dot == std::string_view::npos || dot < 2 || dot > 3 || version.size() != dot + 2) {
    return false;
  }
  for (std::size_t i = 0; i < version.size(); ++i) {
    if (i != dot && (version[i] < '0' || version[i] > '9')) {
      return false;
    }
  }
  return std::stoi(std::string(version.substr(0, dot))) >= 40;
}

void read_config(const YAML::Node& node, std::string_view base_directory, Config& config) {
  Section root(node, "salesforce");
  if (!node || node.IsNull()) {
    throw Problem{"salesforce: section missing"};
  }
  config.instance_url = root.text("instance_url").value_or("");
  config.login_url = root.text("login_url").value_or("");
  config.api_version = root.text("api_version").value_or(config.api_version);
  root.duration("connect_timeout_ms", config.connect_timeout, 1, 600'000);
  root.duration("request_timeout_ms", config.request_timeout, 1, 600'000);
  root.duration("call_deadline_ms", config.call_deadline, 1, 600'000);
  if (const auto retries = root.integer("retries", 0, 10)) {
    config.retries = static_cast<unsigned>(*retries);
  }
  root.duration("backoff_base_ms", config.backoff_base, 1, 60'000);
  root.duration("backoff_max_ms", config.backoff_max, 1, 600'000);
  root.duration("circuit_cooldown_s", config.circuit_cooldown, 1, 86'400);
  root.duration("limit_backoff_s", config.limit_backoff, 1, 86'400);
  if (const auto percent = root.integer("usage_warn_percent", 1, 100)) {
    config.usage_warn_percent = static_cast<unsigned>(*percent);
  }
  if (const auto bytes = root.integer("max_response_bytes", 1024, 256ll << 20)) {
    config.max_response_bytes = static_cast<std::size_t>(*bytes);
  }
  if (const auto pages = root.integer("max_query_pages", 1, 1000)) {
    config.max_query_pages = static_cast<std::size_t>(*pages);
  }
  if (const YAML::Node names = root.child("name_fields"); names && !names.IsNull()) {
    if (!names.IsMap()) {
      throw Problem{root.key("name_fields") + ": must be a mapping of object: field"};
    }
    for (const auto& item : names) {
      if (!item.first.IsScalar() || !item.second.IsScalar()) {
        throw Problem{root.key("name_fields") + ": must be a mapping of object: field"};
      }
      config.name_fields[item.first.Scalar()] = item.second.Scalar();
    }
  }

  Section auth(root.child("auth"), root.key("auth"));
  if (const auto method = auth.text("method")) {
    auto parsed = parse_auth_method(*method);
    if (!parsed) {
      throw Problem{auth.key("method") + ": " + parsed.error().message};
    }
    config.auth.method = *parsed;
  }
  config.auth.client_id = auth.text("client_id").value_or("");
  config.auth.username = auth.text("username").value_or("");
  config.auth.private_key_file =
      resolve_path(base_directory, auth.text("private_key_file").value_or(""));
  config.auth.audience = auth.text("audience").value_or("");
  auth.duration("jwt_lifetime_s", config.auth.jwt_lifetime, 1, 300);
  config.auth.client_secret = secret(auth, "client_secret", base_directory);
  config.auth.refresh_token = secret(auth, "refresh_token", base_directory);
  config.auth.password = secret(auth, "password", base_directory);
  config.auth.allow_password_flow_for_development =
      auth.boolean("allow_password_flow_for_development").value_or(false);
  auth.check_unknown();

  Section cache(root.child("cache"), root.key("cache"));
  cache.duration("ttl_s", config.cache.ttl, 0, 86'400);
  cache.duration("negative_ttl_s", config.cache.negative_ttl, 0, 86'400);
  if (const auto entries = cache.integer("max_entries", 0, 10'000'000)) {
    config.cache.max_entries = static_cast<std::size_t>(*entries);
  }
  cache.check_unknown();

  Section tls(root.child("tls"), root.key("tls"));
  config.tls.ca_file = resolve_path(base_directory, tls.text("ca_file").value_or(""));
  config.tls.verify = tls.boolean("verify").value_or(true);
  config.tls.insecure_skip_verify = tls.boolean("insecure_skip_verify").value_or(false);
  tls.check_unknown();

  root.check_unknown();
}

}  // namespace

std::string_view to_string(AuthMethod method) noexcept {
  switch (method) {
    case AuthMethod::jwt_bearer: return "jwt_bearer";
    case AuthMethod::client_credentials: return "client_credentials";
    case AuthMethod::refresh_token: return "refresh_token";
    case AuthMethod::password: return "password";
  }
  return "unknown";
}

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
  }
  return "unknown";
}

std::string_view to_string(CircuitState state) noexcept {
  switch (state) {
    case CircuitState::closed: return "closed";
    case CircuitState::open: return "open";
    case CircuitState::half_open: return "half_open";
  }
  return "unknown";
}

cti::Result<Config> parse_config(const YAML::Node& node, std::string_view base_directory) {
  Config config;
  try {
    read_config(node, base_directory, config);
  } catch (const Problem& problem) {
    return config_error(problem.message);
  } catch (const YAML::Exception& error) {
    return config_error("salesforce: " + std::string(error.what()));
  }
  CTI_TRY(validate(config));
  return config;
}

cti::Result<void> validate(const Config& config) {
  if (config.instance_url.empty()) {
    return config_error("salesforce.instance_url: required (https://<MyDomain>.my.salesforce.com)");
  }
  if (auto url = detail::parse_https_url(config.instance_url); !url) {
    return config_error("salesforce.instance_url: " + url.error().message);
  }
  if (!config.login_url.empty()) {
    if (auto url = detail::parse_https_url(config.login_url); !url) {
      return config_error("salesforce.login_url: " + url.error().message);
    }
  }
  if (!is_api_version(config.api_version)) {
    return config_error("salesforce.api_version: must look like \"59.0\" and be at least 40.0, got " +
                        detail::quoted_excerpt(config.api_version, 20));
  }
  const auto positive = [](auto duration) { return duration.count() > 0; };
  if (!positive(config.connect_timeout)) {
    return config_error("salesforce.connect_timeout_ms: must be positive");
  }
  if (!positive(config.request_timeout)) {
    return config_error("salesforce.request_timeout_ms: must be positive");
  }
  if (!positive(config.call_deadline)) {
    return config_error("salesforce.call_deadline_ms: must be positive");
  }
  if (config.retries > 10) {
    return config_error("salesforce.retries: at most 10");
  }
  if (!positive(config.backoff_base) || config.backoff_max < config.backoff_base) {
    return config_error("salesforce.backoff_max_ms: must be at least backoff_base_ms (> 0)");
  }
  if (!positive(config.circuit_cooldown)) {
    return config_error("salesforce.circuit_cooldown_s: must be positive");
  }
  if (!positive(config.limit_backoff)) {
    return config_error("salesforce.limit_backoff_s: must be positive");
  }
  if (config.usage_warn_percent < 1 || config.usage_warn_percent > 100) {
    return config_error("salesforce.usage_warn_percent: must be 1-100");
  }
  if (config.max_response_bytes < 1024) {
    return config_error("salesforce.max_response_bytes: at least 1024");
  }
  if (config.max_query_pages < 1) {
    return config_error("salesforce.max_query_pages: at least 1");
  }
  for (const auto& [object, field] : config.name_fields) {
    if (auto valid = sfmatch::validate_api_name(object); !valid) {
      return config_error("salesforce.name_fields: " + valid.error().message);
    }
    if (auto valid = sfmatch::validate_api_name(field); !valid) {
      return config_error("salesforce.name_fields." + object + ": " + valid.error().message);
    }
  }
  if (config.cache.ttl.count() < 0 || config.cache.negative_ttl.count() < 0) {
    return config_error("salesforce.cache.ttl_s: must not be negative");
  }

  if (!config.tls.verify && !config.tls.insecure_skip_verify) {
    return config_error(
        "salesforce.tls.verify: false needs tls.insecure_skip_verify: true as well (development "
        "only: anyone on the path could read the token)");
  }
  if (config.tls.verify && config.tls.insecure_skip_verify) {
    return config_error(
        "salesforce.tls.insecure_skip_verify: only meaningful with tls.verify: false");
  }

  const AuthConfig& auth = config.auth;
  if (auth.client_id.empty()) {
    return config_error("salesforce.auth.client_id: required (the connected app's consumer key)");
  }
  if (auth.jwt_lifetime.count() < 1 || auth.jwt_lifetime.count() > 300) {
    return config_error("salesforce.auth.jwt_lifetime_s: must be 1-300");
  }
  switch (auth.method) {
    case AuthMethod::jwt_bearer:
      if (auth.username.empty()) {
        return config_error("salesforce.auth.username: required for jwt_bearer (the JWT subject)");
      }
      if (auth.private_key_file.empty()) {
        return config_error("salesforce.auth.private_key_file: required for jwt_bearer");
      }
      break;
    case AuthMethod::client_credentials:
      if (auth.client_secret.empty()) {
        return config_error(
            "salesforce.auth.client_secret: required for client_credentials (or client_secret_file "
            "/ client_secret_env)");
      }
      break;
    case AuthMethod::refresh_token:
      if (auth.refresh_token.empty()) {
        return config_error(
            "salesforce.auth.refresh_token: required for refresh_token (or refresh_token_file / "
            "refresh_token_env)");
      }
      break;
    case AuthMethod::password:
      if (!auth.allow_password_flow_for_development) {
        return config_error(
            "salesforce.auth.method: password is insecure and blocked in new orgs; use jwt_bearer "
            "or client_credentials (set auth.allow_password_flow_for_development: true to use it "
            "against a developer org)");
      }
      if (auth.username.empty()) {
        return config_error("salesforce.auth.username: required for the password flow");
      }
      if (auth.password.empty()) {
        return config_error(
            "salesforce.auth.password: required for the password flow (or password_file / "
            "password_env)");
      }
      if (auth.client_secret.empty()) {
        return config_error("salesforce.auth.client_secret: required for the password flow");
      }
      break;
  }
  return {};
}

}  // namespace cti::adapters::salesforce
