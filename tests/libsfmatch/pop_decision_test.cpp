#include "sfmatch/pop_decision.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using sfmatch::MatchPlan;
using sfmatch::MatchSettings;
using sfmatch::PopDecision;
using sfmatch::PopKind;
using sfmatch::RecordRef;
using sfmatch::StepResult;
using sfmatch::StepSource;

namespace {

const RecordRef k_case{"Case", "500000000000001AAA", "00001234"};
const RecordRef k_case_2{"Case", "500000000000002AAA", "00001235"};
const RecordRef k_contact{"Contact", "003000000000001AAA", "Ada Lovelace"};
const RecordRef k_contact_2{"Contact", "003000000000002AAA", "Charles Babbage"};
const RecordRef k_account{"Account", "001000000000001AAA", "Analytical Engines Ltd"};
const RecordRef k_lead{"Lead", "00Q000000000001AAA", "Grace Hopper"};

/// Two IVR steps (0, 1) and a caller-ID step (2) for +1 212 842 5500.
MatchPlan plan_with_two_tags() {
  auto plan = sfmatch::build_match_plan(
      {"Case.CaseNumber=1234;Contract.ContractNumber=5", "+1 (212) 842-5500"}, MatchSettings{});
  REQUIRE(plan.has_value());
  REQUIRE(plan->steps.size() == 3);
  return *plan;
}

}  // namespace

TEST_CASE("decide_pop: what the lookups found decides the pop") {
  const MatchPlan plan = plan_with_two_tags();
  struct Row {
    std::string_view name;
    std::vector<StepResult> results;
    PopKind kind;
    std::vector<RecordRef> records;
    StepSource matched_by;
    std::size_t step_index;
  };
  const Row rows[] = {
      {"one IVR record", {{0, {k_case}}}, PopKind::record, {k_case}, StepSource::ivr, 0},
      {"several IVR records", {{0, {k_case, k_case_2}}}, PopKind::chooser, {k_case, k_case_2},
       StepSource::ivr, 0},
      {"IVR wins over caller ID", {{0, {k_case}}, {2, {k_contact, k_account}}}, PopKind::record,
       {k_case}, StepSource::ivr, 0},
      {"IVR wins even when listed after caller ID", {{2, {k_contact}}, {1, {k_case_2}}},
       PopKind::record, {k_case_2}, StepSource::ivr, 1},
      {"first IVR step with records", {{0, {}}, {1, {k_case_2}}, {2, {k_contact}}}, PopKind::record,
       {k_case_2}, StepSource::ivr, 1},
      {"one caller-ID record", {{0, {}}, {1, {}}, {2, {k_lead}}}, PopKind::record, {k_lead},
       StepSource::caller_id, 2},
      {"caller-ID records ranked by object order",
       {{2, {k_lead, k_account, k_contact, k_contact_2}}}, PopKind::chooser,
       {k_contact, k_contact_2, k_account, k_lead}, StepSource::caller_id, 2},
      {"duplicates removed, 15- and 18-character Ids alike",
       {{2, {k_contact, {"Contact", "003000000000001", "Ada"}, k_contact}}}, PopKind::record,
       {k_contact}, StepSource::caller_id, 2},
      {"results of one step split in two", {{2, {k_lead}}, {2, {k_contact}}}, PopKind::chooser,
       {k_contact, k_lead}, StepSource::caller_id, 2},
      {"objects outside the list come last",
       {{2, {{"ns__Patient__c", "a00000000000001AAA", "P"}, k_lead}}}, PopKind::chooser,
       {k_lead, {"ns__Patient__c", "a00000000000001AAA", "P"}}, StepSource::caller_id, 2},
      {"object names ignore case", {{2, {{"LEAD", "00Q000000000009AAA", "L"}, k_account}}},
       PopKind::chooser, {k_account, {"LEAD", "00Q000000000009AAA", "L"}}, StepSource::caller_id, 2},
      {"records without an Id are ignored", {{0, {{"Case", "", "?"}}}, {2, {k_contact}}},
       PopKind::record, {k_contact}, StepSource::caller_id, 2},
      {"unknown step indexes are ignored", {{3, {k_case}}, {99, {k_case}}, {2, {k_lead}}},
       PopKind::record, {k_lead}, StepSource::caller_id, 2},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const PopDecision decision = sfmatch::decide_pop(plan, row.results, MatchSettings{});
    CHECK(decision.kind == row.kind);
    CHECK(decision.records == row.records);
    CHECK(decision.matched_by == row.matched_by);
    CHECK(decision.step_index == row.step_index);
    CHECK(decision.default_fields.empty());
  }
}

TEST_CASE("decide_pop: nothing found") {
  const MatchPlan plan = plan_with_two_tags();

  SUBCASE("a new record prefilled with the E.164 number") {
    const PopDecision decision = sfmatch::decide_pop(plan, {}, MatchSettings{});
    CHECK(decision.kind == PopKind::new_record);
    CHECK(decision.records.empty());
    CHECK(decision.new_record_object == "Contact");
    CHECK(decision.default_fields ==
          std::vector<std::pair<std::string, std::string>>{{"Phone", "+12128425500"}});
  }
  SUBCASE("empty results count as nothing found") {
    const std::vector<StepResult> results = {{0, {}}, {1, {}}, {2, {}}};
    CHECK(sfmatch::decide_pop(plan, results, MatchSettings{}).kind == PopKind::new_record);
  }
  SUBCASE("another object") {
    MatchSettings settings;
    settings.new_record_object = "Lead";
    const PopDecision decision = sfmatch::decide_pop(plan, {}, settings);
    CHECK(decision.kind == PopKind::new_record);
    CHECK(decision.new_record_object == "Lead");
  }
  SUBCASE("nothing, when the settings say so") {
    MatchSettings settings;
    settings.on_no_match = sfmatch::NoMatchAction::nothing;
    const PopDecision decision = sfmatch::decide_pop(plan, {}, settings);
    CHECK(decision.kind == PopKind::none);
    CHECK(decision.new_record_object.empty());
    CHECK(decision.default_fields.empty());
  }
}

TEST_CASE("decide_pop: the new record's phone without an E.164 form") {
  struct Row {
    std::string ani;
    std::vector<std::pair<std::string, std::string>> fields;
  };
  const Row rows[] = {
      {"555-1234", {{"Phone", "5551234"}}},  // local number: the digits as received
      {"1001", {{"Phone", "1001"}}},
      {"anonymous", {}},
      {"", {}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.ani);
    const auto plan = sfmatch::build_match_plan({"", row.ani}, MatchSettings{});
    REQUIRE(plan.has_value());
    const PopDecision decision = sfmatch::decide_pop(*plan, {}, MatchSettings{});
    CHECK(decision.kind == PopKind::new_record);
    CHECK(decision.default_fields == row.fields);
  }
}

TEST_CASE("to_string(PopKind)") {
  CHECK(sfmatch::to_string(PopKind::record) == "record");
  CHECK(sfmatch::to_string(PopKind::chooser) == "chooser");
  CHECK(sfmatch::to_string(PopKind::new_record) == "new_record");
  CHECK(sfmatch::to_string(PopKind::none) == "none");
}
