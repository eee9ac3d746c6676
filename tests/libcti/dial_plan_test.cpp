#include "cti/dial_plan.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

using cti::DialingOptions;
using cti::DialPlan;
using cti::ErrorCode;
using cti::NumberKind;

namespace {

struct Accepted {
  std::string input;
  std::string digits;
  std::string post_dial;
  NumberKind kind;
};

struct Rejected {
  std::string input;
  std::string_view reason;  ///< a part of the error message
};

void check_accepted(const DialPlan& plan, const std::vector<Accepted>& cases) {
  for (const auto& c : cases) {
    SUBCASE(("\"" + c.input + "\"").c_str()) {
      const auto r = plan.dial_string(c.input);
      REQUIRE_MESSAGE(r.has_value(), r.error().message);
      CHECK(r->digits == c.digits);
      CHECK(r->post_dial == c.post_dial);
      CHECK(cti::to_string(r->kind) == cti::to_string(c.kind));
    }
  }
}

DialingOptions with_prefixes(std::string outside, std::string long_distance,
                             std::string international) {
  DialingOptions options;
  options.outside_prefix = std::move(outside);
  options.long_distance_prefix = std::move(long_distance);
  options.international_prefix = std::move(international);
  return options;
}

}  // namespace

TEST_CASE("dial strings with the guide's options (9 / 1 / 011, country 1)") {
  const DialPlan plan{DialingOptions{}};
  check_accepted(plan, {
      // national numbers, however they are written
      {"(212) 842-5500", "912128425500", "", NumberKind::national},
      {"212.842.5500", "912128425500", "", NumberKind::national},
      {"212/842/5500", "912128425500", "", NumberKind::national},
      {"  212 842 5500\t", "912128425500", "", NumberKind::national},
      {"2128425500", "912128425500", "", NumberKind::national},
      // already carrying the long-distance prefix
      {"12128425500", "912128425500", "", NumberKind::national},
      {"1 (212) 842-5500", "912128425500", "", NumberKind::national},
      // an area code that looks like outside + long distance is still just an area code
      {"916-555-1212", "919165551212", "", NumberKind::national},
      // extensions become post-dial digits
      {"212.842.5500 x12", "912128425500", "12", NumberKind::national},
      {"212-842-5500 X 12", "912128425500", "12", NumberKind::national},
      {"212-842-5500 ext. 345", "912128425500", "345", NumberKind::national},
      {"212-842-5500 ext345", "912128425500", "345", NumberKind::national},
      {"212-842-5500 EXT 7", "912128425500", "7", NumberKind::national},
      {"212-842-5500#7", "912128425500", "7", NumberKind::national},
      // international
      {"+44 20 7946 0018", "9011442079460018", "", NumberKind::international},
      {"(+44) 20 7946 0018", "9011442079460018", "", NumberKind::international},
      {"+33 1 42 68 53 00", "901133142685300", "", NumberKind::international},
      {"011 44 20 7946 0018", "9011442079460018", "", NumberKind::international},
      {"+44 20 7946 0018 x2", "9011442079460018", "2", NumberKind::international},
      // our own country written internationally is dialled as national
      {"+1 212 842 5500", "912128425500", "", NumberKind::national},
      {"+1 (212) 842-5500 ext. 9", "912128425500", "9", NumberKind::national},
      // internal extensions (2 to 6 digits) are dialled as they are
      {"137", "137", "", NumberKind::internal},
      {"42", "42", "", NumberKind::internal},
      {"12-3456", "123456", "", NumberKind::internal},
      {"137 x5", "137", "5", NumberKind::internal},
      // other lengths are local
      {"842-5500", "98425500", "", NumberKind::local},
      {"22128425500", "922128425500", "", NumberKind::local},
      {"12345678901234567890", "912345678901234567890", "", NumberKind::local},
  });
}

