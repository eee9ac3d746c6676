#include "sfproxy_config.hpp"

#include "cti/adapters/asterisk_ami/asterisk_ami_adapter.hpp"
#include "cti/adapters/pbx_sim/pbx_sim_adapter.hpp"
#include "cti/adapters/webhook/webhook_adapter.hpp"
#include "cti/dial_plan.hpp"
#include "sfmatch/match_settings.hpp"

#include <yaml-cpp/yaml.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <filesystem>
#include <limits>
#include <optional>
#include <set>
#include <sstream>

namespace sfproxy {
namespace {

namespace fs = std::filesystem;

/// Collects problems, each with the place in the file it comes from.
class Problems {
 public:
  explicit Problems(std::string file) : m_file(std::move(file)) {}

  void add(const YAML::Mark& mark, std::string_view key, std::string_view message) {
    std::ostringstream line;
    line << m_file << ':';
    if (mark.line >= 0) {  // a node with no place (an empty file) has line -1
      line << mark.line + 1 << ':' << mark.column + 1 << ':';
    }
    line << ' ';
    if (!key.empty()) {
      line << key << ": ";
    }
    line << message;
    m_lines.push_back(line.str());
  }
  bool empty() const { return m_lines.empty(); }
  std::string joined() const {
    std::string all;
    for (const auto& line : m_lines) {
      all += all.empty() ? "" : "\n";
      all += line;
    }
    return all;
  }

 private:
  std::string m_file;
  std::vector<std::string> m_lines;
};

/// A mapping node of the file, read key by key. Unknown keys are reported by finish().
class Section {
 public:
  Section(YAML::Node node, std::string path, Problems& problems)
      : m_node(std::move(node)), m_path(std::move(path)), m_problems(problems) {
    if (m_node && !m_node.IsNull() && !m_node.IsMap()) {
      m_problems.add(m_node.Mark(), m_path, "must be a mapping of keys to values");
      m_node = YAML::Node();
    }
  }

  bool present() const { return m_node && m_node.IsMap(); }
  /// The value at `key`; a node that tests false when the key (or this section) is absent.
  YAML::Node node(const std::string& key) {
    m_seen.insert(key);
    if (!present()) {
      static const YAML::Node k_empty(YAML::NodeType::Map);
      return k_empty[key];  // const lookup of a missing key: an undefined node
    }
    return m_node[key];
  }
  std::string key_path(const std::string& key) const { return m_path.empty() ? key : m_path + "." + key; }
  YAML::Mark mark() const { return m_node ? m_node.Mark() : YAML::Mark(); }

  Section child(const std::string& key) { return Section(node(key), key_path(key), m_problems); }

  template <typename T>
  void read(const std::string& key, T& out) {
    YAML::Node value = node(key);
    if (!value || value.IsNull()) {
      return;
    }
    try {
      out = value.as<T>();
    } catch (const YAML::Exception&) {
      m_problems.add(value.Mark(), key_path(key), std::string("must be ") + type_name<T>());
    }
  }

  /// A number in [min, max].
  template <typename T>
  void read_number(const std::string& key, T& out, T min, T max) {
    T value = out;
    YAML::Node node_value = node(key);
    read(key, value);
    if (value < min || value > max) {
      m_problems.add(node_value.Mark(), key_path(key),
                     "must be between " + std::to_string(min) + " and " + std::to_string(max));
      return;
    }
    out = value;
  }

  void read_milliseconds(const std::string& key, std::chrono::milliseconds& out, std::int64_t max,
                         std::int64_t min = 0) {
    std::int64_t value = out.count();
    read_number<std::int64_t>(key, value, min, max);
    out = std::chrono::milliseconds(value);
  }

  void read_seconds(const std::string& key, std::chrono::seconds& out, std::int64_t max,
                    std::int64_t min = 0) {
    std::int64_t value = out.count();
    read_number<std::int64_t>(key, value, min, max);
    out = std::chrono::seconds(value);
  }

