#include "sfmatch/pop_decision.hpp"

#include "text.hpp"

namespace sfmatch {
namespace {

constexpr std::size_t k_short_id_length = 15;
constexpr std::size_t k_long_id_length = 18;

/// One record, whether its Id is written in the 15- or the 18-character form (the latter adds
/// a three-character case checksum).
bool same_record(const RecordRef& a, const RecordRef& b) {
  if (a.id.size() == b.id.size()) {
    return a.id == b.id;
  }
  const std::string& shorter = a.id.size() < b.id.size() ? a.id : b.id;
  const std::string& longer = a.id.size() < b.id.size() ? b.id : a.id;
  return shorter.size() == k_short_id_length && longer.size() == k_long_id_length &&
         longer.compare(0, k_short_id_length, shorter) == 0;
}

/// Adds `record` unless it has no Id (nothing to pop) or is already there.
void add_unique(std::vector<RecordRef>& records, const RecordRef& record) {
  if (record.id.empty()) {
    return;
  }
  for (const RecordRef& existing : records) {
    if (same_record(existing, record)) {
      return;
    }
  }
  records.push_back(record);
}

/// Every record the results hold for one step, in the order found, without duplicates.
std::vector<RecordRef> records_of_step(std::span<const StepResult> results, std::size_t step_index) {
  std::vector<RecordRef> records;
  for (const StepResult& result : results) {
    if (result.step_index != step_index) {
      continue;
    }
    for (const RecordRef& record : result.records) {
      add_unique(records, record);
    }
  }
  return records;
}

/// Caller-ID records ordered by the agent's object order (a stable ranking); objects not in
/// the list come last.
std::vector<RecordRef> ranked(std::vector<RecordRef> records, const MatchSettings& settings) {
  std::vector<std::size_t> ranks;
  ranks.reserve(records.size());
  for (const RecordRef& record : records) {
    ranks.push_back(detail::index_of(settings.caller_id_objects, record.object));
  }
  std::vector<RecordRef> out;
  out.reserve(records.size());
  for (std::size_t rank = 0; rank <= settings.caller_id_objects.size(); ++rank) {
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (ranks[i] == rank) {
        out.push_back(std::move(records[i]));
      }
    }
  }
  return out;
}

PopDecision found(std::vector<RecordRef> records, StepSource source, std::size_t step_index) {
  PopDecision decision;
  decision.kind = records.size() == 1 ? PopKind::record : PopKind::chooser;
  decision.records = std::move(records);
  decision.matched_by = source;
  decision.step_index = step_index;
  return decision;
}

}  // namespace

std::string_view to_string(PopKind kind) noexcept {
  switch (kind) {
    case PopKind::record: return "record";
    case PopKind::chooser: return "chooser";
    case PopKind::new_record: return "new_record";
    case PopKind::none: return "none";
  }
  return "unknown";
}

PopDecision decide_pop(const MatchPlan& plan, std::span<const StepResult> results,
                       const MatchSettings& settings) {
  // IVR data names a record the caller chose; it wins over who the phone belongs to.
  for (const StepSource source : {StepSource::ivr, StepSource::caller_id}) {
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
      if (plan.steps[i].source != source) {
        continue;
      }
      std::vector<RecordRef> records = records_of_step(results, i);
      if (records.empty()) {
        continue;
      }
      if (source == StepSource::caller_id) {
        records = ranked(std::move(records), settings);
      }
      return found(std::move(records), source, i);
    }
  }

  PopDecision decision;
  if (settings.on_no_match == NoMatchAction::nothing) {
    decision.kind = PopKind::none;
    return decision;
  }
  decision.kind = PopKind::new_record;
  decision.new_record_object = settings.new_record_object;
  const CallerId& caller_id = plan.caller_id;
  const std::string& phone = !caller_id.e164.empty() ? caller_id.e164 : caller_id.digits;
  if (!phone.empty()) {
    decision.default_fields.emplace_back("Phone", phone);
  }
  return decision;
}

}  // namespace sfmatch
