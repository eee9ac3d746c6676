// Property: no value, however hostile, changes the structure of a generated query. Random
// values go through the escapers inside query templates and, where the IVR rules accept
// them, through the plan builder; an independent tokenizer checks that the token sequence is
// the one a benign value gives and that the literal decodes back to the value.

#include "sfmatch/escape.hpp"
#include "sfmatch/match_plan.hpp"

#include "libsfmatch/query_tokenizer.hpp"

#include <doctest/doctest.h>

#include <array>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using sfmatch::testing::Token;
using sfmatch::testing::TokenKind;
using sfmatch::testing::Tokens;
using sfmatch::testing::tokenize;

namespace {

constexpr int k_iterations = 3000;

// Pieces a hostile value is made of: quoting and escaping characters, LIKE and SOSL
// wildcards and operators, SOQL words, UTF-8 (2-, 3- and 4-byte) and control characters.
constexpr std::array<std::string_view, 44> k_hostile_pieces = {
    "'", "\"", "\\", "\\'", "\\\\", "%", "_", "*", "?", "{", "}", "[", "]", "(", ")", "^", "~",
    ":", "+", "-", "!", "|", "&", ";", "=", ",", " ", "\n", "\r", "\t", "\b", "\f",
    "' OR Name != '", "} RETURNING User(Id", " LIMIT 1", "--", "/*", "\\u0027",
    "\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "a", "7", "Name"};

/// Up to 24 pieces, at most `max_bytes` bytes (whole pieces only, so UTF-8 stays valid).
std::string random_value(std::mt19937& rng, bool with_controls, std::size_t max_bytes = 1000) {
  std::uniform_int_distribution<int> length(0, 24);
  std::uniform_int_distribution<std::size_t> piece(0, k_hostile_pieces.size() - 1);
  std::uniform_int_distribution<int> control(0, 0x1f);
  std::uniform_int_distribution<int> percent(0, 99);
  std::string value;
  const int n = length(rng);
  for (int i = 0; i < n; ++i) {
    if (with_controls && percent(rng) < 8) {
      value += percent(rng) < 10 ? '\x7f' : static_cast<char>(control(rng));
      continue;
    }
    const std::string_view next = k_hostile_pieces[piece(rng)];
    if (value.size() + next.size() > max_bytes) {
      break;
    }
    value += next;
  }
  return value;
}

/// The value as the IVR parser would keep it: no separators, no control characters, trimmed.
std::string ivr_safe(std::string value) {
  std::string out;
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == ';' || c == '&' || byte < 0x20 || byte == 0x7f) {
      continue;
    }
    out += c;
  }
  while (!out.empty() && out.front() == ' ') out.erase(0, 1);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

void check_same_shape(const Tokens& actual, const Tokens& benign) {
  REQUIRE(benign.ok());
  REQUIRE_MESSAGE(actual.ok(), actual.error);
  CHECK(actual.shape() == benign.shape());
}

/// The literal of a LIKE pattern holds the value and only the wildcards we put around it.
void check_like_literal(const Token& literal, const std::string& value, bool leading,
                        bool trailing) {
  const std::string expected = (leading ? "%" : "") + value + (trailing ? "%" : "");
  CHECK(literal.text == expected);
  std::vector<std::size_t> wildcards;
  if (leading) wildcards.push_back(0);
  if (trailing) wildcards.push_back(expected.size() - 1);
  CHECK(literal.specials == wildcards);
}

std::string controls_as_spaces(const std::string& value) {
  std::string out = value;
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = ' ';
  }
  return out;
}

}  // namespace

TEST_CASE("the tokenizer itself sees injected structure") {
  // Guards the property test against a tokenizer too lenient to notice anything.
  const Tokens benign = tokenize("SELECT Id FROM Account WHERE Name = 'x' LIMIT 10");
  REQUIRE(benign.ok());
  const Tokens injected = tokenize("SELECT Id FROM Account WHERE Name = 'x' OR Name != '' LIMIT 10");
  REQUIRE(injected.ok());
  CHECK(injected.shape() != benign.shape());
  CHECK_FALSE(tokenize("SELECT Id FROM Account WHERE Name = 'x\\' LIMIT 10").ok());
  CHECK_FALSE(tokenize("SELECT Id FROM Account WHERE Name = 'a\\%' LIMIT 10").ok());
  const Tokens like = tokenize("SELECT Id FROM Account WHERE Name LIKE '%a\\%_' LIMIT 10");
  REQUIRE(like.ok());
  CHECK(like.literals().at(0)->specials == std::vector<std::size_t>{0, 3});
  const Tokens sosl = tokenize("FIND {a*} IN PHONE FIELDS RETURNING Contact(Id) LIMIT 10");
  REQUIRE(sosl.ok());
  CHECK(sosl.literals().at(0)->specials == std::vector<std::size_t>{1});
  CHECK_FALSE(tokenize("FIND {a} b} IN PHONE FIELDS").ok());
}