  void read_list(const std::string& key, std::vector<std::string>& out) {
    YAML::Node value = node(key);
    if (!value || value.IsNull()) {
      return;
    }
    if (!value.IsSequence()) {
      m_problems.add(value.Mark(), key_path(key), "must be a list");
      return;
    }
    out.clear();
    for (const auto& item : value) {
      if (!item.IsScalar()) {
        m_problems.add(item.Mark(), key_path(key), "must be a list of strings");
        return;
      }
      out.push_back(item.as<std::string>());
    }
  }

  /// Reports every key not read.
  void finish() {
    if (!present()) {
      return;
    }
    for (const auto& entry : m_node) {
      const std::string key = entry.first.as<std::string>();
      if (m_seen.count(key) == 0) {
        m_problems.add(entry.first.Mark(), key_path(key), "unknown key");
      }
    }
  }

  void problem(const YAML::Mark& mark, const std::string& key, std::string_view message) {
    m_problems.add(mark, key.empty() ? m_path : key_path(key), message);
  }
  Problems& problems() { return m_problems; }

 private:
  template <typename T>
  static const char* type_name() {
    if constexpr (std::is_same_v<T, bool>) {
      return "true or false";
    } else if constexpr (std::is_integral_v<T>) {
      return "a whole number";
    } else {
      return "a string";
    }
  }

