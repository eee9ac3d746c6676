#include "sfmatch/match_plan.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

using sfmatch::IvrMatchMode;
using sfmatch::MatchInput;
using sfmatch::MatchPlan;
using sfmatch::MatchSettings;
using sfmatch::MatchStep;
using sfmatch::QueryLanguage;
using sfmatch::StepSource;

namespace {

constexpr std::string_view k_default_sosl =
    "FIND {2128425500} IN PHONE FIELDS RETURNING Contact(Id, Name), Account(Id, Name), "
    "Lead(Id, Name WHERE IsConverted = false) LIMIT 10";

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

MatchSettings with_mode(IvrMatchMode mode) {
  MatchSettings settings;
  settings.ivr_match = mode;
  return settings;
}

}  // namespace

TEST_CASE("build_match_plan: the guide's case number and a caller ID") {
  const auto plan = sfmatch::build_match_plan({"Case.CaseNumber=1234", "+1 (212) 842-5500"},
                                              MatchSettings{});
  REQUIRE_MESSAGE(plan.has_value(), plan.error().message);
  REQUIRE(plan->steps.size() == 2);

  const MatchStep& ivr = plan->steps[0];
  CHECK(ivr.source == StepSource::ivr);
  CHECK(ivr.language == QueryLanguage::soql);
  CHECK(ivr.objects == std::vector<std::string>{"Case"});
  CHECK(ivr.field == "CaseNumber");
  CHECK(ivr.value == "00001234");
  CHECK(ivr.mode == IvrMatchMode::exact);
  CHECK(ivr.query == "SELECT Id, CaseNumber FROM Case WHERE CaseNumber = '00001234' LIMIT 10");

  const MatchStep& caller = plan->steps[1];
  CHECK(caller.source == StepSource::caller_id);
  CHECK(caller.language == QueryLanguage::sosl);
  CHECK(caller.objects == std::vector<std::string>{"Contact", "Account", "Lead"});
  CHECK(caller.field == "PHONE");
  CHECK(caller.value == "2128425500");
  CHECK(caller.query == k_default_sosl);

  REQUIRE(plan->ivr_tags.size() == 1);
  CHECK(plan->ivr_tags[0] == sfmatch::IvrTag{"Case", "CaseNumber", "1234"});
  CHECK(plan->caller_id.e164 == "+12128425500");
}

