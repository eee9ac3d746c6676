#include "sfmatch/match_settings.hpp"

#include "sfmatch/api_name.hpp"

#include "text.hpp"

#include <array>
#include <string>
#include <utility>

namespace sfmatch {
namespace {

constexpr std::size_t k_max_record_limit = 200;
constexpr std::size_t k_max_caller_id_objects = 16;
constexpr std::size_t k_max_padding = 16;

constexpr std::array<std::pair<IvrMatchMode, std::string_view>, 4> k_match_modes = {{
    {IvrMatchMode::exact, "exact"},
    {IvrMatchMode::starts_with, "starts_with"},
    {IvrMatchMode::ends_with, "ends_with"},
    {IvrMatchMode::contains, "contains"},
}};

constexpr std::array<std::pair<NoMatchAction, std::string_view>, 2> k_no_match_actions = {{
    {NoMatchAction::new_record, "new_record"},
    {NoMatchAction::nothing, "nothing"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table,
                         Enum value) noexcept {
  for (const auto& [entry, name] : table) {
    if (entry == value) {
      return name;
    }
  }
  return "unknown";  // only a cast can get here
}

template <typename Enum, std::size_t N>
cti::Result<Enum> parse_name(const std::array<std::pair<Enum, std::string_view>, N>& table,
                             std::string_view text, std::string_view what) {
  for (const auto& [entry, name] : table) {
    if (name == text) {
      return entry;
    }
  }
  std::string message = "unknown " + std::string(what) + " " + detail::quote(text) + "; expected one of:";
  for (std::size_t i = 0; i < N; ++i) {
    message += (i == 0 ? " " : ", ");
    message += table[i].second;
  }
  return cti::fail(cti::ErrorCode::invalid_input, std::move(message));
}

cti::Unexpected setting_error(std::string_view setting, std::string_view why) {
  return cti::fail(cti::ErrorCode::invalid_input,
                   "match settings: " + std::string(setting) + ": " + std::string(why));
}

/// A list of object names: each a valid API name, none twice.
cti::Result<void> validate_objects(const std::vector<std::string>& objects, std::string_view setting) {
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const std::string where = std::string(setting) + "[" + std::to_string(i) + "]";
    if (auto valid = validate_api_name(objects[i]); !valid) {
      return setting_error(where, valid.error().message);
    }
    if (detail::index_of(objects, objects[i]) < i) {
      return setting_error(where, detail::quote(objects[i]) + " is listed twice");
    }
  }
  return {};
}

}  // namespace

std::string_view to_string(IvrMatchMode mode) noexcept { return name_of(k_match_modes, mode); }

cti::Result<IvrMatchMode> parse_ivr_match_mode(std::string_view text) {
  return parse_name(k_match_modes, text, "IVR match mode");
}

std::string_view to_string(NoMatchAction action) noexcept {
  return name_of(k_no_match_actions, action);
}

cti::Result<NoMatchAction> parse_no_match_action(std::string_view text) {
  return parse_name(k_no_match_actions, text, "no-match action");
}

cti::Result<void> validate(const MatchSettings& settings) {
  if (settings.caller_id_objects.size() > k_max_caller_id_objects) {
    return setting_error("caller_id_objects", "at most " + std::to_string(k_max_caller_id_objects) +
                                                  " objects");
  }
  CTI_TRY(validate_objects(settings.caller_id_objects, "caller_id_objects"));
  if (to_string(settings.ivr_match) == "unknown") {
    return setting_error("ivr_match", "not a known mode");
  }
  for (const auto& [key, digits] : settings.field_padding) {
    const std::string where = "field_padding[" + detail::quote(key) + "]";
    const std::size_t dot = key.find('.');
    if (dot == std::string::npos) {
      return setting_error(where, "expected Object.Field");
    }
    const std::string_view object = std::string_view(key).substr(0, dot);
    const std::string_view field = std::string_view(key).substr(dot + 1);
    if (auto valid = validate_api_name(object); !valid) {
      return setting_error(where, valid.error().message);
    }
    if (auto valid = validate_api_name(field); !valid) {
      return setting_error(where, valid.error().message);
    }
    if (digits > k_max_padding) {
      return setting_error(where, "padding is at most 16 digits");
    }
  }
  for (const auto& [object, field] : settings.name_fields) {
    const std::string where = "name_fields[" + detail::quote(object) + "]";
    if (auto valid = validate_api_name(object); !valid) {
      return setting_error(where, valid.error().message);
    }
    if (auto valid = validate_api_name(field); !valid) {
      return setting_error(where, valid.error().message);
    }
  }
  CTI_TRY(validate_objects(settings.allowed_ivr_objects, "allowed_ivr_objects"));
  if (auto valid = validate(settings.ivr_rules); !valid) {
    return setting_error("ivr_rules", valid.error().message);
  }
  if (auto valid = cti::validate(settings.dialing); !valid) {
    return setting_error("dialing", valid.error().message);
  }
  if (settings.record_limit < 1 || settings.record_limit > k_max_record_limit) {
    return setting_error("record_limit", "must be 1 to 200, got " + std::to_string(settings.record_limit));
  }
  if (to_string(settings.on_no_match) == "unknown") {
    return setting_error("on_no_match", "not a known action");
  }
  if (auto valid = validate_api_name(settings.new_record_object); !valid) {
    return setting_error("new_record_object", valid.error().message);
  }
  return {};
}

cti::Result<MatchSettings> with_agent_settings(MatchSettings site, const cti::AgentSettings& agent) {
  auto mode = parse_ivr_match_mode(agent.ivr_match);
  if (!mode) {
    return setting_error("agent ivr_match", mode.error().message);
  }
  if (agent.caller_id_objects.size() > k_max_caller_id_objects) {
    return setting_error("agent caller_id_objects",
                         "at most " + std::to_string(k_max_caller_id_objects) + " objects");
  }
  CTI_TRY(validate_objects(agent.caller_id_objects, "agent caller_id_objects"));
  site.caller_id_objects = agent.caller_id_objects;
  site.ivr_match = *mode;
  return site;
}

}  // namespace sfmatch
