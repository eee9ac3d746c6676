#include "command.hpp"

#include "args.hpp"

#include <ostream>

namespace ctictl {

int report_error(Io& io, std::string_view message, int code) {
  io.err << "ctictl: error: " << message << "\n";
  return code;
}

bool begin_command(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs,
                   std::string_view usage, std::string_view summary, Io& io, Args& args,
                   int& exit_code) {
  auto parsed = Args::parse(argv, specs);
  if (!parsed) {
    exit_code = report_error(io, parsed.error().message, exit_usage);
    return false;
  }
  if (parsed->help()) {
    io.out << format_help(usage, summary, specs);
    exit_code = exit_ok;
    return false;
  }
  if (!parsed->positional().empty()) {
    exit_code = report_error(io, "unexpected argument '" + parsed->positional().front() + "'", exit_usage);
    return false;
  }
  args = std::move(*parsed);
  return true;
}

}  // namespace ctictl
