#pragma once
// MatchPlan: the ordered lookups for one call (IVR tags first, then caller ID), each with its
// structured form and the exact query text. Built without any network; executed either by
// the proxy through a CrmClient (server mode) or by the softphone (agent mode).

#include "sfmatch/caller_id.hpp"
#include "sfmatch/ivr_data.hpp"
#include "sfmatch/match_settings.hpp"

#include "cti/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace sfmatch {

enum class StepSource { ivr, caller_id };
enum class QueryLanguage { soql, sosl };

std::string_view to_string(StepSource source) noexcept;
std::string_view to_string(QueryLanguage language) noexcept;

struct MatchStep {
  StepSource source = StepSource::ivr;
  QueryLanguage language = QueryLanguage::soql;
  std::vector<std::string> objects;  ///< IVR: the one object; caller ID: objects searched
  std::string field;                 ///< IVR: the field; caller ID: "PHONE"
  std::string value;                 ///< the value as matched (padded / national digits)
  IvrMatchMode mode = IvrMatchMode::exact;
  std::string query;                 ///< the exact SOQL or SOSL text

  friend bool operator==(const MatchStep&, const MatchStep&) = default;
};

struct MatchInput {
  std::string_view ivr_data;  ///< raw, as from the PBX
  std::string_view ani;       ///< raw caller ID
};

namespace detail {

/// Steps and tags a previous, longer plan left over, kept with their buffers so that
/// build_match_plan_into can reuse them instead of allocating. Not part of a plan's value:
/// a copy starts without any, and == ignores them.
struct MatchPlanSpare {
  std::vector<MatchStep> ivr_steps;
  std::vector<MatchStep> caller_id_steps;
  std::vector<IvrTag> ivr_tags;

  MatchPlanSpare() = default;
  MatchPlanSpare(const MatchPlanSpare&) noexcept {}
  MatchPlanSpare(MatchPlanSpare&&) noexcept = default;
  MatchPlanSpare& operator=(const MatchPlanSpare&) noexcept { return *this; }
  MatchPlanSpare& operator=(MatchPlanSpare&&) noexcept = default;
  ~MatchPlanSpare() = default;

  friend bool operator==(const MatchPlanSpare&, const MatchPlanSpare&) noexcept { return true; }
};

}  // namespace detail

struct MatchPlan {
  std::vector<MatchStep> steps;  ///< IVR steps (in tag order), then at most one caller-ID step
  std::vector<IvrTag> ivr_tags;
  CallerId caller_id;
  detail::MatchPlanSpare spare;  ///< storage for reuse, see build_match_plan_into

  friend bool operator==(const MatchPlan&, const MatchPlan&) = default;
};

/// Builds the plan. Invalid IVR data or ANI is invalid_input (the message says which and
/// why); withheld and internal caller IDs simply add no caller-ID step. `settings` must be
/// valid (see validate).
cti::Result<MatchPlan> build_match_plan(const MatchInput& input, const MatchSettings& settings);

/// The same, reusing `plan`'s storage: with a plan object kept across calls, steady-state
/// construction allocates nothing. On failure `plan` is left empty.
cti::Result<void> build_match_plan_into(MatchPlan& plan, const MatchInput& input,
                                        const MatchSettings& settings);

}  // namespace sfmatch
