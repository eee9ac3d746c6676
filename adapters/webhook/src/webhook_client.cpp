#include "cti/adapters/webhook/webhook_client.hpp"

#include "hmac.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <sstream>

namespace cti::adapters::webhook {

namespace detail {

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = k_digits[data[i] >> 4];
    out[2 * i + 1] = k_digits[data[i] & 0x0f];
  }
  return out;
}

}  // namespace detail

namespace {

constexpr std::size_t k_max_reply_body = 64 * 1024;

std::unique_ptr<Poco::Net::HTTPClientSession> open_session(const Poco::URI& uri,
                                                           const PostOptions& options) {
  if (uri.getScheme() == "http") {
    return std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  }
  Poco::Net::Context::Params params;
  params.verificationMode =
      options.insecure_tls ? Poco::Net::Context::VERIFY_NONE : Poco::Net::Context::VERIFY_RELAXED;
  params.loadDefaultCAs = !options.insecure_tls && options.ca_file.empty();
  params.caLocation = options.insecure_tls ? std::string() : options.ca_file;
  Poco::Net::Context::Ptr context =
      new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
  // TLS 1.2 at least, as the proxy itself serves.
  context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                            Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
  if (options.insecure_tls) {
    context->enableExtendedCertificateVerification(false);
  }
  return std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
}

}  // namespace

std::string describe_error_body(std::string_view body) {
  try {
    Poco::JSON::Parser parser;
    const auto root = parser.parse(std::string(body)).extract<Poco::JSON::Object::Ptr>();
    const auto error = root->getObject("error");
    if (error && error->has("code") && error->has("message")) {
      return error->getValue<std::string>("code").substr(0, 40) + ": " +
             error->getValue<std::string>("message").substr(0, 300);
    }
  } catch (const Poco::Exception&) {
    // Not our error shape: fall through to the excerpt.
  } catch (const std::exception&) {
  }
  std::string excerpt(body.substr(0, 200));
  std::replace_if(excerpt.begin(), excerpt.end(),
                  [](unsigned char c) { return c < 0x20 || c == 0x7f; }, ' ');
  return excerpt;
}

std::string sign(std::string_view secret, std::string_view timestamp, std::string_view body) {
  const auto digest = detail::HmacSha256(secret).mac({timestamp, ".", body});
  return "sha256=" + detail::to_hex(digest.data(), digest.size());
}

std::string format_time(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{floor<milliseconds>(time - day)};
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()),
                static_cast<int>(clock.subseconds().count()));
  return text;
}

std::string to_json(const CallEvent& event) {
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  object.set("event", std::string(to_string(event.type)));
  object.set("call_id", event.call_id);
  object.set("extension", event.extension);
  const auto optional = [&](const char* name, const std::string& value) {
    if (!value.empty()) {
      object.set(name, value);
    }
  };
  optional("ani", event.ani);
  optional("dnis", event.dnis);
  object.set("direction", std::string(to_string(event.direction)));
  optional("ivr_data", event.ivr_data);
  optional("transfer_target", event.transfer_target);
  if (event.end_reason != EndReason::none) {
    object.set("end_reason", std::string(to_string(event.end_reason)));
  }
  if (event.occurred_at != std::chrono::system_clock::time_point{}) {
    object.set("occurred_at", format_time(event.occurred_at));
  }
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

Result<PostReply> post_signed(std::string_view url, std::string_view secret,
                              std::string_view body, const PostOptions& options,
                              std::chrono::system_clock::time_point now) {
  Poco::URI uri;
  try {
    uri = Poco::URI(std::string(url));
  } catch (const Poco::Exception& error) {
    return fail(ErrorCode::invalid_input, "bad URL '" + std::string(url) + "': " + error.message());
  }
  if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty()) {
    return fail(ErrorCode::invalid_input,
                "bad URL '" + std::string(url) + "': expected http://host[:port]/path or https://...");
  }
  const std::string where = uri.getHost() + ":" + std::to_string(uri.getPort());
  try {
    auto session = open_session(uri, options);
    const Poco::Timespan timeout(std::chrono::duration_cast<std::chrono::microseconds>(options.timeout).count());
    session->setTimeout(timeout, timeout, timeout);

    const std::string timestamp = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST,
                                   uri.getPathAndQuery().empty() ? "/" : uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    request.set(std::string(k_timestamp_header), timestamp);
    request.set(std::string(k_signature_header), sign(secret, timestamp, body));
    session->sendRequest(request).write(body.data(), static_cast<std::streamsize>(body.size()));

    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    PostReply reply;
    reply.status = static_cast<int>(response.getStatus());
    std::array<char, 4096> chunk{};
    while (in && reply.body.size() < k_max_reply_body) {
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      reply.body.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (reply.body.size() > k_max_reply_body) {
      reply.body.resize(k_max_reply_body);
    }
    return reply;
  } catch (const Poco::TimeoutException&) {
    return fail(ErrorCode::timeout, "no answer from " + where + " within " +
                                        std::to_string(options.timeout.count()) + " ms");
  } catch (const Poco::Net::SSLException& error) {
    return fail(ErrorCode::unavailable, "TLS with " + where + " failed: " + error.displayText() +
                                            (options.insecure_tls ? "" : " (is the server's certificate from a trusted CA?)"));
  } catch (const Poco::Exception& error) {
    return fail(ErrorCode::unavailable, "cannot reach " + where + ": " + error.displayText());
  } catch (const std::exception& error) {
    return fail(ErrorCode::unavailable, "cannot reach " + where + ": " + error.what());
  }
}

}  // namespace cti::adapters::webhook
