#include "sosl.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace cti::sfemu;
using cti::sfemu::test::OrgFixture;

namespace {

std::string reason_of(const std::string& message) {
  std::size_t newline = message.rfind('\n');
  return newline == std::string::npos ? message : message.substr(newline + 1);
}

// "Type:Name" (or "Type:Id" when no Name was selected) for each search result, in order.
std::vector<std::string> found(OrgFixture& org, const std::string& sosl) {
  auto results = run_sosl(org.store, sosl, "v59.0");
  if (!results) {
    FAIL_CHECK(sosl << " failed: " << results.error().error_code << " " << results.error().message);
    return {};
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < (*results)->size(); ++i) {
    auto record = (*results)->getObject(static_cast<unsigned>(i));
    std::string type = record->getObject("attributes")->getValue<std::string>("type");
    out.push_back(type + ":" + (record->has("Name") ? record->getValue<std::string>("Name") : std::string("#") + record->getValue<std::string>("Id").substr(0, 3)));
  }
  return out;
}

using Found = std::vector<std::string>;

const Found all_2128425500 = {"Contact:Jordan Ellis", "Contact:Priya Raman", "Contact:Marcus Webb", "Contact:Li Wei",
                              "Contact:Grace O'Neill"};

}  // namespace

TEST_CASE("sfemu: phone rule: digits compared, a leading country code 1 allowed on either side") {
  const std::vector<std::string> stored = {"(212) 842-5500",   "212-842-5500",     "+1 212 842 5500",
                                           "212.842.5500",     "2128425500",       "1 (212) 842-5500",
                                           "12128425500",      "212-842-5500 x12", "212.842.5500 ext. 7",
                                           "+1 (212) 842-5500"};
  const std::vector<std::string> terms = {"2128425500", "12128425500", "+12128425500", "(212) 842-5500",
                                          "+1 212-842-5500", "212842*", "21284255?0", "*8425500"};
  for (const std::string& value : stored) {
    for (const std::string& term : terms) {
      CAPTURE(value);
      CAPTURE(term);
      CHECK(phone_matches(value, term));
    }
  }
  struct Miss {
    std::string stored;
    std::string term;
  };
  const std::vector<Miss> misses = {
      {"(212) 842-5500", "8425500"},      // partial numbers do not match by digits
      {"(212) 842-5500", "2128425501"},   // one digit off
      {"(212) 842-5500", "442128425500"}, // a different country code
      {"(212) 842-5500", "1212842550"},   // ten digits starting with 1 are not a country code
      {"(212) 842-5500", "john"},         // not a phone number
      {"(212) 842-5500", ""},
      {"", "2128425500"},
      {"ask for Bob", "2128425500"},
      {"+44 20 7946 0018", "2079460018"},  // international numbers need their country code
      {"212-842-5500 x12", "212842550012"}, // the extension is not part of the number
  };
  for (const Miss& miss : misses) {
    CAPTURE(miss.stored);
    CAPTURE(miss.term);
    CHECK_FALSE(phone_matches(miss.stored, miss.term));
  }
  CHECK(phone_matches("+44 20 7946 0018", "442079460018"));
  CHECK(phone_matches("+44 20 7946 0018", "+44 20 7946 0018"));
}

