#include "commands/agent_db.hpp"

#include <termios.h>
#include <unistd.h>

#include <charconv>
#include <iostream>

namespace ctictl {
namespace {

cti::Unexpected usage(std::string message) {
  return cti::fail(cti::ErrorCode::invalid_input, std::move(message));
}

// Turns terminal echo off for its lifetime.
class EchoOff {
 public:
  EchoOff() {
    if (::tcgetattr(STDIN_FILENO, &m_saved) == 0) {
      termios quiet = m_saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      m_active = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
  }
  ~EchoOff() {
    if (m_active) {
      ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &m_saved);
    }
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  termios m_saved{};
  bool m_active = false;
};

bool read_line(std::istream& in, std::string& line) {
  if (!std::getline(in, line)) {
    return false;
  }
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return true;
}

cti::Result<std::string> prompt(Io& io, const std::string& question) {
  io.err << question << std::flush;
  std::string line;
  bool ok = false;
  {
    EchoOff quiet;
    ok = read_line(std::cin, line);
  }
  io.err << "\n";
  if (!ok) {
    return cti::fail(cti::ErrorCode::invalid_input, "no password entered");
  }
  return line;
}

}  // namespace

std::vector<OptionSpec> store_options() {
  return {
      {"db", "PATH", "the agent database (the file sfproxy uses); created if missing"},
      {"licence-name", "NAME", "the licence agents need (default \"Salesforce Integration\")"},
      {"seats", "N", "the licence's seat count for this command only (see above)"},
  };
}

std::string_view seats_help() {
  return "Seats: the licence's seat count is kept in the database; 'ctictl license set-seats N'\n"
         "changes it (0 until set). --seats N, like the daemon's own configuration, uses N\n"
         "instead without changing what is kept. When fewer seats remain than are assigned, the\n"
         "assignments stay and new ones are refused until enough are freed.";
}

cti::Result<StoreLocation> store_location(const Args& args) {
  StoreLocation where;
  const auto path = args.value("db");
  if (!path || path->empty()) {
    return usage("give --db PATH (the agent database sfproxy uses)");
  }
  where.path = *path;
  if (const auto name = args.value("licence-name")) {
    if (name->empty()) {
      return usage("--licence-name is empty");
    }
    where.licence_name = *name;
  }
  if (const auto seats = args.value("seats")) {
    std::size_t parsed = 0;
    const auto [end, ec] = std::from_chars(seats->data(), seats->data() + seats->size(), parsed);
    if (seats->empty() || ec != std::errc() || end != seats->data() + seats->size()) {
      return usage("--seats must be a whole number, got '" + *seats + "'");
    }
    where.seats = parsed;
  }
  return where;
}

cti::Result<std::unique_ptr<sfproxy::SqliteAgentDirectory>> open_store(const StoreLocation& where) {
  return sfproxy::SqliteAgentDirectory::open(where.path, where.licence_name, where.seats);
}

cti::Result<std::string> read_new_password(const Args& args, std::istream& in, Io& io,
                                           std::string_view extension) {
  std::string password;
  if (args.flag("password-stdin")) {
    if (!read_line(in, password)) {
      return usage("--password-stdin: nothing on standard input");
    }
  } else if (&in == &std::cin && ::isatty(STDIN_FILENO) == 1) {
    password = CTI_TRY(prompt(io, "Password for extension " + std::string(extension) + ": "));
    const std::string again = CTI_TRY(prompt(io, "Again: "));
    if (again != password) {
      return usage("the two passwords differ; nothing was changed");
    }
  } else {
    return usage("give the password on standard input with --password-stdin, or run on a "
                 "terminal to be asked for it");
  }
  CTI_TRY(sfproxy::validate_password(password));
  return password;
}

int report(Io& io, const cti::Error& error) {
  return report_error(io, error.message,
                      error.code == cti::ErrorCode::invalid_input ? exit_usage : exit_failure);
}

}  // namespace ctictl
