#include "https_channel.hpp"

#include "text.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <charconv>
#include <istream>
#include <ostream>

namespace cti::adapters::salesforce::detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::size_t k_read_chunk = 16 * 1024;

/// Poco's SSL library wants one initialisation per process; it is never undone, so clients
/// can be made and dropped at any time.
void initialize_ssl_once() {
  static const bool initialized = [] {
    Poco::Net::initializeSSL();
    return true;
  }();
  (void)initialized;
}

Poco::Timespan to_timespan(milliseconds duration) {
  return Poco::Timespan(std::max<std::int64_t>(duration.count(), 1) * 1000);
}

milliseconds remaining_until(steady_clock::time_point deadline, steady_clock::time_point now) {
  return std::chrono::duration_cast<milliseconds>(deadline - now);
}

}  // namespace

std::string Endpoint::url() const {
  return "https://" + host + (port == 443 ? "" : ":" + std::to_string(port));
}

cti::Result<Endpoint> parse_https_url(std::string_view url) {
  constexpr std::string_view scheme = "https://";
  if (url.size() <= scheme.size() || !iequals(url.substr(0, scheme.size()), scheme)) {
    return cti::fail(ErrorCode::invalid_input, "must start with https://");
  }
  std::string_view rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') {
    rest.remove_suffix(1);
  }
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return cti::fail(ErrorCode::invalid_input, "must be https://host[:port] without a path");
  }
  Endpoint endpoint;
  std::string_view host = rest;
  if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    const std::string_view port = rest.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return cti::fail(ErrorCode::invalid_input, "has an invalid port");
    }
    endpoint.port = static_cast<std::uint16_t>(value);
  }
  if (host.empty() || host.size() > 253) {
    return cti::fail(ErrorCode::invalid_input, "has no host");
  }
  for (const char c : host) {
    if (!is_alnum(c) && c != '-' && c != '.') {
      return cti::fail(ErrorCode::invalid_input, "has an invalid host name");
    }
  }
  endpoint.host = std::string(host);
  return endpoint;
}

Poco::Net::Context::Ptr make_tls_context(const TlsConfig& tls) {
  initialize_ssl_once();
  Poco::Net::Context::Params params;
  params.caLocation = tls.ca_file;
  params.loadDefaultCAs = tls.ca_file.empty();
  // STRICT also checks the host name for loopback addresses, which RELAXED skips.
  params.verificationMode =
      tls.verify ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE;
  params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES";
  Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  return context;
}

HttpsChannel::HttpsChannel(Endpoint endpoint, Poco::Net::Context::Ptr context, ChannelLimits limits,
                           Clock now)
    : m_endpoint(std::move(endpoint)),
      m_context(std::move(context)),
      m_limits(limits),
      m_now(std::move(now)) {}

HttpsChannel::~HttpsChannel() = default;

SendOutcome HttpsChannel::send(const HttpRequest& request, steady_clock::time_point deadline) {
  const milliseconds wait = remaining_until(deadline, m_now());
  std::unique_lock lock(m_mutex, std::defer_lock);
  if (wait <= milliseconds::zero() || !lock.try_lock_for(wait)) {
    SendOutcome outcome;
    outcome.error = {ErrorCode::timeout, "the call deadline passed before " + m_endpoint.url() +
                                             " could be asked (connection busy)"};
    return outcome;
  }
  return exchange(request, deadline);
}

