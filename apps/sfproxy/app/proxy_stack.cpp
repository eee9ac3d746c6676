#include "proxy_stack.hpp"

#include "certificate_check.hpp"
#include "store/sqlite_agent_directory.hpp"

#include "cti/adapters/salesforce/salesforce_adapter.hpp"
#include "cti/adapters/webhook/webhook_adapter.hpp"

#include <sstream>

namespace sfproxy {
namespace {

net::HttpResponse to_http(const cti::adapters::webhook::IngestReply& reply) {
  net::HttpResponse response;
  response.status = reply.status;
  response.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}};
  response.body = reply.body;
  return response;
}

std::string server_metrics(const net::ServerStats& stats) {
  std::ostringstream out;
  auto line = [&](std::string_view name, std::string_view type, std::string_view help, std::uint64_t value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
        << name << ' ' << value << '\n';
  };
  line("sfproxy_connections_open", "gauge", "Open client connections.", stats.connections_open);
  line("sfproxy_connections_accepted_total", "counter", "Client connections accepted.", stats.connections_accepted);
  line("sfproxy_connections_refused_total", "counter", "Connections refused over max_connections.", stats.connections_refused);
  line("sfproxy_tls_handshake_failures_total", "counter", "Failed TLS handshakes.", stats.tls_handshake_failures);
  line("sfproxy_http_requests_total", "counter", "HTTP requests received.", stats.requests);
  line("sfproxy_http_bad_requests_total", "counter", "Malformed, oversized or timed-out requests.", stats.bad_requests);
  line("sfproxy_streams_cut_total", "counter", "Event streams cut for not reading.", stats.streams_cut);
  return out.str();
}

std::string salesforce_metrics(const cti::adapters::salesforce::SalesforceClient& client) {
  const auto usage = client.usage();
  const auto stats = client.stats();
  std::ostringstream out;
  out << "# HELP sfproxy_salesforce_api_usage Salesforce API requests used in the org today (Sforce-Limit-Info).\n"
         "# TYPE sfproxy_salesforce_api_usage gauge\nsfproxy_salesforce_api_usage "
      << usage.used << "\n# HELP sfproxy_salesforce_api_limit The org's daily API allocation.\n"
         "# TYPE sfproxy_salesforce_api_limit gauge\nsfproxy_salesforce_api_limit "
      << usage.limit << "\n# HELP sfproxy_salesforce_requests_total REST requests sent by this proxy.\n"
         "# TYPE sfproxy_salesforce_requests_total counter\nsfproxy_salesforce_requests_total "
      << stats.api_requests << "\n";
  return out.str();
}

}  // namespace

// Declared in the order of construction; stop() tears down in the order that keeps every
// callback's target alive.
struct ProxyStack::Parts {
  SfproxyConfig config;
  std::shared_ptr<cti::app::Log> log;
  std::unique_ptr<AgentDirectory> directory;
  std::unique_ptr<SessionManager> sessions;
  std::unique_ptr<LoginThrottle> throttle;
  PbxInstance pbx;
  std::unique_ptr<cti::adapters::salesforce::SalesforceClient> salesforce;
  std::unique_ptr<WorkerPool> sign_ins;
  std::unique_ptr<WorkerPool> workers;
  std::unique_ptr<WorkerPool> lookups;
  std::unique_ptr<ThreadTimer> timer;
  std::unique_ptr<ProxyService> proxy;
  std::unique_ptr<http::Router> router;
  std::unique_ptr<net::HttpServer> server;
  bool stopped = false;
};

