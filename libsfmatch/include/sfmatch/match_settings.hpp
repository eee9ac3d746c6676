#pragma once
// MatchSettings: how one agent's calls are matched (the guide's settings panel plus the
// site's IVR and dialing configuration, merged by the caller).

#include "sfmatch/ivr_data.hpp"

#include "cti/agent.hpp"
#include "cti/dial_plan.hpp"
#include "cti/result.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sfmatch {

/// How an IVR value is compared with the field (the guide's "IVR Data Match Options").
enum class IvrMatchMode { exact, starts_with, ends_with, contains };

std::string_view to_string(IvrMatchMode mode) noexcept;
cti::Result<IvrMatchMode> parse_ivr_match_mode(std::string_view text);

/// What to pop when nothing matches.
enum class NoMatchAction { new_record, nothing };

std::string_view to_string(NoMatchAction action) noexcept;
cti::Result<NoMatchAction> parse_no_match_action(std::string_view text);

struct MatchSettings {
  /// Objects searched by caller ID, in ranking order (any of Contact, Account, Lead, or
  /// custom objects with a phone field).
  std::vector<std::string> caller_id_objects{"Contact", "Account", "Lead"};
  IvrMatchMode ivr_match = IvrMatchMode::exact;
  /// "Object.Field" -> digits to left-pad a value to in exact mode (auto-number fields such as
  /// Case.CaseNumber are stored zero-padded: "1234" must find "00001234"). Exact mode only: a
  /// padded value is a whole number, so it cannot serve as a prefix ("12" padded to "00000012"
  /// would not find "12345678"), and the unpadded digits already match the end or the middle
  /// of a stored value. A tag definition's pad_to, when set, takes precedence.
  std::map<std::string, std::size_t, std::less<>> field_padding{{"Case.CaseNumber", 8},
                                                                {"Contract.ContractNumber", 8}};
  /// Object -> the field shown as the record's name; objects not listed use "Name".
  std::map<std::string, std::string, std::less<>> name_fields{
      {"Case", "CaseNumber"}, {"Contract", "ContractNumber"}, {"Solution", "SolutionName"},
      {"Task", "Subject"},    {"Event", "Subject"}};
  /// If non-empty, IVR tags may only name these objects.
  std::vector<std::string> allowed_ivr_objects;
  IvrRules ivr_rules;
  cti::DialingOptions dialing;
  std::size_t record_limit = 10;  ///< LIMIT of each query, 1..200
  NoMatchAction on_no_match = NoMatchAction::new_record;
  std::string new_record_object = "Contact";  ///< what a "new record" pop creates
};

/// Checks names (valid API names), limits and nested rules; the error says which setting.
cti::Result<void> validate(const MatchSettings& settings);

/// Applies an agent's own choices (objects, IVR mode) over site settings. Fails when the
/// agent's values are invalid; the site settings are then left as they were.
cti::Result<MatchSettings> with_agent_settings(MatchSettings site, const cti::AgentSettings& agent);

}  // namespace sfmatch
