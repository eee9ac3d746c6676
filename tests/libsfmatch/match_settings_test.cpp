#include "sfmatch/match_settings.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <string>

using sfmatch::IvrMatchMode;
using sfmatch::MatchSettings;
using sfmatch::NoMatchAction;

namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("IVR match modes: names both ways") {
  const std::pair<IvrMatchMode, std::string_view> rows[] = {
      {IvrMatchMode::exact, "exact"},
      {IvrMatchMode::starts_with, "starts_with"},
      {IvrMatchMode::ends_with, "ends_with"},
      {IvrMatchMode::contains, "contains"},
  };
  for (const auto& row : rows) {
    const IvrMatchMode mode = row.first;
    const std::string_view name = row.second;
    CAPTURE(name);
    CHECK(sfmatch::to_string(mode) == name);
    const auto parsed = sfmatch::parse_ivr_match_mode(name);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == mode);
  }
  for (const std::string_view bad : {"", "Exact", "start with", "fuzzy", "exact "}) {
    CAPTURE(bad);
    const auto parsed = sfmatch::parse_ivr_match_mode(bad);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(contains(parsed.error().message, "exact, starts_with, ends_with, contains"));
  }
}

TEST_CASE("no-match actions: names both ways") {
  CHECK(sfmatch::to_string(NoMatchAction::new_record) == "new_record");
  CHECK(sfmatch::to_string(NoMatchAction::nothing) == "nothing");
  CHECK(*sfmatch::parse_no_match_action("new_record") == NoMatchAction::new_record);
  CHECK(*sfmatch::parse_no_match_action("nothing") == NoMatchAction::nothing);
  const auto bad = sfmatch::parse_no_match_action("search");
  REQUIRE_FALSE(bad.has_value());
  CHECK(contains(bad.error().message, "'search'"));
}

TEST_CASE("validate(MatchSettings) accepts the defaults and names the bad setting") {
  CHECK(sfmatch::validate(MatchSettings{}).has_value());

  struct Row {
    std::string_view name;
    std::function<void(MatchSettings&)> change;
    std::vector<std::string_view> message_parts;
  };
  const Row rows[] = {
      {"bad caller-ID object", [](MatchSettings& s) { s.caller_id_objects = {"Contact", "Bad Object"}; },
       {"caller_id_objects[1]", "Bad Object"}},
      {"duplicate caller-ID object", [](MatchSettings& s) { s.caller_id_objects = {"Contact", "contact"}; },
       {"caller_id_objects[1]", "listed twice"}},
      {"too many caller-ID objects",
       [](MatchSettings& s) { s.caller_id_objects.assign(17, "Contact"); }, {"at most 16"}},
      {"padding key without a dot", [](MatchSettings& s) { s.field_padding["CaseNumber"] = 8; },
       {"field_padding", "Object.Field"}},
      {"padding key with a bad name", [](MatchSettings& s) { s.field_padding["Case.Case Number"] = 8; },
       {"field_padding", "Case Number"}},
      {"padding too long", [](MatchSettings& s) { s.field_padding["Case.CaseNumber"] = 17; },
       {"field_padding", "at most 16"}},
      {"bad name field", [](MatchSettings& s) { s.name_fields["Account"] = "Name, Phone"; },
       {"name_fields['Account']", "Name, Phone"}},
      {"bad name-field object", [](MatchSettings& s) { s.name_fields["Acc ount"] = "Name"; },
       {"name_fields", "Acc ount"}},
      {"bad allowed IVR object", [](MatchSettings& s) { s.allowed_ivr_objects = {"Case", "Case;"}; },
       {"allowed_ivr_objects[1]"}},
      {"bad IVR definition",
       [](MatchSettings& s) { s.ivr_rules.definitions = {{"Case", "CaseNumber", 0, 8, 0}}; },
       {"ivr_rules", "min_digits"}},
      {"match mode out of range", [](MatchSettings& s) { s.ivr_match = static_cast<IvrMatchMode>(99); },
       {"ivr_match"}},
      {"no-match action out of range",
       [](MatchSettings& s) { s.on_no_match = static_cast<NoMatchAction>(99); }, {"on_no_match"}},
      {"record_limit 0", [](MatchSettings& s) { s.record_limit = 0; }, {"record_limit", "1 to 200"}},
      {"record_limit 201", [](MatchSettings& s) { s.record_limit = 201; }, {"record_limit"}},
      {"bad new-record object", [](MatchSettings& s) { s.new_record_object = "Contact'"; },
       {"new_record_object"}},
      {"bad dialing options", [](MatchSettings& s) { s.dialing.country_code = "1x"; }, {"dialing"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    MatchSettings settings;
    row.change(settings);
    const auto result = sfmatch::validate(settings);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == cti::ErrorCode::invalid_input);
    for (const auto part : row.message_parts) {
      CAPTURE(part);
      CHECK_MESSAGE(contains(result.error().message, part), result.error().message);
    }
  }
}

TEST_CASE("validate(MatchSettings) accepts custom objects and an empty caller-ID list") {
  MatchSettings settings;
  settings.caller_id_objects = {"ns__Patient__c", "Lead"};
  settings.allowed_ivr_objects = {"Case", "ns__Order__c"};
  settings.name_fields["ns__Patient__c"] = "ns__Full_Name__c";
  settings.ivr_rules.definitions = {{"Case", "CaseNumber", 4, 8, 8}};
  CHECK(sfmatch::validate(settings).has_value());
  settings.caller_id_objects.clear();
  CHECK(sfmatch::validate(settings).has_value());
}

TEST_CASE("with_agent_settings applies the agent's objects and mode") {
  MatchSettings site;
  site.record_limit = 25;
  site.allowed_ivr_objects = {"Case"};

  SUBCASE("valid choices replace the site's") {
    cti::AgentSettings agent;
    agent.caller_id_objects = {"Lead", "Contact"};
    agent.ivr_match = "starts_with";
    const auto merged = sfmatch::with_agent_settings(site, agent);
    REQUIRE(merged.has_value());
    CHECK(merged->caller_id_objects == std::vector<std::string>{"Lead", "Contact"});
    CHECK(merged->ivr_match == IvrMatchMode::starts_with);
    CHECK(merged->record_limit == 25);
    CHECK(merged->allowed_ivr_objects == site.allowed_ivr_objects);
    CHECK(sfmatch::validate(*merged).has_value());
  }
  SUBCASE("the agent may search no object by caller ID") {
    cti::AgentSettings agent;
    agent.caller_id_objects.clear();
    const auto merged = sfmatch::with_agent_settings(site, agent);
    REQUIRE(merged.has_value());
    CHECK(merged->caller_id_objects.empty());
  }

  struct Bad {
    std::string_view name;
    cti::AgentSettings agent;
    std::string_view reason;
  };
  const Bad rows[] = {
      {"unknown mode", {{"Contact"}, "Start With"}, "Start With"},
      {"bad object", {{"Contact", "Bad Object"}, "exact"}, "Bad Object"},
      {"injected object", {{"Contact) FROM User --"}, "exact"}, "Contact) FROM User"},
      {"duplicate object", {{"Lead", "Lead"}, "exact"}, "listed twice"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto merged = sfmatch::with_agent_settings(site, row.agent);
    REQUIRE_FALSE(merged.has_value());
    CHECK(merged.error().code == cti::ErrorCode::invalid_input);
    CHECK_MESSAGE(contains(merged.error().message, row.reason), merged.error().message);
    CHECK(contains(merged.error().message, "agent"));
  }
}