  YAML::Node m_node;
  std::string m_path;
  Problems& m_problems;
  std::set<std::string> m_seen;
};

std::string resolve(const fs::path& base, const std::string& file) {
  if (file.empty() || fs::path(file).is_absolute()) {
    return file;
  }
  return (base / file).lexically_normal().string();
}

// "0.0.0.0:8443", "[::]:8443", ":8443"
bool parse_listen(const std::string& text, std::string& address, std::uint16_t& port) {
  std::string host;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return false;
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) {
      return false;
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  const unsigned long value = std::stoul(port_text);
  if (value > 65535) {
    return false;
  }
  // The server binds an address; it does not resolve host names.
  unsigned char binary[sizeof(in6_addr)];
  if (!host.empty() && inet_pton(AF_INET, host.c_str(), binary) != 1 &&
      inet_pton(AF_INET6, host.c_str(), binary) != 1) {
    return false;
  }
  address = host.empty() ? "0.0.0.0" : host;
  port = static_cast<std::uint16_t>(value);
  return true;
}

void read_server(Section server, SfproxyConfig& config, const fs::path& base) {
  std::string listen = config.server.address + ":" + std::to_string(config.server.port);
  YAML::Node listen_node = server.node("listen");
  server.read("listen", listen);
  if (!parse_listen(listen, config.server.address, config.server.port)) {
    server.problem(listen_node.Mark(), "listen", "must be IP-ADDRESS:PORT, e.g. 0.0.0.0:8443, 127.0.0.1:8443 or [::]:8443 "
                                                  "(an address to bind, not a host name)");
  }
  server.read("public_host", config.public_host);
  bool plain = false;
  server.read("development_plain_http", plain);
  config.server.tls_enabled = !plain;
  Section tls = server.child("tls");
  tls.read("certificate", config.server.tls.certificate_file);
  tls.read("private_key", config.server.tls.private_key_file);
  tls.read("ciphers", config.server.tls.ciphers);
  config.server.tls.certificate_file = resolve(base, config.server.tls.certificate_file);
  config.server.tls.private_key_file = resolve(base, config.server.tls.private_key_file);
  if (config.server.tls_enabled &&
      (config.server.tls.certificate_file.empty() || config.server.tls.private_key_file.empty())) {
    tls.problem(tls.mark(), "", "certificate and private_key are required (HTTPS is the default; "
                                "development_plain_http: true serves plain HTTP for development only)");
  }
  tls.finish();
  server.read_number<std::size_t>("reactor_threads", config.server.reactor_threads, 1, 64);
  server.read_number<std::size_t>("max_connections", config.server.max_connections, 1, 1000000);
  server.read_number<std::size_t>("max_body_bytes", config.server.max_body_bytes, 1024, 16 << 20);
  server.read_milliseconds("keep_alive_timeout_ms", config.server.keep_alive_timeout, 3600000, 1000);
  server.read_milliseconds("stream_stall_timeout_ms", config.server.stream_stall_timeout, 3600000, 1000);
  server.read_list("frame_ancestors", config.frame_ancestors);
  server.read_list("cors_origins", config.http.cors_origins);
  server.read("web_root", config.http.web_root);
  config.http.web_root = resolve(base, config.http.web_root);
  server.read("session_cookie", config.http.session_cookie);
  server.finish();
}

void read_matching(Section matching, Section dialing, SfproxyConfig& config) {
  ProxyConfig& proxy = config.proxy;
  sfmatch::MatchSettings& match = proxy.site_match;
  std::string mode(to_string(proxy.match_mode));
  YAML::Node mode_node = matching.node("mode");
  matching.read("mode", mode);
  if (auto parsed = parse_match_mode(mode)) {
    proxy.match_mode = *parsed;
  } else {
    matching.problem(mode_node.Mark(), "mode", parsed.error().message);
  }
  matching.read_milliseconds("deadline_ms", proxy.match_deadline, 60000);
  matching.read_list("caller_id_objects", match.caller_id_objects);
  std::string ivr_match(sfmatch::to_string(match.ivr_match));
  YAML::Node ivr_node = matching.node("ivr_match");
  matching.read("ivr_match", ivr_match);
  if (auto parsed = sfmatch::parse_ivr_match_mode(ivr_match)) {
    match.ivr_match = *parsed;
  } else {
    matching.problem(ivr_node.Mark(), "ivr_match", parsed.error().message);
  }
  std::string no_match(sfmatch::to_string(match.on_no_match));
  YAML::Node no_match_node = matching.node("on_no_match");
  matching.read("on_no_match", no_match);
  if (auto parsed = sfmatch::parse_no_match_action(no_match)) {
    match.on_no_match = *parsed;
  } else {
    matching.problem(no_match_node.Mark(), "on_no_match", parsed.error().message);
  }
  matching.read("new_record_object", match.new_record_object);
  matching.read_number<std::size_t>("record_limit", match.record_limit, 1, 200);
  matching.read_list("allowed_ivr_objects", match.allowed_ivr_objects);
  if (YAML::Node padding = matching.node("field_padding"); padding && !padding.IsNull()) {
    if (!padding.IsMap()) {
      matching.problem(padding.Mark(), "field_padding", "must map Object.Field to a digit count");
    } else {
      match.field_padding.clear();
      for (const auto& entry : padding) {
        try {
          match.field_padding[entry.first.as<std::string>()] = entry.second.as<std::size_t>();
        } catch (const YAML::Exception&) {
          matching.problem(entry.second.Mark(), "field_padding", "each value must be a whole number");
        }
      }
    }
  }
  if (YAML::Node tags = matching.node("ivr_tags"); tags && !tags.IsNull()) {
    if (!tags.IsSequence()) {
      matching.problem(tags.Mark(), "ivr_tags", "must be a list of {tag, min_digits, max_digits, pad_to}");
    } else {
      match.ivr_rules.definitions.clear();
      for (const auto& item : tags) {
        Section tag(item, matching.key_path("ivr_tags[]"), matching.problems());
        std::string name;
        YAML::Node name_node = tag.node("tag");
        tag.read("tag", name);
        const auto dot = name.find('.');
        sfmatch::IvrTagDefinition definition;
        if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) {
          tag.problem(name_node ? name_node.Mark() : item.Mark(), "tag", "must be Object.Field, e.g. Case.CaseNumber");
        } else {
          definition.object = name.substr(0, dot);
          definition.field = name.substr(dot + 1);
        }
        tag.read_number<std::size_t>("min_digits", definition.min_digits, 1, 16);
        tag.read_number<std::size_t>("max_digits", definition.max_digits, 1, 16);
        tag.read_number<std::size_t>("pad_to", definition.pad_to, 0, 16);
        tag.finish();
        match.ivr_rules.definitions.push_back(std::move(definition));
      }
    }
  }
  matching.read_number<std::size_t>("event_log_capacity", proxy.event_log_capacity, 16, 100000);
  matching.finish();

