#include "sfmatch/escape.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

struct Row {
  std::string input;
  std::string expected;
};

}  // namespace

TEST_CASE("escape_soql_literal follows Salesforce's quoted-string escapes") {
  const Row rows[] = {
      {"", ""},
      {"1234", "1234"},
      {"O'Brien", R"(O\'Brien)"},
      {R"(back\slash)", R"(back\\slash)"},
      {R"(say "hi")", R"(say \"hi\")"},
      {"a\nb\rc\td\be\ff", R"(a\nb\rc\td\be\ff)"},
      {std::string("nul\0x", 5), R"(nul\u0000x)"},
      {"\x01\x1f\x7f", R"(\u0001\u001F\u007F)"},
      {"50%_off", "50%_off"},  // wildcards mean nothing outside LIKE
      {"{}[]()*?", "{}[]()*?"},
      {"caf\xc3\xa9 \xe6\x97\xa5", "caf\xc3\xa9 \xe6\x97\xa5"},  // UTF-8 passes
      {R"(\' OR Name != ')", R"(\\\' OR Name != \')"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.input);
    CHECK(sfmatch::escape_soql_literal(row.input) == row.expected);
    std::string appended = "x=";
    sfmatch::append_soql_literal(appended, row.input);
    CHECK(appended == "x=" + row.expected);
  }
}

TEST_CASE("escape_soql_like also escapes the LIKE wildcards") {
  const Row rows[] = {
      {"1234", "1234"},
      {"50%", R"(50\%)"},
      {"a_b", R"(a\_b)"},
      {"%_%", R"(\%\_\%)"},
      {"O'Brien_%", R"(O\'Brien\_\%)"},
      {"\\%", R"(\\\%)"},
      {"\n", R"(\n)"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.input);
    CHECK(sfmatch::escape_soql_like(row.input) == row.expected);
    std::string appended;
    sfmatch::append_soql_like(appended, row.input);
    CHECK(appended == row.expected);
  }
}

TEST_CASE("escape_sosl_term escapes every reserved character and blanks control characters") {
  const Row rows[] = {
      {"2128425500", "2128425500"},
      {"+12128425500", R"(\+12128425500)"},
      {"212-842-5500", R"(212\-842\-5500)"},
      {"?&|!{}[]()^~*:\\\"'+-", R"(\?\&\|\!\{\}\[\]\(\)\^\~\*\:\\\"\'\+\-)"},
      {"1} RETURNING User(Id", R"(1\} RETURNING User\(Id)"},
      {"a\nb\tc\x01" "d\x7f", "a b c d "},
      {"%_;,=", "%_;,="},  // not reserved in SOSL
      {"caf\xc3\xa9", "caf\xc3\xa9"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.input);
    CHECK(sfmatch::escape_sosl_term(row.input) == row.expected);
    std::string appended;
    sfmatch::append_sosl_term(appended, row.input);
    CHECK(appended == row.expected);
  }
}
