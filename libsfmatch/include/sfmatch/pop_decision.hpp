#pragma once
// The screen-pop decision: from what the plan's lookups found to what the agent sees.

#include "sfmatch/match_plan.hpp"
#include "sfmatch/match_settings.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sfmatch {

/// A record found by a lookup.
struct RecordRef {
  std::string object;  ///< e.g. "Contact"
  std::string id;      ///< 15 or 18 character Salesforce Id
  std::string name;    ///< the record's name field, for display

  friend bool operator==(const RecordRef&, const RecordRef&) = default;
};

/// The records one plan step found (step_index into MatchPlan::steps).
struct StepResult {
  std::size_t step_index = 0;
  std::vector<RecordRef> records;
};

enum class PopKind {
  record,      ///< exactly one record: pop it
  chooser,     ///< several: show a search / chooser with `records`
  new_record,  ///< none: open a new `new_record_object` prefilled with `default_fields`
  none,        ///< none, and the settings say to pop nothing
};

std::string_view to_string(PopKind kind) noexcept;

struct PopDecision {
  PopKind kind = PopKind::none;
  std::vector<RecordRef> records;
  StepSource matched_by = StepSource::ivr;  ///< meaningful for record / chooser
  std::size_t step_index = 0;               ///< the step whose records were used
  std::string new_record_object;
  std::vector<std::pair<std::string, std::string>> default_fields;  ///< e.g. {"Phone", "+1..."}

  friend bool operator==(const PopDecision&, const PopDecision&) = default;
};

/// IVR steps win over caller ID: the first IVR step (in plan order) with records decides.
/// Otherwise the caller-ID step's records, ranked by the order of caller_id_objects, with
/// duplicates (same Id) removed. Results for unknown step indexes are ignored.
PopDecision decide_pop(const MatchPlan& plan, std::span<const StepResult> results,
                       const MatchSettings& settings);

}  // namespace sfmatch
