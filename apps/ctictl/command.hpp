#pragma once
// A ctictl subcommand: one file under commands/ each, listed in main.cpp's table.
// Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.

#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace ctictl {

enum ExitCode : int { exit_ok = 0, exit_failure = 1, exit_usage = 2 };

/// Where a command writes; tests pass string streams.
struct Io {
  std::ostream& out;
  std::ostream& err;
};

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(const std::vector<std::string>& args, Io& io);
};

/// Prints "ctictl: error: <message>" and returns `code`.
int report_error(Io& io, std::string_view message, int code);

struct OptionSpec;
class Args;

/// The common start of a command: parses `argv`, answers --help, and requires exactly
/// `positional` arguments besides the options (the usage line names them). Returns true with
/// `args` set when the command should go on; otherwise false with `exit_code` set (0 after
/// help, 2 after a usage error).
bool begin_command(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs,
                   std::string_view usage, std::string_view summary, Io& io, Args& args,
                   int& exit_code, std::size_t positional = 0);

// The commands (one file each in commands/).
int run_match(const std::vector<std::string>& args, Io& io);
int run_agents(const std::vector<std::string>& args, Io& io);
int run_license(const std::vector<std::string>& args, Io& io);
int run_sf(const std::vector<std::string>& args, Io& io);
int run_simulate(const std::vector<std::string>& args, Io& io);
int run_config(const std::vector<std::string>& args, Io& io);
int run_tls_check(const std::vector<std::string>& args, Io& io);
int run_events(const std::vector<std::string>& args, Io& io);
int run_callcenter_xml(const std::vector<std::string>& args, Io& io);

}  // namespace ctictl
