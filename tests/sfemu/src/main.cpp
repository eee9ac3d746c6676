// sfemu: the Salesforce REST emulator as a standalone server (see --help).
#include "sfemu_app.hpp"

int main(int argc, char** argv) {
  cti::sfemu::block_termination_signals();
  cti::sfemu::SfemuApp app;
  return app.run_command(argc, argv);
}
