// ctictl: the diagnostic CLI. main only dispatches the first argument through the table.

#include "command.hpp"

#include "cti/result.hpp"

#include <array>
#include <iostream>

namespace {

constexpr std::array k_commands = {
    ctictl::Command{"match", "build (and print) the Salesforce lookups for a call", &ctictl::run_match},
    ctictl::Command{"agents", "add, list and remove agents and their passwords", &ctictl::run_agents},
    ctictl::Command{"license", "show and assign the seats of the agents' licence", &ctictl::run_license},
    ctictl::Command{"sf", "Salesforce diagnostics: 'sf ping' signs in, shows API usage", &ctictl::run_sf},
    ctictl::Command{"simulate", "play simulated PBX calls; print them or post them to a proxy", &ctictl::run_simulate},
    ctictl::Command{"config", "'config check FILE': report every error in an sfproxy config", &ctictl::run_config},
    ctictl::Command{"tls-check", "check a proxy's TLS: protocol, cipher, chain, host, expiry", &ctictl::run_tls_check},
    ctictl::Command{"events", "sign in to a running proxy and tail an agent's event stream", &ctictl::run_events},
    ctictl::Command{"callcenter-xml", "write the Salesforce call-centre definition for a proxy", &ctictl::run_callcenter_xml},
};

void print_usage(std::ostream& out) {
  out << "usage: ctictl <command> [options]\n\ncommands:\n";
  for (const auto& command : k_commands) {
    out << "  " << command.name << std::string(16 - command.name.size(), ' ') << command.summary
        << "\n";
  }
  out << "\n'ctictl <command> --help' describes a command. Exit status: 0 ok, 1 runtime "
         "failure, 2 usage or configuration error.\n";
}

}  // namespace

int main(int argc, char** argv) {
  ctictl::Io io{std::cout, std::cerr};
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_usage(args.empty() ? std::cerr : std::cout);
    return args.empty() ? ctictl::exit_usage : ctictl::exit_ok;
  }
  if (args[0] == "--version") {
    std::cout << "ctictl " << CTI_VERSION << "\n";
    return ctictl::exit_ok;
  }
  for (const auto& command : k_commands) {
    if (command.name == args[0]) {
      args.erase(args.begin());
      try {
        return command.run(args, io);
      } catch (const cti::ConfigError& error) {
        return ctictl::report_error(io, error.what(), ctictl::exit_usage);
      } catch (const std::exception& error) {
        return ctictl::report_error(io, error.what(), ctictl::exit_failure);
      }
    }
  }
  return ctictl::report_error(io, "unknown command '" + args[0] + "' (see ctictl --help)",
                              ctictl::exit_usage);
}
