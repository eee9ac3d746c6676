#include "sfproxy_app.hpp"

#include "certificate_check.hpp"
#include "router.hpp"
#include "sfproxy_config.hpp"
#include "store/sqlite_agent_directory.hpp"

#include "cti/adapters/webhook/webhook_adapter.hpp"

#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <csignal>
#include <iostream>
#include <sstream>

#ifndef CTI_VERSION
#define CTI_VERSION "0.0.0"
#endif

namespace sfproxy {
namespace {

using Poco::Util::Option;
using cti::app::Log;

// Stop signals are taken by waitForTerminationRequest(); block them before any thread
// starts, so that no other thread receives one and dies of it. Writes to closed sockets
// must not kill the process either.
void prepare_signals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGQUIT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

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

}  // namespace

void SfproxyApp::defineOptions(Poco::Util::OptionSet& options) {
  ServerApplication::defineOptions(options);  // --daemon, --pidfile, --umask
  options.addOption(Option("config", "c", "the YAML configuration file").argument("FILE").repeatable(false));
  options.addOption(Option("check-config", "", "load and check the configuration, then exit"));
  options.addOption(Option("version", "v", "print the version and exit"));
  options.addOption(Option("help", "h", "print this help and exit"));
}

void SfproxyApp::handleOption(const std::string& name, const std::string& value) {
  ServerApplication::handleOption(name, value);
  if (name == "config") {
    m_config_path = value;
  } else if (name == "check-config") {
    m_check_only = true;
  } else if (name == "version") {
    m_version = true;
    stopOptionsProcessing();
  } else if (name == "help") {
    m_help = true;
    stopOptionsProcessing();
  }
}

int SfproxyApp::main(const std::vector<std::string>& args) {
  if (m_help) {
    Poco::Util::HelpFormatter help(options());
    help.setCommand(commandName());
    help.setUsage("--config FILE [--daemon --pidfile FILE]");
    help.setHeader("The PBX-to-Salesforce proxy: call events in, screen pops out to agents' softphones.");
    help.format(std::cout);
    return EXIT_OK;
  }
  if (m_version) {
    std::cout << "sfproxy " << CTI_VERSION << "\n";
    return EXIT_OK;
  }
  if (!args.empty()) {
    std::cerr << "sfproxy: error: unexpected argument '" << args.front() << "' (see sfproxy --help)\n";
    return EXIT_USAGE;
  }
  if (m_config_path.empty()) {
    std::cerr << "sfproxy: error: --config FILE is required\n";
    return EXIT_USAGE;
  }
  try {
    return serve();
  } catch (const cti::ConfigError& error) {
    std::cerr << "sfproxy: error: " << error.what() << "\n";
    return EXIT_CONFIG;
  }
}

int SfproxyApp::serve() {
  auto loaded = load_config(m_config_path);
  if (!loaded) {
    std::cerr << "sfproxy: error: invalid configuration\n" << loaded.error().message << "\n";
    return EXIT_CONFIG;
  }
  SfproxyConfig& config = *loaded;
  if (m_check_only) {
    std::cout << m_config_path << ": ok\n";
    return EXIT_OK;
  }
  prepare_signals();
  Log log(config.log_level, config.log_format);

  if (config.server.tls_enabled) {
    auto report = check_certificate_file(config.server.tls.certificate_file, config.public_host);
    if (!report) {
      throw cti::ConfigError(report.error().message);
    }
    for (const auto& warning : report->warnings) {
      log.warning("tls", warning);
    }
  } else {
    log.warning("server", "serving plain HTTP (server.development_plain_http): for development only; "
                          "Salesforce will not frame the softphone from it");
  }

  auto directory = SqliteAgentDirectory::open(config.database_path, config.licence_name, config.licence_seats);
  if (!directory) {
    throw cti::ConfigError(directory.error().message);
  }
  if (auto licence = (*directory)->licence(); licence && licence->assigned > licence->total) {
    log.warning("licence", "more seats are assigned (" + std::to_string(licence->assigned) +
                               ") than the licence has (" + std::to_string(licence->total) +
                               "); no new assignments until that is fixed");
  }
  SessionManager sessions(config.sessions);
  LoginThrottle throttle(config.throttle);
  PbxInstance pbx = config.make_pbx();

  std::unique_ptr<cti::adapters::salesforce::SalesforceClient> salesforce;
  if (config.salesforce) {
    cti::adapters::salesforce::Environment environment;
    environment.log = [&log](cti::adapters::salesforce::LogLevel level, std::string_view message) {
      log.write(static_cast<cti::app::LogLevel>(static_cast<int>(level)), "salesforce", message);
    };
    salesforce = cti::adapters::salesforce::make_salesforce_client(*config.salesforce, environment);
  }

  WorkerPool sign_ins(config.sign_in_threads, config.queue_limit);
  WorkerPool workers(config.worker_threads, config.queue_limit);
  WorkerPool lookups(config.lookup_threads, config.queue_limit);
  ThreadTimer timer;
  ProxyService proxy(config.proxy, **directory, sessions, throttle, *pbx.connector, salesforce.get(),
                     lookups, timer);

  auto web = http::StaticFiles::load(config.http.web_root);
  if (!web) {
    throw cti::ConfigError(web.error().message);
  }
  std::unique_ptr<net::HttpServer> server;
  http::Services services{proxy, workers, sign_ins, config.http, {}, {}, {}, std::move(*web)};
  if (pbx.webhook != nullptr) {
    services.pbx_ingest = [hook = pbx.webhook](const net::HttpRequest& request) {
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
  services.extra_metrics = [&server, &pbx, &salesforce] {
    std::string text = server ? server_metrics(server->stats()) : std::string();
    if (pbx.metrics) {
      text += pbx.metrics();
    }
    if (salesforce) {
      const auto usage = salesforce->usage();
      const auto stats = salesforce->stats();
      text += "# HELP sfproxy_salesforce_api_usage Salesforce API requests used today (Sforce-Limit-Info).\n"
              "# TYPE sfproxy_salesforce_api_usage gauge\nsfproxy_salesforce_api_usage " +
              std::to_string(usage.used) + "\nsfproxy_salesforce_api_limit " + std::to_string(usage.limit) +
              "\n# HELP sfproxy_salesforce_requests_total REST requests sent by this proxy.\n"
              "# TYPE sfproxy_salesforce_requests_total counter\nsfproxy_salesforce_requests_total " +
              std::to_string(stats.api_requests) + "\n";
    }
    return text;
  };
  services.health_checks = [&directory, &salesforce] {
    std::vector<std::pair<std::string, bool>> checks{{"database", (*directory)->licence().has_value()}};
    if (salesforce) {
      checks.emplace_back("salesforce", salesforce->circuit().state !=
                                            cti::adapters::salesforce::CircuitState::open);
    }
    return checks;
  };
  http::Router router(std::move(services));

  net::ServerConfig server_config = config.server;
  server_config.common_headers = security_headers(config);
  auto made = net::make_http_server(server_config, [&router](std::shared_ptr<net::Exchange> exchange) {
    router.handle(std::move(exchange));
  });
  if (!made) {
    throw cti::ConfigError(made.error().message);
  }
  server = std::move(*made);

  proxy.start();
  if (auto started = pbx.connector->start([&proxy](const cti::CallEvent& event) { proxy.on_call_event(event); });
      !started) {
    throw cti::ConfigError("pbx: " + started.error().message);
  }
  if (auto started = server->start(); !started) {
    pbx.connector->stop();
    throw cti::ConfigError(started.error().message);
  }
  const std::string scheme = config.server.tls_enabled ? "https" : "http";
  log.info("server", "listening on " + scheme + "://" + config.server.address + ":" +
                         std::to_string(server->port()) + " (pbx: " + config.pbx_adapter +
                         ", matching: " + std::string(to_string(config.proxy.match_mode)) + ")");

  waitForTerminationRequest();

  log.info("server", "stopping");
  server->stop();          // no new requests; streams closed
  pbx.connector->stop();   // no new call events
  sign_ins.stop();
  workers.stop();
  lookups.stop();          // pending lookups finish against a live service
  timer.stop();
  proxy.stop();
  log.info("server", "stopped");
  return EXIT_OK;
}

}  // namespace sfproxy
