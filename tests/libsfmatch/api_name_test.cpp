#include "sfmatch/api_name.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

TEST_CASE("validate_api_name accepts standard, custom and namespaced names") {
  const std::string longest(80, 'a');
  const std::string_view valid[] = {
      "Name",         "Case",          "CaseNumber",   "A",           "a1",
      "My_Field__c",  "ns__Custom__c", "ns__Obj__r",   "Account__x",  "Change__e",
      "Setting__mdt", "Archive__b",    "Person__pc",   "Field__C",    "ns__Name",
      "Contract_2",   longest,
  };
  for (const auto name : valid) {
    CAPTURE(name);
    CHECK(sfmatch::validate_api_name(name).has_value());
    CHECK(sfmatch::is_valid_api_name(name));
  }
}

TEST_CASE("validate_api_name says why a name is refused") {
  struct Row {
    std::string name;
    std::string_view reason;
  };
  const Row rows[] = {
      {"", "empty"},
      {std::string(81, 'a'), "longer than 80"},
      {"1Name", "start with a letter"},
      {"_Name", "start with a letter"},
      {"Name_", "end with an underscore"},
      {"Name__", "end with an underscore"},
      {"Case Number", "not ' '"},
      {"Case.CaseNumber", "not '.'"},
      {"Name'--", "not '''"},
      {"Name;DROP", "not ';'"},
      {"Na\xc3\xafve", "not '\\xc3'"},
      {std::string("Na\0me", 5), "not '\\x00'"},
      {"A___b", "more than two underscores"},
      {"a__b__c__d", "double underscore"},
      {"ns__Name__zz", "suffix"},
      {"ns__1abc__c", "must start with a letter"},
      {"Field__2", "must start with a letter"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto result = sfmatch::validate_api_name(row.name);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == cti::ErrorCode::invalid_input);
    CHECK(result.error().message.find(row.reason) != std::string::npos);
    CHECK_FALSE(sfmatch::is_valid_api_name(row.name));
  }
}

TEST_CASE("validate_api_name quotes a long name shortened") {
  const std::string name = std::string(100, 'x') + "!";
  const auto result = sfmatch::validate_api_name(name);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message.size() < 120);
  CHECK(result.error().message.find("...") != std::string::npos);
}