TEST_CASE("dial strings that are rejected, each with its reason") {
  const DialPlan plan{DialingOptions{}};
  const std::vector<Rejected> cases = {
      {"", "empty"},
      {"abc", "contains letters"},
      {"212-842-CALL", "contains letters"},
      {"call 137", "contains letters"},
      {"212 842 5500 extension 12", "contains letters"},
      {"212 842 5500 x12a", "contains letters"},
      {"x12", "extension marker before any digits"},
      {"ext. 12", "extension marker before any digits"},
      {"212 842 5500 x", "extension marker without digits"},
      {"212 842 5500 ext.", "extension marker without digits"},
      {"212 842 5500 x12 x13", "more than one extension marker"},
      {"212 842 5500 x12345678901234567", "extension of more than 16 digits"},
      {"123456789012345678901", "more than 20 digits"},
      {"+44 1234 5678 9012 3456 789", "more than 20 digits"},
      {"212+8425500", "'+' that does not lead"},
      {"++44 20 7946 0018", "'+' that does not lead"},
      {"212 842 5500 x+1", "'+' that does not lead"},
      {"()-. /", "has no digits"},
      {"   ", "has no digits"},
      {"+", "has no digits"},
      {"+1", "only a country code"},
      {"5", "1 digit: too short"},
      {"212*842*5500", "the character \"*\""},
      {"212,842,5500", "the character \",\""},
      {"212;ext=5", "the character \";\""},
      {std::string("212\n8425500"), "the character \"?\""},
      {std::string("212\0" "8425500", 11), "the character \"?\""},
      {"\xef\xbc\x92\xef\xbc\x91\xef\xbc\x92", "neither a digit nor formatting"},  // full-width
      {std::string(65, ' '), "longer than 64 characters"},
      {std::string(10000, '1'), "longer than 64 characters"},
  };
  for (const auto& c : cases) {
    SUBCASE(("\"" + c.input.substr(0, 30) + "\"").c_str()) {
      const auto r = plan.dial_string(c.input);
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == ErrorCode::invalid_input);
      CHECK_MESSAGE(r.error().message.find(c.reason) != std::string::npos, r.error().message);
      CHECK(r.error().message.size() < 200);
    }
  }
}

TEST_CASE("a PBX that needs no outside prefix") {
  const DialPlan plan{with_prefixes("", "1", "011")};
  check_accepted(plan, {
      {"(212) 842-5500", "12128425500", "", NumberKind::national},
      {"12128425500", "12128425500", "", NumberKind::national},
      {"+44 20 7946 0018", "011442079460018", "", NumberKind::international},
      {"+1 212 842 5500", "12128425500", "", NumberKind::national},
      {"842-5500", "8425500", "", NumberKind::local},
      {"137", "137", "", NumberKind::internal},
  });
}

TEST_CASE("no prefixes at all") {
  const DialPlan plan{with_prefixes("", "", "")};
  check_accepted(plan, {
      {"(212) 842-5500", "2128425500", "", NumberKind::national},
      {"+44 20 7946 0018", "442079460018", "", NumberKind::international},
      {"+1 212 842 5500", "2128425500", "", NumberKind::national},
      // without a long-distance prefix an 11-digit number is nothing special
      {"12128425500", "12128425500", "", NumberKind::local},
      {"137", "137", "", NumberKind::internal},
  });
}

TEST_CASE("a UK set-up (9 / 0 / 00, country 44)") {
  DialingOptions options = with_prefixes("9", "0", "00");
  options.country_code = "44";
  const DialPlan plan{options};
  check_accepted(plan, {
      {"+44 20 7946 0018", "902079460018", "", NumberKind::national},
      {"020 7946 0018", "902079460018", "", NumberKind::national},
      {"20 7946 0018", "902079460018", "", NumberKind::national},
      {"+1 212 842 5500", "90012128425500", "", NumberKind::international},
      {"00 1 212 842 5500", "90012128425500", "", NumberKind::international},
      {"4021", "4021", "", NumberKind::internal},
  });
}

