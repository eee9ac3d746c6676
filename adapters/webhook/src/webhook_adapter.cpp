#include "cti/adapters/webhook/webhook_adapter.hpp"

#include "cti/adapters/webhook/webhook_client.hpp"
#include "event_json.hpp"
#include "hmac.hpp"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/UUIDGenerator.h>

#include <openssl/crypto.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <unordered_set>

namespace cti::adapters::webhook {
namespace {

using Clock = std::chrono::system_clock;

constexpr std::size_t k_min_secret = 16;

/// The product's error shape. The message may quote request bytes (or a parser's view of
/// them), so it is cleaned to printable, valid UTF-8 first.
std::string error_body(ErrorCode code, std::string_view message) {
  std::string clean(message);
  const bool utf8 = detail::valid_utf8(clean);
  for (char& c : clean) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || (!utf8 && byte >= 0x80)) {
      c = '?';
    }
  }
  Poco::JSON::Object error(Poco::JSON_PRESERVE_KEY_ORDER);
  error.set("code", std::string(to_string(code)));
  error.set("message", clean);
  Poco::JSON::Object root;
  root.set("error", error);
  std::ostringstream out;
  root.stringify(out);
  return out.str();
}

IngestReply refuse(int status, ErrorCode code, std::string_view message) {
  return {status, error_body(code, message)};
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

/// application/json, optionally with charset=utf-8 (any case).
bool is_json(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  if (lower(trim(content_type.substr(0, semicolon))) != "application/json") {
    return false;
  }
  if (semicolon == std::string_view::npos) {
    return true;
  }
  const std::string parameter = lower(trim(content_type.substr(semicolon + 1)));
  return parameter.empty() || parameter == "charset=utf-8" || parameter == "charset=\"utf-8\"";
}

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isxdigit(c) != 0; });
}

/// Signatures accepted recently, each until its timestamp leaves the replay window. Bounded:
/// past capacity the oldest are forgotten first.
class ReplayCache {
 public:
  explicit ReplayCache(std::size_t capacity) : m_capacity(capacity) {}

  /// False when `signature` was already accepted and has not expired.
  bool remember(const std::string& signature, Clock::time_point now, Clock::time_point expires) {
    std::lock_guard lock(m_mutex);
    while (!m_order.empty() && (m_order.front().first <= now || m_order.size() >= m_capacity)) {
      m_seen.erase(m_order.front().second);
      m_order.pop_front();
    }
    if (m_capacity == 0) {
      return true;
    }
    if (!m_seen.insert(signature).second) {
      return false;
    }
    m_order.emplace_back(expires, signature);
    return true;
  }

 private:
  std::mutex m_mutex;
  std::size_t m_capacity;
  std::unordered_set<std::string> m_seen;
  std::deque<std::pair<Clock::time_point, std::string>> m_order;
};

Result<void> not_supported(std::string_view verb) {
  return fail(ErrorCode::unavailable,
              std::string(verb) + ": the webhook PBX controls its calls itself; only make_call "
                                  "is sent to it");
}

class WebhookPbxConnector final : public WebhookConnector {
 public:
  WebhookPbxConnector(Config config, WallClock clock)
      : m_config(std::move(config)),
        m_clock(std::move(clock)),
        m_hmac(m_config.secret),
        m_replays(m_config.replay_cache_size) {}

  Result<void> start(CallEventHandler on_event) override {
    if (m_config.secret.size() < k_min_secret) {
      return fail(ErrorCode::invalid_input,
                  "webhook: the shared secret must be at least 16 bytes");
    }
    std::lock_guard lock(m_delivery);
    if (m_running) {
      return fail(ErrorCode::conflict, "webhook: already started");
    }
    m_handler = std::move(on_event);
    m_running = true;
    return {};
  }

  void stop() override {
    // Taking the delivery lock waits for a running handler call to finish.
    std::lock_guard lock(m_delivery);
    m_running = false;
  }

  IngestReply ingest(const IngestRequest& request) override {
    IngestReply reply = check_and_deliver(request);
    (reply.status == 200 ? m_accepted_requests : m_rejected_requests).fetch_add(1);
    return reply;
  }

