// parse_config and validate: the adapter's YAML section, checked key by key.
#include "cti/adapters/asterisk_ami/asterisk_ami_adapter.hpp"

#include "ami_settings.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <optional>
#include <regex>

namespace cti::adapters::asterisk_ami {
namespace {

constexpr std::string_view k_section = "asterisk-ami";
constexpr std::size_t k_max_text = 256;
constexpr std::int64_t k_max_duration_ms = 24LL * 3600 * 1000;

std::string key_error(std::string_view key, std::string_view problem) {
  return std::string(k_section) + "." + std::string(key) + ": " + std::string(problem);
}

Unexpected config_error(std::string_view key, std::string_view problem) {
  return fail(ErrorCode::invalid_input, key_error(key, problem));
}

bool has_line_break(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool is_word(std::string_view text, std::size_t max, std::string_view extra = "") {
  if (text.empty() || text.size() > max) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [extra](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || extra.find(c) != std::string_view::npos;
  });
}

// Reads the first line of a file, without its line end.
std::optional<std::string> read_first_line(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return std::nullopt;
  }
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return line;
}

// One YAML key at a time, each failure naming the key and, when known, its line.
class SectionReader {
 public:
  Result<std::string> text(const YAML::Node& value, std::string_view key) const {
    if (!value.IsScalar()) {
      return config_error(key, "must be a string" + where(value));
    }
    std::string out = value.Scalar();
    if (out.size() > k_max_text) {
      return config_error(key, "is longer than 256 characters" + where(value));
    }
    if (has_line_break(out)) {
      return config_error(key, "must be a single line" + where(value));
    }
    return out;
  }

  Result<std::int64_t> integer(const YAML::Node& value, std::string_view key, std::int64_t min,
                               std::int64_t max) const {
    if (!value.IsScalar()) {
      return config_error(key, "must be a whole number" + where(value));
    }
    const std::string& raw = value.Scalar();
    std::int64_t number = 0;
    std::size_t used = 0;
    try {
      number = std::stoll(raw, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != raw.size()) {
      return config_error(key, "must be a whole number (got \"" + raw + "\")" + where(value));
    }
    if (number < min || number > max) {
      return config_error(key, "must be from " + std::to_string(min) + " to " +
                                   std::to_string(max) + " (got " + raw + ")" + where(value));
    }
    return number;
  }

  static std::string where(const YAML::Node& value) {
    const YAML::Mark mark = value.Mark();
    if (mark.is_null()) {
      return {};
    }
    return " at line " + std::to_string(mark.line + 1);
  }
};

Result<std::chrono::milliseconds> duration(const SectionReader& reader, const YAML::Node& value,
                                           std::string_view key) {
  const std::int64_t ms = CTI_TRY(reader.integer(value, key, 1, k_max_duration_ms));
  return std::chrono::milliseconds(ms);
}

Result<Config> read_section(const YAML::Node& node) {
  if (!node.IsMap()) {
    return fail(ErrorCode::invalid_input,
                std::string(k_section) + ": must be a mapping of settings" + SectionReader::where(node));
  }
  const SectionReader reader;
  Config config;
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) {
      return fail(ErrorCode::invalid_input, std::string(k_section) + ": keys must be names" +
                                                SectionReader::where(entry.first));
    }
    const std::string key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    if (key == "host") {
      config.host = CTI_TRY(reader.text(value, key));
    } else if (key == "port") {
      config.port = static_cast<std::uint16_t>(CTI_TRY(reader.integer(value, key, 1, 65535)));
    } else if (key == "username") {
      config.username = CTI_TRY(reader.text(value, key));
    } else if (key == "secret") {
      config.secret = CTI_TRY(reader.text(value, key));
    } else if (key == "secret_file") {
      config.secret_file = CTI_TRY(reader.text(value, key));
    } else if (key == "secret_env") {
      config.secret_env = CTI_TRY(reader.text(value, key));
    } else if (key == "agent_extensions") {
      if (!value.IsSequence()) {
        return config_error(key, "must be a list of extensions" + SectionReader::where(value));
      }
      for (const auto& item : value) {
        config.agent_extensions.push_back(CTI_TRY(reader.text(item, key)));
      }
    } else if (key == "channel_pattern") {
      config.channel_pattern = CTI_TRY(reader.text(value, key));
    } else if (key == "ivr_variable") {
      config.ivr_variable = CTI_TRY(reader.text(value, key));
    } else if (key == "ivr_user_event") {
      config.ivr_user_event = CTI_TRY(reader.text(value, key));
    } else if (key == "originate_channel") {
      config.originate_channel = CTI_TRY(reader.text(value, key));
    } else if (key == "originate_context") {
      config.originate_context = CTI_TRY(reader.text(value, key));
    } else if (key == "originate_caller_id") {
      config.originate_caller_id = CTI_TRY(reader.text(value, key));
    } else if (key == "originate_timeout_ms") {
      config.originate_timeout = CTI_TRY(duration(reader, value, key));
    } else if (key == "ping_interval_ms") {
      config.ping_interval = CTI_TRY(duration(reader, value, key));
    } else if (key == "connect_timeout_ms") {
      config.connect_timeout = CTI_TRY(duration(reader, value, key));
    } else if (key == "action_timeout_ms") {
      config.action_timeout = CTI_TRY(duration(reader, value, key));
    } else if (key == "reconnect_backoff_min_ms") {
      config.reconnect_backoff_min = CTI_TRY(duration(reader, value, key));
    } else if (key == "reconnect_backoff_max_ms") {
      config.reconnect_backoff_max = CTI_TRY(duration(reader, value, key));
    } else {
      return config_error(key, "unknown key; known keys are host, port, username, secret, "
                               "secret_file, secret_env, agent_extensions, channel_pattern, "
                               "ivr_variable, ivr_user_event, originate_channel, "
                               "originate_context, originate_caller_id, originate_timeout_ms, "
                               "ping_interval_ms, connect_timeout_ms, action_timeout_ms, "
                               "reconnect_backoff_min_ms, reconnect_backoff_max_ms" +
                                   SectionReader::where(entry.first));
    }
  }
  return config;
}

}  // namespace