TEST_CASE("sfemu: SOSL phone search finds every stored format") {
  OrgFixture org;
  const std::vector<std::string> searches = {
      "FIND {2128425500} IN PHONE FIELDS RETURNING Contact(Name)",
      "FIND {12128425500} IN PHONE FIELDS RETURNING Contact(Name)",
      "FIND {\\+12128425500} IN PHONE FIELDS RETURNING Contact(Name)",
      "FIND {212\\-842\\-5500} IN PHONE FIELDS RETURNING Contact(Name)",
      "FIND {\"212 842 5500\"} IN PHONE FIELDS RETURNING Contact(Name)",
      "find {2128425500} in phone fields returning contact(name)",
      "FIND {2128425500} RETURNING Contact(Name)",  // ALL FIELDS includes phone fields
  };
  for (const std::string& sosl : searches) {
    CAPTURE(sosl);
    CHECK(found(org, sosl) == all_2128425500);
  }
  // Two words: "(212)" matches as the token 212, which "2128425500" does not contain.
  CHECK(found(org, "FIND {\\(212\\) 842\\-5500} IN PHONE FIELDS RETURNING Contact(Name)") ==
        Found{"Contact:Jordan Ellis", "Contact:Priya Raman", "Contact:Marcus Webb", "Contact:Li Wei"});
  // A group of digits matches as a token where the stored value has that group.
  CHECK(found(org, "FIND {842} IN PHONE FIELDS RETURNING Contact(Name)") ==
        Found{"Contact:Jordan Ellis", "Contact:Priya Raman", "Contact:Marcus Webb", "Contact:Li Wei"});
  CHECK(found(org, "FIND {8425500} IN PHONE FIELDS RETURNING Contact(Name)").empty());
  CHECK(found(org, "FIND {442079460018} IN PHONE FIELDS RETURNING Account(Name), Contact(Name)") == Found{"Account:Globex"});
  CHECK(found(org, "FIND {\\+44 20 7946 0018} IN PHONE FIELDS RETURNING Account(Name)") == Found{"Account:Globex"});
  CHECK(found(org, "FIND {447700900123} IN PHONE FIELDS RETURNING Contact(Name)") == Found{"Contact:Grace O'Neill"});
  CHECK(found(org, "FIND {4155550190} IN PHONE FIELDS RETURNING Lead(Name WHERE IsConverted = false)") == Found{"Lead:Taylor Reed"});
  CHECK(found(org, "FIND {4155550190} IN PHONE FIELDS RETURNING Lead(Name)") == Found{"Lead:Taylor Reed", "Lead:Ana Souza"});
  // Phone numbers are not matched in other scopes' fields.
  CHECK(found(org, "FIND {2128425500} IN NAME FIELDS RETURNING Contact(Name)").empty());
}

TEST_CASE("sfemu: SOSL text search: tokens, wildcards, phrases, operators, scopes") {
  OrgFixture org;
  CHECK(found(org, "FIND {ellis} IN NAME FIELDS RETURNING Contact(Name)") == Found{"Contact:Jordan Ellis"});
  CHECK(found(org, "FIND {Jor*} IN NAME FIELDS RETURNING Contact(Name)") == Found{"Contact:Jordan Ellis"});
  CHECK(found(org, "FIND {Gr?ce} RETURNING Contact(Name)") == Found{"Contact:Grace O'Neill"});
  CHECK(found(org, "FIND {\"Jordan Ellis\"} RETURNING Contact(Name)") == Found{"Contact:Jordan Ellis"});
  CHECK(found(org, "FIND {\"Ellis Jordan\"} RETURNING Contact(Name)").empty());
  CHECK(found(org, "FIND {Jordan Ellis} RETURNING Contact(Name)") == Found{"Contact:Jordan Ellis"});
  CHECK(found(org, "FIND {Jordan OR Priya} IN NAME FIELDS RETURNING Contact(Name)") ==
        Found{"Contact:Jordan Ellis", "Contact:Priya Raman"});
  CHECK(found(org, "FIND {Jordan AND Priya} RETURNING Contact(Name)").empty());
  CHECK(found(org, "FIND {(Souza OR Reed) AND NOT Taylor} RETURNING Lead(Name)") == Found{"Lead:Ana Souza"});
  CHECK(found(org, "FIND {acme} RETURNING Account(Name), Contact(Name)") ==
        Found{"Account:Acme Corp", "Contact:Jordan Ellis"});  // the Contact matches on its email address
  CHECK(found(org, "FIND {acme} IN NAME FIELDS RETURNING Account(Name), Contact(Name)") == Found{"Account:Acme Corp"});
  CHECK(found(org, "FIND {acme} IN EMAIL FIELDS RETURNING Account(Name), Contact(Name)") == Found{"Contact:Jordan Ellis"});
  CHECK(found(org, "FIND {O\\'Neill} RETURNING Contact(Name)") == Found{"Contact:Grace O'Neill"});
  CHECK(found(org, "FIND {Fox \\& Sons} RETURNING Lead(Name)") == Found{"Lead:Taylor Reed"});
  CHECK(found(org, "FIND {00001234} RETURNING Case(Id)") == Found{"Case:#500"});
}

