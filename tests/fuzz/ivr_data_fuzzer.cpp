// Fuzzes the IVR data parser and what is built from its result. Invariants:
// - parsing never crashes; an error is invalid_input with a bounded, printable message;
// - every tag has valid API names and a value within the rules;
// - a plan built from accepted data has one SOQL step per tag, with the structure of the same
//   query for a benign value, and its literal decodes back to the matched value;
// - build_match_plan_into on a reused plan gives the same plan as build_match_plan;
// - the escapers round-trip any byte string inside a query.

#include "sfmatch/api_name.hpp"
#include "sfmatch/escape.hpp"
#include "sfmatch/ivr_data.hpp"
#include "sfmatch/match_plan.hpp"

#include "fuzz/fuzz_check.hpp"
#include "libsfmatch/query_tokenizer.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using sfmatch::testing::Token;
using sfmatch::testing::Tokens;
using sfmatch::testing::tokenize;

sfmatch::MatchSettings free_settings(sfmatch::IvrMatchMode mode) {
  sfmatch::MatchSettings settings;  // no definitions: any tag, values up to 255 characters
  settings.ivr_match = mode;
  return settings;
}

sfmatch::MatchSettings defined_settings() {
  sfmatch::MatchSettings settings;
  settings.ivr_rules.definitions = {{"Case", "CaseNumber", 4, 8, 8},
                                    {"Contract", "ContractNumber", 1, 16, 0},
                                    {"ns__Order__c", "ns__Ref__c", 2, 10, 10}};
  return settings;
}

bool printable(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) {
      return false;
    }
  }
  return true;
}

/// The one string literal (or SOSL term) of a query.
const Token& only_literal(const Tokens& tokens) {
  const auto literals = tokens.literals();
  FUZZ_CHECK(literals.size() == 1 && literals[0] != nullptr);
  return *literals[0];
}

void check_error(const cti::Error& error) {
  FUZZ_CHECK(error.code == cti::ErrorCode::invalid_input);
  FUZZ_CHECK(!error.message.empty());
  FUZZ_CHECK(error.message.size() < 600);
  FUZZ_CHECK(printable(error.message));
}

/// The literal holds `value` and only the wildcards the mode puts around it.
void check_literal(const Token& literal, const std::string& value, sfmatch::IvrMatchMode mode) {
  const bool leading = mode == sfmatch::IvrMatchMode::ends_with || mode == sfmatch::IvrMatchMode::contains;
  const bool trailing =
      mode == sfmatch::IvrMatchMode::starts_with || mode == sfmatch::IvrMatchMode::contains;
  const std::string expected = (leading ? "%" : "") + value + (trailing ? "%" : "");
  FUZZ_CHECK(literal.text == expected);
  std::size_t wildcards = 0;
  if (leading) {
    FUZZ_CHECK(literal.specials.size() > wildcards && literal.specials[wildcards] == 0);
    ++wildcards;
  }
  if (trailing) {
    FUZZ_CHECK(literal.specials.size() > wildcards &&
               literal.specials[wildcards] == expected.size() - 1);
    ++wildcards;
  }
  FUZZ_CHECK(literal.specials.size() == wildcards);
}