cti::Result<std::unique_ptr<ProxyStack>> ProxyStack::start(SfproxyConfig config, StackParts given) {
  std::unique_ptr<ProxyStack> stack(new ProxyStack());
  stack->m_parts = std::make_unique<Parts>();
  Parts& p = *stack->m_parts;
  p.config = std::move(config);
  const SfproxyConfig& cfg = p.config;
  p.log = given.log ? given.log : std::make_shared<cti::app::Log>(cfg.log_level, cfg.log_format);

  try {
    if (cfg.server.tls_enabled) {
      auto report = CTI_TRY(check_certificate_file(cfg.server.tls.certificate_file, cfg.public_host));
      for (const auto& warning : report.warnings) {
        p.log->warning("tls", warning);
      }
    } else {
      p.log->warning("server", "serving plain HTTP (server.development_plain_http): for development only; "
                               "Salesforce will not frame the softphone from it");
    }

    if (given.directory) {
      p.directory = std::move(given.directory);
    } else {
      p.directory = CTI_TRY(SqliteAgentDirectory::open(cfg.database_path, cfg.licence_name, cfg.licence_seats));
    }
    if (auto licence = p.directory->licence(); licence && licence->assigned > licence->total) {
      p.log->warning("licence", "more seats are assigned (" + std::to_string(licence->assigned) +
                                    ") than the licence has (" + std::to_string(licence->total) +
                                    "); no new assignments until that is fixed");
    }
    p.sessions = std::make_unique<SessionManager>(cfg.sessions);
    p.throttle = std::make_unique<LoginThrottle>(cfg.throttle);
    if (given.pbx) {
      p.pbx.connector = std::move(given.pbx);
      p.pbx.webhook = dynamic_cast<cti::adapters::webhook::WebhookConnector*>(p.pbx.connector.get());
    } else if (cfg.make_pbx) {
      p.pbx = cfg.make_pbx();
    } else {
      return cti::fail(cti::ErrorCode::invalid_input, "no PBX adapter configured (pbx.adapter)");
    }

    if (cfg.salesforce) {
      cti::adapters::salesforce::Environment environment;
      environment.log = [log = p.log](cti::adapters::salesforce::LogLevel level, std::string_view message) {
        log->write(static_cast<cti::app::LogLevel>(static_cast<int>(level)), "salesforce", message);
      };
      p.salesforce = cti::adapters::salesforce::make_salesforce_client(*cfg.salesforce, environment);
    }

    p.sign_ins = std::make_unique<WorkerPool>(cfg.sign_in_threads, cfg.queue_limit,
                                              WorkerPool::Priority::background);
    p.workers = std::make_unique<WorkerPool>(cfg.worker_threads, cfg.queue_limit);
    p.lookups = std::make_unique<WorkerPool>(cfg.lookup_threads, cfg.queue_limit);
    p.timer = std::make_unique<ThreadTimer>();
    p.proxy = std::make_unique<ProxyService>(cfg.proxy, *p.directory, *p.sessions, *p.throttle,
                                             *p.pbx.connector, p.salesforce.get(), *p.lookups, *p.timer);

    auto web = CTI_TRY(http::StaticFiles::load(cfg.http.web_root));
    http::Services services{*p.proxy, *p.workers, *p.sign_ins, cfg.http, {}, {}, {}, std::move(web)};
    if (p.pbx.webhook != nullptr) {
      services.pbx_ingest = [hook = p.pbx.webhook](const net::HttpRequest& request) {
        auto header = [&](std::string_view name) -> std::string_view {
          const std::string* value = request.header(name);
          return value ? std::string_view(*value) : std::string_view();
        };
        cti::adapters::webhook::IngestRequest ingest{request.method, header("content-type"),
                                                     header("x-cti-timestamp"), header("x-cti-signature"),
                                                     request.body};
        return to_http(hook->ingest(ingest));
      };
    }
    services.extra_metrics = [&p] {
      std::string text = p.server ? server_metrics(p.server->stats()) : std::string();
      if (p.pbx.metrics) {
        text += p.pbx.metrics();
      }
      if (p.salesforce) {
        text += salesforce_metrics(*p.salesforce);
      }
      return text;
    };
    services.health_checks = [&p] {
      std::vector<std::pair<std::string, bool>> checks{{"database", p.directory->licence().has_value()}};
      if (p.salesforce) {
        checks.emplace_back("salesforce",
                            p.salesforce->circuit().state != cti::adapters::salesforce::CircuitState::open);
      }
      return checks;
    };
    p.router = std::make_unique<http::Router>(std::move(services));

    net::ServerConfig server_config = cfg.server;
    server_config.common_headers = security_headers(cfg);
    server_config.stream_heartbeat = std::string(http::k_heartbeat_event);
    server_config.stream_heartbeat_interval = http::k_heartbeat_interval;
    p.server = CTI_TRY(net::make_http_server(server_config, [router = p.router.get()](
                                                                std::shared_ptr<net::Exchange> exchange) {
      router->handle(std::move(exchange));
    }));

    p.proxy->start();
    CTI_TRY(p.pbx.connector->start([proxy = p.proxy.get()](const cti::CallEvent& event) {
      proxy->on_call_event(event);
    }));
    CTI_TRY(p.server->start());
  } catch (const cti::ConfigError& error) {
    stack->stop();
    return cti::fail(cti::ErrorCode::invalid_input, error.what());
  }
  const std::string scheme = cfg.server.tls_enabled ? "https" : "http";
  p.log->info("server", "listening on " + scheme + "://" + cfg.server.address + ":" +
                            std::to_string(p.server->port()) + " (pbx: " +
                            (cfg.pbx_adapter.empty() ? std::string("custom") : cfg.pbx_adapter) +
                            ", matching: " + std::string(to_string(cfg.proxy.match_mode)) + ")");
  return stack;
}

ProxyStack::~ProxyStack() { stop(); }

void ProxyStack::stop() {
  if (!m_parts || m_parts->stopped) {
    return;
  }
  Parts& p = *m_parts;
  p.stopped = true;
  if (p.server) p.server->stop();             // no new requests; streams closed
  if (p.pbx.connector) p.pbx.connector->stop();  // no new call events
  if (p.sign_ins) p.sign_ins->stop();
  if (p.workers) p.workers->stop();
  if (p.lookups) p.lookups->stop();           // pending lookups finish against a live service
  if (p.timer) p.timer->stop();
  if (p.proxy) p.proxy->stop();
}

std::uint16_t ProxyStack::port() const { return m_parts->server->port(); }
ProxyService& ProxyStack::service() { return *m_parts->proxy; }
AgentDirectory& ProxyStack::directory() { return *m_parts->directory; }
cti::PbxConnector& ProxyStack::pbx() { return *m_parts->pbx.connector; }

}  // namespace sfproxy
