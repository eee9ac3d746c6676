// ctictl events: signs in to a running proxy as an agent and prints that agent's event
// stream as the softphone receives it (calls, screen pops, settings, heartbeats on request).
// For an administrator checking "does agent 137 get pops?" without a browser.

#include "args.hpp"
#include "command.hpp"

#include "json_writer.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/URI.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>

namespace ctictl {
namespace {

const std::vector<OptionSpec> k_options = {
    {"url", "URL", "the proxy, e.g. https://cti.example.com:8443 (required)"},
    {"agent", "EXTENSION", "the agent's extension (sign-in address; required)"},
    {"password-file", "FILE", "read the agent's password from the first line of FILE"},
    {"password-env", "NAME", "read the agent's password from environment variable NAME"},
    {"ca", "FILE", "trust this CA certificate (PEM) instead of the system's"},
    {"last-event-id", "N", "resume after event N instead of starting with a snapshot"},
    {"count", "N", "stop after N events (heartbeats not counted); default: run until stopped"},
    {"idle-timeout", "SECONDS", "give up when nothing arrives for this long (default 90)"},
    {"heartbeats", "", "print heartbeats too"},
    {"json", "", "one JSON object per event: {\"id\",\"event\",\"data\"}"},
};

constexpr std::string_view k_usage =
    "events --url URL --agent EXTENSION (--password-file FILE | --password-env NAME) [options]";
constexpr std::string_view k_summary =
    "Signs in to a running sfproxy as the agent and prints the agent's event stream, one\n"
    "line per event: id, type and JSON data, as the softphone receives them (the stream\n"
    "starts with a snapshot of active calls and pending pops). The password is never taken\n"
    "from the command line. Signs out when done. Exit status 1 when the proxy refuses the\n"
    "sign-in, cannot be reached, ends the stream or stays silent past --idle-timeout.";

constexpr std::size_t k_max_reply_bytes = 64 * 1024;

cti::Result<std::size_t> parse_count(const std::optional<std::string>& text, std::string_view option,
                                     std::size_t fallback, std::size_t min, std::size_t max) {
  if (!text) {
    return fallback;
  }
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    return cti::fail(cti::ErrorCode::invalid_input, "--" + std::string(option) + " must be a whole number from " +
                                                         std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

cti::Result<std::string> read_password(const Args& args) {
  if (auto file = args.value("password-file")) {
    std::ifstream in(*file);
    std::string line;
    if (!in || !std::getline(in, line)) {
      return cti::fail(cti::ErrorCode::invalid_input, "cannot read a password from '" + *file + "'");
    }
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    return line;
  }
  if (auto name = args.value("password-env")) {
    const char* value = std::getenv(name->c_str());
    if (value == nullptr) {
      return cti::fail(cti::ErrorCode::invalid_input, "environment variable " + *name + " is not set");
    }
    return std::string(value);
  }
  return cti::fail(cti::ErrorCode::invalid_input,
                   "give the agent's password with --password-file FILE or --password-env NAME");
}

/// The proxy's address and how to reach it.
class ProxyClient {
 public:
  static cti::Result<ProxyClient> make(const std::string& url, const std::optional<std::string>& ca_file,
                                       Poco::Timespan timeout) {
    ProxyClient client;
    try {
      client.m_uri = Poco::URI(url);
    } catch (const Poco::Exception& e) {
      return cti::fail(cti::ErrorCode::invalid_input, "--url: " + e.displayText());
    }
    const std::string& scheme = client.m_uri.getScheme();
    if ((scheme != "https" && scheme != "http") || client.m_uri.getHost().empty()) {
      return cti::fail(cti::ErrorCode::invalid_input, "--url must be https://HOST[:PORT] (http:// for a development proxy)");
    }
    client.m_timeout = timeout;
    if (scheme == "https") {
      try {
        Poco::Net::Context::Params params;
        params.caLocation = ca_file.value_or("");
        params.loadDefaultCAs = !ca_file;
        params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
        client.m_context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        client.m_context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
      } catch (const Poco::Exception& e) {
        return cti::fail(cti::ErrorCode::invalid_input, "TLS: " + e.displayText());
      }
    }
    return client;
  }

  std::unique_ptr<Poco::Net::HTTPClientSession> session() const {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (m_context) {
      session = std::make_unique<Poco::Net::HTTPSClientSession>(m_uri.getHost(), m_uri.getPort(), m_context);
    } else {
      session = std::make_unique<Poco::Net::HTTPClientSession>(m_uri.getHost(), m_uri.getPort());
    }
    session->setTimeout(m_timeout);
    return session;
  }

  std::string path(std::string_view api) const {
    std::string base = m_uri.getPath();
    while (!base.empty() && base.back() == '/') {
      base.pop_back();
    }
    return base + std::string(api);
  }

  std::string where() const { return m_uri.getScheme() + "://" + m_uri.getAuthority(); }

 private:
  Poco::URI m_uri;
  Poco::Net::Context::Ptr m_context;
  Poco::Timespan m_timeout;
};

std::string read_limited(std::istream& in) {
  std::string body;
  char buffer[4096];
  while (body.size() < k_max_reply_bytes && in.read(buffer, sizeof buffer).gcount() > 0) {
    body.append(buffer, static_cast<std::size_t>(in.gcount()));
  }
  return body;
}

/// The message of a JSON error body, or the status line when it has none.
std::string error_of(const Poco::Net::HTTPResponse& response, const std::string& body) {
  try {
    Poco::JSON::Parser parser;
    auto root = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
    if (auto error = root->getObject("error")) {
      return error->optValue<std::string>("message", response.getReason());
    }
  } catch (const Poco::Exception&) {
    // Not our JSON: the status says enough.
  }
  return std::to_string(response.getStatus()) + " " + response.getReason();
}

cti::Result<std::string> sign_in(const ProxyClient& proxy, const std::string& extension,
                                 const std::string& password) {
  cti::app::JsonWriter body;
  body.begin_object().field("extension", extension).field("password", password).end_object();
  try {
    auto session = proxy.session();
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, proxy.path("/api/v1/session"),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.str().size()));
    session->sendRequest(request) << body.str();
    Poco::Net::HTTPResponse response;
    const std::string reply = read_limited(session->receiveResponse(response));
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      return cti::fail(cti::ErrorCode::unauthorized, "sign-in refused: " + error_of(response, reply));
    }
    Poco::JSON::Parser parser;
    auto root = parser.parse(reply).extract<Poco::JSON::Object::Ptr>();
    const std::string token = root->optValue<std::string>("token", "");
    if (token.empty()) {
      return cti::fail(cti::ErrorCode::unavailable, "the proxy's sign-in reply has no token");
    }
    return token;
  } catch (const Poco::Exception& e) {
    return cti::fail(cti::ErrorCode::unavailable, "cannot sign in at " + proxy.where() + ": " + e.displayText());
  }
}

void sign_out(const ProxyClient& proxy, const std::string& token) {
  try {
    auto session = proxy.session();
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_DELETE, proxy.path("/api/v1/session"),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + token);
    session->sendRequest(request);
    Poco::Net::HTTPResponse response;
    read_limited(session->receiveResponse(response));
  } catch (const Poco::Exception&) {
    // The session expires on its own; nothing else to do.
  }
}