TEST_CASE("sfemu: SOSL RETURNING: fields, WHERE, ORDER BY, limits, and no RETURNING at all") {
  OrgFixture org;
  CHECK(found(org, "FIND {2128425500} IN PHONE FIELDS RETURNING Contact(Name WHERE AccountId != null ORDER BY LastName LIMIT 2)") ==
        Found{"Contact:Jordan Ellis", "Contact:Priya Raman"});
  CHECK(found(org, "FIND {2128425500} IN PHONE FIELDS RETURNING Contact(Name ORDER BY LastName DESC LIMIT 2 OFFSET 1)") ==
        Found{"Contact:Marcus Webb", "Contact:Priya Raman"});
  CHECK(found(org, "FIND {2128425500} IN PHONE FIELDS RETURNING Contact(Name) LIMIT 3").size() == 3);
  CHECK(found(org, "FIND {Globex} RETURNING Account, Lead") == Found{"Account:#001", "Lead:#00Q"});
  CHECK(found(org, "FIND {Globex}") == Found{"Account:#001", "Lead:#00Q"});

  auto results = run_sosl(org.store, "FIND {Ellis} RETURNING Contact(Name, Account.Name)", "v60.0");
  REQUIRE(results);
  REQUIRE((*results)->size() == 1);
  std::string json = to_json(*results);
  CHECK(json.find("\"attributes\":{\"type\":\"Contact\",\"url\":\"/services/data/v60.0/sobjects/Contact/") != std::string::npos);
  CHECK(json.find("\"Account\":{\"attributes\":{\"type\":\"Account\"") != std::string::npos);
  auto ids_only = run_sosl(org.store, "FIND {Ellis} RETURNING Contact", "v60.0");
  REQUIRE(ids_only);
  auto record = (*ids_only)->getObject(0);
  CHECK(record->size() == 2);  // attributes and Id
  CHECK(record->has("Id"));
}

