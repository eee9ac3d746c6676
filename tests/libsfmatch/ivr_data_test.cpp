#include "sfmatch/ivr_data.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using sfmatch::IvrRules;
using sfmatch::IvrTag;
using sfmatch::IvrTagDefinition;

namespace {

IvrRules case_rules() {
  IvrRules rules;
  rules.definitions = {{"Case", "CaseNumber", 4, 8, 8}, {"Contract", "ContractNumber", 1, 16, 0}};
  return rules;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("parse_ivr_data reads tags") {
  struct Row {
    std::string input;
    std::vector<IvrTag> expected;
  };
  std::string accents;
  for (int i = 0; i < 255; ++i) {
    accents += "\xc3\xa9";
  }
  const Row rows[] = {
      {"", {}},
      {"   ", {}},
      {";;&\n", {}},
      {"Case.CaseNumber=1234", {{"Case", "CaseNumber", "1234"}}},
      {"  Case.CaseNumber = 1234  ", {{"Case", "CaseNumber", "1234"}}},
      {"Case.CaseNumber=1234;Account.AccountNumber=55",
       {{"Case", "CaseNumber", "1234"}, {"Account", "AccountNumber", "55"}}},
      {"Case.CaseNumber=1&Contract.ContractNumber=2",
       {{"Case", "CaseNumber", "1"}, {"Contract", "ContractNumber", "2"}}},
      {"Case.CaseNumber=1\r\nContract.ContractNumber=2\n",
       {{"Case", "CaseNumber", "1"}, {"Contract", "ContractNumber", "2"}}},
      {";Case.CaseNumber=1;;", {{"Case", "CaseNumber", "1"}}},
      {"ns__Order__c.ns__Ref__c=A-7", {{"ns__Order__c", "ns__Ref__c", "A-7"}}},
      {"Account.Name=Acme Corp", {{"Account", "Name", "Acme Corp"}}},
      {"Account.Name=a=b", {{"Account", "Name", "a=b"}}},
      {"Account.Name=O'Brien \"Ltd\" \\", {{"Account", "Name", "O'Brien \"Ltd\" \\"}}},
      {"Account.Name=Caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80",
       {{"Account", "Name", "Caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80"}}},
      {"Account.Name=" + std::string(255, 'x'), {{"Account", "Name", std::string(255, 'x')}}},
      // 255 characters in 510 bytes: the limit counts characters.
      {"Account.Name=" + accents, {{"Account", "Name", accents}}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.input);
    const auto tags = sfmatch::parse_ivr_data(row.input);
    REQUIRE_MESSAGE(tags.has_value(), tags.error().message);
    CHECK(*tags == row.expected);
  }
}

TEST_CASE("parse_ivr_data says which tag is bad and why") {
  struct Row {
    std::string input;
    std::vector<std::string_view> message_parts;
  };
  const Row rows[] = {
      {"Case.CaseNumber", {"tag 1 at offset 0", "'Case.CaseNumber'", "no '='"}},
      {"CaseNumber=1234", {"tag 1", "Object.Field"}},
      {"Case.Account.Name=1", {"tag 1", "one dot"}},
      {".CaseNumber=1", {"tag 1", "empty"}},
      {"Case.=1", {"tag 1", "empty"}},
      {"Case.CaseNumber=", {"tag 1", "value is empty"}},
      {"Case.CaseNumber=   ", {"tag 1", "value is empty"}},
      {"Case.CaseNumber=1;Ca se.Number=2", {"tag 2 at offset 18", "'Ca se.Number=2'", "not ' '"}},
      {"Case.Case Number=1", {"Case Number"}},
      {"Case.CaseNumber=1;  x'.y=2", {"tag 2 at offset 20", "not '''"}},
      {"1Case.CaseNumber=1", {"start with a letter"}},
      {"Case.CaseNumber__=1", {"underscore"}},
      {"Account.Name=a\tb", {"control character"}},
      {"Account.Name=a\x01", {"control character", "\\x01"}},
      {"Account.Name=a\x7f", {"control character"}},
      {"Account.Name=a\xc2\x85", {"control character"}},  // U+0085, a C1 control
      {"Account.Name=\xff", {"not valid UTF-8", "\\xff"}},
      {"Account.Name=\xc3", {"not valid UTF-8"}},
      {"Account.Name=\xc0\xaf", {"not valid UTF-8"}},            // overlong '/'
      {"Account.Name=\xed\xa0\x80", {"not valid UTF-8"}},        // a surrogate
      {"Account.Name=\xf4\x90\x80\x80", {"not valid UTF-8"}},    // above U+10FFFF
      {"Account.Name=" + std::string(256, 'x'), {"longer than 255 characters"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.input);
    const auto tags = sfmatch::parse_ivr_data(row.input);
    REQUIRE_FALSE(tags.has_value());
    CHECK(tags.error().code == cti::ErrorCode::invalid_input);
    for (const auto part : row.message_parts) {
      CAPTURE(part);
      CHECK_MESSAGE(contains(tags.error().message, part), tags.error().message);
    }
  }
}

TEST_CASE("parse_ivr_data quotes a long bad tag shortened") {
  const std::string input = "Account.Name=" + std::string(5000, 'x');
  IvrRules rules;
  rules.max_input_length = 8000;
  const auto tags = sfmatch::parse_ivr_data(input, rules);
  REQUIRE_FALSE(tags.has_value());
  CHECK(tags.error().message.size() < 200);
  CHECK(contains(tags.error().message, "..."));
}

TEST_CASE("parse_ivr_data enforces the rules' limits") {
  SUBCASE("input length") {
    IvrRules rules;
    rules.max_input_length = 20;
    CHECK(sfmatch::parse_ivr_data("Case.CaseNumber=1234", rules).has_value());
    const auto tags = sfmatch::parse_ivr_data("Case.CaseNumber=12345", rules);
    REQUIRE_FALSE(tags.has_value());
    CHECK(contains(tags.error().message, "21 bytes"));
  }
  SUBCASE("number of tags") {
    IvrRules rules;
    rules.max_tags = 2;
    CHECK(sfmatch::parse_ivr_data("A.B=1;A.B=2", rules).has_value());
    const auto tags = sfmatch::parse_ivr_data("A.B=1;A.B=2;A.B=3", rules);
    REQUIRE_FALSE(tags.has_value());
    CHECK(contains(tags.error().message, "tag 3"));
    CHECK(contains(tags.error().message, "more than 2 tags"));
  }
  SUBCASE("value length") {
    IvrRules rules;
    rules.max_value_length = 3;
    CHECK(sfmatch::parse_ivr_data("Account.Name=abc", rules).has_value());
    CHECK_FALSE(sfmatch::parse_ivr_data("Account.Name=abcd", rules).has_value());
  }
}

TEST_CASE("parse_ivr_data with definitions: digit bounds, unknown tags refused") {
  const IvrRules rules = case_rules();
  struct Row {
    std::string input;
    bool ok;
    std::string_view detail;  // the value on success, a message part on failure
  };
  const Row rows[] = {
      {"Case.CaseNumber=1234", true, "1234"},
      {"Case.CaseNumber=12345678", true, "12345678"},
      {"case.casenumber=1234", true, "1234"},  // names are case-insensitive
      {"Contract.ContractNumber=1", true, "1"},
      {"Contract.ContractNumber=1234567890123456", true, "1234567890123456"},
      {"Case.CaseNumber=123", false, "has 3 digits; Case.CaseNumber takes 4 to 8"},
      {"Case.CaseNumber=123456789", false, "has 9 digits"},
      {"Case.CaseNumber=12a4", false, "digits only"},
      {"Case.CaseNumber=-123", false, "digits only"},
      {"Case.CaseNumber=1 234", false, "digits only"},
      {"Contract.ContractNumber=12345678901234567", false, "has 17 digits"},
      {"Account.Name=Acme", false, "Account.Name is not one of the configured IVR tags"},
      {"Case.Subject=1234", false, "not one of the configured"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.input);
    const auto tags = sfmatch::parse_ivr_data(row.input, rules);
    REQUIRE(tags.has_value() == row.ok);
    if (row.ok) {
      REQUIRE(tags->size() == 1);
      CHECK(tags->front().value == row.detail);
    } else {
      CHECK_MESSAGE(contains(tags.error().message, row.detail), tags.error().message);
    }
  }
}

TEST_CASE("parse_ivr_data takes the definition's spelling of a tag") {
  const auto tags = sfmatch::parse_ivr_data("CASE.casenumber=1234", case_rules());
  REQUIRE(tags.has_value());
  CHECK(tags->front() == IvrTag{"Case", "CaseNumber", "1234"});
}

TEST_CASE("parse_ivr_data is all or nothing") {
  const auto tags = sfmatch::parse_ivr_data("Case.CaseNumber=1234;Case.CaseNumber=12", case_rules());
  REQUIRE_FALSE(tags.has_value());
  CHECK(contains(tags.error().message, "tag 2"));
}

TEST_CASE("find_definition ignores case") {
  const IvrRules rules = case_rules();
  CHECK(sfmatch::find_definition(rules, "Case", "CaseNumber") == &rules.definitions[0]);
  CHECK(sfmatch::find_definition(rules, "CASE", "casenumber") == &rules.definitions[0]);
  CHECK(sfmatch::find_definition(rules, "Case", "Subject") == nullptr);
  CHECK(sfmatch::find_definition(IvrRules{}, "Case", "CaseNumber") == nullptr);
}

TEST_CASE("validate(IvrRules) checks definitions and limits") {
  CHECK(sfmatch::validate(IvrRules{}).has_value());
  CHECK(sfmatch::validate(case_rules()).has_value());

  struct Row {
    std::string_view name;
    IvrRules rules;
    std::string_view reason;
  };
  const auto with = [](IvrTagDefinition definition) {
    IvrRules rules;
    rules.definitions.push_back(std::move(definition));
    return rules;
  };
  IvrRules duplicate = case_rules();
  duplicate.definitions.push_back({"case", "CASENUMBER", 1, 8, 0});
  IvrRules zero_tags;
  zero_tags.max_tags = 0;
  IvrRules huge_value;
  huge_value.max_value_length = 100000;
  IvrRules zero_input;
  zero_input.max_input_length = 0;
  const Row rows[] = {
      {"bad object", with({"Bad Object", "Field", 1, 8, 0}), "Bad Object"},
      {"bad field", with({"Case", "Case-Number", 1, 8, 0}), "Case-Number"},
      {"min 0", with({"Case", "CaseNumber", 0, 8, 0}), "1 <= min_digits"},
      {"min > max", with({"Case", "CaseNumber", 9, 8, 0}), "1 <= min_digits"},
      {"max > 16", with({"Case", "CaseNumber", 1, 17, 0}), "max_digits <= 16"},
      {"pad > 16", with({"Case", "CaseNumber", 1, 8, 17}), "pad_to"},
      {"duplicate", duplicate, "defined twice"},
      {"max_tags", zero_tags, "max_tags"},
      {"max_value_length", huge_value, "max_value_length"},
      {"max_input_length", zero_input, "max_input_length"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto result = sfmatch::validate(row.rules);
    REQUIRE_FALSE(result.has_value());
    CHECK_MESSAGE(contains(result.error().message, row.reason), result.error().message);
  }
}
