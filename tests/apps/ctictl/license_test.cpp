#include "run_command.hpp"
#include "commands/agent_db.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <random>
#include <sstream>

namespace {

using ctictl_test::contains;
using ctictl_test::Run;

Run run(const std::vector<std::string>& args) { return ctictl_test::run_command(ctictl::run_license, args); }

// A database with agents 101..104, made with a cheap hash (the commands here hash nothing).
class AgentsDb {
 public:
  AgentsDb() {
    std::random_device random;
    m_dir = std::filesystem::temp_directory_path() /
            ("ctictl-license-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(m_dir);
    auto directory = sfproxy::SqliteAgentDirectory::open(
        path(), "Salesforce Integration", std::nullopt,
        sfproxy::PasswordHasher::with_cost_for_test({1, 8192}));
    REQUIRE(directory);
    for (const char* extension : {"101", "102", "103", "104"}) {
      REQUIRE((*directory)->add_agent(extension, "Agent", "password99"));
    }
  }
  ~AgentsDb() {
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
  }
  AgentsDb(const AgentsDb&) = delete;
  AgentsDb& operator=(const AgentsDb&) = delete;
  std::string path() const { return (m_dir / "agents.db").string(); }

 private:
  std::filesystem::path m_dir;
};

}  // namespace

TEST_CASE("ctictl license: set the seats, assign them, and show them") {
  AgentsDb db;
  const auto path = db.path();

  auto empty = run({"show", "--db", path});
  REQUIRE(empty.code == 0);
  CHECK(empty.out == "licence \"Salesforce Integration\": 0 of 0 seats assigned, 0 free\nmembers: none\n");

  auto none = run({"assign", "101", "--db", path});
  CHECK(none.code == 1);
  CHECK(none.err == "ctictl: error: licence \"Salesforce Integration\": it has no seats\n");

  REQUIRE(run({"set-seats", "2", "--db", path}).code == 0);
  auto assigned = run({"assign", "102", "101", "--db", path});
  REQUIRE(assigned.code == 0);
  CHECK(contains(assigned.out, "assigned a seat to 102\nassigned a seat to 101\n"));
  CHECK(contains(assigned.out, "2 of 2 seats assigned, 0 free"));

  auto full = run({"assign", "103", "--db", path});
  CHECK(full.code == 1);
  CHECK(full.err == "ctictl: error: licence \"Salesforce Integration\": all 2 seats are assigned\n");

  auto json = run({"show", "--json", "--db", path});
  REQUIRE(json.code == 0);
  CHECK(json.out ==
        R"({"name":"Salesforce Integration","total":2,"assigned":2,"free":0,"over_assigned":false,)"
        R"("recorded_total":2,"members":["101","102"]})"
        "\n");

  SUBCASE("unassign frees a seat") {
    auto freed = run({"unassign", "101", "--db", path});
    REQUIRE(freed.code == 0);
    CHECK(contains(freed.out, "freed the seat of 101"));
    CHECK(run({"assign", "103", "--db", path}).code == 0);
    auto again = run({"unassign", "101", "--db", path});
    CHECK(again.code == 1);
    CHECK(contains(again.err, "holds no seat"));
  }
  SUBCASE("--seats overrides the recorded count for one command") {
    auto more = run({"assign", "103", "--seats", "3", "--db", path});
    REQUIRE(more.code == 0);
    CHECK(contains(more.out, "3 of 3 seats assigned, 0 free (--seats; the database records 2)"));
    auto shown = run({"show", "--db", path});
    CHECK(contains(shown.out, "3 of 2 seats assigned, 0 free"));
    CHECK(contains(shown.out, "warning: 1 more assigned than the licence has"));
    CHECK(run({"assign", "104", "--db", path}).code == 1);
  }
  SUBCASE("fewer seats keep the holders and refuse newcomers") {
    auto fewer = run({"set-seats", "1", "--db", path});
    REQUIRE(fewer.code == 0);
    CHECK(contains(fewer.out, "2 of 1 seat assigned"));
    CHECK(contains(fewer.out, "warning: 1 more assigned"));
    CHECK(contains(run({"show", "--json", "--db", path}).out, R"("over_assigned":true)"));
    CHECK(run({"assign", "103", "--db", path}).code == 1);
  }
  SUBCASE("another licence name is only a label") {
    auto named = run({"show", "--licence-name", "CTI Seats", "--db", path});
    CHECK(contains(named.out, "licence \"CTI Seats\": 2 of 2 seats assigned"));
  }
}

TEST_CASE("ctictl license: errors") {
  AgentsDb db;
  const auto path = db.path();
  struct Row {
    std::vector<std::string> args;
    int code;
    std::string reason;
  };
  const Row rows[] = {
      {{"show"}, 2, "give --db PATH"},
      {{"assign", "--db", path}, 2, "needs at least one EXTENSION"},
      {{"assign", "10a", "--db", path}, 2, "digits only"},
      {{"set-seats", "--db", path}, 2, "takes one number"},
      {{"set-seats", "-1", "--db", path}, 2, "unknown option '-1'"},
      {{"set-seats", "two", "--db", path}, 2, "whole number"},
      {{"set-seats", "5", "--seats", "3", "--db", path}, 2, "--seats does not apply"},
      {{"set-seats", "5000000", "--db", path}, 2, "at most 1000000 seats"},
      {{"show", "extra", "--db", path}, 2, "takes no argument"},
      {{"promote", "--db", path}, 2, "unknown subcommand 'license promote'"},
      {{"assign", "999", "--seats", "5", "--db", path}, 1, "no agent with extension 999"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.reason);
    const auto result = run(row.args);
    CHECK(result.code == row.code);
    CHECK(result.err.rfind("ctictl: error: ", 0) == 0);
    CHECK(contains(result.err, row.reason));
  }
}

TEST_CASE("ctictl license --help explains where the seat count comes from") {
  const auto result = run({"--help"});
  CHECK(result.code == 0);
  CHECK(contains(result.out, "usage: ctictl license"));
  CHECK(contains(result.out, "set-seats N"));
  CHECK(contains(result.out, "--seats N"));
}