TEST_CASE("extension lengths decide what is internal") {
  SUBCASE("one-digit extensions") {
    DialingOptions options;
    options.min_extension_length = 1;
    options.max_extension_length = 4;
    const DialPlan plan{options};
    check_accepted(plan, {
        {"0", "0", "", NumberKind::internal},
        {"1234", "1234", "", NumberKind::internal},
        {"12345", "912345", "", NumberKind::local},
    });
  }
  SUBCASE("three- to four-digit extensions") {
    DialingOptions options;
    options.min_extension_length = 3;
    options.max_extension_length = 4;
    const DialPlan plan{options};
    const auto short_number = plan.dial_string("42");
    REQUIRE_FALSE(short_number.has_value());
    CHECK(short_number.error().message.find(
              "2 digits: too short for an extension (3 to 4 digits)") != std::string::npos);
    CHECK(plan.dial_string("137").value().kind == NumberKind::internal);
    // The international prefix alone is not a number.
    DialingOptions longer = options;
    longer.min_extension_length = 4;
    const auto prefix_only = DialPlan(longer).dial_string("011");
    REQUIRE_FALSE(prefix_only.has_value());
    CHECK(prefix_only.error().message.find("only the international prefix") != std::string::npos);
  }
}

TEST_CASE("validate(DialingOptions)") {
  const struct {
    const char* name;
    void (*change)(DialingOptions&);
    std::string_view reason;  ///< empty: valid
  } cases[] = {
      {"defaults", [](DialingOptions&) {}, ""},
      {"empty prefixes", [](DialingOptions& o) { o = with_prefixes("", "", ""); }, ""},
      {"four-digit prefix", [](DialingOptions& o) { o.outside_prefix = "0000"; }, ""},
      {"three-digit country", [](DialingOptions& o) { o.country_code = "353"; }, ""},
      {"one-digit extensions", [](DialingOptions& o) { o.min_extension_length = 1; }, ""},
      {"16-digit extensions", [](DialingOptions& o) { o.max_extension_length = 16; }, ""},
      {"shortest national", [](DialingOptions& o) { o.national_number_length = 4; }, ""},
      {"longest national", [](DialingOptions& o) { o.national_number_length = 15; }, ""},
      {"letter in outside", [](DialingOptions& o) { o.outside_prefix = "9a"; }, "outside_prefix"},
      {"long outside", [](DialingOptions& o) { o.outside_prefix = "99999"; }, "outside_prefix"},
      {"plus in long distance", [](DialingOptions& o) { o.long_distance_prefix = "+1"; },
       "long_distance_prefix"},
      {"long international", [](DialingOptions& o) { o.international_prefix = "00000"; },
       "international_prefix"},
      {"empty country", [](DialingOptions& o) { o.country_code = ""; }, "country_code"},
      {"long country", [](DialingOptions& o) { o.country_code = "1234"; }, "country_code"},
      {"plus country", [](DialingOptions& o) { o.country_code = "+1"; }, "country_code"},
      {"zero min extension", [](DialingOptions& o) { o.min_extension_length = 0; },
       "min_extension_length"},
      {"min above max",
       [](DialingOptions& o) {
         o.min_extension_length = 5;
         o.max_extension_length = 4;
       },
       "min_extension_length (5) <= max_extension_length (4)"},
      {"max above 16", [](DialingOptions& o) { o.max_extension_length = 17; }, "<= 16"},
      {"short national", [](DialingOptions& o) { o.national_number_length = 3; },
       "national_number_length 3"},
      {"long national", [](DialingOptions& o) { o.national_number_length = 16; },
       "national_number_length 16"},
  };
  for (const auto& c : cases) {
    SUBCASE(c.name) {
      DialingOptions options;
      c.change(options);
      const auto checked = cti::validate(options);
      const auto created = DialPlan::create(options);
      if (c.reason.empty()) {
        CHECK(checked.has_value());
        REQUIRE(created.has_value());
        CHECK(created->options() == options);
      } else {
        REQUIRE_FALSE(checked.has_value());
        CHECK(checked.error().code == ErrorCode::invalid_input);
        CHECK_MESSAGE(checked.error().message.find(c.reason) != std::string::npos,
                      checked.error().message);
        REQUIRE_FALSE(created.has_value());
        CHECK(created.error() == checked.error());
      }
    }
  }
}

TEST_CASE("NumberKind names") {
  CHECK(cti::to_string(NumberKind::internal) == "internal");
  CHECK(cti::to_string(NumberKind::local) == "local");
  CHECK(cti::to_string(NumberKind::national) == "national");
  CHECK(cti::to_string(NumberKind::international) == "international");
}
