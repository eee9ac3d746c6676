#include "command.hpp"
#include "commands/agent_db.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <random>
#include <sstream>

namespace {

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run run(std::vector<std::string> args, const std::string& input = "") {
  std::ostringstream out;
  std::ostringstream err;
  std::istringstream in(input);
  ctictl::Io io{out, err};
  const int code = ctictl::run_agents_with_input(args, io, in);
  return {code, out.str(), err.str()};
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

class ScratchDb {
 public:
  ScratchDb() {
    std::random_device random;
    m_dir = std::filesystem::temp_directory_path() /
            ("ctictl-agents-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(m_dir);
  }
  ~ScratchDb() {
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
  }
  ScratchDb(const ScratchDb&) = delete;
  ScratchDb& operator=(const ScratchDb&) = delete;
  std::string path() const { return (m_dir / "agents.db").string(); }

 private:
  std::filesystem::path m_dir;
};

}  // namespace

TEST_CASE("ctictl agents add, passwd, list, remove") {
  ScratchDb db;
  const auto path = db.path();

  auto added = run({"add", "137", "--name", "Ada Lovelace", "--password-stdin", "--db", path},
                   "analytical-engine\n");
  REQUIRE(added.code == 0);
  CHECK(added.err.empty());
  CHECK(contains(added.out, "added agent 137 (Ada Lovelace)"));
  CHECK_FALSE(contains(added.out, "analytical"));
  REQUIRE(run({"add", "20", "--name", "Grace Hopper", "--password-stdin", "--db", path},
              "cobol-rocks\r\n")
              .code == 0);

  auto list = run({"list", "--db", path});
  REQUIRE(list.code == 0);
  CHECK(contains(list.out, "Ada Lovelace"));
  CHECK(list.out.find("20 ") < list.out.find("137 "));  // numeric order
  CHECK_FALSE(contains(list.out, "$argon2id"));

  auto json = run({"list", "--json", "--db", path});
  REQUIRE(json.code == 0);
  CHECK(contains(json.out, R"({"agents":[{"extension":"20","display_name":"Grace Hopper","has_seat":false,)"
                           R"("settings":{"caller_id_objects":["Contact","Account","Lead"],"ivr_match":"exact"}})"));

  // The password from stdin, without its line ending, is what verifies.
  {
    auto directory = sfproxy::SqliteAgentDirectory::open(path, "Salesforce Integration", 0);
    REQUIRE(directory);
    CHECK((*directory)->verify_password("137", "analytical-engine"));
    CHECK((*directory)->verify_password("20", "cobol-rocks"));
  }

  auto changed = run({"passwd", "137", "--password-stdin", "--db", path}, "difference-engine\n");
  REQUIRE(changed.code == 0);
  CHECK(contains(changed.out, "changed the password of agent 137"));
  {
    auto directory = sfproxy::SqliteAgentDirectory::open(path, "Salesforce Integration", 0);
    REQUIRE(directory);
    CHECK_FALSE((*directory)->verify_password("137", "analytical-engine"));
    CHECK((*directory)->verify_password("137", "difference-engine"));
  }

  auto removed = run({"remove", "20", "--db", path});
  REQUIRE(removed.code == 0);
  CHECK(contains(removed.out, "removed agent 20"));
  CHECK_FALSE(contains(run({"list", "--db", path}).out, "Grace"));

  SUBCASE("runtime failures exit 1") {
    auto duplicate = run({"add", "137", "--name", "Again", "--password-stdin", "--db", path},
                         "password99\n");
    CHECK(duplicate.code == 1);
    CHECK(duplicate.err == "ctictl: error: an agent with extension 137 already exists\n");
    auto unknown = run({"remove", "999", "--db", path});
    CHECK(unknown.code == 1);
    CHECK(unknown.err == "ctictl: error: no agent with extension 999\n");
    auto unknown_passwd = run({"passwd", "999", "--password-stdin", "--db", path}, "password99\n");
    CHECK(unknown_passwd.code == 1);
  }
}

TEST_CASE("ctictl agents: usage errors exit 2 and never echo a password") {
  ScratchDb db;
  const auto path = db.path();
  struct Row {
    std::vector<std::string> args;
    std::string input;
    std::string reason;
  };
  const Row rows[] = {
      {{"add", "137", "--name", "Ada", "--password", "hunter2hunter2", "--db", path}, "", "not taken on the command line"},
      {{"add", "137", "--name", "Ada", "--password=hunter2hunter2", "--db", path}, "", "not taken on the command line"},
      {{"add", "137", "--name", "Ada", "--db", path}, "", "--password-stdin"},  // stdin is no terminal
      {{"add", "137", "--name", "Ada", "--password-stdin", "--db", path}, "", "nothing on standard input"},
      {{"add", "137", "--name", "Ada", "--password-stdin", "--db", path}, "short\n", "8 to 128 bytes"},
      {{"add", "137", "--password-stdin", "--db", path}, "password99\n", "needs --name"},
      {{"add", "13x", "--name", "Ada", "--password-stdin", "--db", path}, "password99\n", "digits only"},
      {{"add", "137", "--name", "Ada", "--password-stdin"}, "password99\n", "give --db PATH"},
      {{"list", "--db", path, "--seats", "many"}, "", "--seats must be a whole number"},
      {{"remove", "--db", path}, "", "takes one EXTENSION"},
      {{"frobnicate", "--db", path}, "", "unknown subcommand 'agents frobnicate'"},
      {{"--db", path}, "", "give a subcommand"},
      {{"list", "--bogus", "--db", path}, "", "unknown option '--bogus'"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.reason);
    const auto result = run(row.args, row.input);
    CHECK(result.code == 2);
    CHECK(result.err.rfind("ctictl: error: ", 0) == 0);
    CHECK(contains(result.err, row.reason));
    CHECK_FALSE(contains(result.err, "hunter2"));
    CHECK_FALSE(contains(result.err, "password99"));
  }
  // Nothing was added by any of them.
  CHECK(contains(run({"list", "--db", path}).out, "no agents"));
}

TEST_CASE("ctictl agents: a database that cannot be used exits 1 with its path") {
  ScratchDb db;
  const auto bad = db.path() + ".d/missing/agents.db";
  const auto result = run({"list", "--db", bad});
  CHECK(result.code == 1);
  CHECK(contains(result.err, "ctictl: error: agent database " + bad));
}

TEST_CASE("ctictl agents --help") {
  const auto result = run({"--help"});
  CHECK(result.code == 0);
  CHECK(contains(result.out, "usage: ctictl agents"));
  CHECK(contains(result.out, "--password-stdin"));
  CHECK(contains(result.out, "set-seats"));
}
