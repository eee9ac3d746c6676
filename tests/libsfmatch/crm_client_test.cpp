#include "sfmatch/crm_client.hpp"

#include "libsfmatch/fake_crm_client.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using sfmatch::MatchPlan;
using sfmatch::MatchSettings;
using sfmatch::PopKind;
using sfmatch::RecordRef;
using sfmatch::StepSource;
using sfmatch::testing::FakeCrmClient;

namespace {

const RecordRef k_case{"Case", "500000000000001AAA", "00001234"};
const RecordRef k_contract{"Contract", "800000000000001AAA", "00000005"};
const RecordRef k_contact{"Contact", "003000000000001AAA", "Ada Lovelace"};

MatchPlan plan_with_two_tags() {
  auto plan = sfmatch::build_match_plan(
      {"Case.CaseNumber=1234;Contract.ContractNumber=5", "2128425500"}, MatchSettings{});
  REQUIRE(plan.has_value());
  REQUIRE(plan->steps.size() == 3);
  return *plan;
}

}  // namespace

TEST_CASE("CrmClient::run_plan runs steps in order and stops at the first IVR match") {
  const MatchPlan plan = plan_with_two_tags();
  const std::string& case_query = plan.steps[0].query;
  const std::string& contract_query = plan.steps[1].query;
  const std::string& caller_search = plan.steps[2].query;

  SUBCASE("the first IVR step finds the case") {
    FakeCrmClient client;
    client.answers[case_query] = {k_case};
    const auto results = client.run_plan(plan);
    REQUIRE(results.has_value());
    REQUIRE(results->size() == 1);
    CHECK(results->at(0).step_index == 0);
    CHECK(results->at(0).records == std::vector<RecordRef>{k_case});
    CHECK(client.calls == std::vector<std::string>{"soql: " + case_query});
  }
  SUBCASE("the second IVR step finds the contract") {
    FakeCrmClient client;
    client.answers[contract_query] = {k_contract};
    client.answers[caller_search] = {k_contact};
    const auto results = client.run_plan(plan);
    REQUIRE(results.has_value());
    REQUIRE(results->size() == 2);
    CHECK(results->at(0).records.empty());
    CHECK(results->at(1).step_index == 1);
    CHECK(client.calls ==
          std::vector<std::string>{"soql: " + case_query, "soql: " + contract_query});
  }
  SUBCASE("no IVR match: caller ID is searched") {
    FakeCrmClient client;
    client.answers[caller_search] = {k_contact};
    const auto results = client.run_plan(plan);
    REQUIRE(results.has_value());
    REQUIRE(results->size() == 3);
    CHECK(results->at(2).step_index == 2);
    CHECK(results->at(2).records == std::vector<RecordRef>{k_contact});
    CHECK(client.calls.back() == "sosl: " + caller_search);
  }
  SUBCASE("a failed lookup is an error, wherever it happens") {
    for (std::size_t failing_step = 0; failing_step < 3; ++failing_step) {
      CAPTURE(failing_step);
      FakeCrmClient client;
      client.failing = {plan.steps[failing_step].query};
      const auto results = client.run_plan(plan);
      REQUIRE_FALSE(results.has_value());
      CHECK(results.error().code == cti::ErrorCode::unavailable);
      CHECK(client.calls.size() == failing_step + 1);
    }
  }
  SUBCASE("an empty plan runs nothing") {
    FakeCrmClient client;
    const auto results = client.run_plan(MatchPlan{});
    REQUIRE(results.has_value());
    CHECK(results->empty());
    CHECK(client.calls.empty());
  }
}

TEST_CASE("match_with: the pop for what the client found") {
  const MatchPlan plan = plan_with_two_tags();

  SUBCASE("IVR record") {
    FakeCrmClient client;
    client.answers[plan.steps[0].query] = {k_case};
    client.answers[plan.steps[2].query] = {k_contact};
    const auto decision = sfmatch::match_with(client, plan, MatchSettings{});
    REQUIRE(decision.has_value());
    CHECK(decision->kind == PopKind::record);
    CHECK(decision->matched_by == StepSource::ivr);
    CHECK(decision->records == std::vector<RecordRef>{k_case});
  }
  SUBCASE("caller-ID record") {
    FakeCrmClient client;
    client.answers[plan.steps[2].query] = {k_contact};
    const auto decision = sfmatch::match_with(client, plan, MatchSettings{});
    REQUIRE(decision.has_value());
    CHECK(decision->kind == PopKind::record);
    CHECK(decision->matched_by == StepSource::caller_id);
    CHECK(decision->step_index == 2);
  }
  SUBCASE("nothing found: a new record") {
    FakeCrmClient client;
    const auto decision = sfmatch::match_with(client, plan, MatchSettings{});
    REQUIRE(decision.has_value());
    CHECK(decision->kind == PopKind::new_record);
  }
  SUBCASE("Salesforce down: an error, never a new record") {
    FakeCrmClient client;
    client.failing = {plan.steps[2].query};
    const auto decision = sfmatch::match_with(client, plan, MatchSettings{});
    REQUIRE_FALSE(decision.has_value());
    CHECK(decision.error().code == cti::ErrorCode::unavailable);
    CHECK(decision.error().message == "Salesforce answered 503");
  }
}

TEST_CASE("match_with uses an adapter's own run_plan") {
  // An adapter that batches every step into one request, as a composite call would.
  class BatchingClient : public FakeCrmClient {
   public:
    int batches = 0;
    cti::Result<std::vector<sfmatch::StepResult>> run_plan(const MatchPlan& plan) override {
      ++batches;
      std::vector<sfmatch::StepResult> results;
      for (std::size_t i = 0; i < plan.steps.size(); ++i) {
        results.push_back({i, i == 2 ? std::vector<RecordRef>{k_contact} : std::vector<RecordRef>{}});
      }
      return results;
    }
  };
  BatchingClient client;
  const auto decision = sfmatch::match_with(client, plan_with_two_tags(), MatchSettings{});
  REQUIRE(decision.has_value());
  CHECK(client.batches == 1);
  CHECK(client.calls.empty());
  CHECK(decision->kind == PopKind::record);
  CHECK(decision->records == std::vector<RecordRef>{k_contact});
}