TEST_CASE("sfemu: SOSL errors: unescaped reserved characters and bad clauses") {
  OrgFixture org;
  auto john = run_sosl(org.store, "FIND {John|jane} RETURNING Contact", "v59.0");
  REQUIRE_FALSE(john);
  CHECK(john.error().status == 400);
  CHECK(john.error().error_code == "MALFORMED_SEARCH");
  CHECK(john.error().message ==
        "\nFIND {John|jane} RETURNING Contact\n         ^\nERROR at Row:1:Column:10\nline 1:10 mismatched character '|' expecting '}'");

  struct Row {
    std::string sosl;
    std::string code;
    std::string reason;
  };
  const std::vector<Row> rows = {
      {"FIND {212-842-5500} IN PHONE FIELDS", "MALFORMED_SEARCH", "line 1:9 mismatched character '-' expecting '}'"},
      {"FIND {+12128425500}", "MALFORMED_SEARCH", "line 1:6 mismatched character '+' expecting '}'"},
      {"FIND {a:b}", "MALFORMED_SEARCH", "line 1:7 mismatched character ':' expecting '}'"},
      {"FIND {O'Neill}", "MALFORMED_SEARCH", "line 1:7 mismatched character ''' expecting '}'"},
      {"FIND {a{b}", "MALFORMED_SEARCH", "line 1:7 mismatched character '{' expecting '}'"},
      {"FIND {a!}", "MALFORMED_SEARCH", "line 1:7 mismatched character '!' expecting '}'"},
      {"FIND {a~}", "MALFORMED_SEARCH", "line 1:7 mismatched character '~' expecting '}'"},
      {"FIND {abc", "MALFORMED_SEARCH", "line 1:9 mismatched character '<EOF>' expecting '}'"},
      {"FIND {\"abc}", "MALFORMED_SEARCH", "line 1:10 mismatched character '}' expecting '\"'"},
      {"FIND {\"abc", "MALFORMED_SEARCH", "line 1:10 mismatched character '<EOF>' expecting '\"'"},
      {"FIND {a\\zb}", "MALFORMED_SEARCH", "Invalid escape sequence '\\z'"},
      {"FIND {}", "MALFORMED_SEARCH", "No search term found. The search term must be enclosed in braces."},
      {"FIND abc", "MALFORMED_SEARCH", "No search term found. The search term must be enclosed in braces."},
      {"SELECT Id FROM Contact", "MALFORMED_SEARCH", "No search term found. The search term must be enclosed in braces."},
      {"FIND {a OR}", "MALFORMED_SEARCH", "search term is incomplete"},
      {"FIND {(a OR b}", "MALFORMED_SEARCH", "search term is incomplete"},
      {"FIND {a)}", "MALFORMED_SEARCH", "unexpected token in search term: )"},
      {"FIND {abc} IN FOO FIELDS", "MALFORMED_SEARCH", "unexpected token: FOO"},
      {"FIND {abc} IN PHONE", "MALFORMED_SEARCH", "unexpected token: <EOF>"},
      {"FIND {abc} RETURNING", "MALFORMED_SEARCH", "unexpected token: <EOF>"},
      {"FIND {abc} RETURNING Contact(Name", "MALFORMED_SEARCH", "unexpected token: <EOF>"},
      {"FIND {abc} RETURNING Contact(Name WHERE LastName = 'a' OR LastName = 'b' AND Phone = 'c')", "MALFORMED_SEARCH",
       "unexpected token: AND"},
      {"FIND {abc} WITH NETWORK = 'x'", "MALFORMED_SEARCH", "WITH clauses are not supported"},
      {"FIND {abc} LIMIT x", "MALFORMED_SEARCH", "unexpected token: x"},
      {"FIND {abc} RETURNING Foo__x", "INVALID_TYPE", "sObject type 'Foo__x' is not supported."},
      {"FIND {abc} RETURNING Contact(Bogus)", "INVALID_FIELD", "No such column 'Bogus' on entity 'Contact'."},
      {"FIND {abc} RETURNING Lead(Name WHERE IsConverted = 'no')", "INVALID_QUERY_FILTER_OPERATOR",
       "value of filter criterion for field 'IsConverted' must be of type boolean"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.sosl);
    auto results = run_sosl(org.store, row.sosl, "v59.0");
    REQUIRE_FALSE(results);
    CHECK(results.error().error_code == row.code);
    CHECK(reason_of(results.error().message).rfind(row.reason, 0) == 0);
  }
}

TEST_CASE("sfemu: SOSL hostile input: deep nesting and long statements are refused cleanly") {
  OrgFixture org;
  std::string deep = "FIND {" + std::string(5000, '(') + "a" + std::string(5000, ')') + "}";
  auto nested = run_sosl(org.store, deep, "v59.0");
  REQUIRE_FALSE(nested);
  CHECK(nested.error().error_code == "MALFORMED_SEARCH");
  CHECK(reason_of(nested.error().message) == "search term nested too deeply");
  std::string huge = "FIND {" + std::string(100001, 'a') + "}";
  auto too_long = run_sosl(org.store, huge, "v59.0");
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().error_code == "MALFORMED_SEARCH");
  std::string where = "FIND {a} RETURNING Contact(Name WHERE " + std::string(5000, '(') + "LastName = 'x'" +
                      std::string(5000, ')') + ")";
  auto deep_where = run_sosl(org.store, where, "v59.0");
  REQUIRE_FALSE(deep_where);
  CHECK(deep_where.error().error_code == "MALFORMED_SEARCH");
}
