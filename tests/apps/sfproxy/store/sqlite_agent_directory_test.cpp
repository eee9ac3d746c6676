#include "store/sqlite_agent_directory.hpp"

#include "test_support.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using cti::ErrorCode;
using sfproxy::SqliteAgentDirectory;
using store_test::TempDir;

namespace {

constexpr const char* k_licence = "Salesforce Integration";

std::unique_ptr<SqliteAgentDirectory> open_db(const std::string& path,
                                              std::optional<std::size_t> seats = std::nullopt,
                                              sfproxy::PasswordHasher hasher = store_test::cheap_hasher()) {
  auto directory = SqliteAgentDirectory::open(path, k_licence, seats, std::move(hasher));
  REQUIRE_MESSAGE(directory, (directory ? "" : directory.error().message));
  return std::move(directory).value();
}

// Raw access to the file, for what the interface rightly does not show.
std::vector<std::string> raw_column(const std::string& path, const std::string& query) {
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session session(Poco::Data::SQLite::Connector::KEY, path);
  std::vector<std::string> values;
  session << query, Poco::Data::Keywords::into(values), Poco::Data::Keywords::now;
  return values;
}

void raw_exec(const std::string& path, const std::string& statement) {
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session session(Poco::Data::SQLite::Connector::KEY, path);
  session << statement, Poco::Data::Keywords::now;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("agents: add, find, list, remove") {
  TempDir dir;
  auto db = open_db(dir.file("agents.db"));

  REQUIRE(db->add_agent("137", "Ada Lovelace", "analytical-engine"));
  REQUIRE(db->add_agent("20", "Grace Hopper", "cobol-rocks"));
  REQUIRE(db->add_agent("1000", "Alan Turing", "enigma-1940"));

  const auto found = db->find_agent("137");
  REQUIRE(found);
  CHECK(found->extension == "137");
  CHECK(found->display_name == "Ada Lovelace");
  CHECK(found->settings == cti::AgentSettings{});
  CHECK_FALSE(found->has_seat);

  const auto all = db->list_agents();
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  // Numeric order of extensions.
  CHECK((*all)[0].extension == "20");
  CHECK((*all)[1].extension == "137");
  CHECK((*all)[2].extension == "1000");

  SUBCASE("a duplicate is a conflict") {
    const auto again = db->add_agent("137", "Someone Else", "password99");
    REQUIRE_FALSE(again);
    CHECK(again.error().code == ErrorCode::conflict);
    CHECK(again.error().message == "an agent with extension 137 already exists");
  }
  SUBCASE("bad input is refused before anything is written") {
    struct Row {
      std::string extension;
      std::string name;
      std::string password;
      std::string reason;
    };
    const Row rows[] = {
        {"12a", "Name", "password99", "digits only"},
        {"", "Name", "password99", "empty"},
        {"12345678901234567", "Name", "password99", "at most 16"},
        {"555", "", "password99", "display name is empty"},
        {"555", "Tab\there", "password99", "control character"},
        {"555", std::string(129, 'n'), "password99", "longer than 128"},
        {"555", "Name", "short", "8 to 128 bytes"},
        {"555", "Name", std::string(129, 'p'), "8 to 128 bytes"},
    };
    for (const auto& row : rows) {
      CAPTURE(row.reason);
      const auto added = db->add_agent(row.extension, row.name, row.password);
      REQUIRE_FALSE(added);
      CHECK(added.error().code == ErrorCode::invalid_input);
      CHECK(contains(added.error().message, row.reason));
    }
    CHECK(db->list_agents()->size() == 3);
  }
  SUBCASE("remove") {
    REQUIRE(db->remove_agent("20"));
    const auto gone = db->find_agent("20");
    REQUIRE_FALSE(gone);
    CHECK(gone.error().code == ErrorCode::not_found);
    CHECK(gone.error().message == "no agent with extension 20");
    const auto twice = db->remove_agent("20");
    REQUIRE_FALSE(twice);
    CHECK(twice.error().code == ErrorCode::not_found);
    CHECK(db->list_agents()->size() == 2);
  }
}

TEST_CASE("verify_password: right, wrong and unknown") {
  TempDir dir;
  auto db = open_db(dir.file("agents.db"));
  REQUIRE(db->add_agent("137", "Ada Lovelace", "analytical-engine"));

  const auto ok = db->verify_password("137", "analytical-engine");
  REQUIRE(ok);
  CHECK(ok->extension == "137");
  CHECK(ok->display_name == "Ada Lovelace");

  const cti::Error expected{ErrorCode::unauthorized, "wrong extension or password"};
  for (const auto& [extension, password] :
       std::vector<std::pair<std::string, std::string>>{{"137", "analytical-enginE"},
                                                        {"138", "analytical-engine"},
                                                        {"not-digits", "analytical-engine"},
                                                        {"137", "short"},
                                                        {"137", std::string(200, 'x')},
                                                        {"137", ""}}) {
    CAPTURE(extension);
    const auto refused = db->verify_password(extension, password);
    REQUIRE_FALSE(refused);
    CHECK(refused.error() == expected);
  }

  SUBCASE("set_password replaces the password") {
    REQUIRE(db->set_password("137", "difference-engine"));
    CHECK_FALSE(db->verify_password("137", "analytical-engine"));
    CHECK(db->verify_password("137", "difference-engine"));
    const auto unknown = db->set_password("999", "difference-engine");
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == ErrorCode::not_found);
    CHECK(db->set_password("137", "short").error().code == ErrorCode::invalid_input);
  }
}

TEST_CASE("only the hash is stored, and a sign-in upgrades a hash of an older cost") {
  TempDir dir;
  const auto path = dir.file("agents.db");
  {
    auto db = open_db(path);
    REQUIRE(db->add_agent("137", "Ada Lovelace", "analytical-engine"));
  }
  const auto before = raw_column(path, "SELECT password_hash FROM agents");
  REQUIRE(before.size() == 1);
  CHECK(before[0].rfind("$argon2id$v=19$m=8,t=1,p=1$", 0) == 0);
  CHECK_FALSE(contains(before[0], "analytical"));

  auto stronger = sfproxy::PasswordHasher::with_cost_for_test({2, 16384});
  auto db = open_db(path, std::nullopt, stronger);
  CHECK_FALSE(db->verify_password("137", "wrong-password"));
  CHECK(raw_column(path, "SELECT password_hash FROM agents") == before);  // not on a failure
  REQUIRE(db->verify_password("137", "analytical-engine"));
  const auto after = raw_column(path, "SELECT password_hash FROM agents");
  REQUIRE(after.size() == 1);
  CHECK(after[0].rfind("$argon2id$v=19$m=16,t=2,p=1$", 0) == 0);
  CHECK(db->verify_password("137", "analytical-engine"));
}

TEST_CASE("seats: assigned up to the licence's count") {
  TempDir dir;
  auto db = open_db(dir.file("agents.db"), 2);
  for (const char* extension : {"101", "102", "103"}) {
    REQUIRE(db->add_agent(extension, std::string("Agent ") + extension, "password99"));
  }
  REQUIRE(db->assign_seat("102"));
  REQUIRE(db->assign_seat("101"));
  CHECK(db->assign_seat("101"));  // a holder again: no-op

  const auto refused = db->assign_seat("103");
  REQUIRE_FALSE(refused);
  CHECK(refused.error() ==
        cti::Error{ErrorCode::conflict, "licence \"Salesforce Integration\": all 2 seats are assigned"});

  auto licence = db->licence();
  REQUIRE(licence);
  CHECK(licence->name == "Salesforce Integration");
  CHECK(licence->total == 2);
  CHECK(licence->assigned == 2);
  CHECK(licence->members == std::vector<std::string>{"101", "102"});
  CHECK(db->find_agent("101")->has_seat);
  CHECK_FALSE(db->find_agent("103")->has_seat);
  CHECK(db->verify_password("102", "password99")->has_seat);

  CHECK(db->assign_seat("999").error().code == ErrorCode::not_found);
  CHECK(db->assign_seat("abc").error().code == ErrorCode::invalid_input);

  SUBCASE("unassigning frees a seat") {
    REQUIRE(db->unassign_seat("101"));
    const auto again = db->unassign_seat("101");
    REQUIRE_FALSE(again);
    CHECK(again.error().code == ErrorCode::not_found);
    CHECK(contains(again.error().message, "holds no seat"));
    CHECK(db->assign_seat("103"));
  }
  SUBCASE("removing an agent frees its seat") {
    REQUIRE(db->remove_agent("102"));
    CHECK(db->licence()->members == std::vector<std::string>{"101"});
    CHECK(db->assign_seat("103"));
  }
}

TEST_CASE("seats: more holders than seats are kept, and new ones refused") {
  TempDir dir;
  const auto path = dir.file("agents.db");
  {
    auto db = open_db(path, 3);
    for (const char* extension : {"101", "102", "103", "104"}) {
      REQUIRE(db->add_agent(extension, "Agent", "password99"));
    }
    for (const char* extension : {"101", "102", "103"}) {
      REQUIRE(db->assign_seat(extension));
    }
  }
  auto db = open_db(path, 1);
  auto licence = db->licence();
  REQUIRE(licence);
  CHECK(licence->total == 1);
  CHECK(licence->assigned == 3);
  CHECK(licence->members.size() == 3);
  CHECK(db->find_agent("103")->has_seat);

  CHECK(db->assign_seat("104").error().code == ErrorCode::conflict);
  CHECK(db->assign_seat("103"));  // a holder stays a holder
  REQUIRE(db->unassign_seat("101"));
  CHECK(db->assign_seat("104").error().code == ErrorCode::conflict);  // still 2 > 1
  REQUIRE(db->unassign_seat("102"));
  REQUIRE(db->unassign_seat("103"));
  CHECK(db->assign_seat("104"));
}

TEST_CASE("seats: the recorded count, and an override") {
  TempDir dir;
  const auto path = dir.file("agents.db");
  auto db = open_db(path);
  REQUIRE(db->add_agent("101", "Agent", "password99"));
  CHECK(db->licence()->total == 0);
  const auto none = db->assign_seat("101");
  REQUIRE_FALSE(none);
  CHECK(none.error().message == "licence \"Salesforce Integration\": it has no seats");

  REQUIRE(db->record_seats(5));
  CHECK(*db->recorded_seats() == 5);
  CHECK(db->licence()->total == 5);
  CHECK(db->assign_seat("101"));

  auto other = open_db(path);  // another process would see it the same way
  CHECK(other->licence()->total == 5);
  auto overridden = open_db(path, 1);
  CHECK(overridden->licence()->total == 1);
  CHECK(*overridden->recorded_seats() == 5);
  CHECK(overridden->seat_override() == std::optional<std::size_t>(1));

  REQUIRE(db->record_seats(0));  // below the holders: kept, reported
  CHECK(db->licence()->total == 0);
  CHECK(db->licence()->assigned == 1);
  CHECK(db->record_seats(2000000).error().code == ErrorCode::invalid_input);
}

TEST_CASE("seats: two directories on one file, racing from two threads, cannot exceed the count") {
  TempDir dir;
  const auto path = dir.file("agents.db");
  constexpr int k_agents = 40;
  {
    auto setup = open_db(path);
    for (int i = 0; i < k_agents; ++i) {
      REQUIRE(setup->add_agent(std::to_string(200 + i), "Agent", "password99"));
    }
  }
  auto first = open_db(path, 3);
  auto second = open_db(path, 3);
  std::atomic<int> granted{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  auto race = [&](SqliteAgentDirectory& db, int parity) {
    for (int i = parity; i < k_agents; i += 2) {
      const auto result = db.assign_seat(std::to_string(200 + i));
      if (result) {
        ++granted;
      } else if (result.error().code == ErrorCode::conflict) {
        ++refused;
      } else {
        ++other;
      }
    }
  };
  std::thread a(race, std::ref(*first), 0);
  std::thread b(race, std::ref(*second), 1);
  a.join();
  b.join();
  CHECK(other == 0);
  CHECK(granted == 3);
  CHECK(refused == k_agents - 3);
  CHECK(first->licence()->assigned == 3);
  CHECK(raw_column(path, "SELECT COUNT(*) FROM seats") == std::vector<std::string>{"3"});
}

TEST_CASE("settings are validated, saved and read back") {
  TempDir dir;
  auto db = open_db(dir.file("agents.db"));
  REQUIRE(db->add_agent("137", "Ada", "password99"));

  cti::AgentSettings settings;
  settings.caller_id_objects = {"Account", "Custom_Object__c"};
  settings.ivr_match = "starts_with";
  REQUIRE(db->save_settings("137", settings));
  CHECK(db->find_agent("137")->settings == settings);

  cti::AgentSettings bad_object = settings;
  bad_object.caller_id_objects = {"Contact", "Bad Object"};
  const auto refused = db->save_settings("137", bad_object);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::invalid_input);
  CHECK(contains(refused.error().message, "Bad Object"));

  cti::AgentSettings bad_mode = settings;
  bad_mode.ivr_match = "fuzzy";
  CHECK(db->save_settings("137", bad_mode).error().code == ErrorCode::invalid_input);
  CHECK(db->find_agent("137")->settings == settings);  // unchanged

  CHECK(db->save_settings("999", settings).error().code == ErrorCode::not_found);
}

TEST_CASE("everything survives closing and reopening") {
  TempDir dir;
  const auto path = dir.file("agents.db");
  cti::AgentSettings settings;
  settings.caller_id_objects = {"Lead"};
  settings.ivr_match = "contains";
  {
    auto db = open_db(path, 4);
    REQUIRE(db->add_agent("137", "Ada Lovelace", "analytical-engine"));
    REQUIRE(db->save_settings("137", settings));
    REQUIRE(db->assign_seat("137"));
    REQUIRE(db->record_seats(4));
  }
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);  // it holds password hashes

