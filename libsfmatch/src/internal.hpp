#pragma once
// What match_plan.cpp needs from the parsers beyond the public API: versions that write into
// storage the caller keeps, so that a reused MatchPlan allocates nothing in steady state.

#include "sfmatch/caller_id.hpp"
#include "sfmatch/ivr_data.hpp"

#include "cti/dial_plan.hpp"
#include "cti/result.hpp"

#include <string_view>
#include <utility>
#include <vector>

namespace sfmatch::detail {

/// Appends an element to `items`, reusing one from `spare` (with its buffers) when there is one.
template <typename T>
T& emplace_reused(std::vector<T>& items, std::vector<T>& spare) {
  if (spare.empty()) {
    return items.emplace_back();
  }
  items.push_back(std::move(spare.back()));
  spare.pop_back();
  return items.back();
}

/// Empties `items`, moving every element (and so its buffers) to `spare`.
template <typename T>
void release_all(std::vector<T>& items, std::vector<T>& spare) {
  for (auto& item : items) {
    spare.push_back(std::move(item));
  }
  items.clear();
}

/// parse_ivr_data into `tags` (emptied first). On failure `tags` is left empty.
cti::Result<void> parse_ivr_data_into(std::vector<IvrTag>& tags, std::vector<IvrTag>& spare,
                                      std::string_view text, const IvrRules& rules);

/// normalize_caller_id into `caller_id`, reusing its strings. On failure `caller_id` is reset.
cti::Result<void> normalize_caller_id_into(CallerId& caller_id, std::string_view ani,
                                           const cti::DialingOptions& options);

/// Back to a default CallerId, keeping the strings' buffers.
void reset(CallerId& caller_id) noexcept;

}  // namespace sfmatch::detail