  dialing.read("outside_prefix", match.dialing.outside_prefix);
  dialing.read("long_distance_prefix", match.dialing.long_distance_prefix);
  dialing.read("international_prefix", match.dialing.international_prefix);
  dialing.read("country_code", match.dialing.country_code);
  dialing.read("national_number_length", match.dialing.national_number_length);
  dialing.read("min_extension_length", match.dialing.min_extension_length);
  dialing.read("max_extension_length", match.dialing.max_extension_length);
  if (auto valid = cti::validate(match.dialing); !valid) {
    dialing.problem(dialing.mark(), "", valid.error().message);
  }
  dialing.finish();
  if (auto valid = sfmatch::validate(match); !valid) {
    matching.problem(matching.mark(), "", valid.error().message);
  }
}


// Code points of valid UTF-8 text, or nullopt for malformed input (overlong forms,
// surrogates and values past U+10FFFF included).
std::optional<std::size_t> utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++count) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t code = 0;
    if (lead < 0x80) {
      code = lead;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      extra = 1;
      code = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      extra = 2;
      code = lead & 0x0Fu;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      extra = 3;
      code = lead & 0x07u;
    } else {
      return std::nullopt;
    }
    if (text.size() - i <= extra) {
      return std::nullopt;
    }
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0u) != 0x80u) {
        return std::nullopt;
      }
      code = (code << 6) | (next & 0x3Fu);
    }
    if ((extra == 2 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) ||
        (extra == 3 && (code < 0x10000 || code > 0x10FFFF))) {
      return std::nullopt;
    }
    i += extra + 1;
  }
  return count;
}

void read_call_center(Section section, SfproxyConfig& config) {
  CallCenterConfig& call_center = config.call_center;
  const bool allow_http = !config.server.tls_enabled;
  const auto check = [&](const std::string& key, const std::string& value, auto validate) {
    if (auto valid = validate(value); !valid) {
      YAML::Node node = section.node(key);
      section.problem(node ? node.Mark() : section.mark(), key, valid.error().message);
    }
  };
  section.read("internal_name", call_center.internal_name);
  check("internal_name", call_center.internal_name, validate_call_center_internal_name);
  section.read("display_name", call_center.display_name);
  check("display_name", call_center.display_name, validate_call_center_display_name);
  section.read("adapter_url", call_center.adapter_url);
  if (!call_center.adapter_url.empty()) {
    check("adapter_url", call_center.adapter_url,
          [&](const std::string& url) { return validate_call_center_url(url, allow_http); });
  }
  section.read_number<std::size_t>("softphone_height", call_center.softphone_height,
                                   k_softphone_min_height, k_softphone_max_height);
  section.read_number<std::size_t>("softphone_width", call_center.softphone_width,
                                   k_softphone_min_width, k_softphone_max_width);
  section.read("standby_url", call_center.standby_url);
  if (!call_center.standby_url.empty()) {
    check("standby_url", call_center.standby_url,
          [&](const std::string& url) { return validate_call_center_url(url, allow_http); });
  }
  // Salesforce takes reqStandbyUrl and reqTimeout as a pair.
  if (YAML::Node timeout = section.node("standby_timeout_ms"); timeout && !timeout.IsNull()) {
    std::int64_t milliseconds = call_center.standby_timeout.count();
    section.read_number<std::int64_t>("standby_timeout_ms", milliseconds, 1000, 120000);
    call_center.standby_timeout = std::chrono::milliseconds(milliseconds);
    if (call_center.standby_url.empty()) {
      section.problem(timeout.Mark(), "standby_timeout_ms", "applies only with standby_url");
    }
  }
  section.finish();
}

// Runs an adapter's own parser on its section; its message already names the key.
template <typename Parse>
auto parse_adapter(Section& parent, const std::string& key, Parse&& parse)
    -> std::optional<typename std::decay_t<decltype(parse(YAML::Node()))>::value_type> {
  YAML::Node node = parent.node(key);
  try {
    auto parsed = parse(node ? node : YAML::Node(YAML::NodeType::Map));
    if (!parsed) {
      parent.problem(node ? node.Mark() : parent.mark(), key, parsed.error().message);
      return std::nullopt;
    }
    return std::move(*parsed);
  } catch (const YAML::Exception& error) {
    parent.problem(error.mark, key, error.msg);
  } catch (const cti::ConfigError& error) {
    parent.problem(node ? node.Mark() : parent.mark(), key, error.what());
  }
  return std::nullopt;
}

