#pragma once
// The daemon's configuration, read from one YAML file. `ctictl config check` uses the same
// loader, so what it accepts is exactly what sfproxy accepts. Every error carries the file,
// line and column.

#include "api.hpp"
#include "log.hpp"
#include "net/http_server.hpp"
#include "proxy_service.hpp"
#include "sessions.hpp"

#include "cti/adapters/salesforce/salesforce_adapter.hpp"
#include "cti/result.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cti {
class PbxConnector;
}
namespace cti::adapters::webhook {
class WebhookConnector;
}

namespace sfproxy {

/// A PBX connector made from the `pbx:` section, and the webhook's ingest side if it is one.
struct PbxInstance {
  std::unique_ptr<cti::PbxConnector> connector;
  cti::adapters::webhook::WebhookConnector* webhook = nullptr;  ///< points into connector
  std::function<std::string()> metrics;  ///< Prometheus lines of the adapter's own counters
};

struct SfproxyConfig {
  std::string path;        ///< the file read
  net::ServerConfig server;
  std::string public_host;  ///< the host name in the CTI adapter URL
  std::vector<std::string> frame_ancestors;
  http::HttpPolicy http;
  std::string database_path;
  std::string licence_name = "Salesforce Integration";
  std::optional<std::size_t> licence_seats;  ///< overrides the seat count recorded by ctictl
  SessionConfig sessions;
  ThrottleConfig throttle;
  ProxyConfig proxy;
  std::string pbx_adapter;  ///< pbx-sim | webhook | asterisk-ami
  std::function<PbxInstance()> make_pbx;
  std::optional<cti::adapters::salesforce::Config> salesforce;
  cti::app::LogLevel log_level = cti::app::LogLevel::info;
  cti::app::LogFormat log_format = cti::app::LogFormat::text;
  std::size_t sign_in_threads = 1;   ///< password hashing is slow and memory-hard by design
  std::size_t worker_threads = 4;    ///< PBX commands, settings writes
  std::size_t lookup_threads = 4;    ///< Salesforce lookups (server mode)
  std::size_t queue_limit = 1024;    ///< per pool; beyond it requests get 503
};

/// The Content-Security-Policy frame-ancestors defaults: every Salesforce domain the
/// softphone may be framed in (Lightning, Classic, Visualforce, My Domain).
std::vector<std::string> default_frame_ancestors();

/// Headers added to every response: CSP frame-ancestors, HSTS (TLS only), nosniff,
/// referrer policy. Never X-Frame-Options: the page must be framed by Salesforce.
net::Headers security_headers(const SfproxyConfig& config);

/// Reads and checks the file. All problems found are reported at once, one per line, each
/// as "<file>:<line>:<column>: <key>: <what is wrong>".
cti::Result<SfproxyConfig> load_config(const std::string& path);

}  // namespace sfproxy