  auto db = open_db(path);
  const auto agent = db->verify_password("137", "analytical-engine");
  REQUIRE(agent);
  CHECK(agent->display_name == "Ada Lovelace");
  CHECK(agent->settings == settings);
  CHECK(agent->has_seat);
  CHECK(db->licence()->total == 4);
  CHECK(raw_column(path, "SELECT version FROM schema_version ORDER BY version") == std::vector<std::string>{"1", "2"});
  CHECK(raw_column(path, "PRAGMA journal_mode") == std::vector<std::string>{"wal"});
}

TEST_CASE("a file that is not a usable database is a clear error") {
  TempDir dir;

  SUBCASE("not a database") {
    const auto path = dir.file("garbage.db");
    {
      std::ofstream out(path, std::ios::binary);
      for (int i = 0; i < 512; ++i) {
        out << "this is not an SQLite database ";
      }
    }
    const auto opened = SqliteAgentDirectory::open(path, k_licence, 2, store_test::cheap_hasher());
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == ErrorCode::unavailable);
    CHECK(contains(opened.error().message, path));
    CHECK(contains(opened.error().message, "not a database"));
    CHECK_THROWS_AS(SqliteAgentDirectory(path, k_licence, 2, store_test::cheap_hasher()),
                    cti::ConfigError);
  }
  SUBCASE("a directory") {
    const auto opened =
        SqliteAgentDirectory::open(dir.file(""), k_licence, 2, store_test::cheap_hasher());
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == ErrorCode::unavailable);
  }
  SUBCASE("in a folder that does not exist") {
    const auto path = dir.file("missing/agents.db");
    const auto opened = SqliteAgentDirectory::open(path, k_licence, 2, store_test::cheap_hasher());
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == ErrorCode::unavailable);
    CHECK(contains(opened.error().message, path));
  }
  SUBCASE("damaged pages") {
    const auto path = dir.file("damaged.db");
    {
      auto db = open_db(path);
      for (int i = 0; i < 200; ++i) {
        REQUIRE(db->add_agent(std::to_string(1000 + i), std::string(100, 'n'), "password99"));
      }
    }
    raw_exec(path, "PRAGMA wal_checkpoint(TRUNCATE)");
    {
      std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
      file.seekp(4096 * 3);
      const std::string noise(4096 * 3, '\xA5');
      file.write(noise.data(), static_cast<std::streamsize>(noise.size()));
    }
    const auto opened = SqliteAgentDirectory::open(path, k_licence, 2, store_test::cheap_hasher());
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == ErrorCode::unavailable);
    CHECK(contains(opened.error().message, "corrupt"));
  }
  SUBCASE("from a newer release") {
    const auto path = dir.file("newer.db");
    { auto db = open_db(path); }
    raw_exec(path, "INSERT INTO schema_version (version) VALUES (7)");
    const auto opened = SqliteAgentDirectory::open(path, k_licence, 2, store_test::cheap_hasher());
    REQUIRE_FALSE(opened);
    CHECK(contains(opened.error().message, "schema version 7 was written by a newer release"));
  }
}

