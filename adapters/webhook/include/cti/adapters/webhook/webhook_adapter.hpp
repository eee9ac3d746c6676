#pragma once
// The webhook adapter: a PBX posts CallEvents to the proxy as signed JSON
// (`POST /pbx/v1/events`, see docs/webhook.md) and receives MakeCall as a signed HTTP POST.
// The adapter owns no HTTP server: the daemon's handler copies the request into an
// IngestRequest, calls ingest(), and sends the IngestReply back as it is.

#include "cti/pbx_connector.hpp"
#include "cti/result.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace YAML {
class Node;
}

namespace cti::adapters::webhook {

/// Settings of one webhook adapter (YAML key `webhook`).
struct Config {
  /// Shared HMAC-SHA256 key, at least 16 bytes. parse_config fills it from exactly one of
  /// YAML `secret`, `secret_file` (trailing newline dropped) or `secret_env`.
  std::string secret;
  /// How far X-CTI-Timestamp may be from our clock, either way (YAML `replay_window_s`, 300).
  std::chrono::seconds replay_window{300};
  /// Refuse a request whose signature was already accepted within the window (YAML
  /// `reject_replays`, default true); at most replay_cache_size are remembered.
  bool reject_replays = true;
  /// Signatures remembered for replay rejection (YAML `replay_cache_size`, 200000).
  std::size_t replay_cache_size = 200000;
  /// Largest request body accepted, in bytes (YAML `max_body_bytes`, 65536).
  std::size_t max_body_bytes = 64 * 1024;
  /// Most events in one batch (YAML `max_batch`, 100).
  std::size_t max_batch = 100;
  /// Where MakeCall is posted (YAML `make_call_url`, http or https); empty: no click-to-dial.
  std::string make_call_url;
  /// Deadline for connecting to and hearing back from make_call_url (YAML
  /// `make_call_timeout_ms`, 5000).
  std::chrono::milliseconds make_call_timeout{5000};
  /// Accept any certificate at make_call_url: development only (YAML `insecure_tls`, false).
  bool insecure_tls = false;
  /// Trust this CA (PEM) at make_call_url instead of the system's (YAML `make_call_ca_file`).
  std::string make_call_ca_file;
};

/// Reads the `webhook` YAML node, resolving the secret. Every error names the offending key.
Result<Config> parse_config(const YAML::Node& node);

/// The parts of an HTTP request that ingest() needs, as the server received them.
struct IngestRequest {
  std::string_view method;        ///< "POST"
  std::string_view content_type;  ///< Content-Type header
  std::string_view timestamp;     ///< X-CTI-Timestamp header (unix seconds)
  std::string_view signature;     ///< X-CTI-Signature header ("sha256=<hex>")
  std::string_view body;          ///< at most max_body_bytes (+1 to detect an oversized one)
};

/// What to answer: an HTTP status and a JSON body, `{"accepted":N}` on success, else the
/// product's error shape `{"error":{"code":"...","message":"..."}}`.
struct IngestReply {
  int status = 200;
  std::string body;
};

/// The webhook PbxConnector plus its ingest entry point. ingest() verifies, parses and
/// validates a whole request before delivering any of its events to the handler given to
/// start() (in the calling thread, one request at a time); on any error nothing is
/// delivered. Thread-safe.
class WebhookConnector : public PbxConnector {
 public:
  virtual IngestReply ingest(const IngestRequest& request) = 0;
};

/// Where the adapter reads the time, for the replay window; tests pass a fixed clock.
using WallClock = std::function<std::chrono::system_clock::time_point()>;

std::unique_ptr<WebhookConnector> make_webhook_connector(
    const Config& config, WallClock clock = [] { return std::chrono::system_clock::now(); });

}  // namespace cti::adapters::webhook
