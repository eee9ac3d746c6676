#include "sfmatch/caller_id.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using sfmatch::CallerId;
using sfmatch::CallerIdKind;

namespace {

CallerId external(std::string digits, std::string country_code, std::string national,
                  std::string e164) {
  CallerId id;
  id.kind = CallerIdKind::external;
  id.digits = std::move(digits);
  id.country_code = std::move(country_code);
  id.national = std::move(national);
  id.e164 = std::move(e164);
  return id;
}

CallerId internal(std::string extension) {
  CallerId id;
  id.kind = CallerIdKind::internal;
  id.digits = extension;
  id.extension = std::move(extension);
  return id;
}

cti::DialingOptions uk_options() {
  cti::DialingOptions options;
  options.outside_prefix = "9";
  options.long_distance_prefix = "0";
  options.international_prefix = "00";
  options.country_code = "44";
  options.national_number_length = 10;
  return options;
}

struct Row {
  std::string ani;
  CallerId expected;
};

void check_rows(const std::vector<Row>& rows, const cti::DialingOptions& options) {
  for (const auto& row : rows) {
    CAPTURE(row.ani);
    const auto id = sfmatch::normalize_caller_id(row.ani, options);
    REQUIRE_MESSAGE(id.has_value(), id.error().message);
    CHECK(id->kind == row.expected.kind);
    CHECK(id->digits == row.expected.digits);
    CHECK(id->country_code == row.expected.country_code);
    CHECK(id->national == row.expected.national);
    CHECK(id->e164 == row.expected.e164);
    CHECK(id->extension == row.expected.extension);
    CHECK(id->searchable() == (row.expected.kind == CallerIdKind::external));
  }
}

}  // namespace

TEST_CASE("normalize_caller_id: North American numbers in every form the PBX passes") {
  const auto nanp = [](std::string digits) {
    return external(std::move(digits), "1", "2128425500", "+12128425500");
  };
  check_rows(
      {
          {"+1 (212) 842-5500", nanp("12128425500")},
          {"12128425500", nanp("12128425500")},
          {"2128425500", nanp("2128425500")},
          {"912128425500", nanp("912128425500")},
          {"92128425500", nanp("92128425500")},
          {"01112128425500", nanp("01112128425500")},
          {"901112128425500", nanp("901112128425500")},
          {"212.842.5500", nanp("2128425500")},
          {"(212) 842 5500", nanp("2128425500")},
          {"  +1-212-842-5500\t", nanp("12128425500")},
          // An area code that starts with the outside prefix is not mistaken for it.
          {"9165551234", external("9165551234", "1", "9165551234", "+19165551234")},
          {"19165551234", external("19165551234", "1", "9165551234", "+19165551234")},
          // A local number without its area code: searchable, no E.164 form.
          {"5551234", external("5551234", "1", "5551234", "")},
          {"95551234", external("95551234", "1", "5551234", "")},
      },
      cti::DialingOptions{});
}

TEST_CASE("normalize_caller_id: international numbers") {
  const auto london = [](std::string digits) {
    return external(std::move(digits), "44", "2079460018", "+442079460018");
  };
  check_rows(
      {
          {"9011442079460018", london("9011442079460018")},
          {"+44 20 7946 0018", london("442079460018")},
          {"011442079460018", london("011442079460018")},
          {"442079460018", london("442079460018")},  // country code without '+'
          {"+49 30 1234567", external("49301234567", "49", "301234567", "+49301234567")},
          {"+7 495 123 4567", external("74951234567", "7", "4951234567", "+74951234567")},
          {"+353 1 234 5678", external("35312345678", "353", "12345678", "+35312345678")},
          {"+86 10 1234 5678", external("861012345678", "86", "1012345678", "+861012345678")},
          {"+971 4 123 4567", external("97141234567", "971", "41234567", "+97141234567")},
          {"+27 21 123 4567", external("27211234567", "27", "211234567", "+27211234567")},
      },
      cti::DialingOptions{});
}

TEST_CASE("normalize_caller_id: other home countries use their own prefixes") {
  const auto london = [](std::string digits) {
    return external(std::move(digits), "44", "2079460018", "+442079460018");
  };
  check_rows(
      {
          {"02079460018", london("02079460018")},
          {"2079460018", london("2079460018")},
          {"902079460018", london("902079460018")},
          {"+44 (0)20 7946 0018", london("4402079460018")},
          {"0012128425500", external("0012128425500", "1", "2128425500", "+12128425500")},
          {"90012128425500", external("90012128425500", "1", "2128425500", "+12128425500")},
      },
      uk_options());
}

TEST_CASE("normalize_caller_id: internal extensions") {
  check_rows({{"42", internal("42")}, {"1001", internal("1001")}, {"123456", internal("123456")},
              {" 1001 ", internal("1001")}},
             cti::DialingOptions{});

  cti::DialingOptions options;
  options.min_extension_length = 3;
  options.max_extension_length = 4;
  check_rows({{"100", internal("100")}, {"12345", external("12345", "1", "12345", "")}}, options);
  CHECK_FALSE(sfmatch::normalize_caller_id("42", options).has_value());
}

TEST_CASE("normalize_caller_id: withheld callers are not errors and are not looked up") {
  for (const std::string ani : {"", "   ", "anonymous", "Anonymous", "UNKNOWN", "private",
                                "Restricted", "withheld", "unavailable", "<unknown>", "<Unknown>",
                                " anonymous "}) {
    CAPTURE(ani);
    const auto id = sfmatch::normalize_caller_id(ani, cti::DialingOptions{});
    REQUIRE(id.has_value());
    CHECK(*id == CallerId{});
    CHECK(id->kind == CallerIdKind::withheld);
    CHECK_FALSE(id->searchable());
  }
}

TEST_CASE("normalize_caller_id: junk is invalid_input with the reason") {
  struct Bad {
    std::string ani;
    std::string_view reason;
  };
  const Bad rows[] = {
      {"call me maybe", "'call me maybe': it contains a letter"},
      {"212-842-5500 x12", "letter"},
      {"sip:2128425500@pbx", "letter"},
      {"2128425500;x", "contains ';'"},
      {"212/842/5500", "contains '/'"},
      {"21+28425500", "'+' may only lead"},
      {"++12128425500", "'+' may only lead"},
      {"123456789012345678901", "more than 20 digits"},
      {"+0123456789", "country code cannot start with 0"},
      {"+1234567890123456", "at most 15 digits"},
      {"+1 23", "too short for an international number"},
      {"1", "not an extension (2 to 6 digits)"},
      {"---", "no digits"},
      {"+", "no digits"},
      {"0000000000000", "country code cannot start with 0"},
      {std::string(65, '1'), "longer than 64 characters"},
      {std::string("212\0" "8425500", 11), "\\x00"},
      {"2128425500\xff", "\\xff"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.ani);
    const auto id = sfmatch::normalize_caller_id(row.ani, cti::DialingOptions{});
    REQUIRE_FALSE(id.has_value());
    CHECK(id.error().code == cti::ErrorCode::invalid_input);
    CHECK_MESSAGE(id.error().message.find(row.reason) != std::string::npos, id.error().message);
    CHECK(id.error().message.find("caller ID") != std::string::npos);
  }
}

TEST_CASE("to_string(CallerIdKind)") {
  CHECK(sfmatch::to_string(CallerIdKind::external) == "external");
  CHECK(sfmatch::to_string(CallerIdKind::internal) == "internal");
  CHECK(sfmatch::to_string(CallerIdKind::withheld) == "withheld");
}