TEST_CASE("access journal: password, removal and freed seat are recorded for a running daemon") {
  TempDir dir;
  auto daemon = open_db(dir.file("agents.db"), 5);
  auto admin = open_db(dir.file("agents.db"), 5);  // ctictl, in another process in real life
  REQUIRE(admin->add_agent("137", "Ada Lovelace", "analytical-engine"));
  REQUIRE(admin->add_agent("20", "Grace Hopper", "cobol-rocks"));
  REQUIRE(admin->assign_seat("20"));

  auto start = daemon->access_changes_since(0, 0);
  REQUIRE(start);
  CHECK(start->extensions.empty());  // adding agents and seats withdraws nothing

  REQUIRE(admin->set_password("137", "difference-engine"));
  REQUIRE(admin->unassign_seat("20"));
  REQUIRE(admin->remove_agent("137"));
  CHECK_FALSE(admin->unassign_seat("20"));  // refused: nothing journaled

  auto changes = daemon->access_changes_since(start->last, 100);
  REQUIRE(changes);
  CHECK(changes->extensions == std::vector<std::string>{"137", "20", "137"});
  CHECK(changes->last > start->last);

  auto paged = daemon->access_changes_since(start->last, 2);
  REQUIRE(paged);
  CHECK(paged->extensions.size() == 2);
  auto rest = daemon->access_changes_since(paged->last, 100);
  REQUIRE(rest);
  CHECK(rest->extensions == std::vector<std::string>{"137"});
  CHECK(rest->last == changes->last);

  auto none = daemon->access_changes_since(changes->last, 100);
  REQUIRE(none);
  CHECK(none->extensions.empty());
  CHECK(none->last == changes->last);
}