Result<Config> parse_config(const YAML::Node& node) {
  try {
    Config config = CTI_TRY(read_section(node));
    CTI_TRY(validate(config));
    return config;
  } catch (const YAML::Exception& e) {
    return fail(ErrorCode::invalid_input, std::string(k_section) + ": " + e.what());
  }
}

Result<void> validate(const Config& config) {
  if (config.host.empty() || config.host.size() > 255 || has_line_break(config.host) ||
      config.host.find(' ') != std::string::npos) {
    return config_error("host", "must be a host name or address");
  }
  if (config.port == 0) {
    return config_error("port", "must be from 1 to 65535");
  }
  if (config.username.empty()) {
    return config_error("username", "is required (the manager.conf user section)");
  }
  if (config.username.size() > k_max_text || has_line_break(config.username)) {
    return config_error("username", "must be a single line of at most 256 characters");
  }
  const int sources = int{!config.secret.empty()} + int{!config.secret_file.empty()} +
                      int{!config.secret_env.empty()};
  if (sources != 1) {
    return config_error(sources == 0 ? "secret" : (config.secret.empty() ? "secret_file" : "secret"),
                        "give exactly one of secret, secret_file and secret_env");
  }
  CTI_TRY(resolve_secret(config));
  for (const std::string& extension : config.agent_extensions) {
    if (!is_word(extension, 32, ".-")) {
      return config_error("agent_extensions", "\"" + extension +
                                                  "\" is not an extension (1-32 letters, digits, "
                                                  "'_', '.', '-')");
    }
  }
  CTI_TRY(make_mapper_settings(config));
  if (!is_word(config.ivr_variable, 64)) {
    return config_error("ivr_variable", "must be a channel variable name (letters, digits, '_')");
  }
  if (!config.ivr_user_event.empty() && !is_word(config.ivr_user_event, 64, "-")) {
    return config_error("ivr_user_event", "must be a UserEvent name (letters, digits, '_', '-')");
  }
  if (config.originate_channel.find("{extension}") == std::string::npos ||
      has_line_break(config.originate_channel)) {
    return config_error("originate_channel", "must contain {extension}, e.g. PJSIP/{extension}");
  }
  if (!is_word(config.originate_context, 80, "-.")) {
    return config_error("originate_context", "must be a dialplan context name");
  }
  if (has_line_break(config.originate_caller_id) || config.originate_caller_id.size() > k_max_text) {
    return config_error("originate_caller_id", "must be a single line");
  }
  struct Bound {
    std::string_view key;
    std::chrono::milliseconds value;
  };
  for (const Bound& bound : std::array<Bound, 6>{{
           {"originate_timeout_ms", config.originate_timeout},
           {"ping_interval_ms", config.ping_interval},
           {"connect_timeout_ms", config.connect_timeout},
           {"action_timeout_ms", config.action_timeout},
           {"reconnect_backoff_min_ms", config.reconnect_backoff_min},
           {"reconnect_backoff_max_ms", config.reconnect_backoff_max},
       }}) {
    if (bound.value.count() < 1 || bound.value.count() > k_max_duration_ms) {
      return config_error(bound.key, "must be from 1 to 86400000 milliseconds");
    }
  }
  if (config.reconnect_backoff_max < config.reconnect_backoff_min) {
    return config_error("reconnect_backoff_max_ms", "must not be below reconnect_backoff_min_ms");
  }
  return {};
}

Result<std::string> resolve_secret(const Config& config) {
  if (!config.secret.empty()) {
    return config.secret;
  }
  if (!config.secret_file.empty()) {
    std::optional<std::string> line = read_first_line(config.secret_file);
    if (!line) {
      return config_error("secret_file", "cannot read \"" + config.secret_file + "\"");
    }
    if (line->empty() || has_line_break(*line)) {
      return config_error("secret_file", "\"" + config.secret_file + "\" has an empty first line");
    }
    return *line;
  }
  if (!config.secret_env.empty()) {
    const char* value = std::getenv(config.secret_env.c_str());
    if (value == nullptr || *value == '\0') {
      return config_error("secret_env", "environment variable " + config.secret_env + " is not set");
    }
    std::string secret(value);
    if (has_line_break(secret)) {
      return config_error("secret_env", "environment variable " + config.secret_env +
                                            " must be a single line");
    }
    return secret;
  }
  return config_error("secret", "give exactly one of secret, secret_file and secret_env");
}

Result<MapperSettings> make_mapper_settings(const Config& config) {
  MapperSettings settings;
  try {
    settings.channel_pattern = std::regex(config.channel_pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return config_error("channel_pattern", std::string("is not a valid regular expression: ") + e.what());
  }
  if (settings.channel_pattern.mark_count() < 1) {
    return config_error("channel_pattern", "needs a capture group for the extension, e.g. "
                                           "^PJSIP/([0-9]+)-[0-9a-f]+$");
  }
  settings.agent_extensions = config.agent_extensions;
  settings.ivr_variable = config.ivr_variable;
  settings.ivr_user_event = config.ivr_user_event;
  return settings;
}

}  // namespace cti::adapters::asterisk_ami
