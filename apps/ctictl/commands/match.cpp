// ctictl match: builds the MatchPlan for a call's IVR data and caller ID. With --plan it
// prints the plan and the exact SOQL/SOSL and touches no network; with --config it runs the
// plan against the configured Salesforce org and prints what each step found, the pop
// decision and the API requests spent.

#include "args.hpp"
#include "command.hpp"
#include "config.hpp"

#include "cti/adapters/salesforce/salesforce_adapter.hpp"

#include "sfmatch/match_plan.hpp"
#include "sfmatch/match_settings.hpp"
#include "sfmatch/pop_decision.hpp"

#include "match_json.hpp"

#include <memory>
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
    {"config", "FILE", "run the plan against the salesforce: section of FILE"},
    {"json", "", "print JSON instead of text"},
};

constexpr std::string_view k_usage =
    "match [--ivr DATA] [--ani NUMBER] [options] (--plan | --config FILE)";
constexpr std::string_view k_summary =
    "Turns IVR data and caller ID into the ordered Salesforce lookups of a screen pop:\n"
    "SOQL for IVR tags (first), SOSL across the caller-ID objects (then). --plan prints\n"
    "them; --config FILE runs them against Salesforce and prints the records each step\n"
    "found, the pop decision and the API requests spent. Exit status 1 when Salesforce\n"
    "fails (the error says why), 2 for bad input or configuration.";

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

void print_inputs(std::ostream& out, const sfmatch::MatchPlan& plan) {
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
}

void print_step(std::ostream& out, const sfmatch::MatchPlan& plan, std::size_t i) {
  const auto& step = plan.steps[i];
  out << "step " << i + 1 << " (" << sfmatch::to_string(step.source) << ", "
      << sfmatch::to_string(step.language) << "): " << step.query << "\n";
}

void print_text(std::ostream& out, const sfmatch::MatchPlan& plan) {
  print_inputs(out, plan);
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    print_step(out, plan, i);
  }
}

namespace sf = cti::adapters::salesforce;

/// What one run against Salesforce gave, for printing.
struct Outcome {
  std::vector<sfmatch::StepResult> results;
  sfmatch::PopDecision decision;
  std::uint64_t api_requests = 0;
  std::uint64_t token_requests = 0;
};

const sfmatch::StepResult* result_of(const Outcome& outcome, std::size_t step) {
  for (const auto& result : outcome.results) {
    if (result.step_index == step) {
      return &result;
    }
  }
  return nullptr;
}

void write_record(cti::app::JsonWriter& json, const sfmatch::RecordRef& record) {
  json.begin_object();
  json.field("object", record.object);
  json.field("id", record.id);
  json.field("name", record.name);
  json.end_object();
}

std::string outcome_to_json(const sfmatch::MatchPlan& plan, const Outcome& outcome,
                            const Args& args) {
  cti::app::JsonWriter json;
  json.begin_object();
  json.key("input").begin_object();
  json.field("ivr", args.value_or("ivr", ""));
  json.field("ani", args.value_or("ani", ""));
  json.end_object();
  json.key("plan");
  cti::app::write_plan(json, plan);
  json.key("results").begin_array();
  for (const auto& result : outcome.results) {
    json.begin_object();
    json.field("step", static_cast<std::uint64_t>(result.step_index));
    json.key("records").begin_array();
    for (const auto& record : result.records) {
      write_record(json, record);
    }
    json.end_array();
    json.end_object();
  }
  json.end_array();
  json.key("decision");
  cti::app::write_decision(json, outcome.decision);
  json.field("api_requests", outcome.api_requests);
  json.field("token_requests", outcome.token_requests);
  json.end_object();
  return std::move(json).str();
}

void print_outcome(std::ostream& out, const sfmatch::MatchPlan& plan, const Outcome& outcome) {
  print_inputs(out, plan);
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    print_step(out, plan, i);
    const sfmatch::StepResult* result = result_of(outcome, i);
    if (result == nullptr) {
      out << "  not run: an IVR step found the record\n";
      continue;
    }
    out << "  found " << result->records.size()
        << (result->records.size() == 1 ? " record" : " records") << "\n";
    for (const auto& record : result->records) {
      out << "    " << record.object << " " << record.id << " " << record.name << "\n";
    }
  }
  const sfmatch::PopDecision& decision = outcome.decision;
  out << "pop: " << sfmatch::to_string(decision.kind);
  if (decision.kind == sfmatch::PopKind::record || decision.kind == sfmatch::PopKind::chooser) {
    out << " (matched by " << sfmatch::to_string(decision.matched_by) << ", step "
        << decision.step_index + 1 << ")";
    for (const auto& record : decision.records) {
      out << "\n  " << record.object << " " << record.id << " " << record.name;
    }
  } else if (decision.kind == sfmatch::PopKind::new_record) {
    out << " " << decision.new_record_object;
    for (const auto& [field, value] : decision.default_fields) {
      out << " " << field << "=" << value;
    }
  }
  out << "\n";
  out << "api requests: " << outcome.api_requests << " (token requests: " << outcome.token_requests
      << ")\n";
}

/// Runs the plan against the org in `config_path`.
int run_against_salesforce(const std::string& config_path, const sfmatch::MatchPlan& plan,
                           const sfmatch::MatchSettings& settings, const Args& args, Io& io) {
  std::unique_ptr<sf::SalesforceClient> client;
  try {
    client = sf::make_salesforce_client(load_salesforce_config(config_path));
  } catch (const cti::ConfigError& error) {
    return report_error(io, error.what(), exit_usage);
  }
  auto results = client->run_plan(plan);
  if (!results) {
    return report_error(io, "salesforce: " + results.error().message, exit_failure);
  }
  Outcome outcome;
  outcome.decision = sfmatch::decide_pop(plan, *results, settings);
  outcome.results = std::move(*results);
  const sf::ClientStats stats = client->stats();
  outcome.api_requests = stats.api_requests;
  outcome.token_requests = stats.token_requests;
  if (args.flag("json")) {
    io.out << outcome_to_json(plan, outcome, args) << "\n";
  } else {
    print_outcome(io.out, plan, outcome);
  }
  return exit_ok;
}

}  // namespace

int run_match(const std::vector<std::string>& argv, Io& io) {
  Args args;
  if (int code = exit_ok; !begin_command(argv, k_options, k_usage, k_summary, io, args, code)) {
    return code;
  }
  if (!args.value("ivr") && !args.value("ani")) {
    return report_error(io, "give --ivr, --ani or both", exit_usage);
  }
  const auto config_path = args.value("config");
  if (!args.flag("plan") && !config_path) {
    return report_error(io,
                        "give --config FILE to run the lookups against Salesforce, or use --plan "
                        "to print them without any network",
                        exit_usage);
  }
  auto settings = settings_from(args);
  if (!settings) {
    return report_error(io, settings.error().message, exit_usage);
  }
  const std::string ivr = args.value_or("ivr", "");
  const std::string ani = args.value_or("ani", "");
  auto plan = sfmatch::build_match_plan({ivr, ani}, *settings);
  if (!plan) {
    return report_error(io, plan.error().message, exit_usage);
  }
  if (!args.flag("plan")) {
    return run_against_salesforce(*config_path, *plan, *settings, args, io);
  }
  if (args.flag("json")) {
    io.out << plan_to_json(*plan, args) << "\n";
  } else {
    print_text(io.out, *plan);
  }
  return exit_ok;
}

}  // namespace ctictl
