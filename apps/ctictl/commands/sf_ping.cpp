// ctictl sf ping: signs in to Salesforce with the configured flow and makes one cheap
// authenticated request; prints the API version, the org's API usage and the round trip.

#include "args.hpp"
#include "command.hpp"
#include "config.hpp"

#include "cti/adapters/salesforce/salesforce_adapter.hpp"

#include "json_writer.hpp"

#include <cstdio>
#include <memory>
#include <ostream>

namespace ctictl {
namespace {

namespace sf = cti::adapters::salesforce;

const std::vector<OptionSpec> k_options = {
    {"config", "FILE", "YAML file with a salesforce: section (required)"},
    {"json", "", "print JSON instead of text"},
};

constexpr std::string_view k_usage = "sf ping --config FILE [--json]";
constexpr std::string_view k_summary =
    "Signs in to Salesforce with the configured OAuth flow and makes one authenticated\n"
    "request. Prints the API version, the org's API usage (used/limit over 24 hours) and\n"
    "the round-trip time of that request. Exit status 1 when Salesforce cannot be reached\n"
    "or refuses the credentials.";

std::string percent_of(const sf::ApiUsage& usage) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%",
                100.0 * static_cast<double>(usage.used) / static_cast<double>(usage.limit));
  return text;
}

double milliseconds_of(std::chrono::microseconds duration) {
  return static_cast<double>(duration.count()) / 1000.0;
}

int run_ping(const std::vector<std::string>& argv, Io& io) {
  Args args;
  if (int code = exit_ok; !begin_command(argv, k_options, k_usage, k_summary, io, args, code)) {
    return code;
  }
  const auto path = args.value("config");
  if (!path) {
    return report_error(io, "sf ping needs --config FILE", exit_usage);
  }
  sf::Config config;
  std::unique_ptr<sf::SalesforceClient> client;
  try {
    config = load_salesforce_config(*path);
    client = sf::make_salesforce_client(config);
  } catch (const cti::ConfigError& error) {
    return report_error(io, error.what(), exit_usage);
  }
  const auto result = client->ping();
  if (!result) {
    return report_error(io, "salesforce: " + result.error().message, exit_failure);
  }
  if (args.flag("json")) {
    cti::app::JsonWriter json;
    json.begin_object();
    json.field("instance_url", config.instance_url);
    json.field("auth", std::string(sf::to_string(config.auth.method)));
    json.field("api_version", result->api_version);
    json.field("latest_version", result->latest_version);
    json.key("usage").begin_object();
    json.field("used", static_cast<std::uint64_t>(result->usage.used));
    json.field("limit", static_cast<std::uint64_t>(result->usage.limit));
    json.end_object();
    json.field("round_trip_us", static_cast<std::int64_t>(result->round_trip.count()));
    json.field("api_requests", static_cast<std::uint64_t>(client->requests_sent()));
    json.end_object();
    io.out << std::move(json).str() << "\n";
    return exit_ok;
  }
  io.out << "salesforce: " << config.instance_url << " (" << sf::to_string(config.auth.method)
         << ")\n";
  io.out << "api version: " << result->api_version;
  if (!result->latest_version.empty() && result->latest_version != result->api_version) {
    io.out << " (latest offered: " << result->latest_version << ")";
  }
  io.out << "\n";
  if (result->usage.known()) {
    io.out << "api usage: " << result->usage.used << "/" << result->usage.limit << " ("
           << percent_of(result->usage) << ")\n";
  } else {
    io.out << "api usage: not reported\n";
  }
  char round_trip[32];
  std::snprintf(round_trip, sizeof round_trip, "%.1f ms", milliseconds_of(result->round_trip));
  io.out << "round trip: " << round_trip << "\n";
  return exit_ok;
}

constexpr std::string_view k_sf_usage =
    "usage: ctictl sf <subcommand> [options]\n\nsubcommands:\n"
    "  ping    sign in and report API version, usage and round trip\n";

}  // namespace

int run_sf(const std::vector<std::string>& args, Io& io) {
  if (args.empty()) {
    io.err << k_sf_usage;
    return exit_usage;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    io.out << k_sf_usage;
    return exit_ok;
  }
  if (args[0] == "ping") {
    return run_ping(std::vector<std::string>(args.begin() + 1, args.end()), io);
  }
  return report_error(io, "unknown sf subcommand '" + args[0] + "' (see ctictl sf --help)",
                      exit_usage);
}

}  // namespace ctictl
