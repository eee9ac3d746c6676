#include "soql_eval.hpp"
#include "soql_parser.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace cti::sfemu;
using cti::sfemu::test::OrgFixture;

namespace {

// The last line of a Salesforce message: the reason, without the echoed query and caret.
std::string reason_of(const std::string& message) {
  std::size_t newline = message.rfind('\n');
  return newline == std::string::npos ? message : message.substr(newline + 1);
}

std::string text_of(const Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return "<null>";
}

// Runs a query and returns one field of each record, in result order.
std::vector<std::string> column(OrgFixture& org, const std::string& soql, const std::string& field = "Name") {
  auto outcome = run_soql(org.store, soql);
  if (!outcome) {
    FAIL_CHECK(soql << " failed: " << outcome.error().error_code << " " << outcome.error().message);
    return {};
  }
  std::vector<std::string> values;
  for (const Record* record : outcome->records) values.push_back(text_of(record->get(field)));
  return values;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("sfemu: SOQL parse errors carry Salesforce's codes and reasons") {
  struct Row {
    std::string soql;
    std::string code;
    std::string reason;  // expected last line (a prefix is enough)
  };
  const std::vector<Row> rows = {
      {"SELECT Id FROM Contact WHERE LastName = 'x' AND Phone = 'y' OR Email = 'z'", "MALFORMED_QUERY", "unexpected token: OR"},
      {"SELECT Id FROM Contact WHERE LastName = 'x' OR Phone = 'y' AND Email = 'z'", "MALFORMED_QUERY", "unexpected token: AND"},
      {"SELEC Id FROM Contact", "MALFORMED_QUERY", "unexpected token: SELEC"},
      {"SELECT FROM Contact", "MALFORMED_QUERY", "unexpected token: FROM"},
      {"SELECT Id FROM", "MALFORMED_QUERY", "unexpected token: <EOF>"},
      {"SELECT Id FROM Contact WHERE LastName = 'x' AND", "MALFORMED_QUERY", "unexpected token: <EOF>"},
      {"SELECT Id FROM Contact WHERE LastName = \"x\"", "MALFORMED_QUERY", "line 1:40 no viable alternative at character '\"'"},
      {"SELECT Id FROM Contact WHERE LastName = 'x", "MALFORMED_QUERY", "unexpected token: <EOF>"},
      {"SELECT Id FROM Contact WHERE LastName = 'a\\qb'", "MALFORMED_QUERY",
       "Invalid string literal 'a\\qb'. Illegal character sequence '\\q' in string literal."},
      {"SELECT Id FROM Contact WHERE LastName = 'a\\%'", "MALFORMED_QUERY", "Invalid string literal"},
      {"SELECT Id FROM Contact WHERE LastName = 'a\\_'", "MALFORMED_QUERY", "Invalid string literal"},
      {"SELECT Id FROM Contact WHERE LastName = 'a\\u12'", "MALFORMED_QUERY", "Invalid string literal"},
      {"SELECT Id FROM Contact WHERE LastName = 'a\\'", "MALFORMED_QUERY", "unexpected token: <EOF>"},
      {"SELECT Id FROM Contact WHERE LastName IN ()", "MALFORMED_QUERY", "unexpected token: )"},
      {"SELECT Id FROM Contact WHERE LastName = :name", "MALFORMED_QUERY", "unexpected token: :"},
      {"SELECT Id FROM Contact WHERE LastName LIKE 5", "MALFORMED_QUERY", "unexpected token: 5"},
      {"SELECT Id FROM Contact LIMIT -1", "MALFORMED_QUERY", "unexpected token: -"},
      {"SELECT Id FROM Contact LIMIT 10 LIMIT 5", "MALFORMED_QUERY", "unexpected token: LIMIT"},
      {"SELECT Id FROM Contact ORDER BY", "MALFORMED_QUERY", "unexpected token: <EOF>"},
      {"SELECT Id FROM Contact ORDER BY Name NULLS", "MALFORMED_QUERY", "unexpected token: <EOF>"},
      {"SELECT Id FROM Contact c", "MALFORMED_QUERY", "unexpected token: c"},
      {"SELECT * FROM Contact", "MALFORMED_QUERY", "unexpected token: *"},
      {"SELECT COUNT(Id) FROM Contact", "MALFORMED_QUERY", "function COUNT() is not supported"},
      {"SELECT Id, (SELECT Id FROM Contacts) FROM Account", "MALFORMED_QUERY", "relationship subqueries are not supported"},
      {"SELECT Id FROM Contact WHERE CreatedDate > TODAY", "MALFORMED_QUERY", "date literal TODAY is not supported"},
      {"SELECT Id FROM Contact WHERE CreatedDate > 2024-13-01", "MALFORMED_QUERY", "line 1:43 no viable alternative at character '2'"},
      {"SELECT Id FROM Contact GROUP BY LastName", "MALFORMED_QUERY", "GROUP clauses are not supported"},
      {"SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account)", "MALFORMED_QUERY", "semi-join"},
      {"SELECT Id FROM Contact WHERE LastName INCLUDES ('a')", "MALFORMED_QUERY", "INCLUDES is not supported"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.soql);
    auto parsed = parse_soql(row.soql);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().status == 400);
    CHECK(parsed.error().error_code == row.code);
    CHECK(reason_of(parsed.error().message).rfind(row.reason, 0) == 0);
  }
}

TEST_CASE("sfemu: SOQL syntax that parses") {
  const std::vector<std::string> valid = {
      "SELECT Id FROM Contact",
      "select id, name from contact where lastname = 'x'",
      "SELECT Id FROM Contact WHERE (LastName = 'x' AND Phone = 'y') OR Email = 'z'",
      "SELECT Id FROM Contact WHERE LastName = 'a' OR LastName = 'b' OR LastName = 'c'",
      "SELECT Id FROM Contact WHERE LastName = 'a' AND Phone = 'b' AND Email = 'c'",
      "SELECT Id FROM Contact WHERE NOT LastName = 'a'",
      "SELECT Id FROM Contact WHERE NOT (LastName = 'a' OR LastName = 'b')",
      "SELECT Id FROM Contact WHERE LastName NOT IN ('a', 'b')",
      "SELECT Id FROM Contact WHERE LastName LIKE 'a\\%b\\_c%'",
      "SELECT Id FROM Contact WHERE LastName = 'tab\\tquote\\'dq\\\"bs\\\\nl\\nNL\\Ncr\\rb\\bf\\f\\u00e9'",
      "SELECT Id FROM Account WHERE NumberOfEmployees >= -5 AND AnnualRevenue < 2.5",
      "SELECT Id FROM Contact WHERE CreatedDate > 2024-01-01T00:00:00Z AND CreatedDate < 2030-01-01T00:00:00.000+01:00",
      "SELECT Id FROM Task WHERE ActivityDate = 2024-02-29",
      "SELECT Id FROM Contact ORDER BY LastName DESC NULLS LAST, FirstName ASC NULLS FIRST LIMIT 5 OFFSET 2",
      "SELECT COUNT() FROM Contact",
      "SELECT Id FROM Lead WHERE IsConverted = FALSE",
      "SELECT Id FROM Contact WHERE Phone = null",
      "SELECT Id FROM Contact\nWHERE LastName = 'x'\n  ORDER BY LastName",
  };
  for (const std::string& soql : valid) {
    CAPTURE(soql);
    auto parsed = parse_soql(soql);
    CHECK(parsed.has_value());
    if (!parsed) MESSAGE(parsed.error().message);
  }
}

TEST_CASE("sfemu: SOQL string escapes decode as Salesforce documents") {
  struct Row {
    std::string literal;
    std::string decoded;
  };
  const std::vector<Row> rows = {
      {"O\\'Neill", "O'Neill"},     {"say \\\"hi\\\"", "say \"hi\""}, {"back\\\\slash", "back\\slash"},
      {"a\\nb", "a\nb"},           {"a\\Nb", "a\nb"},                 {"a\\rb", "a\rb"},
      {"a\\Rb", "a\rb"},           {"a\\tb", "a\tb"},                 {"a\\Tb", "a\tb"},
      {"a\\bb", "a\bb"},           {"a\\Bb", "a\bb"},                 {"a\\fb", "a\fb"},
      {"a\\Fb", "a\fb"},           {"caf\\u00e9", "caf\xc3\xa9"},     {"\\u20AC", "\xe2\x82\xac"},
      {"\\ud83d\\ude00", "\xf0\x9f\x98\x80"},                          {"plain %_ text", "plain %_ text"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.literal);
    auto decoded = decode_string_literal(row.literal, false, nullptr, row.literal, 0, "MALFORMED_QUERY");
    REQUIRE(decoded);
    CHECK(*decoded == row.decoded);
  }
  std::u32string pattern;
  auto like = decode_string_literal("a\\%b%c\\_d_", true, &pattern, "", 0, "MALFORMED_QUERY");
  REQUIRE(like);
  CHECK(pattern == std::u32string{U'a', U'%', U'b', like_any_sequence, U'c', U'_', U'd', like_any_char});
}

TEST_CASE("sfemu: SOQL positioned messages point at the offending token") {
  auto parsed = parse_soql("SELECT Id FROM Contact WHERE LastName = 'x' AND Phone = 'y' OR Email = 'z'");
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().message ==
        "\nSELECT Id FROM Contact WHERE LastName = 'x' AND Phone = 'y' OR Email = 'z'\n"
        "                                                            ^\n"
        "ERROR at Row:1:Column:61\nunexpected token: OR");
  auto multi = parse_soql("SELECT Id\nFROM Contact\nWHERE LastName = 'x' OR OR");
  REQUIRE_FALSE(multi);
  CHECK(multi.error().message.find("ERROR at Row:3:Column:25") != std::string::npos);
}