TEST_CASE("build_match_plan: SOQL for IVR tags") {
  struct Row {
    IvrMatchMode mode;
    std::string ivr;
    std::string value;  // as matched
    std::string query;
  };
  const Row rows[] = {
      {IvrMatchMode::exact, "Case.CaseNumber=1234", "00001234",
       "SELECT Id, CaseNumber FROM Case WHERE CaseNumber = '00001234' LIMIT 10"},
      {IvrMatchMode::exact, "Case.CaseNumber=12345678", "12345678",
       "SELECT Id, CaseNumber FROM Case WHERE CaseNumber = '12345678' LIMIT 10"},
      {IvrMatchMode::exact, "Case.CaseNumber=123456789", "123456789",
       "SELECT Id, CaseNumber FROM Case WHERE CaseNumber = '123456789' LIMIT 10"},
      {IvrMatchMode::exact, "Case.CaseNumber=12a", "12a",  // only digits are padded
       "SELECT Id, CaseNumber FROM Case WHERE CaseNumber = '12a' LIMIT 10"},
      {IvrMatchMode::exact, "case.casenumber=1234", "00001234",  // names ignore case
       "SELECT Id, CaseNumber FROM case WHERE casenumber = '00001234' LIMIT 10"},
      // Padding is for exact matches only (see match_plan.cpp for why).
      {IvrMatchMode::starts_with, "Case.CaseNumber=1234", "1234",
       "SELECT Id, CaseNumber FROM Case WHERE CaseNumber LIKE '1234%' LIMIT 10"},
      {IvrMatchMode::ends_with, "Case.CaseNumber=1234", "1234",
       "SELECT Id, CaseNumber FROM Case WHERE CaseNumber LIKE '%1234' LIMIT 10"},
      {IvrMatchMode::contains, "Case.CaseNumber=1234", "1234",
       "SELECT Id, CaseNumber FROM Case WHERE CaseNumber LIKE '%1234%' LIMIT 10"},
      {IvrMatchMode::exact, "Contract.ContractNumber=42", "00000042",
       "SELECT Id, ContractNumber FROM Contract WHERE ContractNumber = '00000042' LIMIT 10"},
      // A field that is not the name field is selected after it.
      {IvrMatchMode::exact, "Account.AccountNumber=A_1%", "A_1%",
       "SELECT Id, Name, AccountNumber FROM Account WHERE AccountNumber = 'A_1%' LIMIT 10"},
      {IvrMatchMode::starts_with, "Account.AccountNumber=A_1%", "A_1%",
       R"(SELECT Id, Name, AccountNumber FROM Account WHERE AccountNumber LIKE 'A\_1\%%' LIMIT 10)"},
      {IvrMatchMode::contains, "Account.Name=50%", "50%",
       R"(SELECT Id, Name FROM Account WHERE Name LIKE '%50\%%' LIMIT 10)"},
      {IvrMatchMode::exact, "Account.Name=O'Brien \\ Co", "O'Brien \\ Co",
       R"(SELECT Id, Name FROM Account WHERE Name = 'O\'Brien \\ Co' LIMIT 10)"},
      {IvrMatchMode::exact, "Solution.SolutionNumber=77", "77",
       "SELECT Id, SolutionName, SolutionNumber FROM Solution WHERE SolutionNumber = '77' LIMIT 10"},
      {IvrMatchMode::exact, "Account.Id=001000000000001", "001000000000001",
       "SELECT Id, Name FROM Account WHERE Id = '001000000000001' LIMIT 10"},
      {IvrMatchMode::exact, "ns__Order__c.ns__Ref__c=R-1", "R-1",
       "SELECT Id, Name, ns__Ref__c FROM ns__Order__c WHERE ns__Ref__c = 'R-1' LIMIT 10"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.ivr);
    CAPTURE(sfmatch::to_string(row.mode));
    const auto plan = sfmatch::build_match_plan({row.ivr, ""}, with_mode(row.mode));
    REQUIRE_MESSAGE(plan.has_value(), plan.error().message);
    REQUIRE(plan->steps.size() == 1);
    CHECK(plan->steps[0].value == row.value);
    CHECK(plan->steps[0].mode == row.mode);
    CHECK(plan->steps[0].query == row.query);
  }
}

