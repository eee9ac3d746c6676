#include "sfemu/emulator.hpp"

#include "json_util.hpp"
#include "oauth.hpp"
#include "org_store.hpp"
#include "rest_api.hpp"
#include "seed.hpp"

#include "cti/result.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

namespace cti::sfemu {

namespace {

constexpr std::string_view data_prefix = "/services/data";
constexpr std::string_view admin_prefix = "/__emulator/";

std::int64_t system_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw cti::ConfigError("cannot read data file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string directory_of(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

// Names the endpoint a request is for, for the per-endpoint counters.
std::string classify(std::string_view method, std::string_view resource) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start < resource.size()) {
    std::size_t end = resource.find('/', start);
    if (end == std::string_view::npos) end = resource.size();
    if (end > start) segments.push_back(resource.substr(start, end - start));
    start = end + 1;
  }
  if (segments.empty()) return "resources";
  std::string_view head = segments.front();
  if (head == "query" || head == "queryAll") return segments.size() == 1 ? "query" : "query_more";
  if (head == "search") return "search";
  if (head == "composite") return "composite";
  if (head == "limits") return "limits";
  if (head == "sobjects") {
    if (segments.size() == 2 && method == "POST") return "sobject_create";
    if (segments.size() == 3 && segments[2] != "describe") {
      if (method == "PATCH") return "sobject_update";
      if (method == "DELETE") return "sobject_delete";
      return "sobject_read";
    }
    return "describe";
  }
  return "unknown";
}

// Turns a JSON body into text that no JSON parser accepts: half of it, then junk.
std::string corrupt(const std::string& body) { return body.substr(0, body.size() / 2) + "<!-- truncated"; }

}  // namespace

class Emulator::Impl {
 public:
  explicit Impl(Options options);
  ~Impl();

  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
  void stop();

  std::uint16_t port() const { return m_port; }
  const std::string& base_url() const { return m_base_url; }

  mutable std::mutex m_mutex;  // guards everything below that changes while serving
  Faults m_faults;
  Counters m_counters;
  std::uint64_t m_daily_limit;
  std::uint64_t m_api_usage = 0;
  std::unique_ptr<OrgStore> m_store;
  std::unique_ptr<TokenService> m_tokens;
  std::unique_ptr<RestApi> m_rest;

 private:
  struct Reply {
    int status = 200;
    Poco::Dynamic::Var body;
    std::vector<std::pair<std::string, std::string>> headers;
    bool limit_header = false;
  };

  Reply route(const std::string& method, const std::string& path, const std::string& query, const std::string& body,
              const Poco::Net::HTTPServerRequest& request, std::string& endpoint);
  Reply data_request(const std::string& method, std::string_view rest_of_path, const std::string& query,
                     const std::string& body, const Poco::Net::HTTPServerRequest& request, std::string& endpoint);
  Reply admin(const std::string& method, std::string_view path, const std::string& body);
  JsonObject state_json() const;
  void send(Poco::Net::HTTPServerResponse& response, const Reply& reply, bool corrupt_body);

  Options m_options;
  std::function<std::int64_t()> m_clock;
  std::uint16_t m_port = 0;
  std::string m_base_url;
  bool m_tls = false;
  bool m_stopping = false;
  std::condition_variable m_stop_signal;
  Poco::ThreadPool m_pool;
  std::unique_ptr<Poco::Net::HTTPServer> m_server;
};

namespace {

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(Emulator::Impl& impl) : m_impl(impl) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    m_impl.serve(request, response);
  }

 private:
  Emulator::Impl& m_impl;
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit HandlerFactory(Emulator::Impl& impl) : m_impl(impl) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(m_impl);
  }

 private:
  Emulator::Impl& m_impl;
};

}  // namespace