SendOutcome HttpsChannel::exchange(const HttpRequest& request, steady_clock::time_point deadline) {
  SendOutcome outcome;
  const auto fail = [&](ErrorCode code, std::string message, bool retriable) {
    if (m_session) {
      m_session->reset();  // whatever is left on this connection is not ours to read
    }
    outcome.response.reset();
    outcome.error = {code, std::move(message)};
    outcome.retriable = retriable;
    return outcome;
  };
  milliseconds remaining = remaining_until(deadline, m_now());
  if (remaining <= milliseconds::zero()) {
    return fail(ErrorCode::timeout, "the call deadline passed before " + m_endpoint.url() +
                                        " answered", false);
  }
  const milliseconds io_timeout = std::min(m_limits.request_timeout, remaining);
  const std::string where = m_endpoint.url();
  try {
    if (!m_session) {
      m_session = std::make_unique<Poco::Net::HTTPSClientSession>(m_endpoint.host, m_endpoint.port,
                                                                  m_context);
      m_session->setKeepAlive(true);
    }
    outcome.reused_connection = m_session->connected();
    m_session->setTimeout(to_timespan(std::min(m_limits.connect_timeout, remaining)),
                          to_timespan(io_timeout), to_timespan(io_timeout));
    if (outcome.reused_connection) {
      m_session->socket().setSendTimeout(to_timespan(io_timeout));
      m_session->socket().setReceiveTimeout(to_timespan(io_timeout));
    }

    Poco::Net::HTTPRequest http_request(request.method, request.target,
                                        Poco::Net::HTTPMessage::HTTP_1_1);
    http_request.setKeepAlive(true);
    http_request.set("Accept", "application/json");
    http_request.set("User-Agent", "cti-salesforce-adapter");
    if (!request.bearer_token.empty()) {
      http_request.set("Authorization", "Bearer " + request.bearer_token);
    }
    if (!request.body.empty() || request.method == "POST") {
      http_request.setContentType(request.content_type);
      http_request.setContentLength64(static_cast<Poco::Int64>(request.body.size()));
    }
    std::ostream& body_out = m_session->sendRequest(http_request);
    outcome.request_written = true;
    body_out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
    body_out.flush();

    Poco::Net::HTTPResponse http_response;
    std::istream& body_in = m_session->receiveResponse(http_response);
    if (http_response.hasContentLength() &&
        http_response.getContentLength64() > static_cast<Poco::Int64>(m_limits.max_response_bytes)) {
      return fail(ErrorCode::unavailable,
                  "the response from " + where + " is larger than " +
                      std::to_string(m_limits.max_response_bytes) + " bytes",
                  false);
    }
    HttpResponse response;
    response.status = static_cast<int>(http_response.getStatus());
    response.limit_info = http_response.get("Sforce-Limit-Info", "");
    char chunk[k_read_chunk];
    for (;;) {
      body_in.read(chunk, sizeof chunk);
      const auto got = static_cast<std::size_t>(body_in.gcount());
      if (response.body.size() + got > m_limits.max_response_bytes) {
        return fail(ErrorCode::unavailable,
                    "the response from " + where + " is larger than " +
                        std::to_string(m_limits.max_response_bytes) + " bytes",
                    false);
      }
      response.body.append(chunk, got);
      if (!body_in) {
        break;
      }
      // A server that trickles its body must not hold the caller past the deadline.
      remaining = remaining_until(deadline, m_now());
      if (remaining <= milliseconds::zero()) {
        return fail(ErrorCode::timeout,
                    "the call deadline passed while reading the response from " + where, false);
      }
      m_session->socket().setReceiveTimeout(to_timespan(std::min(m_limits.request_timeout, remaining)));
    }
    if (body_in.bad()) {
      return fail(ErrorCode::unavailable, "the connection to " + where + " broke mid-response", true);
    }
    if (http_response.hasContentLength() &&
        static_cast<Poco::Int64>(response.body.size()) != http_response.getContentLength64()) {
      return fail(ErrorCode::unavailable,
                  "the connection to " + where + " closed before the whole response arrived", true);
    }
    outcome.response = std::move(response);
    return outcome;
  } catch (const Poco::TimeoutException&) {
    const bool deadline_passed = m_now() >= deadline;
    return fail(ErrorCode::timeout,
                deadline_passed
                    ? "no answer from " + where + " before the call deadline"
                    : "no answer from " + where + " within " + std::to_string(io_timeout.count()) + " ms",
                !deadline_passed);
  } catch (const Poco::Net::CertificateValidationException& error) {
    return fail(ErrorCode::unavailable,
                "TLS certificate of " + where + " rejected: " + error.message(), false);
  } catch (const Poco::Net::SSLException& error) {
    // A refused certificate will be refused again; a handshake cut short may not be.
    const bool certificate = error.message().find("certificate") != std::string::npos;
    return fail(ErrorCode::unavailable,
                (certificate ? "TLS certificate of " + where + " rejected: "
                             : "TLS failure talking to " + where + ": ") +
                    printable_excerpt(error.message(), 200),
                !certificate);
  } catch (const Poco::Net::NoMessageException&) {
    return fail(ErrorCode::unavailable, where + " closed the connection without answering", true);
  } catch (const Poco::Net::ConnectionRefusedException&) {
    return fail(ErrorCode::unavailable, "connection to " + where + " refused", true);
  } catch (const Poco::Exception& error) {
    return fail(ErrorCode::unavailable,
                "network error talking to " + where + ": " + printable_excerpt(error.displayText(), 200),
                true);
  } catch (const std::exception& error) {
    return fail(ErrorCode::unavailable,
                "error talking to " + where + ": " + printable_excerpt(error.what(), 200), false);
  }
}

}  // namespace cti::adapters::salesforce::detail
