#include "sfmatch/crm_client.hpp"

#include <utility>

namespace sfmatch {

cti::Result<std::vector<StepResult>> CrmClient::run_plan(const MatchPlan& plan) {
  std::vector<StepResult> results;
  results.reserve(plan.steps.size());
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    const MatchStep& step = plan.steps[i];
    // A failed lookup ends the run with its error: reporting the steps so far would let an
    // outage look like "no match" and pop a new record for a known caller.
    auto records = step.language == QueryLanguage::soql ? query(step.query) : search(step.query);
    if (!records) {
      return cti::Unexpected(std::move(records).error());
    }
    const bool found = !records->empty();
    results.push_back(StepResult{i, std::move(*records)});
    // The first IVR step that finds records decides the pop (IVR wins), so the rest need
    // not run.
    if (found && step.source == StepSource::ivr) {
      break;
    }
  }
  return results;
}

std::optional<std::vector<StepResult>> CrmClient::run_plan_cached(const MatchPlan&) {
  return std::nullopt;
}

cti::Result<PopDecision> match_with(CrmClient& client, const MatchPlan& plan,
                                    const MatchSettings& settings) {
  const auto results = CTI_TRY(client.run_plan(plan));
  return decide_pop(plan, results, settings);
}

std::optional<PopDecision> match_cached(CrmClient& client, const MatchPlan& plan,
                                        const MatchSettings& settings) {
  auto results = client.run_plan_cached(plan);
  if (!results) {
    return std::nullopt;
  }
  return decide_pop(plan, *results, settings);
}

}  // namespace sfmatch