Emulator::Impl::Impl(Options options)
    : m_faults(options.faults),
      m_daily_limit(options.daily_limit),
      m_options(std::move(options)),
      m_clock(m_options.clock_ms ? m_options.clock_ms : std::function<std::int64_t()>(system_clock_ms)),
      m_pool(2, std::max(2, m_options.max_threads) + 1) {
  SeedData seed;
  if (!m_options.data_file.empty()) {
    seed = parse_seed(read_text_file(m_options.data_file), directory_of(m_options.data_file));
  } else if (!m_options.data_json.empty()) {
    seed = parse_seed(m_options.data_json, "");
  }
  // The org is loaded before the socket opens, so a bad seed fails before anything listens.
  m_store = std::make_unique<OrgStore>(Schema::standard(), m_clock);
  m_tokens = std::make_unique<TokenService>(m_clock, seed.org_id, seed.jwt_audiences);
  m_tokens->set_session_timeout_ms(m_options.session_timeout_ms);
  m_tokens->expire_tokens_after(m_faults.expire_tokens_after);
  load_seed(seed, *m_store, *m_tokens);
  m_rest = std::make_unique<RestApi>(*m_store, std::max<std::size_t>(1, m_options.query_batch_size));
  m_rest->set_composite_allows_search(m_options.composite_allows_search);

  bool cert = !m_options.tls_cert_file.empty();
  bool key = !m_options.tls_key_file.empty();
  if (cert != key) throw cti::ConfigError("TLS needs both a certificate file and a key file");
  m_tls = cert;

  std::unique_ptr<Poco::Net::ServerSocket> socket;
  try {
    Poco::Net::SocketAddress address(m_options.bind_address, m_options.port);
    if (m_tls) {
      Poco::Net::initializeSSL();
      Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, m_options.tls_key_file,
                                                               m_options.tls_cert_file, "", Poco::Net::Context::VERIFY_NONE);
      context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                                Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
      socket = std::make_unique<Poco::Net::SecureServerSocket>(context);
    } else {
      socket = std::make_unique<Poco::Net::ServerSocket>();
    }
    // SO_REUSEADDR for quick restarts, but not SO_REUSEPORT (Poco's default), which would
    // let a second emulator share the port silently.
    socket->bind(address, true, false);
    socket->listen(64);
  } catch (const Poco::Exception& e) {
    if (m_tls) Poco::Net::uninitializeSSL();
    throw cti::ConfigError("cannot listen on " + m_options.bind_address + ":" + std::to_string(m_options.port) + ": " +
                           e.displayText());
  }
  m_port = socket->address().port();
  m_base_url = std::string(m_tls ? "https" : "http") + "://" + m_options.bind_address + ":" + std::to_string(m_port);

  m_tokens->add_audience(m_base_url);
  m_tokens->set_instance_url(m_base_url);

  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(std::max(2, m_options.max_threads));
  params->setMaxQueued(64);
  params->setTimeout(Poco::Timespan(15, 0));  // a client that stalls mid-request is dropped
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(10, 0));
  params->setServerName("sfemu");
  m_server = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(*this), m_pool, *socket, params);
  m_server->start();
}

Emulator::Impl::~Impl() { stop(); }

void Emulator::Impl::stop() {
  {
    std::lock_guard lock(m_mutex);
    if (m_stopping) return;
    m_stopping = true;
  }
  m_stop_signal.notify_all();
  if (m_server) m_server->stopAll(true);
  m_pool.joinAll();
  m_server.reset();  // closes the listening socket: later connections are refused
  if (m_tls) Poco::Net::uninitializeSSL();
}

