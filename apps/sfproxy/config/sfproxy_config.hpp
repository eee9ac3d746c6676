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

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

/// The `callcenter:` section: what the Salesforce call-centre definition needs beyond the
/// server section (`ctictl callcenter-xml` writes it). Salesforce reads the file once, at
/// import, so nothing here changes how the daemon runs.
struct CallCenterConfig {
  std::string internal_name = "MaxCSCallCenter";  ///< reqInternalName
  std::string display_name = "MaxCS Call Center";  ///< reqDisplayName
  std::string adapter_url;   ///< reqAdapterUrl; empty: https://<public_host>:<listen port>/
  std::size_t softphone_height = 550;  ///< reqSoftphoneHeight, pixels
  std::size_t softphone_width = 400;   ///< reqSoftphoneWidth, pixels
  std::string standby_url;   ///< reqStandbyUrl; empty: none (then no reqTimeout either)
  std::chrono::milliseconds standby_timeout{10000};  ///< reqTimeout, with standby_url only
};

/// Softphone panel limits: Open CTI's setSoftphonePanelHeight/Width accept 240-2560 and
/// 200-1920 pixels; the definition's sizes are held to the same ranges.
inline constexpr std::size_t k_softphone_min_height = 240;
inline constexpr std::size_t k_softphone_max_height = 2560;
inline constexpr std::size_t k_softphone_min_width = 200;
inline constexpr std::size_t k_softphone_max_width = 1920;

/// reqInternalName: 1-40 ASCII letters and digits, starting with a letter.
cti::Result<void> validate_call_center_internal_name(std::string_view name);
/// reqDisplayName: 1-1000 characters of valid UTF-8 without control characters.
cti::Result<void> validate_call_center_display_name(std::string_view name);
/// An adapter or standby URL: absolute https://host[:port][/path][?query] without spaces or
/// a fragment; http:// only when `allow_plain_http` (development_plain_http).
cti::Result<void> validate_call_center_url(std::string_view url, bool allow_plain_http);

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
  CallCenterConfig call_center;
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