/// One server-sent event.
struct SseEvent {
  std::string id;
  std::string type = "message";
  std::string data;
};

/// Reads one event (the lines up to a blank line); false at the end of the stream.
bool next_event(std::istream& in, SseEvent& event) {
  event = SseEvent{};
  bool any = false;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.empty()) {
      if (any) {
        return true;
      }
      continue;
    }
    if (line.front() == ':') {
      continue;  // a comment
    }
    const auto colon = line.find(':');
    const std::string field = line.substr(0, colon);
    std::string value = colon == std::string::npos ? std::string() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') {
      value.erase(0, 1);
    }
    if (field == "id") {
      event.id = value;
    } else if (field == "event") {
      event.type = value;
    } else if (field == "data") {
      event.data += event.data.empty() ? value : "\n" + value;
    } else {
      continue;  // retry: and fields we do not know
    }
    any = true;
  }
  return false;
}

void print_event(const SseEvent& event, bool json, std::ostream& out) {
  if (json) {
    // The data is the proxy's JSON; anything else is passed on as a string.
    bool is_json = false;
    try {
      Poco::JSON::Parser parser;
      parser.parse(event.data);
      is_json = true;
    } catch (const Poco::Exception&) {
      // Not JSON: written as a string below.
    }
    cti::app::JsonWriter line;
    line.begin_object().field("id", event.id).field("event", event.type).key("data");
    if (is_json) {
      line.raw(event.data);
    } else {
      line.value(event.data);
    }
    line.end_object();
    out << line.str() << "\n";
  } else {
    out << (event.id.empty() ? "-" : event.id) << "\t" << event.type << "\t" << event.data << "\n";
  }
  out.flush();
}

