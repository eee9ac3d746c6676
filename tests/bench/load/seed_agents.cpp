// load_seed_agents: a fresh agent database with N agents, each holding a licence seat, for
// the load harness (scripts/bench-load.sh).
//
//   load_seed_agents --db PATH --agents N --first EXTENSION --password TEXT
//
// Agents are added through SqliteAgentDirectory, the daemon's own store, at a cheap hashing
// cost so that 10,000 agents take seconds; then every agent's hash is replaced by one hash
// made at the production cost (PasswordHasher's defaults). The agents share that hash and
// its salt, which is fine for a load test: each sign-in still runs a full production-cost
// Argon2id verification, which is what the harness measures.

#include "store/password_hash.hpp"
#include "store/sqlite_agent_directory.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

struct Options {
  std::string db;
  std::size_t agents = 0;
  unsigned long first = 300000;
  std::string password;
};

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: load_seed_agents --db PATH --agents N --first EXTENSION --password TEXT\n");
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    const std::string value = argv[i + 1];
    if (arg == "--db") {
      options.db = value;
    } else if (arg == "--agents") {
      options.agents = std::stoul(value);
    } else if (arg == "--first") {
      options.first = std::stoul(value);
    } else if (arg == "--password") {
      options.password = value;
    } else {
      usage();
    }
  }
  if (argc % 2 != 1 || options.db.empty() || options.agents == 0 || options.password.empty()) usage();
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  const auto started = std::chrono::steady_clock::now();
  try {
    // libsodium's minimum Argon2id cost: one pass over 8 KiB.
    auto cheap = sfproxy::PasswordHasher::with_cost_for_test({1, 8192});
    auto directory = sfproxy::SqliteAgentDirectory::open(options.db, "Salesforce Integration", std::nullopt, cheap);
    if (!directory) {
      std::fprintf(stderr, "load_seed_agents: %s\n", directory.error().message.c_str());
      return 1;
    }
    if (auto recorded = (*directory)->record_seats(options.agents); !recorded) {
      std::fprintf(stderr, "load_seed_agents: %s\n", recorded.error().message.c_str());
      return 1;
    }
    for (std::size_t i = 0; i < options.agents; ++i) {
      const std::string extension = std::to_string(options.first + i);
      auto added = (*directory)->add_agent(extension, "Load Agent " + std::to_string(i), options.password);
      if (added) added = (*directory)->assign_seat(extension);
      if (!added) {
        std::fprintf(stderr, "load_seed_agents: agent %s: %s\n", extension.c_str(), added.error().message.c_str());
        return 1;
      }
    }
    directory->reset();

    const sfproxy::PasswordHasher production;
    auto hash = production.hash(options.password);
    if (!hash) {
      std::fprintf(stderr, "load_seed_agents: %s\n", hash.error().message.c_str());
      return 1;
    }
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session session("SQLite", options.db);
    session << "UPDATE agents SET password_hash = ?", Poco::Data::Keywords::use(*hash), Poco::Data::Keywords::now;
  } catch (const Poco::Exception& error) {
    std::fprintf(stderr, "load_seed_agents: %s\n", error.displayText().c_str());
    return 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("seeded %zu agents (%lu..%lu) with seats in %.1f s\n", options.agents, options.first,
              options.first + options.agents - 1, seconds);
  return 0;
}
