#include "run_command.hpp"

#include <doctest/doctest.h>

#include <sstream>

namespace {

using ctictl_test::contains;
using ctictl_test::Run;

Run run(const std::vector<std::string>& args) { return ctictl_test::run_command(ctictl::run_match, args); }

}  // namespace

TEST_CASE("ctictl match --plan --json pads the case number and searches the national number") {
  auto result = run({"--plan", "--json", "--ivr", "Case.CaseNumber=1234", "--ani", "+1 (212) 842-5500"});
  REQUIRE(result.code == 0);
  CHECK(result.err.empty());
  CHECK(contains(result.out,
                 R"(SELECT Id, CaseNumber FROM Case WHERE CaseNumber = '00001234' LIMIT 10)"));
  CHECK(contains(result.out, "FIND {2128425500} IN PHONE FIELDS RETURNING Contact(Id, Name)"));
  CHECK(contains(result.out, R"("e164":"+12128425500")"));
  // IVR first, then caller ID.
  CHECK(result.out.find(R"("source":"ivr")") < result.out.find(R"("source":"caller_id")"));
}

TEST_CASE("ctictl match --plan text output") {
  auto result = run({"--plan", "--ivr", "Case.CaseNumber=1234", "--mode", "starts_with"});
  REQUIRE(result.code == 0);
  CHECK(contains(result.out, "step 1 (ivr, soql): SELECT Id, CaseNumber FROM Case WHERE CaseNumber LIKE '1234%'"));
}

TEST_CASE("ctictl match: hostile values stay inside their literal") {
  auto result = run({"--plan", "--json", "--ivr", "Account.Name=x' OR Name != '"});
  REQUIRE(result.code == 0);
  CHECK(contains(result.out, R"(WHERE Name = 'x\\' OR Name != \\'')"));
}

TEST_CASE("ctictl match: bad input exits 2 with ctictl: error:") {
  struct Row {
    std::vector<std::string> args;
    std::string reason;
  };
  const Row rows[] = {
      {{"--plan"}, "give --ivr, --ani or both"},
      {{"--plan", "--ivr", "Case.Case Number=1"}, "Case Number"},
      {{"--plan", "--ivr", "Case.CaseNumber=1", "--mode", "fuzzy"}, "fuzzy"},
      {{"--plan", "--ani", "call me maybe"}, "call me maybe"},
      {{"--plan", "--ani", "2128425500", "--objects", "Contact,Bad Object"}, "Bad Object"},
      {{"--plan", "--ani", "2128425500", "--limit", "ten"}, "--limit"},
      {{"--plan", "--bogus"}, "--bogus"},
      {{"--ani", "2128425500"}, "use --plan"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.reason);
    auto result = run(row.args);
    CHECK(result.code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.rfind("ctictl: error: ", 0) == 0);
    CHECK(contains(result.err, row.reason));
  }
}

TEST_CASE("ctictl match --help") {
  auto result = run({"--help"});
  CHECK(result.code == 0);
  CHECK(contains(result.out, "usage: ctictl match"));
  CHECK(contains(result.out, "--plan"));
}