struct StreamOptions {
  std::optional<std::string> last_event_id;
  std::size_t count = 0;  ///< 0: no limit
  bool heartbeats = false;
  bool json = false;
};

int follow(const ProxyClient& proxy, const std::string& token, const StreamOptions& options, Io& io) {
  try {
    auto session = proxy.session();
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, proxy.path("/api/v1/events"),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + token);
    request.set("Accept", "text/event-stream");
    if (options.last_event_id) {
      request.set("Last-Event-ID", *options.last_event_id);
    }
    session->sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      return report_error(io, "the proxy refused the event stream: " + error_of(response, read_limited(in)),
                          exit_failure);
    }
    std::size_t shown = 0;
    SseEvent event;
    while (next_event(in, event)) {
      if (event.type == "heartbeat" && !options.heartbeats) {
        continue;
      }
      print_event(event, options.json, io.out);
      if (event.type == "signed_out") {
        return report_error(io, "the proxy ended the agent's session", exit_failure);
      }
      if (event.type != "heartbeat" && options.count != 0 && ++shown == options.count) {
        return exit_ok;
      }
    }
    return report_error(io, "the proxy closed the event stream", exit_failure);
  } catch (const Poco::TimeoutException&) {
    return report_error(io, "nothing received for the idle timeout (not even a heartbeat)", exit_failure);
  } catch (const Poco::Exception& e) {
    return report_error(io, "event stream from " + proxy.where() + ": " + e.displayText(), exit_failure);
  }
}

}  // namespace

int run_events(const std::vector<std::string>& argv, Io& io) {
  Args args;
  if (int code = exit_ok; !begin_command(argv, k_options, k_usage, k_summary, io, args, code)) {
    return code;
  }
  const auto url = args.value("url");
  const auto agent = args.value("agent");
  if (!url || !agent) {
    return report_error(io, "events needs --url URL and --agent EXTENSION", exit_usage);
  }
  StreamOptions options;
  options.heartbeats = args.flag("heartbeats");
  options.json = args.flag("json");
  options.last_event_id = args.value("last-event-id");
  if (options.last_event_id) {
    if (auto valid = parse_count(options.last_event_id, "last-event-id", 0, 0, SIZE_MAX); !valid) {
      return report_error(io, valid.error().message, exit_usage);
    }
  }
  auto count = parse_count(args.value("count"), "count", 0, 1, 1000000);
  if (!count) {
    return report_error(io, count.error().message, exit_usage);
  }
  options.count = *count;
  auto idle = parse_count(args.value("idle-timeout"), "idle-timeout", 90, 1, 86400);
  if (!idle) {
    return report_error(io, idle.error().message, exit_usage);
  }
  auto password = read_password(args);
  if (!password) {
    return report_error(io, password.error().message, exit_usage);
  }
  auto proxy = ProxyClient::make(*url, args.value("ca"),
                                 Poco::Timespan(static_cast<long>(*idle), 0));
  if (!proxy) {
    return report_error(io, proxy.error().message, exit_usage);
  }
  auto token = sign_in(*proxy, *agent, *password);
  if (!token) {
    return report_error(io, token.error().message, exit_failure);
  }
  const int status = follow(*proxy, *token, options, io);
  sign_out(*proxy, *token);
  return status;
}

}  // namespace ctictl
