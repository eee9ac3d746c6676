#pragma once
// What `ctictl agents` and `ctictl license` share: where the agent database is, which
// licence and how many seats, how a password is read, and how errors become exit codes.
//
// Where the database is: `--db PATH` for now. A `--config FILE` option reading the daemon's
// YAML is meant to fill the same StoreLocation (options on the command line still win), so
// the commands need not change when it comes.

#include "args.hpp"
#include "command.hpp"

#include "cti/result.hpp"
#include "store/sqlite_agent_directory.hpp"

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ctictl {

/// The licence the guide's agents need, unless --licence-name says otherwise.
inline constexpr std::string_view k_default_licence_name = "Salesforce Integration";

/// Where and how to open the agent database.
struct StoreLocation {
  std::string path;
  std::string licence_name{k_default_licence_name};
  std::optional<std::size_t> seats;  ///< --seats: overrides the recorded count for this run
};

/// --db, --licence-name and --seats, for each command's option table.
std::vector<OptionSpec> store_options();
/// The help paragraph on where the seat count comes from.
std::string_view seats_help();

/// Reads the options above; invalid_input (a usage error) when --db is missing or --seats
/// is not a number.
cti::Result<StoreLocation> store_location(const Args& args);
cti::Result<std::unique_ptr<sfproxy::SqliteAgentDirectory>> open_store(const StoreLocation& where);

/// A new password: one line from `in` with --password-stdin, else a prompt with echo off
/// (asked twice) when `in` is the terminal. Never from an argument.
cti::Result<std::string> read_new_password(const Args& args, std::istream& in, Io& io,
                                           std::string_view extension);

/// Prints the error and returns 2 for invalid_input (the user's arguments) and 1 otherwise.
int report(Io& io, const cti::Error& error);

/// `ctictl agents` reading passwords from `in` (run_agents passes std::cin; tests a string
/// stream).
int run_agents_with_input(const std::vector<std::string>& args, Io& io, std::istream& in);

}  // namespace ctictl
