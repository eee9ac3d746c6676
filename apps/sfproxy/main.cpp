// sfproxy: the PBX-side proxy between the phone system, Salesforce and agents' browsers.
#include "app/sfproxy_app.hpp"

#include <Poco/Exception.h>

#include <malloc.h>

#include <iostream>

namespace {

// Every thread of the process shares one address-space lock, and the password hashers take
// it for writing twice per sign-in (Argon2id maps and unmaps 19 MiB). Network threads whose
// per-thread malloc arenas grew page by page, with an mprotect() each time, queued behind
// them: during a sign-in storm, connected agents' pops reached p99 17-25 ms at 2,000 agents.
// One arena that grows in 16 MiB steps (untouched pages cost no memory) and keeps what it
// has takes that lock a few times per storm instead: p99 6 ms, with steady-phase CPU and
// latency unchanged by the shared arena (scripts/bench-load.sh --agents 2000).
void tune_allocator() {
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_TOP_PAD, 16 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
}

}  // namespace

int main(int argc, char** argv) {
  tune_allocator();
  try {
    sfproxy::SfproxyApp app;
    return app.run(argc, argv);
  } catch (const Poco::Exception& error) {  // unknown or malformed options
    std::cerr << "sfproxy: error: " << error.displayText() << " (see sfproxy --help)\n";
    return Poco::Util::Application::EXIT_USAGE;
  }
}
