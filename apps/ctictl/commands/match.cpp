// ctictl match: builds the MatchPlan for a call's IVR data and caller ID and prints it.
// With --plan it prints the plan and the exact SOQL/SOSL and touches no network.

#include "args.hpp"
#include "command.hpp"

#include "sfmatch/match_plan.hpp"
#include "sfmatch/match_settings.hpp"

#include "match_json.hpp"

#include <ostream>

namespace ctictl {
namespace {

const std::vector<OptionSpec> k_options = {
    {"ivr", "DATA", "IVR data from the PBX, e.g. \"Case.CaseNumber=1234\""},
    {"ani", "NUMBER", "caller ID as the PBX delivers it, e.g. \"+1 (212) 842-5500\""},
    {"objects", "LIST", "caller-ID objects, comma separated (default Contact,Account,Lead)"},
    {"mode", "MODE", "IVR match: exact, starts_with, ends_with or contains (default exact)"},
    {"limit", "N", "records per query, 1-200 (default 10)"},
    {"plan", "", "print the plan and its queries; no network"},
    {"json", "", "print JSON instead of text"},
};

constexpr std::string_view k_usage = "match [--ivr DATA] [--ani NUMBER] [options] --plan";
constexpr std::string_view k_summary =
    "Turns IVR data and caller ID into the ordered Salesforce lookups of a screen pop:\n"
    "SOQL for IVR tags (first), SOSL across the caller-ID objects (then).";

cti::Result<sfmatch::MatchSettings> settings_from(const Args& args) {
  sfmatch::MatchSettings settings;
  if (auto objects = args.value("objects")) {
    settings.caller_id_objects = split_list(*objects);
  }
  if (auto mode = args.value("mode")) {
    settings.ivr_match = CTI_TRY(sfmatch::parse_ivr_match_mode(*mode));
  }
  if (auto limit = args.value("limit")) {
    std::size_t parsed = 0;
    std::size_t used = 0;
    try {
      parsed = std::stoul(*limit, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != limit->size()) {
      return cti::fail(cti::ErrorCode::invalid_input, "--limit must be a number, got '" + *limit + "'");
    }
    settings.record_limit = parsed;
  }
  CTI_TRY(sfmatch::validate(settings));
  return settings;
}

std::string plan_to_json(const sfmatch::MatchPlan& plan, const Args& args) {
  cti::app::JsonWriter json;
  json.begin_object();
  json.key("input").begin_object();
  json.field("ivr", args.value_or("ivr", ""));
  json.field("ani", args.value_or("ani", ""));
  json.end_object();
  json.key("plan");
  cti::app::write_plan(json, plan);
  json.end_object();
  return std::move(json).str();
}

void print_text(std::ostream& out, const sfmatch::MatchPlan& plan) {
  out << "caller id: " << sfmatch::to_string(plan.caller_id.kind);
  if (plan.caller_id.searchable()) {
    out << " " << plan.caller_id.e164 << " (national " << plan.caller_id.national << ")";
  } else if (!plan.caller_id.extension.empty()) {
    out << " " << plan.caller_id.extension;
  }
  out << "\n";
  for (const auto& tag : plan.ivr_tags) {
    out << "ivr tag: " << tag.object << "." << tag.field << " = " << tag.value << "\n";
  }
  if (plan.steps.empty()) {
    out << "no lookup: nothing to match on\n";
  }
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const auto& step = plan.steps[i];
    out << "step " << i + 1 << " (" << sfmatch::to_string(step.source) << ", "
        << sfmatch::to_string(step.language) << "): " << step.query << "\n";
  }
}

}  // namespace

int run_match(const std::vector<std::string>& argv, Io& io) {
  auto args = Args::parse(argv, k_options);
  if (!args) {
    return report_error(io, args.error().message, exit_usage);
  }
  if (args->help()) {
    io.out << format_help(k_usage, k_summary, k_options);
    return exit_ok;
  }
  if (!args->positional().empty()) {
    return report_error(io, "unexpected argument '" + args->positional().front() + "'", exit_usage);
  }
  if (!args->value("ivr") && !args->value("ani")) {
    return report_error(io, "give --ivr, --ani or both", exit_usage);
  }
  if (!args->flag("plan")) {
    return report_error(io,
                        "running a plan against Salesforce needs the salesforce adapter, which "
                        "this build does not have yet; use --plan",
                        exit_usage);
  }
  auto settings = settings_from(*args);
  if (!settings) {
    return report_error(io, settings.error().message, exit_usage);
  }
  const std::string ivr = args->value_or("ivr", "");
  const std::string ani = args->value_or("ani", "");
  auto plan = sfmatch::build_match_plan({ivr, ani}, *settings);
  if (!plan) {
    return report_error(io, plan.error().message, exit_usage);
  }
  if (args->flag("json")) {
    io.out << plan_to_json(*plan, *args) << "\n";
  } else {
    print_text(io.out, *plan);
  }
  return exit_ok;
}

}  // namespace ctictl
