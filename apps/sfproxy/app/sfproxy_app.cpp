#include "sfproxy_app.hpp"

#include "proxy_stack.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <csignal>
#include <iostream>

#ifndef CTI_VERSION
#define CTI_VERSION "0.0.0"
#endif

namespace sfproxy {
namespace {

using Poco::Util::Option;

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

}  // namespace

SfproxyApp::SfproxyApp() {
  Poco::AutoPtr<Poco::PatternFormatter> format(
      new Poco::PatternFormatter("sfproxy: error: %t (see sfproxy --help)"));
  Poco::AutoPtr<Poco::ConsoleChannel> console(new Poco::ConsoleChannel);
  Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(format, console));
  logger().setChannel(channel);
}

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
  if (m_check_only) {
    std::cout << m_config_path << ": ok\n";
    return EXIT_OK;
  }
  prepare_signals();
  auto log = std::make_shared<cti::app::Log>(loaded->log_level, loaded->log_format);
  auto stack = ProxyStack::start(std::move(*loaded), StackParts{nullptr, nullptr, log});
  if (!stack) {
    std::cerr << "sfproxy: error: " << stack.error().message << "\n";
    return EXIT_CONFIG;
  }
  waitForTerminationRequest();
  log->info("server", "stopping");
  (*stack)->stop();
  log->info("server", "stopped");
  return EXIT_OK;
}

}  // namespace sfproxy
