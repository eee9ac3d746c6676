// Fuzzes caller-ID normalisation and the caller-ID step built from it. Invariants:
// - never a crash; an error is invalid_input with a bounded, printable message naming the ANI;
// - each kind fills exactly its fields; digits are digits; the national number ends the
//   digits; E.164 is '+', country code and national number, at most 15 digits;
// - normalising the E.164 form again gives the same number;
// - the plan searches the national number with the structure of a benign SOSL query.

#include "sfmatch/caller_id.hpp"
#include "sfmatch/match_plan.hpp"

#include "fuzz/fuzz_check.hpp"
#include "libsfmatch/query_tokenizer.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using sfmatch::CallerIdKind;

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

bool ends_with(std::string_view text, std::string_view tail) {
  return text.size() >= tail.size() && text.substr(text.size() - tail.size()) == tail;
}

void check(std::string_view ani, const sfmatch::MatchSettings& settings) {
  const cti::DialingOptions& options = settings.dialing;
  const auto id = sfmatch::normalize_caller_id(ani, options);
  const auto plan = sfmatch::build_match_plan({"", ani}, settings);
  FUZZ_CHECK(plan.has_value() == id.has_value());
  if (!id) {
    FUZZ_CHECK(id.error().code == cti::ErrorCode::invalid_input);
    FUZZ_CHECK(id.error().message.rfind("caller ID '", 0) == 0);
    FUZZ_CHECK(id.error().message.size() < 400);
    for (const char c : id.error().message) {
      FUZZ_CHECK(c >= 0x20 && c < 0x7f);
    }
    FUZZ_CHECK(plan.error().message == id.error().message);
    return;
  }
  FUZZ_CHECK(plan->caller_id == *id);
  switch (id->kind) {
    case CallerIdKind::withheld:
      FUZZ_CHECK(*id == sfmatch::CallerId{});
      FUZZ_CHECK(plan->steps.empty());
      return;
    case CallerIdKind::internal:
      FUZZ_CHECK(all_digits(id->extension) && id->extension == id->digits);
      FUZZ_CHECK(id->extension.size() >= options.min_extension_length);
      FUZZ_CHECK(id->extension.size() <= options.max_extension_length);
      FUZZ_CHECK(id->national.empty() && id->e164.empty() && id->country_code.empty());
      FUZZ_CHECK(plan->steps.empty());
      return;
    case CallerIdKind::external:
      break;
  }
  FUZZ_CHECK(all_digits(id->digits) && id->digits.size() <= 20);
  FUZZ_CHECK(all_digits(id->national));
  FUZZ_CHECK(ends_with(id->digits, id->national));
  FUZZ_CHECK(all_digits(id->country_code) && id->country_code.size() <= 3);
  FUZZ_CHECK(id->extension.empty());
  if (!id->e164.empty()) {
    FUZZ_CHECK(id->e164 == "+" + id->country_code + id->national);
    FUZZ_CHECK(id->e164.size() <= 16);
    const auto again = sfmatch::normalize_caller_id(id->e164, options);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(again->e164 == id->e164);
    FUZZ_CHECK(again->national == id->national);
  }

  FUZZ_CHECK(plan->steps.size() == 1);
  const auto& step = plan->steps[0];
  FUZZ_CHECK(step.value == id->national);
  static const sfmatch::testing::Tokens k_benign = sfmatch::testing::tokenize(
      sfmatch::build_match_plan({"", "2128425500"}, sfmatch::MatchSettings{})->steps.at(0).query);
  const auto tokens = sfmatch::testing::tokenize(step.query);
  FUZZ_CHECK(tokens.ok());
  FUZZ_CHECK(tokens.shape() == k_benign.shape());
  const auto literals = tokens.literals();
  FUZZ_CHECK(literals.size() == 1 && literals[0] != nullptr && literals[0]->text == id->national);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view ani(reinterpret_cast<const char*>(data), size);
  static const sfmatch::MatchSettings k_north_america;  // 9 / 1 / 011, country code 1
  static const sfmatch::MatchSettings k_uk = [] {
    sfmatch::MatchSettings settings;
    settings.dialing = cti::DialingOptions{.outside_prefix = "9",
                                           .long_distance_prefix = "0",
                                           .international_prefix = "00",
                                           .country_code = "44"};
    return settings;
  }();
  static const sfmatch::MatchSettings k_no_prefixes = [] {
    sfmatch::MatchSettings settings;
    settings.dialing.outside_prefix.clear();
    settings.dialing.long_distance_prefix.clear();
    settings.dialing.international_prefix.clear();
    settings.dialing.min_extension_length = 3;
    settings.dialing.max_extension_length = 5;
    return settings;
  }();
  check(ani, k_north_america);
  check(ani, k_uk);
  check(ani, k_no_prefixes);
  return 0;
}
