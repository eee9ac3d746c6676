// ctictl config check FILE: reads an sfproxy configuration with the daemon's own loader, so
// what it accepts is exactly what sfproxy accepts, and reports every problem with its line
// and column. On success it summarises what the daemon would run and warns about what
// usually goes wrong on the day: the certificate (expired, self-signed, wrong host name)
// and plain HTTP.

#include "args.hpp"
#include "command.hpp"

#include "certificate_check.hpp"
#include "sfproxy_config.hpp"

#include <ostream>

namespace ctictl {
namespace {

const std::vector<OptionSpec> k_options = {
    {"strict", "", "exit with status 1 when there are warnings"},
};

constexpr std::string_view k_usage = "config check FILE [--strict]";
constexpr std::string_view k_summary =
    "Reads an sfproxy configuration file exactly as the daemon does. Every problem is\n"
    "printed as FILE:LINE:COLUMN: key: what is wrong, and the exit status is 2. A valid\n"
    "file gets a summary and warnings (certificate expired, self-signed or not naming\n"
    "server.public_host; plain HTTP); with --strict a warning makes the exit status 1.";

std::string listen_address(const sfproxy::SfproxyConfig& config) {
  const auto& server = config.server;
  const bool v6 = server.address.find(':') != std::string::npos;
  return (v6 ? "[" + server.address + "]" : server.address) + ":" + std::to_string(server.port);
}

std::vector<std::string> warnings_for(const sfproxy::SfproxyConfig& config) {
  std::vector<std::string> warnings;
  if (!config.server.tls_enabled) {
    warnings.emplace_back(
        "plain HTTP (server.development_plain_http): Salesforce frames only HTTPS pages; "
        "for development on one machine only");
    return warnings;
  }
  auto report = sfproxy::check_certificate_file(config.server.tls.certificate_file, config.public_host);
  if (!report) {
    warnings.push_back(report.error().message);
    return warnings;
  }
  return report->warnings;
}

void print_summary(const sfproxy::SfproxyConfig& config, std::ostream& out) {
  out << config.path << ": ok\n";
  out << "  listen      " << listen_address(config)
      << (config.server.tls_enabled ? " (HTTPS)" : " (plain HTTP)") << "\n";
  out << "  public host " << (config.public_host.empty() ? "(not set)" : config.public_host) << "\n";
  out << "  pbx         " << config.pbx_adapter << "\n";
  out << "  matching    " << sfproxy::to_string(config.proxy.match_mode);
  if (config.salesforce) {
    out << ", Salesforce at " << config.salesforce->instance_url;
  }
  out << "\n";
  out << "  database    " << config.database_path << "\n";
  out << "  licence     \"" << config.licence_name << "\"";
  if (config.licence_seats) {
    out << ", " << *config.licence_seats << " seats (from this file)";
  } else {
    out << ", seats as recorded by 'ctictl license set-seats'";
  }
  out << "\n";
  out << "  web root    " << (config.http.web_root.empty() ? "(none: API only)" : config.http.web_root) << "\n";
}

}  // namespace

int run_config(const std::vector<std::string>& argv, Io& io) {
  if (argv.empty() || argv.front() != "check") {
    if (!argv.empty() && (argv.front() == "--help" || argv.front() == "-h")) {
      io.out << format_help(k_usage, k_summary, k_options);
      return exit_ok;
    }
    return report_error(io, "usage: ctictl " + std::string(k_usage), exit_usage);
  }
  Args args;
  const std::vector<std::string> rest(argv.begin() + 1, argv.end());
  if (int code = exit_ok; !begin_command(rest, k_options, k_usage, k_summary, io, args, code, 1)) {
    return code;
  }
  const std::string& path = args.positional().front();
  auto config = sfproxy::load_config(path);
  if (!config) {
    io.err << config.error().message << "\n";
    return report_error(io, path + " is not a valid sfproxy configuration", exit_usage);
  }
  print_summary(*config, io.out);
  const auto warnings = warnings_for(*config);
  for (const auto& warning : warnings) {
    io.out << "warning: " << warning << "\n";
  }
  return warnings.empty() || !args.flag("strict") ? exit_ok : exit_failure;
}

}  // namespace ctictl