// Adapters read their files (secrets, CA certificates) themselves, relative to the working
// directory; like every other path in this file, those are relative to the file itself.
void resolve_adapter_paths(Section& pbx, const std::string& key, const fs::path& base) {
  YAML::Node node = pbx.node(key);
  if (!node || !node.IsMap()) {
    return;
  }
  for (const char* path_key : {"secret_file", "make_call_ca_file"}) {
    if (YAML::Node value = node[path_key]; value && value.IsScalar()) {
      node[path_key] = resolve(base, value.Scalar());
    }
  }
}

void read_pbx(Section pbx, SfproxyConfig& config, const fs::path& base) {
  namespace ami = cti::adapters::asterisk_ami;
  namespace sim = cti::adapters::pbx_sim;
  namespace webhook = cti::adapters::webhook;
  YAML::Node adapter_node = pbx.node("adapter");
  pbx.read("adapter", config.pbx_adapter);
  resolve_adapter_paths(pbx, config.pbx_adapter, base);
  // The adapter table: the YAML key is the adapter's folder name.
  if (config.pbx_adapter == "pbx-sim") {
    if (auto parsed = parse_adapter(pbx, "pbx-sim", [](const YAML::Node& n) { return sim::parse_config(n); })) {
      parsed->scenario_file = resolve(base, parsed->scenario_file);
      config.make_pbx = [settings = *parsed] {
        return PbxInstance{sim::make_pbx_connector(settings), nullptr, {}};
      };
    }
  } else if (config.pbx_adapter == "webhook") {
    if (auto parsed = parse_adapter(pbx, "webhook", [](const YAML::Node& n) { return webhook::parse_config(n); })) {
      config.make_pbx = [settings = *parsed] {
        auto connector = webhook::make_webhook_connector(settings);
        auto* ingest = connector.get();
        return PbxInstance{std::move(connector), ingest, {}};
      };
    }
  } else if (config.pbx_adapter == "asterisk-ami") {
    if (auto parsed = parse_adapter(pbx, "asterisk-ami", [](const YAML::Node& n) { return ami::parse_config(n); })) {
      config.make_pbx = [settings = *parsed] {
        ami::Options options;
        options.metrics = std::make_shared<ami::Metrics>();
        auto metrics = [m = options.metrics] {
          std::ostringstream out;
          out << "# HELP sfproxy_ami_connection_losses_total AMI sessions that ended with an error.\n"
                 "# TYPE sfproxy_ami_connection_losses_total counter\n"
              << "sfproxy_ami_connection_losses_total " << m->connection_losses.load() << "\n"
              << "# HELP sfproxy_ami_dropped_total AMI input dropped, by kind.\n"
                 "# TYPE sfproxy_ami_dropped_total counter\n"
              << "sfproxy_ami_dropped_total{kind=\"garbage_line\"} " << m->garbage_lines.load() << "\n"
              << "sfproxy_ami_dropped_total{kind=\"oversized\"} "
              << m->oversized_lines.load() + m->oversized_packets.load() << "\n"
              << "sfproxy_ami_dropped_total{kind=\"malformed_event\"} " << m->malformed_events.load() << "\n"
              << "sfproxy_ami_dropped_total{kind=\"unknown_channel\"} " << m->unknown_channel_events.load() << "\n";
          return out.str();
        };
        return PbxInstance{ami::make_pbx_connector(settings, options), nullptr, metrics};
      };
    }
  } else {
    pbx.problem(adapter_node ? adapter_node.Mark() : pbx.mark(), "adapter",
                "must be one of pbx-sim, webhook, asterisk-ami");
  }
  pbx.finish();
}

}  // namespace

cti::Result<void> validate_call_center_internal_name(std::string_view name) {
  const auto is_letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (name.empty() || name.size() > 40 || !is_letter(name.front())) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     "must be 1 to 40 letters and digits, starting with a letter");
  }
  for (const char c : name) {
    if (!is_letter(c) && !is_digit(c)) {
      return cti::fail(cti::ErrorCode::invalid_input,
                       "must be letters and digits only (no spaces, punctuation or accents)");
    }
  }
  return {};
}

