// ctictl license: the seat licence agents need to sign in (the guide's "Client SEAT License
// Management": total seats, members and non-members), kept in the database sfproxy uses.

#include "commands/agent_db.hpp"

#include "json_writer.hpp"

#include <charconv>
#include <ostream>

namespace ctictl {
namespace {

std::vector<OptionSpec> options() {
  auto specs = store_options();
  specs.push_back({"json", "", "print JSON (license show)"});
  return specs;
}

constexpr std::string_view k_usage =
    "license show | assign EXTENSION... | unassign EXTENSION... | set-seats N  --db PATH";

std::string summary() {
  return "Shows and changes who holds a seat of the licence agents need to sign in:\n"
         "  show [--json]          seats in total, assigned and free, and the members\n"
         "  assign EXTENSION...    gives each agent a seat (refused when none is free)\n"
         "  unassign EXTENSION...  frees their seats\n"
         "  set-seats N            records the licence's seat count (what was purchased)\n\n" +
         std::string(seats_help());
}

std::string seats_phrase(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " seat" : " seats");
}

void print_show(std::ostream& out, const sfproxy::LicenceSummary& licence,
                std::optional<std::size_t> recorded, bool json) {
  const std::size_t free = licence.total > licence.assigned ? licence.total - licence.assigned : 0;
  if (json) {
    cti::app::JsonWriter writer;
    writer.begin_object()
        .field("name", licence.name)
        .field("total", static_cast<std::uint64_t>(licence.total))
        .field("assigned", static_cast<std::uint64_t>(licence.assigned))
        .field("free", static_cast<std::uint64_t>(free))
        .field("over_assigned", licence.assigned > licence.total);
    writer.key("recorded_total");
    if (recorded) {
      writer.value(static_cast<std::uint64_t>(*recorded));
    } else {
      writer.null();
    }
    writer.key("members").begin_array();
    for (const auto& member : licence.members) {
      writer.value(member);
    }
    writer.end_array().end_object();
    out << writer.str() << "\n";
    return;
  }
  out << "licence \"" << licence.name << "\": " << licence.assigned << " of "
      << seats_phrase(licence.total) << " assigned, " << free << " free";
  if (recorded && *recorded != licence.total) {
    out << " (--seats; the database records " << *recorded << ")";
  }
  out << "\n";
  if (licence.assigned > licence.total) {
    out << "warning: " << licence.assigned - licence.total
        << " more assigned than the licence has; they keep their seats, new assignments are "
           "refused until enough are unassigned\n";
  }
  out << "members:";
  for (const auto& member : licence.members) {
    out << " " << member;
  }
  out << (licence.members.empty() ? " none\n" : "\n");
}

cti::Result<std::size_t> parse_seats(const std::string& text) {
  std::size_t seats = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seats);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     "set-seats needs a whole number, got '" + text + "'");
  }
  return seats;
}

int run(const Args& args, Io& io) {
  const auto& positional = args.positional();
  if (positional.empty()) {
    return report_error(io, "give a subcommand: show, assign, unassign or set-seats (see --help)",
                        exit_usage);
  }
  const std::string& action = positional.front();
  const std::vector<std::string> operands(positional.begin() + 1, positional.end());
  const bool changes_members = action == "assign" || action == "unassign";
  if (action != "show" && action != "set-seats" && !changes_members) {
    return report_error(io, "unknown subcommand 'license " + action + "' (see --help)", exit_usage);
  }
  if (action == "show" && !operands.empty()) {
    return report_error(io, "'license show' takes no argument", exit_usage);
  }
  if (changes_members && operands.empty()) {
    return report_error(io, "'license " + action + "' needs at least one EXTENSION", exit_usage);
  }
  for (const auto& extension : changes_members ? operands : std::vector<std::string>{}) {
    if (auto valid = cti::validate_extension(extension); !valid) {
      return report(io, valid.error());
    }
  }
  std::size_t new_seats = 0;
  if (action == "set-seats") {
    if (operands.size() != 1) {
      return report_error(io, "'license set-seats' takes one number", exit_usage);
    }
    if (args.value("seats")) {
      return report_error(io, "--seats does not apply to set-seats", exit_usage);
    }
    const auto parsed = parse_seats(operands.front());
    if (!parsed) {
      return report(io, parsed.error());
    }
    new_seats = *parsed;
  }

  const auto where = store_location(args);
  if (!where) {
    return report(io, where.error());
  }
  const auto store = open_store(*where);
  if (!store) {
    return report(io, store.error());
  }
  sfproxy::SqliteAgentDirectory& directory = **store;

  if (action == "set-seats") {
    if (const auto recorded = directory.record_seats(new_seats); !recorded) {
      return report(io, recorded.error());
    }
  }
  for (const auto& extension : operands) {
    if (!changes_members) {
      break;
    }
    const auto done = action == "assign" ? directory.assign_seat(extension)
                                         : directory.unassign_seat(extension);
    if (!done) {
      return report(io, done.error());
    }
    io.out << (action == "assign" ? "assigned a seat to " : "freed the seat of ") << extension
           << "\n";
  }

  const auto licence = directory.licence();
  if (!licence) {
    return report(io, licence.error());
  }
  std::optional<std::size_t> recorded;
  if (auto value = directory.recorded_seats()) {
    recorded = *value;
  } else {
    return report(io, value.error());
  }
  print_show(io.out, *licence, recorded, action == "show" && args.flag("json"));
  return exit_ok;
}

}  // namespace

int run_license(const std::vector<std::string>& argv, Io& io) {
  const auto specs = options();
  const auto args = Args::parse(argv, specs);
  if (!args) {
    return report(io, args.error());
  }
  if (args->help()) {
    io.out << format_help(k_usage, summary(), specs);
    return exit_ok;
  }
  return run(*args, io);
}

}  // namespace ctictl
