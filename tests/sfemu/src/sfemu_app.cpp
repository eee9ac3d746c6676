#include "sfemu_app.hpp"

#include "cti/result.hpp"

#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <csignal>
#include <iostream>

namespace cti::sfemu {

namespace {

std::uint64_t parse_count(const std::string& name, const std::string& value) {
  Poco::UInt64 number = 0;
  if (!Poco::NumberParser::tryParseUnsigned64(value, number)) {
    throw cti::ConfigError("--" + name + " needs a non-negative integer, not '" + value + "'");
  }
  return number;
}

}  // namespace

void block_termination_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGQUIT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

SfemuApp::SfemuApp() {
  setUnixOptions(true);
}

int SfemuApp::run_command(int argc, char** argv) {
  try {
    init(argc, argv);
  } catch (const cti::ConfigError& e) {
    std::cerr << "sfemu: error: " << e.what() << "\n";
    return 2;
  } catch (const Poco::Exception& e) {
    std::cerr << "sfemu: error: " << e.displayText() << " (see --help)\n";
    return 2;
  }
  return run();
}

void SfemuApp::defineOptions(Poco::Util::OptionSet& options) {
  // ServerApplication's own options (--daemon, --pidfile) are left out: sfemu runs in the
  // foreground under a test or demo script.
  using Poco::Util::Option;
  auto add = [&](const char* name, const char* description, bool takes_argument, const char* argument = "value") {
    Option option(name, "", description);
    option.required(false).repeatable(false);
    if (takes_argument) option.argument(argument);
    options.addOption(option);
  };
  add("help", "show this help and exit", false);
  add("data", "seed file with org, users, connected apps and records (JSON)", true, "FILE");
  add("port", "TCP port; 0 picks a free one (default 0)", true, "N");
  add("bind", "address to listen on (default 127.0.0.1)", true, "ADDRESS");
  add("tls-cert", "PEM certificate: serve HTTPS (needs --tls-key)", true, "FILE");
  add("tls-key", "PEM private key for --tls-cert", true, "FILE");
  add("daily-limit", "API requests allowed per day (default 15000)", true, "N");
  add("batch-size", "records per query page (default 2000)", true, "N");
  add("latency-ms", "delay added to every request", true, "N");
  add("expire-tokens-after", "access tokens stop working after N data requests", true, "N");
  add("fail-next", "answer 503 to the next N requests", true, "N");
  add("drop-next", "close the connection without answering the next N requests", true, "N");
  add("malformed-next", "send malformed JSON in the next N responses", true, "N");
  add("admin", "serve /__emulator/state and /__emulator/faults for run-time control", false);
  add("composite-search", "accept /search subrequests in composite (Salesforce does not)", false);
}

void SfemuApp::handleOption(const std::string& name, const std::string& value) {
  if (name == "help") {
    m_help = true;
  } else if (name == "data") {
    m_options.data_file = value;
  } else if (name == "port") {
    std::uint64_t port = parse_count(name, value);
    if (port > 65535) throw cti::ConfigError("--port must be 0..65535");
    m_options.port = static_cast<std::uint16_t>(port);
  } else if (name == "bind") {
    m_options.bind_address = value;
  } else if (name == "tls-cert") {
    m_options.tls_cert_file = value;
  } else if (name == "tls-key") {
    m_options.tls_key_file = value;
  } else if (name == "daily-limit") {
    m_options.daily_limit = parse_count(name, value);
  } else if (name == "batch-size") {
    m_options.query_batch_size = static_cast<std::size_t>(std::max<std::uint64_t>(1, parse_count(name, value)));
  } else if (name == "latency-ms") {
    m_options.faults.latency = std::chrono::milliseconds(static_cast<std::int64_t>(std::min<std::uint64_t>(parse_count(name, value), 600000)));
  } else if (name == "expire-tokens-after") {
    m_options.faults.expire_tokens_after = parse_count(name, value);
  } else if (name == "fail-next") {
    m_options.faults.fail_next = parse_count(name, value);
  } else if (name == "drop-next") {
    m_options.faults.drop_next = parse_count(name, value);
  } else if (name == "malformed-next") {
    m_options.faults.malformed_next = parse_count(name, value);
  } else if (name == "admin") {
    m_options.admin_endpoint = true;
  } else if (name == "composite-search") {
    m_options.composite_allows_search = true;
  }
}

void SfemuApp::print_help() const {
  Poco::Util::HelpFormatter help(options());
  help.setCommand(commandName());
  help.setUsage("[options]");
  help.setHeader("A Salesforce REST API emulator for tests and demos.");
  help.setFooter("Exit codes: 0 stopped by SIGINT/SIGTERM, 1 runtime failure, 2 usage or configuration error.");
  help.format(std::cout);
}

int SfemuApp::main(const std::vector<std::string>& args) {
  if (m_help) {
    print_help();
    return EXIT_OK;
  }
  // Configuration errors are reported here: Application::run would turn them into a log
  // line and exit status 70.
  try {
    if (!args.empty()) throw cti::ConfigError("unexpected argument '" + args.front() + "' (see --help)");
    auto emulator = Emulator::start(m_options);
    std::cout << "sfemu listening on " << emulator->base_url() << std::endl;
    waitForTerminationRequest();
    emulator->stop();
    return EXIT_OK;
  } catch (const cti::ConfigError& e) {
    std::cerr << "sfemu: error: " << e.what() << "\n";
    return 2;
  } catch (const Poco::Exception& e) {
    std::cerr << "sfemu: error: " << e.displayText() << "\n";
    return 1;
  }
}

}  // namespace cti::sfemu