  Result<std::string> make_call(std::string_view extension, std::string_view digits) override {
    if (m_config.make_call_url.empty()) {
      return fail(ErrorCode::unavailable,
                  "make_call: click-to-dial is not configured (webhook.make_call_url)");
    }
    if (extension.empty() || extension.size() > detail::k_max_extension || digits.empty() ||
        digits.size() > detail::k_max_number) {
      return fail(ErrorCode::invalid_input, "make_call: extension or number out of bounds");
    }
    const std::string request_id = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
    Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
    object.set("extension", std::string(extension));
    object.set("number", std::string(digits));
    object.set("request_id", request_id);
    std::ostringstream body;
    object.stringify(body);

    auto reply = post_signed(m_config.make_call_url, m_config.secret, body.str(),
                             {m_config.make_call_timeout, m_config.insecure_tls, m_config.make_call_ca_file},
                             m_clock());
    if (!reply) {
      return Unexpected(reply.error().code, "make_call: " + reply.error().message);
    }
    if (reply->status < 200 || reply->status > 299) {
      return Unexpected(code_for_status(reply->status),
                        "make_call: the PBX answered HTTP " + std::to_string(reply->status) +
                            (reply->body.empty() ? "" : ": " + describe_error_body(reply->body)));
    }
    return call_id_from(reply->body).value_or(request_id);
  }

  Result<void> answer(std::string_view) override { return not_supported("answer"); }
  Result<void> hangup(std::string_view) override { return not_supported("hangup"); }
  Result<void> hold(std::string_view) override { return not_supported("hold"); }
  Result<void> retrieve(std::string_view) override { return not_supported("retrieve"); }

  PbxCapabilities capabilities() const override {
    return {!m_config.make_call_url.empty(), false, false, false};
  }

  PbxHealth health() const override {
    const bool running = m_running;
    return {running, std::string(running ? "accepting" : "not accepting") + " events at " +
                         std::string(k_events_path) + ": " +
                         std::to_string(m_accepted_requests.load()) + " requests accepted, " +
                         std::to_string(m_rejected_requests.load()) + " rejected"};
  }

 private:
  IngestReply check_and_deliver(const IngestRequest& request) {
    if (!m_running) {
      return refuse(503, ErrorCode::unavailable, "the webhook adapter is not running");
    }
    if (request.method != "POST") {
      return refuse(405, ErrorCode::invalid_input, "use POST");
    }
    if (!is_json(request.content_type)) {
      return refuse(415, ErrorCode::invalid_input, "the content type must be application/json");
    }
    if (request.body.size() > m_config.max_body_bytes) {
      return refuse(413, ErrorCode::invalid_input,
                    "the body is larger than " + std::to_string(m_config.max_body_bytes) + " bytes");
    }

    std::int64_t timestamp = 0;
    const auto [end, ec] = std::from_chars(request.timestamp.data(),
                                           request.timestamp.data() + request.timestamp.size(),
                                           timestamp);
    if (request.timestamp.empty() || request.timestamp.size() > 12 || ec != std::errc() ||
        end != request.timestamp.data() + request.timestamp.size() || timestamp < 0) {
      return refuse(401, ErrorCode::unauthorized,
                    "missing or malformed " + std::string(k_timestamp_header) +
                        " header (unix seconds)");
    }
    constexpr std::string_view k_prefix = "sha256=";
    const std::string_view given = request.signature;
    if (given.size() != k_prefix.size() + 64 || given.substr(0, k_prefix.size()) != k_prefix ||
        !is_hex(given.substr(k_prefix.size()))) {
      return refuse(401, ErrorCode::unauthorized,
                    "missing or malformed " + std::string(k_signature_header) +
                        " header (expected sha256=<64 hex digits>)");
    }
    const auto digest = m_hmac.mac({request.timestamp, ".", request.body});
    const std::string expected = detail::to_hex(digest.data(), digest.size());
    const std::string presented = lower(given.substr(k_prefix.size()));
    if (CRYPTO_memcmp(expected.data(), presented.data(), expected.size()) != 0) {
      return refuse(401, ErrorCode::unauthorized,
                    "the signature does not match the body (HMAC-SHA256 over "
                    "\"<timestamp>.<body>\" with the shared secret)");
    }
    const Clock::time_point now = m_clock();
    const auto sent = Clock::time_point(std::chrono::seconds(timestamp));
    const auto skew = std::chrono::duration_cast<std::chrono::seconds>(now > sent ? now - sent : sent - now);
    if (skew > m_config.replay_window) {
      return refuse(401, ErrorCode::unauthorized,
                    "the timestamp is stale: " + std::to_string(skew.count()) + " s " +
                        (now > sent ? "old" : "in the future") + ", outside the " +
                        std::to_string(m_config.replay_window.count()) +
                        " s window (check the PBX clock)");
    }

    detail::BodyError error;
    std::vector<CallEvent> events = detail::parse_events(request.body, m_config.max_batch, now, error);
    if (events.empty()) {
      return error.problem == detail::BodyProblem::malformed
                 ? refuse(400, ErrorCode::invalid_input, error.message)
                 : refuse(422, ErrorCode::invalid_input, error.message);
    }
    if (m_config.reject_replays &&
        !m_replays.remember(presented, now, sent + m_config.replay_window)) {
      return refuse(409, ErrorCode::conflict,
                    "this signed request was already accepted (a retry after a lost reply "
                    "can treat 409 as delivered)");
    }

    std::lock_guard lock(m_delivery);
    if (!m_running) {
      return refuse(503, ErrorCode::unavailable, "the webhook adapter is not running");
    }
    try {
      for (const auto& event : events) {
        if (m_handler) {
          m_handler(event);
        }
      }
    } catch (const std::exception& exception) {
      return refuse(500, ErrorCode::internal,
                    std::string("delivering the events failed: ") + exception.what());
    }
    return {200, "{\"accepted\":" + std::to_string(events.size()) + "}"};
  }