TEST_CASE("escaped values never change the structure of SOQL or SOSL") {
  const std::string soql_prefix = "SELECT Id, Name FROM Account WHERE Name = '";
  const std::string like_prefix = "SELECT Id, Name FROM Account WHERE Name LIKE '";
  const std::string suffix = "' LIMIT 10";
  const std::string sosl_prefix = "FIND {";
  const std::string sosl_suffix =
      "} IN PHONE FIELDS RETURNING Contact(Id, Name), Lead(Id, Name WHERE IsConverted = false) "
      "LIMIT 10";

  const Tokens benign_soql = tokenize(soql_prefix + "x" + suffix);
  const Tokens benign_like = tokenize(like_prefix + "x%" + suffix);
  const Tokens benign_sosl = tokenize(sosl_prefix + "x" + sosl_suffix);

  std::mt19937 rng(20240611);
  for (int i = 0; i < k_iterations; ++i) {
    const std::string value = random_value(rng, true);
    CAPTURE(value);

    const Tokens soql = tokenize(soql_prefix + sfmatch::escape_soql_literal(value) + suffix);
    check_same_shape(soql, benign_soql);
    REQUIRE(soql.literals().size() == 1);
    CHECK(soql.literals()[0]->text == value);

    for (const auto& [leading, trailing] : {std::pair{false, true}, std::pair{true, false},
                                           std::pair{true, true}}) {
      const std::string pattern = std::string(leading ? "%" : "") +
                                  sfmatch::escape_soql_like(value) + (trailing ? "%" : "");
      const Tokens like = tokenize(like_prefix + pattern + suffix);
      check_same_shape(like, benign_like);
      REQUIRE(like.literals().size() == 1);
      check_like_literal(*like.literals()[0], value, leading, trailing);
    }

    const Tokens sosl = tokenize(sosl_prefix + sfmatch::escape_sosl_term(value) + sosl_suffix);
    check_same_shape(sosl, benign_sosl);
    REQUIRE(sosl.literals().size() == 1);
    CHECK(sosl.literals()[0]->text == controls_as_spaces(value));
    CHECK(sosl.literals()[0]->specials.empty());
  }
}

TEST_CASE("IVR values never change the structure of the plan's SOQL") {
  const sfmatch::IvrMatchMode modes[] = {
      sfmatch::IvrMatchMode::exact, sfmatch::IvrMatchMode::starts_with,
      sfmatch::IvrMatchMode::ends_with, sfmatch::IvrMatchMode::contains};
  std::mt19937 rng(7);
  int built = 0;
  for (const auto mode : modes) {
    CAPTURE(sfmatch::to_string(mode));
    sfmatch::MatchSettings settings;  // no definitions: values up to 255 characters
    settings.ivr_match = mode;
    const auto benign = sfmatch::build_match_plan({"Account.Name=x", ""}, settings);
    REQUIRE(benign.has_value());
    const Tokens benign_tokens = tokenize(benign->steps.at(0).query);

    for (int i = 0; i < k_iterations; ++i) {
      const std::string value = ivr_safe(random_value(rng, false, 250));
      if (value.empty()) {
        continue;
      }
      CAPTURE(value);
      const std::string ivr = "Account.Name=" + value;
      const auto plan = sfmatch::build_match_plan({ivr, ""}, settings);
      REQUIRE_MESSAGE(plan.has_value(), plan.error().message);
      REQUIRE(plan->steps.size() == 1);
      ++built;
      const Tokens tokens = tokenize(plan->steps[0].query);
      check_same_shape(tokens, benign_tokens);
      REQUIRE(tokens.literals().size() == 1);
      const Token& literal = *tokens.literals()[0];
      switch (mode) {
        case sfmatch::IvrMatchMode::exact: CHECK(literal.text == value); break;
        case sfmatch::IvrMatchMode::starts_with: check_like_literal(literal, value, false, true); break;
        case sfmatch::IvrMatchMode::ends_with: check_like_literal(literal, value, true, false); break;
        case sfmatch::IvrMatchMode::contains: check_like_literal(literal, value, true, true); break;
      }
    }
  }
  CHECK(built > 4 * k_iterations * 9 / 10);
}

TEST_CASE("caller IDs never change the structure of the plan's SOSL") {
  constexpr std::string_view k_ani_pieces = "0123456789 +-().#*xX{}'\\";
  std::mt19937 rng(99);
  std::uniform_int_distribution<std::size_t> piece(0, k_ani_pieces.size() - 1);
  std::uniform_int_distribution<int> length(0, 22);
  const auto benign = sfmatch::build_match_plan({"", "2128425500"}, sfmatch::MatchSettings{});
  REQUIRE(benign.has_value());
  const Tokens benign_tokens = tokenize(benign->steps.at(0).query);
  int searched = 0;
  for (int i = 0; i < k_iterations; ++i) {
    std::string ani;
    // Mostly digits, so that many are valid numbers.
    const int n = length(rng);
    for (int k = 0; k < n; ++k) {
      ani += (k % 3 == 0) ? k_ani_pieces[piece(rng)] : static_cast<char>('0' + (k * 7 + i) % 10);
    }
    CAPTURE(ani);
    const auto plan = sfmatch::build_match_plan({"", ani}, sfmatch::MatchSettings{});
    if (!plan.has_value() || plan->steps.empty()) {
      continue;
    }
    ++searched;
    const Tokens tokens = tokenize(plan->steps[0].query);
    check_same_shape(tokens, benign_tokens);
    REQUIRE(tokens.literals().size() == 1);
    CHECK(tokens.literals()[0]->text == plan->caller_id.national);
    CHECK(tokens.literals()[0]->specials.empty());
  }
  CHECK(searched > 100);
}
