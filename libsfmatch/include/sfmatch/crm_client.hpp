#pragma once
// CrmClient: the port the Salesforce adapter implements. libsfmatch calls it to run a plan
// in server mode; tests use a fake.

#include "sfmatch/match_plan.hpp"
#include "sfmatch/pop_decision.hpp"

#include "cti/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sfmatch {

class CrmClient {
 public:
  virtual ~CrmClient() = default;

  /// Runs SOQL; returns the rows as records (object from attributes.type, the Id, and the
  /// object's name field when selected).
  virtual cti::Result<std::vector<RecordRef>> query(std::string_view soql) = 0;
  /// Runs SOSL; returns the matches of every RETURNING object in one list.
  virtual cti::Result<std::vector<RecordRef>> search(std::string_view sosl) = 0;
  /// Creates a record (e.g. a Task); returns its Id.
  virtual cti::Result<std::string> create(
      std::string_view object, const std::vector<std::pair<std::string, std::string>>& fields) = 0;

  /// Runs the plan's steps. The default runs them one by one and stops after the first IVR
  /// step that finds records; an adapter may batch them (e.g. one composite request).
  virtual cti::Result<std::vector<StepResult>> run_plan(const MatchPlan& plan);
  /// What run_plan would return, if the client can answer every step the run needs from
  /// what it already holds (e.g. a repeat caller's cached caller-ID search), without a
  /// request and without blocking; otherwise nothing, and the caller runs run_plan as usual.
  /// The default holds nothing.
  virtual std::optional<std::vector<StepResult>> run_plan_cached(const MatchPlan& plan);
};

/// Runs the plan through the client and decides the pop. A failed lookup is an error (the
/// caller falls back to agent mode); it is never mistaken for "no match".
cti::Result<PopDecision> match_with(CrmClient& client, const MatchPlan& plan,
                                    const MatchSettings& settings);

/// The pop decision when the client answers the plan from what it holds (run_plan_cached),
/// or nothing. Cheap enough for a network thread: it never sends a request.
std::optional<PopDecision> match_cached(CrmClient& client, const MatchPlan& plan,
                                        const MatchSettings& settings);

}  // namespace sfmatch
