#pragma once
// A small command-line parser for ctictl's subcommands: `--name value`, `--name=value`,
// boolean `--flag`, and positional arguments. Errors are usage errors (exit status 2).

#include "cti/result.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctictl {

/// One option a command accepts, for parsing and for --help.
struct OptionSpec {
  std::string_view name;   ///< without the leading dashes
  std::string_view value;  ///< placeholder shown in help ("NUMBER"); empty for a flag
  std::string_view help;
};

/// The parsed arguments of one command.
class Args {
 public:
  /// Parses `argv` against `specs`. `--help`/`-h` is always accepted.
  static cti::Result<Args> parse(const std::vector<std::string>& argv,
                                 const std::vector<OptionSpec>& specs);

  bool flag(std::string_view name) const;
  std::optional<std::string> value(std::string_view name) const;
  std::string value_or(std::string_view name, std::string fallback) const;
  const std::vector<std::string>& positional() const { return m_positional; }
  bool help() const { return m_help; }

 private:
  std::map<std::string, std::string, std::less<>> m_values;
  std::vector<std::string> m_positional;
  bool m_help = false;
};

/// Prints "usage: ctictl <usage>\n\n<summary>\n\noptions:\n  --name VALUE  help..." to out.
std::string format_help(std::string_view usage, std::string_view summary,
                        const std::vector<OptionSpec>& specs);

/// Splits "a,b , c" into {"a","b","c"}; empty items are dropped.
std::vector<std::string> split_list(std::string_view text);

}  // namespace ctictl