cti::Result<void> validate_call_center_display_name(std::string_view name) {
  const std::optional<std::size_t> length = utf8_length(name);
  if (!length) {
    return cti::fail(cti::ErrorCode::invalid_input, "is not valid UTF-8");
  }
  if (*length == 0 || *length > 1000) {
    return cti::fail(cti::ErrorCode::invalid_input, "must be 1 to 1000 characters");
  }
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      return cti::fail(cti::ErrorCode::invalid_input, "must not contain control characters");
    }
  }
  // XML 1.0 has no way to write these two, escaped or not.
  if (name.find("\xEF\xBF\xBE") != std::string_view::npos ||
      name.find("\xEF\xBF\xBF") != std::string_view::npos) {
    return cti::fail(cti::ErrorCode::invalid_input, "must not contain U+FFFE or U+FFFF");
  }
  return {};
}

cti::Result<void> validate_call_center_url(std::string_view url, bool allow_plain_http) {
  const auto bad = [](std::string message) { return cti::fail(cti::ErrorCode::invalid_input, std::move(message)); };
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://") && allow_plain_http) {
    rest = url.substr(7);
  } else if (url.starts_with("http://")) {
    return bad("must be https:// (Lightning frames only HTTPS pages; plain http is accepted only "
               "with server.development_plain_http: true)");
  } else {
    return bad("must be an absolute https:// URL");
  }
  if (url.size() > 2000) {
    return bad("must be at most 2000 characters");
  }
  // RFC 3986 leaves these out of URLs; here they would also be the first tools of markup
  // or script injection.
  for (const char c : url) {
    if (c <= ' ' || c >= 0x7F || std::string_view("\"<>\\^`{|}").find(c) != std::string_view::npos) {
      return bad("must not contain spaces, quotes, <, >, control or non-ASCII characters "
                 "(percent-encode them)");
    }
  }
  if (url.find('#') != std::string_view::npos) {
    return bad("must not have a #fragment");
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  if (authority.find('@') != std::string_view::npos) {
    return bad("must not carry a user name or password");
  }
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return bad("has an unclosed [IPv6 address]");
    }
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) {
      return bad("has text after the [IPv6 address]");
    }
    port = after.empty() ? after : after.substr(1);
    if (host.empty() || host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) {
      return bad("has an invalid IPv6 address");
    }
  } else {
    const auto colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      if (port.empty()) {
        return bad("has an empty port after ':'");
      }
    }
    if (host.empty()) {
      return bad("has no host name");
    }
    if (host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
            std::string_view::npos ||
        host.front() == '.' || host.front() == '-' || host.find("..") != std::string_view::npos) {
      return bad("has an invalid host name '" + std::string(host) + "'");
    }
  }
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoul(std::string(port)) == 0 || std::stoul(std::string(port)) > 65535) {
      return bad("has an invalid port '" + std::string(port) + "'");
    }
  }
  return {};
}

std::vector<std::string> default_frame_ancestors() {
  return {"'self'",
          "https://*.lightning.force.com",
          "https://*.my.salesforce.com",
          "https://*.vf.force.com",
          "https://*.salesforce.com",
          "https://*.force.com"};
}

net::Headers security_headers(const SfproxyConfig& config) {
  std::string ancestors = "frame-ancestors";
  for (const auto& source : config.frame_ancestors) {
    ancestors += " " + source;
  }
  net::Headers headers{{"Content-Security-Policy", ancestors},
                       {"X-Content-Type-Options", "nosniff"},
                       {"Referrer-Policy", "no-referrer"}};
  if (config.server.tls_enabled) {
    headers.emplace_back("Strict-Transport-Security", "max-age=63072000");
  }
  return headers;
}

