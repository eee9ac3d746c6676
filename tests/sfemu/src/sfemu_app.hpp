#pragma once
// SfemuApp: the `sfemu` command. Parses the options, starts an Emulator, prints
// "sfemu listening on <url>" as the first line of stdout and serves until SIGINT or SIGTERM.

#include "sfemu/emulator.hpp"

#include <Poco/Util/ServerApplication.h>

namespace cti::sfemu {

class SfemuApp : public Poco::Util::ServerApplication {
 public:
  SfemuApp();

  /// Parses the command line and serves; returns the exit status (2 for usage errors).
  int run_command(int argc, char** argv);

 protected:
  void defineOptions(Poco::Util::OptionSet& options) override;
  void handleOption(const std::string& name, const std::string& value) override;
  int main(const std::vector<std::string>& args) override;

 private:
  void print_help() const;

  Options m_options;
  bool m_help = false;
};

/// Blocks SIGINT, SIGTERM and SIGQUIT in the calling thread. Call it first in main, before
/// any thread starts, so that only ServerApplication's wait receives them.
void block_termination_signals();

}  // namespace cti::sfemu