TEST_CASE("build_match_plan: padding from definitions and settings") {
  struct Row {
    std::string_view name;
    std::vector<sfmatch::IvrTagDefinition> definitions;
    std::map<std::string, std::size_t, std::less<>> field_padding;
    std::string ivr;
    std::string value;
  };
  const std::map<std::string, std::size_t, std::less<>> defaults = MatchSettings{}.field_padding;
  const Row rows[] = {
      {"field_padding", {}, defaults, "Case.CaseNumber=1234", "00001234"},
      {"definition overrides", {{"Case", "CaseNumber", 4, 8, 10}}, defaults, "Case.CaseNumber=1234",
       "0000001234"},
      {"definition without pad_to", {{"Case", "CaseNumber", 4, 8, 0}}, defaults,
       "Case.CaseNumber=1234", "00001234"},
      {"no padding configured", {}, {}, "Case.CaseNumber=1234", "1234"},
      {"custom field", {}, {{"Account.AccountNumber", 6}}, "Account.AccountNumber=42", "000042"},
      {"definition on another field", {{"Account", "AccountNumber", 1, 6, 6}}, {},
       "Account.AccountNumber=42", "000042"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    MatchSettings settings;
    settings.ivr_rules.definitions = row.definitions;
    settings.field_padding = row.field_padding;
    REQUIRE(sfmatch::validate(settings).has_value());
    const auto plan = sfmatch::build_match_plan({row.ivr, ""}, settings);
    REQUIRE_MESSAGE(plan.has_value(), plan.error().message);
    REQUIRE(plan->steps.size() == 1);
    CHECK(plan->steps[0].value == row.value);
    CHECK(contains(plan->steps[0].query, "= '" + row.value + "'"));
  }
}

TEST_CASE("build_match_plan: SOSL for caller ID") {
  SUBCASE("international number: the national number is searched") {
    const auto plan = sfmatch::build_match_plan({"", "+44 20 7946 0018"}, MatchSettings{});
    REQUIRE(plan.has_value());
    REQUIRE(plan->steps.size() == 1);
    CHECK(plan->steps[0].value == "2079460018");
    CHECK(plan->steps[0].query.starts_with("FIND {2079460018} IN PHONE FIELDS RETURNING "));
  }
  SUBCASE("custom objects, name fields and limit") {
    MatchSettings settings;
    settings.caller_id_objects = {"ns__Patient__c", "Lead", "Account"};
    settings.name_fields["ns__Patient__c"] = "ns__Full_Name__c";
    settings.record_limit = 25;
    const auto plan = sfmatch::build_match_plan({"", "2128425500"}, settings);
    REQUIRE(plan.has_value());
    REQUIRE(plan->steps.size() == 1);
    CHECK(plan->steps[0].objects == settings.caller_id_objects);
    CHECK(plan->steps[0].query ==
          "FIND {2128425500} IN PHONE FIELDS RETURNING ns__Patient__c(Id, ns__Full_Name__c), "
          "Lead(Id, Name WHERE IsConverted = false), Account(Id, Name) LIMIT 25");
  }
  SUBCASE("no caller-ID step without a searchable number or objects") {
    struct Row {
      std::string ani;
      std::vector<std::string> objects;
    };
    const Row rows[] = {
        {"", {"Contact"}},          {"anonymous", {"Contact"}}, {"<unknown>", {"Contact"}},
        {"1001", {"Contact"}},      {"2128425500", {}},
    };
    for (const auto& row : rows) {
      CAPTURE(row.ani);
      MatchSettings settings;
      settings.caller_id_objects = row.objects;
      const auto plan = sfmatch::build_match_plan({"", row.ani}, settings);
      REQUIRE(plan.has_value());
      CHECK(plan->steps.empty());
    }
  }
}

TEST_CASE("build_match_plan: IVR steps first, in input order, then caller ID") {
  const auto plan = sfmatch::build_match_plan(
      {"Account.AccountNumber=9;Case.CaseNumber=1&Contract.ContractNumber=2", "2128425500"},
      MatchSettings{});
  REQUIRE(plan.has_value());
  REQUIRE(plan->steps.size() == 4);
  CHECK(plan->steps[0].objects.front() == "Account");
  CHECK(plan->steps[1].objects.front() == "Case");
  CHECK(plan->steps[2].objects.front() == "Contract");
  CHECK(plan->steps[3].source == StepSource::caller_id);
  CHECK(plan->steps[3].query == k_default_sosl);
}

TEST_CASE("build_match_plan refuses bad input and unvalidated identifiers") {
  struct Row {
    std::string_view name;
    MatchInput input;
    std::function<void(MatchSettings&)> change;
    std::vector<std::string_view> message_parts;
  };
  const Row rows[] = {
      {"bad IVR data", {"Case.CaseNumber", "2128425500"}, [](MatchSettings&) {},
       {"IVR data tag 1", "no '='"}},
      {"bad caller ID", {"Case.CaseNumber=1", "call me maybe"}, [](MatchSettings&) {},
       {"caller ID", "call me maybe"}},
      {"object not allowed", {"Case.CaseNumber=1;Account.Name=x", ""},
       [](MatchSettings& s) { s.allowed_ivr_objects = {"Case", "Contract"}; },
       {"IVR data tag 2", "'Account' is not in allowed_ivr_objects"}},
      {"unknown tag with definitions", {"Account.Name=x", ""},
       [](MatchSettings& s) { s.ivr_rules.definitions = {{"Case", "CaseNumber", 4, 8, 8}}; },
       {"not one of the configured IVR tags"}},
      {"value out of bounds", {"Case.CaseNumber=123", ""},
       [](MatchSettings& s) { s.ivr_rules.definitions = {{"Case", "CaseNumber", 4, 8, 8}}; },
       {"has 3 digits"}},
      {"unvalidated caller-ID object", {"", "2128425500"},
       [](MatchSettings& s) { s.caller_id_objects = {"Contact(Id), User"}; },
       {"caller_id_objects", "Contact(Id), User"}},
      {"unvalidated name field", {"", "2128425500"},
       [](MatchSettings& s) { s.name_fields["Contact"] = "Name, Password__c"; },
       {"name_fields"}},
      {"unvalidated name field of an IVR object", {"Account.AccountNumber=1", ""},
       [](MatchSettings& s) { s.name_fields["Account"] = "Name FROM User --"; },
       {"name_fields"}},
      {"record limit", {"Case.CaseNumber=1", ""}, [](MatchSettings& s) { s.record_limit = 0; },
       {"record_limit"}},
      {"match mode out of range", {"Case.CaseNumber=1", ""},
       [](MatchSettings& s) { s.ivr_match = static_cast<IvrMatchMode>(99); }, {"ivr_match"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    MatchSettings settings;
    row.change(settings);
    const auto plan = sfmatch::build_match_plan(row.input, settings);
    REQUIRE_FALSE(plan.has_value());
    CHECK(plan.error().code == cti::ErrorCode::invalid_input);
    for (const auto part : row.message_parts) {
      CAPTURE(part);
      CHECK_MESSAGE(contains(plan.error().message, part), plan.error().message);
    }
  }
}

TEST_CASE("build_match_plan_into reuses one plan and gives the same plans") {
  const std::string long_ivr =
      "Account.Name=" + std::string(100, 'a') + ";Case.CaseNumber=9;Contract.ContractNumber=7";
  const MatchInput inputs[] = {
      {"Case.CaseNumber=1234", "+1 (212) 842-5500"},
      {"", "anonymous"},
      {long_ivr, "9011442079460018"},
      {"", "1001"},
      {"Case.CaseNumber=1", ""},
      {"", "2128425500"},
  };
  MatchSettings settings;
  settings.caller_id_objects = {"Contact", "ns__Very_Long_Object_Name__c", "Lead"};
  MatchPlan plan;
  for (int round = 0; round < 3; ++round) {
    for (const auto& input : inputs) {
      CAPTURE(input.ivr_data);
      CAPTURE(input.ani);
      const auto fresh = sfmatch::build_match_plan(input, settings);
      REQUIRE(fresh.has_value());
      REQUIRE(sfmatch::build_match_plan_into(plan, input, settings).has_value());
      CHECK(plan == *fresh);
      CHECK(plan.steps == fresh->steps);
      CHECK(plan.ivr_tags == fresh->ivr_tags);
      CHECK(plan.caller_id == fresh->caller_id);
    }
  }
}

TEST_CASE("build_match_plan_into leaves the plan empty on failure") {
  MatchPlan plan;
  REQUIRE(sfmatch::build_match_plan_into(plan, {"Case.CaseNumber=1234", "2128425500"}, MatchSettings{})
              .has_value());
  REQUIRE(plan.steps.size() == 2);

  SUBCASE("bad IVR data") {
    CHECK_FALSE(sfmatch::build_match_plan_into(plan, {"Case.CaseNumber=1;x", "2128425500"},
                                               MatchSettings{})
                    .has_value());
  }
  SUBCASE("bad caller ID") {
    CHECK_FALSE(sfmatch::build_match_plan_into(plan, {"Case.CaseNumber=1", "12ab"}, MatchSettings{})
                    .has_value());
  }
  CHECK(plan.steps.empty());
  CHECK(plan.ivr_tags.empty());
  CHECK(plan.caller_id == sfmatch::CallerId{});
  CHECK(plan == MatchPlan{});

  // And it is usable again.
  REQUIRE(sfmatch::build_match_plan_into(plan, {"", "2128425500"}, MatchSettings{}).has_value());
  REQUIRE(plan.steps.size() == 1);
  CHECK(plan.steps[0].query == k_default_sosl);
}

TEST_CASE("MatchPlan copies and compares by value, whatever storage it kept for reuse") {
  MatchPlan reused;
  REQUIRE(sfmatch::build_match_plan_into(reused, {"A.B=1;A.B=2;A.B=3", "2128425500"}, MatchSettings{})
              .has_value());
  REQUIRE(sfmatch::build_match_plan_into(reused, {"A.B=1", ""}, MatchSettings{}).has_value());
  const MatchPlan copy = reused;
  CHECK(copy == reused);
  CHECK(copy.spare.ivr_steps.empty());
  const auto fresh = sfmatch::build_match_plan({"A.B=1", ""}, MatchSettings{});
  REQUIRE(fresh.has_value());
  CHECK(*fresh == reused);
}

TEST_CASE("to_string(StepSource), to_string(QueryLanguage)") {
  CHECK(sfmatch::to_string(StepSource::ivr) == "ivr");
  CHECK(sfmatch::to_string(StepSource::caller_id) == "caller_id");
  CHECK(sfmatch::to_string(QueryLanguage::soql) == "soql");
  CHECK(sfmatch::to_string(QueryLanguage::sosl) == "sosl");
}