void check_plan(std::string_view text, const sfmatch::MatchSettings& settings) {
  auto tags = sfmatch::parse_ivr_data(text, settings.ivr_rules);
  if (!tags) {
    check_error(tags.error());
    FUZZ_CHECK(!sfmatch::build_match_plan({text, ""}, settings).has_value());
    return;
  }
  FUZZ_CHECK(tags->size() <= settings.ivr_rules.max_tags);
  for (const auto& tag : *tags) {
    FUZZ_CHECK(sfmatch::is_valid_api_name(tag.object));
    FUZZ_CHECK(sfmatch::is_valid_api_name(tag.field));
    FUZZ_CHECK(!tag.value.empty());
    FUZZ_CHECK(tag.value.size() <= 4 * settings.ivr_rules.max_value_length);
    for (const char c : tag.value) {
      const auto byte = static_cast<unsigned char>(c);
      FUZZ_CHECK(byte >= 0x20 && byte != 0x7f && c != ';' && c != '&');
    }
    if (const auto* definition = sfmatch::find_definition(settings.ivr_rules, tag.object, tag.field)) {
      FUZZ_CHECK(tag.value.size() >= definition->min_digits);
      FUZZ_CHECK(tag.value.size() <= definition->max_digits);
      FUZZ_CHECK(tag.value.find_first_not_of("0123456789") == std::string::npos);
    } else {
      FUZZ_CHECK(settings.ivr_rules.definitions.empty());
    }
  }

  const auto plan = sfmatch::build_match_plan({text, "2128425500"}, settings);
  FUZZ_CHECK(plan.has_value());
  FUZZ_CHECK(plan->ivr_tags == *tags);
  FUZZ_CHECK(plan->steps.size() == tags->size() + 1);
  for (std::size_t i = 0; i < tags->size(); ++i) {
    const auto& step = plan->steps[i];
    const auto& tag = (*tags)[i];
    FUZZ_CHECK(step.source == sfmatch::StepSource::ivr);
    FUZZ_CHECK(step.objects.size() == 1 && step.objects[0] == tag.object);
    FUZZ_CHECK(step.field == tag.field);
    FUZZ_CHECK(step.value.size() >= tag.value.size());
    FUZZ_CHECK(step.value.compare(step.value.size() - tag.value.size(), std::string::npos, tag.value) == 0);

    const std::string benign_ivr = tag.object + "." + tag.field + "=1";
    const auto benign = sfmatch::build_match_plan({benign_ivr, ""}, settings);
    const Tokens tokens = tokenize(step.query);
    FUZZ_CHECK(tokens.ok());
    if (benign.has_value()) {  // "1" may be outside a definition's bounds
      FUZZ_CHECK(tokens.shape() == tokenize(benign->steps.at(0).query).shape());
    }
    check_literal(only_literal(tokens), step.value, step.mode);
  }
  FUZZ_CHECK(plan->steps.back().source == sfmatch::StepSource::caller_id);

  // The reusing builder agrees, whatever the plan held before.
  static sfmatch::MatchPlan reused;
  FUZZ_CHECK(sfmatch::build_match_plan_into(reused, {text, "2128425500"}, settings).has_value());
  FUZZ_CHECK(reused == *plan);
}

void check_escapers(std::string_view value) {
  const std::string v(value);
  const Tokens soql =
      tokenize("SELECT Id FROM Account WHERE Name = '" + sfmatch::escape_soql_literal(v) + "' LIMIT 1");
  FUZZ_CHECK(soql.ok());
  FUZZ_CHECK(only_literal(soql).text == v);

  const Tokens like =
      tokenize("SELECT Id FROM Account WHERE Name LIKE '" + sfmatch::escape_soql_like(v) + "%' LIMIT 1");
  FUZZ_CHECK(like.ok());
  check_literal(only_literal(like), v, sfmatch::IvrMatchMode::starts_with);

  const Tokens sosl = tokenize("FIND {" + sfmatch::escape_sosl_term(v) +
                               "} IN PHONE FIELDS RETURNING Contact(Id, Name) LIMIT 1");
  FUZZ_CHECK(sosl.ok());
  FUZZ_CHECK(only_literal(sosl).specials.empty());
  FUZZ_CHECK(only_literal(sosl).text.size() == v.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const sfmatch::MatchSettings k_defined = defined_settings();
  static const sfmatch::MatchSettings k_modes[] = {
      free_settings(sfmatch::IvrMatchMode::exact), free_settings(sfmatch::IvrMatchMode::starts_with),
      free_settings(sfmatch::IvrMatchMode::ends_with), free_settings(sfmatch::IvrMatchMode::contains)};
  check_plan(text, k_modes[size % 4]);
  check_plan(text, k_defined);
  check_escapers(text);
  return 0;
}
