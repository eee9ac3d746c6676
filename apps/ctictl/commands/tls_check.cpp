// Not written yet: the command is listed so that ctictl --help shows it; it refuses to run.

#include "command.hpp"

namespace ctictl {

int run_tls_check(const std::vector<std::string>&, Io& io) {
  return report_error(io, "this command is not available yet", exit_failure);
}

}  // namespace ctictl
