#pragma once
// One kept-alive HTTPS connection to one host, used by one request at a time. Every wait is
// bounded by the caller's deadline; Poco's exceptions end here.

#include "cti/adapters/salesforce/salesforce_adapter.hpp"

#include "cti/result.hpp"

#include <Poco/Net/Context.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace Poco::Net {
class HTTPSClientSession;
}

namespace cti::adapters::salesforce::detail {

using Clock = std::function<std::chrono::steady_clock::time_point()>;

/// Where a channel connects: from "https://host[:port]".
struct Endpoint {
  std::string host;
  std::uint16_t port = 443;

  std::string url() const;
};

cti::Result<Endpoint> parse_https_url(std::string_view url);

/// TLS 1.2 or newer; peer certificate and host name checked against the system store or
/// `ca_file` unless verification is switched off.
Poco::Net::Context::Ptr make_tls_context(const TlsConfig& tls);

struct HttpRequest {
  std::string method = "GET";
  std::string target;        ///< path and query, e.g. /services/data/v59.0/query?q=...
  std::string content_type;  ///< set with a body
  std::string body;
  std::string bearer_token;  ///< sent as Authorization: Bearer when not empty
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string limit_info;  ///< the Sforce-Limit-Info header, if any
};

/// What one attempt gave: a response, or why there is none.
struct SendOutcome {
  std::optional<HttpResponse> response;
  cti::Error error;                ///< when there is no response
  bool retriable = false;          ///< a network failure another attempt may not have
  bool request_written = false;    ///< the server may have acted on the request
  bool reused_connection = false;  ///< the attempt ran on a kept-alive connection
};

struct ChannelLimits {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{5000};
  std::size_t max_response_bytes = 4u << 20;
};

class HttpsChannel {
 public:
  HttpsChannel(Endpoint endpoint, Poco::Net::Context::Ptr context, ChannelLimits limits, Clock now);
  ~HttpsChannel();
  HttpsChannel(const HttpsChannel&) = delete;
  HttpsChannel& operator=(const HttpsChannel&) = delete;

  /// One attempt. Waits for the connection (another request may be using it), connects if
  /// needed, sends and reads the whole response, all before `deadline`.
  SendOutcome send(const HttpRequest& request, std::chrono::steady_clock::time_point deadline);

  const Endpoint& endpoint() const noexcept { return m_endpoint; }

 private:
  SendOutcome exchange(const HttpRequest& request, std::chrono::steady_clock::time_point deadline);

  Endpoint m_endpoint;
  Poco::Net::Context::Ptr m_context;
  ChannelLimits m_limits;
  Clock m_now;
  std::timed_mutex m_mutex;
  std::unique_ptr<Poco::Net::HTTPSClientSession> m_session;  // guarded by m_mutex
};

}  // namespace cti::adapters::salesforce::detail
