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
                   int& exit_code, std::size_t positional) {
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
  const auto& given = parsed->positional();
  if (given.size() > positional) {
    exit_code = report_error(io, "unexpected argument '" + given[positional] + "'", exit_usage);
    return false;
  }
  if (given.size() < positional) {
    exit_code = report_error(io, "usage: ctictl " + std::string(usage), exit_usage);
    return false;
  }
  args = std::move(*parsed);
  return true;
}

}  // namespace ctictl
