#include "command.hpp"

#include <ostream>

namespace ctictl {

int report_error(Io& io, std::string_view message, int code) {
  io.err << "ctictl: error: " << message << "\n";
  return code;
}

}  // namespace ctictl