TEST_CASE("sfemu: SOQL nesting is bounded") {
  std::string shallow = "SELECT Id FROM Contact WHERE " + std::string(20, '(') + "LastName = 'x'" + std::string(20, ')');
  CHECK(parse_soql(shallow).has_value());
  std::string deep = "SELECT Id FROM Contact WHERE " + std::string(5000, '(') + "LastName = 'x'" + std::string(5000, ')');
  auto parsed = parse_soql(deep);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().error_code == "MALFORMED_QUERY");
  CHECK(reason_of(parsed.error().message).find("nested too deeply") != std::string::npos);
  std::string nots = "SELECT Id FROM Contact WHERE ";
  for (int i = 0; i < 5000; ++i) nots += "NOT ";
  nots += "LastName = 'x'";
  CHECK_FALSE(parse_soql(nots).has_value());
  std::string huge = "SELECT Id FROM Contact WHERE LastName = '" + std::string(100001, 'a') + "'";
  auto too_long = parse_soql(huge);
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().message == "SOQL statements cannot be longer than 100,000 characters.");
}

TEST_CASE("sfemu: SOQL binding errors: unknown object, unknown field, type mismatches") {
  OrgFixture org;
  struct Row {
    std::string soql;
    std::string code;
    std::string reason;
  };
  const std::vector<Row> rows = {
      {"SELECT Id FROM Foo__x", "INVALID_TYPE", "sObject type 'Foo__x' is not supported."},
      {"SELECT Bogus FROM Contact", "INVALID_FIELD", "No such column 'Bogus' on entity 'Contact'."},
      {"SELECT Id FROM Contact WHERE Bogus = 'x'", "INVALID_FIELD", "No such column 'Bogus' on entity 'Contact'."},
      {"SELECT Id FROM Contact ORDER BY Bogus", "INVALID_FIELD", "No such column 'Bogus'"},
      {"SELECT Foo.Name FROM Contact", "INVALID_FIELD", "Didn't understand relationship 'Foo' in field path."},
      {"SELECT Account.Bogus FROM Contact", "INVALID_FIELD", "No such column 'Bogus' on entity 'Account'."},
      {"SELECT Id FROM Contact WHERE Description = 'x'", "INVALID_FIELD", "field 'Description' can not be filtered in a query call"},
      {"SELECT Id FROM Contact ORDER BY Description", "INVALID_FIELD", "field 'Description' can not be sorted in a query call"},
      {"SELECT Id FROM Lead WHERE IsConverted = 'true'", "INVALID_QUERY_FILTER_OPERATOR",
       "value of filter criterion for field 'IsConverted' must be of type boolean and should not be enclosed in quotes"},
      {"SELECT Id FROM Account WHERE NumberOfEmployees = '5'", "INVALID_QUERY_FILTER_OPERATOR",
       "value of filter criterion for field 'NumberOfEmployees' must be of type int and should not be enclosed in quotes"},
      {"SELECT Id FROM Contact WHERE Phone = 2128425500", "INVALID_QUERY_FILTER_OPERATOR",
       "value of filter criterion for field 'Phone' must be of type string and should be enclosed in quotes"},
      {"SELECT Id FROM Contact WHERE AccountId = 'xyz'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: xyz"},
      {"SELECT Id FROM Contact WHERE CreatedDate > 2024-01-01", "INVALID_QUERY_FILTER_OPERATOR", "value of filter criterion for field 'CreatedDate' must be of type dateTime"},
      {"SELECT Id FROM Account WHERE NumberOfEmployees LIKE '5%'", "INVALID_QUERY_FILTER_OPERATOR", "invalid operator"},
      {"SELECT Id, Id FROM Contact", "MALFORMED_QUERY", "duplicate field selected: Id"},
      {"SELECT Id FROM Contact OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.soql);
    auto outcome = run_soql(org.store, row.soql);
    REQUIRE_FALSE(outcome);
    CHECK(outcome.error().error_code == row.code);
    CHECK(reason_of(outcome.error().message).rfind(row.reason, 0) == 0);
  }
}

TEST_CASE("sfemu: SOQL evaluation: operators, case-insensitivity, nulls") {
  OrgFixture org;
  CHECK(column(org, "SELECT Name FROM Contact WHERE Phone = '212-842-5500'") == Names{"Priya Raman"});
  CHECK(column(org, "select name from contact where lastname = 'ELLIS'") == Names{"Jordan Ellis"});
  CHECK(column(org, "SELECT Name FROM Contact WHERE LastName <> 'Ellis' AND LastName != 'Raman'") ==
        Names{"Marcus Webb", "Li Wei", "Grace O'Neill", "Nophone"});
  // SOQL's != is two-valued: a null Phone is "not equal".
  CHECK(column(org, "SELECT Name FROM Contact WHERE Phone != '212-842-5500'").size() == 5);
  CHECK(column(org, "SELECT Name FROM Contact WHERE Phone = null") == Names{"Nophone"});
  CHECK(column(org, "SELECT Name FROM Contact WHERE Phone != null").size() == 5);
  CHECK(column(org, "SELECT Name FROM Contact WHERE FirstName NOT IN ('Jordan', 'priya')") ==
        Names{"Marcus Webb", "Li Wei", "Grace O'Neill", "Nophone"});
  CHECK(column(org, "SELECT Name FROM Contact WHERE LastName IN ('ellis', 'WEBB')") == Names{"Jordan Ellis", "Marcus Webb"});
  CHECK(column(org, "SELECT Name FROM Contact WHERE NOT LastName = 'Ellis' AND FirstName = 'Priya'") == Names{"Priya Raman"});
  CHECK(column(org, "SELECT Name FROM Contact WHERE (LastName = 'Ellis' OR LastName = 'Raman') AND Phone LIKE '212%'") ==
        Names{"Priya Raman"});
  CHECK(column(org, "SELECT Name FROM Contact WHERE LastName = 'Ellis' OR (FirstName = 'Li' AND NOT Phone = null)") ==
        Names{"Jordan Ellis", "Li Wei"});
  CHECK(column(org, "SELECT Name FROM Contact WHERE LastName = 'O\\'Neill'") == Names{"Grace O'Neill"});
  CHECK(column(org, "SELECT Name FROM Contact WHERE LastName = 'O\\u0027Neill'") == Names{"Grace O'Neill"});
  CHECK(column(org, "SELECT Name FROM Contact WHERE LastName = 'O\\\"Neill'").empty());
}

TEST_CASE("sfemu: SOQL LIKE: wildcards and escaped wildcards") {
  OrgFixture org;
  CHECK(column(org, "SELECT Name FROM Contact WHERE Phone LIKE '212%'") ==
        Names{"Priya Raman", "Li Wei", "Grace O'Neill"});
  CHECK(column(org, "SELECT Name FROM Contact WHERE FirstName LIKE '_RACE'") == Names{"Grace O'Neill"});
  CHECK(column(org, "SELECT Name FROM Contact WHERE Title LIKE '%100\\%%'") == Names{"Jordan Ellis"});
  CHECK(column(org, "SELECT Name FROM Contact WHERE Title LIKE '%s\\_o%'") == Names{"Jordan Ellis"});
  CHECK(column(org, "SELECT Name FROM Contact WHERE Title LIKE '%\\%'").empty());
  CHECK(column(org, "SELECT Name FROM Contact WHERE Email LIKE '%@%.example'") == Names{"Jordan Ellis", "Nophone"});
  CHECK(column(org, "SELECT CaseNumber FROM Case WHERE CaseNumber LIKE '%1234'", "CaseNumber") == Names{"00001234"});
  CHECK(column(org, "SELECT CaseNumber FROM Case WHERE CaseNumber = '00001234'", "CaseNumber") == Names{"00001234"});
}

TEST_CASE("sfemu: SOQL numbers, booleans and datetimes") {
  OrgFixture org;
  CHECK(column(org, "SELECT Name FROM Lead WHERE IsConverted = false") == Names{"Taylor Reed"});
  CHECK(column(org, "SELECT Name FROM Lead WHERE IsConverted = TRUE") == Names{"Ana Souza"});
  CHECK(column(org, "SELECT Name FROM Account WHERE NumberOfEmployees > 100") == Names{"Acme Corp"});
  CHECK(column(org, "SELECT Name FROM Account WHERE NumberOfEmployees >= 40") == Names{"Acme Corp", "Globex"});
  CHECK(column(org, "SELECT Name FROM Account WHERE NumberOfEmployees < 40.5") == Names{"Globex"});
  CHECK(column(org, "SELECT Name FROM Account WHERE AnnualRevenue < 3000000") == Names{"Acme Corp"});
  CHECK(column(org, "SELECT Name FROM Account WHERE NumberOfEmployees > -1").size() == 2);
  // Every seeded record was created at the fixed clock, 2025-01-15T12:00:00Z.
  CHECK(column(org, "SELECT Name FROM Account WHERE CreatedDate = 2025-01-15T12:00:00Z").size() == 2);
  CHECK(column(org, "SELECT Name FROM Account WHERE CreatedDate = 2025-01-15T13:00:00+01:00").size() == 2);
  CHECK(column(org, "SELECT Name FROM Account WHERE CreatedDate > 2025-01-15T12:00:01Z").empty());
}

TEST_CASE("sfemu: SOQL ORDER BY, LIMIT, OFFSET and COUNT()") {
  OrgFixture org;
  CHECK(column(org, "SELECT Name FROM Contact ORDER BY LastName DESC") ==
        Names{"Li Wei", "Marcus Webb", "Priya Raman", "Grace O'Neill", "Nophone", "Jordan Ellis"});
  // Nulls first by default, in both directions; NULLS LAST moves them.
  CHECK(column(org, "SELECT Name FROM Contact ORDER BY FirstName").front() == "Nophone");
  CHECK(column(org, "SELECT Name FROM Contact ORDER BY FirstName DESC").front() == "Nophone");
  CHECK(column(org, "SELECT Name FROM Contact ORDER BY FirstName DESC NULLS LAST") ==
        Names{"Priya Raman", "Marcus Webb", "Li Wei", "Jordan Ellis", "Grace O'Neill", "Nophone"});
  CHECK(column(org, "SELECT Name FROM Contact ORDER BY Account.Name NULLS LAST, LastName") ==
        Names{"Jordan Ellis", "Priya Raman", "Marcus Webb", "Li Wei", "Nophone", "Grace O'Neill"});
  CHECK(column(org, "SELECT Name FROM Contact ORDER BY LastName LIMIT 2") == Names{"Jordan Ellis", "Nophone"});
  CHECK(column(org, "SELECT Name FROM Contact ORDER BY LastName LIMIT 2 OFFSET 2") == Names{"Grace O'Neill", "Priya Raman"});
  CHECK(column(org, "SELECT Name FROM Contact ORDER BY LastName OFFSET 10").empty());
  CHECK(column(org, "SELECT Name FROM Contact LIMIT 0").empty());
  auto count = run_soql(org.store, "SELECT COUNT() FROM Contact WHERE Phone != null");
  REQUIRE(count);
  CHECK(count->count_only);
  CHECK(count->total == 5);
  CHECK(count->records.empty());
}

TEST_CASE("sfemu: SOQL relationship paths and Ids") {
  OrgFixture org;
  CHECK(column(org, "SELECT Name FROM Contact WHERE Account.Name = 'acme corp'") ==
        Names{"Jordan Ellis", "Priya Raman", "Marcus Webb"});
  CHECK(column(org, "SELECT Contact.Name FROM Contact WHERE Contact.LastName = 'Ellis'") == Names{"Jordan Ellis"});
  CHECK(column(org, "SELECT Subject FROM Case WHERE Contact.Account.Name = 'Acme Corp' ORDER BY CaseNumber", "Subject") ==
        Names{"Shipment delayed", "Invoice charged twice"});

  auto jordan = run_soql(org.store, "SELECT Id FROM Contact WHERE LastName = 'Ellis'");
  REQUIRE(jordan);
  REQUIRE(jordan->records.size() == 1);
  std::string id18 = jordan->records.front()->id;
  std::string lower_suffix = id18.substr(0, 15);
  for (char c : id18.substr(15)) lower_suffix += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  for (const std::string& form : {id18, id18.substr(0, 15), lower_suffix}) {
    CAPTURE(form);
    CHECK(column(org, "SELECT Name FROM Contact WHERE Id = '" + form + "'") == Names{"Jordan Ellis"});
  }
  CHECK(column(org, "SELECT Subject FROM Case WHERE ContactId = '" + id18 + "'", "Subject") == Names{"Invoice charged twice"});
  CHECK(column(org, "SELECT Name FROM Contact WHERE AccountId = ''") == Names{"Grace O'Neill", "Nophone"});
}

TEST_CASE("sfemu: SOQL records render like the REST API: attributes, canonical names, nested parents") {
  OrgFixture org;
  auto outcome = run_soql(org.store, "select name, account.name, PHONE from contact where lastname in ('Ellis', 'O\\'Neill') order by lastname");
  REQUIRE(outcome);
  REQUIRE(outcome->records.size() == 2);
  std::string jordan = to_json(render_record(org.store, *outcome->records[0], outcome->select, "v59.0"));
  std::string id = outcome->records[0]->id;
  const Record* account = org.store.find(std::get<std::string>(outcome->records[0]->get("AccountId")));
  REQUIRE(account != nullptr);
  CHECK(jordan == "{\"attributes\":{\"type\":\"Contact\",\"url\":\"/services/data/v59.0/sobjects/Contact/" + id +
                      "\"},\"Name\":\"Jordan Ellis\",\"Account\":{\"attributes\":{\"type\":\"Account\",\"url\":"
                      "\"/services/data/v59.0/sobjects/Account/" + account->id +
                      "\"},\"Name\":\"Acme Corp\"},\"Phone\":\"(212) 842-5500\"}");
  std::string grace = to_json(render_record(org.store, *outcome->records[1], outcome->select, "v59.0"));
  CHECK(grace.find("\"Account\":null") != std::string::npos);
}

TEST_CASE("sfemu: SOQL polymorphic relationships follow the actual record type") {
  OrgFixture org;
  auto jordan = run_soql(org.store, "SELECT Id FROM Contact WHERE LastName = 'Ellis'");
  auto invoice = run_soql(org.store, "SELECT Id FROM Case WHERE CaseNumber = '00001234'");
  REQUIRE(jordan);
  REQUIRE(invoice);
  JsonObject task = make_object();
  task->set("Subject", "Call");
  task->set("WhoId", jordan->records.front()->id);
  task->set("WhatId", invoice->records.front()->id);
  REQUIRE(org.store.create(*org.store.schema().find("Task"), task, WriteMode::api, ""));
  CHECK(column(org, "SELECT Subject FROM Task WHERE Who.Name = 'Jordan Ellis'", "Subject") == Names{"Call"});
  auto rendered = run_soql(org.store, "SELECT Who.Name, What.Subject, Account.Name FROM Task");
  REQUIRE(rendered);
  REQUIRE(rendered->records.size() == 1);
  std::string json = to_json(render_record(org.store, *rendered->records[0], rendered->select, "v59.0"));
  CHECK(json.find("\"Who\":{\"attributes\":{\"type\":\"Contact\"") != std::string::npos);
  CHECK(json.find("\"What\":{\"attributes\":{\"type\":\"Case\"") != std::string::npos);
  CHECK(json.find("\"Subject\":\"Invoice charged twice\"") != std::string::npos);
  // Task.AccountId is derived from the related Case's Account.
  CHECK(json.find("\"Account\":{\"attributes\":{\"type\":\"Account\"") != std::string::npos);
}

TEST_CASE("sfemu: wildcard_match is linear and case-insensitive") {
  auto u = [](const char* text) { return utf8_to_u32(text); };
  std::u32string any = {like_any_sequence};
  CHECK(wildcard_match(any, u(""), like_any_sequence, like_any_char));
  CHECK(wildcard_match(u("AbC"), u("abc"), like_any_sequence, like_any_char));
  CHECK_FALSE(wildcard_match(u("abc"), u("abcd"), like_any_sequence, like_any_char));
  std::u32string pattern;
  for (int i = 0; i < 200; ++i) pattern += {like_any_sequence, U'a'};
  pattern += U'b';
  CHECK_FALSE(wildcard_match(pattern, std::u32string(5000, U'a'), like_any_sequence, like_any_char));
}