cti::Result<SfproxyConfig> load_config(const std::string& path) {
  Problems problems(path);
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return cti::fail(cti::ErrorCode::invalid_input, path + ": cannot read the file");
  } catch (const YAML::Exception& error) {
    problems.add(error.mark, "", error.msg);
    return cti::fail(cti::ErrorCode::invalid_input, problems.joined());
  }
  SfproxyConfig config;
  config.path = path;
  config.frame_ancestors = default_frame_ancestors();
  const fs::path base = fs::absolute(path).parent_path();

  Section top(root, "", problems);
  if (!top.present()) {
    if (problems.empty()) {  // an empty file; anything else not a mapping is reported already
      problems.add(root.Mark(), "", "the file is empty: it must be a YAML mapping (server:, pbx:, ...)");
    }
    return cti::fail(cti::ErrorCode::invalid_input, problems.joined());
  }
  read_server(top.child("server"), config, base);
  read_call_center(top.child("callcenter"), config);

  top.read("database", config.database_path);
  if (config.database_path.empty()) {
    top.problem(top.mark(), "database", "is required: the SQLite file holding agents and seats");
  }
  config.database_path = resolve(base, config.database_path);

  Section licence = top.child("licence");
  licence.read("name", config.licence_name);
  if (YAML::Node seats_node = licence.node("seats"); seats_node && !seats_node.IsNull()) {
    std::size_t seats = 0;
    licence.read_number<std::size_t>("seats", seats, 0, 1000000);
    config.licence_seats = seats;
  }
  licence.finish();

  Section sessions = top.child("sessions");
  sessions.read_seconds("idle_timeout_s", config.sessions.idle_timeout, 30 * 86400, 60);
  sessions.read_seconds("absolute_timeout_s", config.sessions.absolute_timeout, 90 * 86400, 60);
  sessions.read_number<std::size_t>("max_per_agent", config.sessions.max_sessions_per_agent, 1, 1000);
  sessions.read_milliseconds("access_poll_ms", config.proxy.access_poll_interval, 3600 * 1000);
  sessions.finish();

  Section throttle = top.child("login_throttle");
  throttle.read_number<std::size_t>("max_failures_per_hour", config.throttle.max_failures_per_account_per_hour, 1, 100000);
  throttle.read_number<std::size_t>("max_failures_per_address_per_hour", config.throttle.max_failures_per_address_per_hour, 1, 1000000);
  throttle.read_number<std::size_t>("free_failures", config.throttle.free_failures, 0, 1000);
  throttle.read_seconds("max_backoff_s", config.throttle.max_backoff, 86400);
  throttle.finish();

  read_matching(top.child("matching"), top.child("dialing"), config);
  read_pbx(top.child("pbx"), config, base);

  if (top.node("salesforce")) {
    config.salesforce = parse_adapter(top, "salesforce", [&](const YAML::Node& n) {
      return cti::adapters::salesforce::parse_config(n, base.string());
    });
  }
  if (config.proxy.match_mode == MatchMode::server && !top.node("salesforce")) {
    const YAML::Node matching = top.node("matching");
    const YAML::Node mode = matching && matching.IsMap() ? matching["mode"] : YAML::Node();
    top.problem(mode ? mode.Mark() : top.mark(), "matching.mode",
                "server needs a salesforce: section (or use agent mode)");
  }

  Section log = top.child("log");
  std::string level(cti::app::to_string(config.log_level));
  std::string format = "text";
  log.read("level", level);
  log.read("format", format);
  if (auto parsed = cti::app::parse_log_level(level)) {
    config.log_level = *parsed;
  } else {
    log.problem(log.node("level").Mark(), "level", parsed.error().message);
  }
  if (auto parsed = cti::app::parse_log_format(format)) {
    config.log_format = *parsed;
  } else {
    log.problem(log.node("format").Mark(), "format", parsed.error().message);
  }
  log.finish();

  Section workers = top.child("workers");
  workers.read_number<std::size_t>("sign_in_threads", config.sign_in_threads, 1, 64);
  workers.read_number<std::size_t>("threads", config.worker_threads, 1, 256);
  workers.read_number<std::size_t>("lookup_threads", config.lookup_threads, 1, 256);
  workers.read_number<std::size_t>("queue_limit", config.queue_limit, 1, 1000000);
  workers.finish();
  top.finish();

  if (!problems.empty()) {
    return cti::fail(cti::ErrorCode::invalid_input, problems.joined());
  }
  return config;
}

}  // namespace sfproxy