TEST_CASE("access journal: a version 1 database gains the journal when opened") {
  TempDir dir;
  const std::string path = dir.file("old.db");
  raw_exec(path, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL DEFAULT '')");
  raw_exec(path, "INSERT INTO schema_version (version) VALUES (1)");
  raw_exec(path,
           "CREATE TABLE agents (extension TEXT PRIMARY KEY NOT NULL, display_name TEXT NOT NULL,"
           " password_hash TEXT NOT NULL, caller_id_objects TEXT NOT NULL, ivr_match TEXT NOT NULL,"
           " created_at TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL DEFAULT '')");
  raw_exec(path, "CREATE TABLE seats (extension TEXT PRIMARY KEY NOT NULL, assigned_at TEXT NOT NULL DEFAULT '')");
  raw_exec(path, "CREATE TABLE settings (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)");
  auto db = open_db(path);
  REQUIRE(db->add_agent("137", "Ada Lovelace", "analytical-engine"));
  REQUIRE(db->set_password("137", "difference-engine"));
  auto changes = db->access_changes_since(0, 10);
  REQUIRE(changes);
  CHECK(changes->extensions == std::vector<std::string>{"137"});
  CHECK(raw_column(path, "SELECT MAX(version) FROM schema_version") == std::vector<std::string>{"2"});
}
