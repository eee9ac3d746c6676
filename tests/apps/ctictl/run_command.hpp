#pragma once
// Runs a ctictl command in-process, as main() would, and keeps what it printed: the command
// tests assert on the exit status and the text.

#include "command.hpp"

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace ctictl_test {

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

using CommandFunction = int (*)(const std::vector<std::string>&, ctictl::Io&);

inline Run run_command(CommandFunction command, const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  ctictl::Io io{out, err};
  const int code = command(args, io);
  return {code, out.str(), err.str()};
}

inline bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace ctictl_test