  static ErrorCode code_for_status(int status) {
    switch (status) {
      case 400:
      case 422:
        return ErrorCode::invalid_input;
      case 401:
        return ErrorCode::unauthorized;
      case 403:
        return ErrorCode::forbidden;
      case 404:
        return ErrorCode::not_found;
      case 408:
      case 504:
        return ErrorCode::timeout;
      case 409:
        return ErrorCode::conflict;
      default:
        return status >= 500 ? ErrorCode::unavailable : ErrorCode::invalid_input;
    }
  }

  /// The PBX's call id from {"call_id": "..."}, when it sent a usable one.
  static std::optional<std::string> call_id_from(const std::string& body) {
    try {
      Poco::JSON::Parser parser;
      const auto root = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
      if (root->has("call_id") && root->get("call_id").isString()) {
        std::string id = root->getValue<std::string>("call_id");
        const bool usable = !id.empty() && id.size() <= detail::k_max_call_id &&
                            std::all_of(id.begin(), id.end(),
                                        [](unsigned char c) { return c > 0x20 && c < 0x7f; });
        if (usable) {
          return id;
        }
      }
    } catch (const Poco::Exception&) {
    } catch (const std::exception&) {
    }
    return std::nullopt;
  }

  Config m_config;
  WallClock m_clock;
  detail::HmacSha256 m_hmac;  // keyed once: the ingest path verifies every request
  ReplayCache m_replays;
  std::mutex m_delivery;  // one handler call at a time; stop() waits on it
  CallEventHandler m_handler;
  std::atomic<bool> m_running{false};
  std::atomic<std::uint64_t> m_accepted_requests{0};
  std::atomic<std::uint64_t> m_rejected_requests{0};
};

/// Typed reads of the `webhook` node; errors name the line, column and key.
class ConfigReader {
 public:
  Unexpected error(const YAML::Node& node, const std::string& key, std::string_view message) const {
    const YAML::Mark mark = node.Mark();
    std::string where = "config";
    if (mark.line >= 0) {
      where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    }
    return Unexpected(ErrorCode::invalid_input,
                      where + ": webhook." + key + ": " + std::string(message));
  }
  Result<std::string> text(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) {
      return error(node, key, "must be a single value");
    }
    return node.Scalar();
  }
  Result<std::uint64_t> integer(const YAML::Node& node, const std::string& key, std::uint64_t min,
                                std::uint64_t max) const {
    const std::string value = CTI_TRY(text(node, key));
    std::uint64_t out = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() || out < min ||
        out > max) {
      return error(node, key, "must be a whole number from " + std::to_string(min) + " to " +
                                  std::to_string(max));
    }
    return out;
  }
  Result<bool> boolean(const YAML::Node& node, const std::string& key) const {
    const std::string value = CTI_TRY(text(node, key));
    if (value == "true") {
      return true;
    }
    if (value == "false") {
      return false;
    }
    return error(node, key, "must be true or false");
  }
};

}  // namespace

