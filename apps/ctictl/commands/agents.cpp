// ctictl agents: the agents who may sign in to the softphone (extension, display name,
// password) in the database sfproxy uses. Passwords are read from standard input or a
// prompt, never from the command line, and only their Argon2id hash is stored.

#include "commands/agent_db.hpp"

#include "json_writer.hpp"

#include <iostream>
#include <ostream>

namespace ctictl {
namespace {

std::vector<OptionSpec> options() {
  auto specs = store_options();
  specs.push_back({"name", "NAME", "the agent's display name (agents add)"});
  specs.push_back({"password-stdin", "", "read the password from the first line of standard input"});
  specs.push_back({"json", "", "print JSON (agents list)"});
  return specs;
}

constexpr std::string_view k_usage =
    "agents add EXTENSION --name NAME | passwd EXTENSION | remove EXTENSION | list  --db PATH";

std::string summary() {
  return "Manages the agents who sign in to the softphone with their extension (the guide's\n"
         "\"Sign-in Address\") and a password:\n"
         "  add EXTENSION --name NAME   a new agent; asks for the password\n"
         "  passwd EXTENSION            a new password for an agent\n"
         "  remove EXTENSION            removes the agent and frees their seat\n"
         "  list [--json]               every agent, with their seat and settings\n"
         "Agents also need a seat of the licence to sign in: see 'ctictl license'.\n"
         "Passwords are 8 to 128 bytes. Hashing one takes a moment on purpose.\n\n" +
         std::string(seats_help());
}

cti::Result<std::string> one_extension(const Args& args) {
  if (args.positional().size() != 2) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     "agents " + args.positional().front() + " takes one EXTENSION");
  }
  const std::string& extension = args.positional()[1];
  CTI_TRY(cti::validate_extension(extension));
  return extension;
}

void print_list(std::ostream& out, const std::vector<sfproxy::AgentRecord>& agents, bool json) {
  if (json) {
    cti::app::JsonWriter writer;
    writer.begin_object().key("agents").begin_array();
    for (const auto& agent : agents) {
      writer.begin_object()
          .field("extension", agent.extension)
          .field("display_name", agent.display_name)
          .field("has_seat", agent.has_seat)
          .key("settings")
          .begin_object()
          .key("caller_id_objects")
          .begin_array();
      for (const auto& object : agent.settings.caller_id_objects) {
        writer.value(object);
      }
      writer.end_array().field("ivr_match", agent.settings.ivr_match).end_object().end_object();
    }
    writer.end_array().end_object();
    out << writer.str() << "\n";
    return;
  }
  if (agents.empty()) {
    out << "no agents (add one with: ctictl agents add EXTENSION --name NAME --db PATH)\n";
    return;
  }
  out << "EXTENSION         SEAT  IVR MATCH    CALLER-ID OBJECTS         NAME\n";
  for (const auto& agent : agents) {
    std::string objects;
    for (const auto& object : agent.settings.caller_id_objects) {
      objects += (objects.empty() ? "" : ",") + object;
    }
    auto pad = [](std::string text, std::size_t width) {
      text.resize(std::max(text.size(), width), ' ');
      return text + " ";
    };
    out << pad(agent.extension, 17) << pad(agent.has_seat ? "yes" : "no", 5)
        << pad(agent.settings.ivr_match, 12) << pad(objects, 25) << agent.display_name << "\n";
  }
}

int run(const Args& args, Io& io, std::istream& in) {
  const auto& positional = args.positional();
  if (positional.empty()) {
    return report_error(io, "give a subcommand: add, passwd, remove or list (see --help)",
                        exit_usage);
  }
  const std::string& action = positional.front();
  if (action != "add" && action != "passwd" && action != "remove" && action != "list") {
    return report_error(io, "unknown subcommand 'agents " + action + "' (see --help)", exit_usage);
  }
  if (args.value("name") && action != "add") {
    return report_error(io, "--name only applies to 'agents add'", exit_usage);
  }
  const auto where = store_location(args);
  if (!where) {
    return report(io, where.error());
  }

  if (action == "list") {
    if (positional.size() != 1) {
      return report_error(io, "'agents list' takes no argument", exit_usage);
    }
    const auto store = open_store(*where);
    if (!store) {
      return report(io, store.error());
    }
    const auto agents = (*store)->list_agents();
    if (!agents) {
      return report(io, agents.error());
    }
    print_list(io.out, *agents, args.flag("json"));
    return exit_ok;
  }

  const auto extension = one_extension(args);
  if (!extension) {
    return report(io, extension.error());
  }
  const auto name = args.value("name");
  if (action == "add" && (!name || name->empty())) {
    return report_error(io, "'agents add' needs --name NAME", exit_usage);
  }
  // Open first: a bad --db is reported before anyone types a password.
  const auto store = open_store(*where);
  if (!store) {
    return report(io, store.error());
  }
  sfproxy::SqliteAgentDirectory& directory = **store;

  if (action == "remove") {
    if (const auto removed = directory.remove_agent(*extension); !removed) {
      return report(io, removed.error());
    }
    io.out << "removed agent " << *extension << "\n";
    return exit_ok;
  }
  if (action == "add") {
    if (const auto existing = directory.find_agent(*extension); existing) {
      return report_error(io, "an agent with extension " + *extension + " already exists",
                          exit_failure);
    }
  } else if (const auto existing = directory.find_agent(*extension); !existing) {
    return report(io, existing.error());
  }
  const auto password = read_new_password(args, in, io, *extension);
  if (!password) {
    return report(io, password.error());
  }
  if (action == "add") {
    if (const auto added = directory.add_agent(*extension, *name, *password); !added) {
      return report(io, added.error());
    }
    io.out << "added agent " << *extension << " (" << *name << "); give them a seat with: "
           << "ctictl license assign " << *extension << " --db " << where->path << "\n";
    return exit_ok;
  }
  if (const auto changed = directory.set_password(*extension, *password); !changed) {
    return report(io, changed.error());
  }
  io.out << "changed the password of agent " << *extension << "\n";
  return exit_ok;
}

}  // namespace

int run_agents_with_input(const std::vector<std::string>& argv, Io& io, std::istream& in) {
  // A password on the command line would end up in shell history and `ps`: refuse it
  // without repeating it.
  for (const auto& arg : argv) {
    if (arg == "--password" || arg.rfind("--password=", 0) == 0) {
      return report_error(io,
                          "passwords are not taken on the command line; use --password-stdin "
                          "or answer the prompt",
                          exit_usage);
    }
  }
  const auto specs = options();
  const auto args = Args::parse(argv, specs);
  if (!args) {
    return report(io, args.error());
  }
  if (args->help()) {
    io.out << format_help(k_usage, summary(), specs);
    return exit_ok;
  }
  return run(*args, io, in);
}

int run_agents(const std::vector<std::string>& args, Io& io) {
  return run_agents_with_input(args, io, std::cin);
}

}  // namespace ctictl