void Emulator::Impl::serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  const std::string& uri = request.getURI();
  std::size_t question = uri.find('?');
  std::string path = uri.substr(0, question);
  std::string query = question == std::string::npos ? std::string() : uri.substr(question + 1);
  bool is_admin = path.compare(0, admin_prefix.size(), admin_prefix) == 0;

  // Bodies are read before any fault so that a connection kept alive stays in sync.
  std::string body;
  bool too_large = false;
  if (request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(m_options.max_body_bytes)) {
    too_large = true;
  } else {
    std::istream& in = request.stream();
    char buffer[8192];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      body.append(buffer, static_cast<std::size_t>(in.gcount()));
      if (body.size() > m_options.max_body_bytes) {
        too_large = true;
        break;
      }
    }
  }

  std::chrono::milliseconds latency{0};
  {
    std::lock_guard lock(m_mutex);
    ++m_counters.http_requests;
    if (!is_admin) latency = m_faults.latency;
  }
  if (latency.count() > 0) {
    std::unique_lock lock(m_mutex);
    m_stop_signal.wait_for(lock, latency, [this] { return m_stopping; });
  }

  Reply reply;
  bool corrupt_body = false;
  {
    std::lock_guard lock(m_mutex);
    if (!is_admin && m_faults.drop_next > 0) {
      --m_faults.drop_next;
      ++m_counters.dropped;
      // No response at all: the client sees the connection close.
      response.setKeepAlive(false);
      try {
        dynamic_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket().shutdown();
      } catch (const Poco::Exception&) {
      }
      return;
    }
    std::string endpoint = "unknown";  // emptied when a fault answers instead of an endpoint
    if (too_large) {
      endpoint.clear();
      reply.status = 413;
      reply.body = error_body(api_error(413, "REQUEST_ENTITY_TOO_LARGE",
                                        "The request body exceeds " + std::to_string(m_options.max_body_bytes) + " bytes"));
      response.setKeepAlive(false);
    } else if (!is_admin && m_faults.fail_next > 0) {
      --m_faults.fail_next;
      ++m_counters.unavailable;
      endpoint.clear();
      reply.status = 503;
      reply.body = error_body(api_error(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable. Please try again later."));
    } else {
      try {
        reply = route(request.getMethod(), path, query, body, request, endpoint);
      } catch (const Poco::Exception& e) {
        reply = Reply{500, error_body(api_error(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred: " + e.displayText())), {}, false};
      } catch (const std::exception& e) {
        reply = Reply{500, error_body(api_error(500, "UNKNOWN_EXCEPTION", std::string("An unexpected error occurred: ") + e.what())), {}, false};
      }
    }
    if (is_admin) {
      ++m_counters.by_endpoint["admin"];
    } else if (!endpoint.empty()) {
      ++m_counters.by_endpoint[endpoint];
    }
    if (reply.status == 401) ++m_counters.unauthorized;
    if (reply.status == 403) ++m_counters.limit_exceeded;
    if (!is_admin && !reply.body.isEmpty() && m_faults.malformed_next > 0) {
      --m_faults.malformed_next;
      ++m_counters.malformed;
      corrupt_body = true;
    }
    if (reply.limit_header) {
      reply.headers.emplace_back("Sforce-Limit-Info",
                                 "api-usage=" + std::to_string(m_api_usage) + "/" + std::to_string(m_daily_limit));
    }
  }
  send(response, reply, corrupt_body);
}

void Emulator::Impl::send(Poco::Net::HTTPServerResponse& response, const Reply& reply, bool corrupt_body) {
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
  for (const auto& [name, value] : reply.headers) response.set(name, value);
  if (reply.body.isEmpty()) {
    response.setContentLength(0);
    response.send();
    return;
  }
  std::string text = to_json(reply.body);
  if (corrupt_body) text = corrupt(text);
  response.setContentType("application/json;charset=UTF-8");
  response.setContentLength(static_cast<std::streamsize>(text.size()));
  response.send() << text;
}

Emulator::Impl::Reply Emulator::Impl::route(const std::string& method, const std::string& path, const std::string& query,
                                            const std::string& body, const Poco::Net::HTTPServerRequest& request,
                                            std::string& endpoint) {
  if (path.compare(0, admin_prefix.size(), admin_prefix) == 0) {
    if (!m_options.admin_endpoint) {
      return Reply{404, error_body(api_error(404, "NOT_FOUND", "The requested resource does not exist")), {}, false};
    }
    return admin(method, std::string_view(path).substr(admin_prefix.size()), body);
  }
  if (path == "/services/oauth2/token") {
    endpoint = "token";
    OAuthReply reply = m_tokens->token(method, body, request.get("Authorization", ""));
    return Reply{reply.status, reply.body, {}, false};
  }
  if (path == data_prefix || path == std::string(data_prefix) + "/") {
    endpoint = "versions";
    if (method != "GET") {
      return Reply{405, error_body(api_error(405, "METHOD_NOT_ALLOWED", "HTTP Method '" + method + "' not allowed. Allowed are GET,HEAD")), {}, false};
    }
    return Reply{200, versions_list(), {}, false};
  }
  if (path.compare(0, data_prefix.size() + 1, std::string(data_prefix) + "/") == 0) {
    return data_request(method, std::string_view(path).substr(data_prefix.size() + 1), query, body, request, endpoint);
  }
  return Reply{404, error_body(api_error(404, "NOT_FOUND", "The requested resource does not exist")), {}, false};
}

Emulator::Impl::Reply Emulator::Impl::data_request(const std::string& method, std::string_view rest_of_path,
                                                   const std::string& query, const std::string& body,
                                                   const Poco::Net::HTTPServerRequest& request, std::string& endpoint) {
  std::size_t slash = rest_of_path.find('/');
  std::string version(rest_of_path.substr(0, slash));
  std::string resource = slash == std::string_view::npos ? std::string() : std::string(rest_of_path.substr(slash + 1));
  if (!is_supported_version(version)) {
    return Reply{404, error_body(api_error(404, "NOT_FOUND", "The requested resource does not exist")), {}, false};
  }
  endpoint = classify(method, resource);
  const Session* session = m_tokens->authenticate(request.get("Authorization", ""));
  if (!session) {
    return Reply{401, error_body(api_error(401, "INVALID_SESSION_ID", "Session expired or invalid")), {}, true};
  }
  if (m_api_usage >= m_daily_limit) {
    return Reply{403, error_body(api_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")), {}, true};
  }
  ++m_api_usage;
  ++m_counters.api_requests;
  ApiRequest api_request{method, resource, query, body, request.get("Sforce-Query-Options", "")};
  ApiResponse response = m_rest->handle(api_request, *session, version, m_api_usage, m_daily_limit);
  return Reply{response.status, response.body, std::move(response.headers), true};
}

JsonObject Emulator::Impl::state_json() const {
  JsonObject faults = make_object();
  faults->set("latency_ms", static_cast<Poco::Int64>(m_faults.latency.count()));
  faults->set("expire_tokens_after", static_cast<Poco::UInt64>(m_tokens->expire_tokens_after()));
  faults->set("fail_next", static_cast<Poco::UInt64>(m_faults.fail_next));
  faults->set("drop_next", static_cast<Poco::UInt64>(m_faults.drop_next));
  faults->set("malformed_next", static_cast<Poco::UInt64>(m_faults.malformed_next));
  JsonObject counters = make_object();
  counters->set("api_requests", static_cast<Poco::UInt64>(m_counters.api_requests));
  counters->set("http_requests", static_cast<Poco::UInt64>(m_counters.http_requests));
  counters->set("dropped", static_cast<Poco::UInt64>(m_counters.dropped));
  counters->set("unavailable", static_cast<Poco::UInt64>(m_counters.unavailable));
  counters->set("malformed", static_cast<Poco::UInt64>(m_counters.malformed));
  counters->set("limit_exceeded", static_cast<Poco::UInt64>(m_counters.limit_exceeded));
  counters->set("unauthorized", static_cast<Poco::UInt64>(m_counters.unauthorized));
  JsonObject by_endpoint = make_object();
  for (const auto& [name, count] : m_counters.by_endpoint) by_endpoint->set(name, static_cast<Poco::UInt64>(count));
  counters->set("by_endpoint", by_endpoint);
  JsonObject state = make_object();
  state->set("faults", faults);
  state->set("counters", counters);
  state->set("api_usage", static_cast<Poco::UInt64>(m_api_usage));
  state->set("daily_limit", static_cast<Poco::UInt64>(m_daily_limit));
  state->set("query_batch_size", static_cast<Poco::UInt64>(m_rest->batch_size()));
  return state;
}

Emulator::Impl::Reply Emulator::Impl::admin(const std::string& method, std::string_view path, const std::string& body) {
  auto bad = [](const std::string& message) {
    return Reply{400, error_body(api_error(400, "INVALID_INPUT", message)), {}, false};
  };
  if (path == "state" && method == "GET") return Reply{200, state_json(), {}, false};
  if (path != "faults" || method != "POST") {
    return Reply{404, error_body(api_error(404, "NOT_FOUND", "Admin resources: GET /__emulator/state, POST /__emulator/faults")), {}, false};
  }
  auto parsed = parse_json(body);
  if (!parsed) return Reply{400, error_body(parsed.error()), {}, false};
  JsonObject settings = as_object(*parsed);
  if (!settings) return bad("the body must be a JSON object");

  // Validate everything first so that a bad request changes nothing.
  std::map<std::string, std::uint64_t> numbers;
  std::vector<std::pair<std::string, bool>> freezes;
  bool revoke = false;
  bool reset = false;
  static const std::set<std::string> numeric = {"latency_ms", "expire_tokens_after", "fail_next", "drop_next",
                                                "malformed_next", "daily_limit", "api_usage", "query_batch_size"};
  for (const auto& [key, value] : *settings) {
    if (numeric.count(key) != 0) {
      if (!value.isInteger() || value.convert<Poco::Int64>() < 0) return bad(key + " must be a non-negative integer");
      numbers[key] = value.convert<Poco::UInt64>();
    } else if (key == "freeze" || key == "unfreeze") {
      JsonArray names = as_array(value);
      if (!names) return bad(key + " must be an array of usernames");
      for (std::size_t i = 0; i < names->size(); ++i) {
        Poco::Dynamic::Var name = names->get(static_cast<unsigned>(i));
        if (!name.isString() || !m_tokens->find_user(name.extract<std::string>())) {
          return bad(key + ": unknown username " + (name.isString() ? name.extract<std::string>() : std::string("?")));
        }
        freezes.emplace_back(name.extract<std::string>(), key == "freeze");
      }
    } else if (key == "revoke_tokens" || key == "reset_counters") {
      if (!value.isBoolean()) return bad(key + " must be true or false");
      (key == "revoke_tokens" ? revoke : reset) = value.convert<bool>();
    } else {
      return bad("unknown setting " + key);
    }
  }
  if (numbers.count("query_batch_size") != 0 && numbers["query_batch_size"] == 0) return bad("query_batch_size must be at least 1");
  for (const auto& [key, value] : numbers) {
    if (key == "latency_ms") m_faults.latency = std::chrono::milliseconds(static_cast<std::int64_t>(std::min<std::uint64_t>(value, 600000)));
    if (key == "expire_tokens_after") m_tokens->expire_tokens_after(value);
    if (key == "fail_next") m_faults.fail_next = value;
    if (key == "drop_next") m_faults.drop_next = value;
    if (key == "malformed_next") m_faults.malformed_next = value;
    if (key == "daily_limit") m_daily_limit = value;
    if (key == "api_usage") m_api_usage = value;
    if (key == "query_batch_size") m_rest->set_batch_size(static_cast<std::size_t>(value));
  }
  for (const auto& [username, frozen] : freezes) m_tokens->set_frozen(username, frozen);
  if (revoke) m_tokens->revoke_all();
  if (reset) m_counters = Counters{};
  return Reply{200, state_json(), {}, false};
}

// --- Emulator ----------------------------------------------------------------------------

Emulator::Emulator(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Emulator::~Emulator() = default;

std::unique_ptr<Emulator> Emulator::start(Options options) {
  return std::unique_ptr<Emulator>(new Emulator(std::make_unique<Impl>(std::move(options))));
}

std::uint16_t Emulator::port() const { return m_impl->port(); }
std::string Emulator::base_url() const { return m_impl->base_url(); }
void Emulator::stop() { m_impl->stop(); }

Counters Emulator::counters() const {
  std::lock_guard lock(m_impl->m_mutex);
  return m_impl->m_counters;
}

void Emulator::reset_counters() {
  std::lock_guard lock(m_impl->m_mutex);
  m_impl->m_counters = Counters{};
}

Faults Emulator::faults() const {
  std::lock_guard lock(m_impl->m_mutex);
  Faults faults = m_impl->m_faults;
  faults.expire_tokens_after = m_impl->m_tokens->expire_tokens_after();
  return faults;
}

void Emulator::set_faults(const Faults& faults) {
  std::lock_guard lock(m_impl->m_mutex);
  m_impl->m_faults = faults;
  m_impl->m_tokens->expire_tokens_after(faults.expire_tokens_after);
}

void Emulator::set_latency(std::chrono::milliseconds latency) {
  std::lock_guard lock(m_impl->m_mutex);
  m_impl->m_faults.latency = latency;
}

void Emulator::expire_tokens_after(std::uint64_t requests) {
  std::lock_guard lock(m_impl->m_mutex);
  m_impl->m_faults.expire_tokens_after = requests;
  m_impl->m_tokens->expire_tokens_after(requests);
}

void Emulator::fail_next(std::uint64_t requests) {
  std::lock_guard lock(m_impl->m_mutex);
  m_impl->m_faults.fail_next = requests;
}

void Emulator::drop_next(std::uint64_t requests) {
  std::lock_guard lock(m_impl->m_mutex);
  m_impl->m_faults.drop_next = requests;
}

void Emulator::malform_next(std::uint64_t responses) {
  std::lock_guard lock(m_impl->m_mutex);
  m_impl->m_faults.malformed_next = responses;
}

void Emulator::set_daily_limit(std::uint64_t limit) {
  std::lock_guard lock(m_impl->m_mutex);
  m_impl->m_daily_limit = limit;
}

void Emulator::set_api_usage(std::uint64_t used) {
  std::lock_guard lock(m_impl->m_mutex);
  m_impl->m_api_usage = used;
}

void Emulator::set_query_batch_size(std::size_t batch_size) {
  std::lock_guard lock(m_impl->m_mutex);
  m_impl->m_rest->set_batch_size(std::max<std::size_t>(1, batch_size));
}

bool Emulator::set_user_frozen(std::string_view username, bool frozen) {
  std::lock_guard lock(m_impl->m_mutex);
  return m_impl->m_tokens->set_frozen(username, frozen);
}

void Emulator::revoke_tokens() {
  std::lock_guard lock(m_impl->m_mutex);
  m_impl->m_tokens->revoke_all();
}

}  // namespace cti::sfemu