Result<Config> parse_config(const YAML::Node& node) {
  const ConfigReader reader;
  Config config;
  try {
    if (!node || !node.IsMap()) {
      return fail(ErrorCode::invalid_input, "config: webhook: must be a map with at least a secret");
    }
    int secret_sources = 0;
    for (const char* key : {"secret", "secret_file", "secret_env"}) {
      secret_sources += node[key] ? 1 : 0;
    }
    if (secret_sources != 1) {
      return fail(ErrorCode::invalid_input,
                  "config: webhook.secret: give exactly one of secret, secret_file, secret_env");
    }
    std::string secret_key;
    YAML::Node secret_node;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.Scalar();
      const YAML::Node value = it->second;
      if (key == "secret" || key == "secret_file" || key == "secret_env") {
        secret_key = key;
        secret_node = value;
        const std::string text = CTI_TRY(reader.text(value, key));
        if (key == "secret") {
          config.secret = text;
        } else if (key == "secret_file") {
          std::ifstream in(text, std::ios::binary);
          if (!in) {
            return reader.error(value, key, "cannot read '" + text + "'");
          }
          std::ostringstream content;
          content << in.rdbuf();
          config.secret = content.str();
          while (!config.secret.empty() &&
                 (config.secret.back() == '\n' || config.secret.back() == '\r')) {
            config.secret.pop_back();
          }
        } else {
          const char* env = std::getenv(text.c_str());
          if (env == nullptr) {
            return reader.error(value, key, "the environment variable " + text + " is not set");
          }
          config.secret = env;
        }
      } else if (key == "replay_window_s") {
        config.replay_window = std::chrono::seconds(
            static_cast<std::chrono::seconds::rep>(CTI_TRY(reader.integer(value, key, 1, 86400))));
      } else if (key == "reject_replays") {
        config.reject_replays = CTI_TRY(reader.boolean(value, key));
      } else if (key == "replay_cache_size") {
        config.replay_cache_size = CTI_TRY(reader.integer(value, key, 0, 10000000));
      } else if (key == "max_body_bytes") {
        config.max_body_bytes = CTI_TRY(reader.integer(value, key, 256, 16 * 1024 * 1024));
      } else if (key == "max_batch") {
        config.max_batch = CTI_TRY(reader.integer(value, key, 1, 10000));
      } else if (key == "make_call_url") {
        config.make_call_url = CTI_TRY(reader.text(value, key));
        if (config.make_call_url.rfind("http://", 0) != 0 &&
            config.make_call_url.rfind("https://", 0) != 0) {
          return reader.error(value, key, "must start with http:// or https://");
        }
      } else if (key == "make_call_timeout_ms") {
        config.make_call_timeout = std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(
            CTI_TRY(reader.integer(value, key, 1, 600000))));
      } else if (key == "insecure_tls") {
        config.insecure_tls = CTI_TRY(reader.boolean(value, key));
      } else if (key == "make_call_ca_file") {
        config.make_call_ca_file = CTI_TRY(reader.text(value, key));
      } else {
        return reader.error(it->first, key,
                            "unknown key; webhook has secret, secret_file, secret_env, "
                            "replay_window_s, reject_replays, replay_cache_size, max_body_bytes, "
                            "max_batch, make_call_url, make_call_timeout_ms, make_call_ca_file, "
                            "insecure_tls");
      }
    }
    if (config.secret.size() < k_min_secret) {
      return reader.error(secret_node, secret_key, "the secret must be at least 16 bytes");
    }
    return config;
  } catch (const YAML::Exception& error) {
    return fail(ErrorCode::invalid_input, "config: webhook: " + error.msg);
  }
}

std::unique_ptr<WebhookConnector> make_webhook_connector(const Config& config, WallClock clock) {
  return std::make_unique<WebhookPbxConnector>(config, std::move(clock));
}

}  // namespace cti::adapters::webhook
