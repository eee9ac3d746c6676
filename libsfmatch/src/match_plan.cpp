#include "sfmatch/match_plan.hpp"

#include "sfmatch/api_name.hpp"
#include "sfmatch/escape.hpp"

#include "internal.hpp"
#include "text.hpp"

#include <charconv>
#include <string>

namespace sfmatch {
namespace {

constexpr std::size_t k_max_record_limit = 200;
constexpr std::string_view k_default_name_field = "Name";

void append_number(std::string& out, std::size_t number) {
  char digits[24];
  const auto [end, error] = std::to_chars(digits, digits + sizeof digits, number);
  (void)error;  // 24 characters hold any std::size_t
  out.append(digits, static_cast<std::size_t>(end - digits));
}

cti::Unexpected settings_error(std::string_view setting, const std::string& why) {
  return cti::fail(cti::ErrorCode::invalid_input,
                   "match settings: " + std::string(setting) + ": " + why);
}

/// The field shown as an object's name. `configured` says it came from the settings (and so
/// must be validated before use); the default is this file's own constant.
struct NameField {
  std::string_view name;
  bool configured = false;
};

NameField name_field_of(const MatchSettings& settings, std::string_view object) {
  // A scan rather than map::find: names ignore case, and the map holds a handful of entries.
  for (const auto& [name_object, field] : settings.name_fields) {
    if (detail::iequals(name_object, object)) {
      return {field, true};
    }
  }
  return {k_default_name_field, false};
}

cti::Result<void> check_name_field(const NameField& name_field) {
  if (!name_field.configured) {
    return {};
  }
  if (auto valid = validate_api_name(name_field.name); !valid) {
    return settings_error("name_fields", valid.error().message);
  }
  return {};
}

/// Digits to left-pad the tag's value to: the tag definition's pad_to when set, else the
/// field_padding entry, else none.
std::size_t padding_of(const MatchSettings& settings, const IvrTag& tag) {
  const IvrTagDefinition* definition = find_definition(settings.ivr_rules, tag.object, tag.field);
  if (definition != nullptr && definition->pad_to > 0) {
    return definition->pad_to;
  }
  for (const auto& [key, digits] : settings.field_padding) {
    if (detail::iequals_dotted(key, tag.object, tag.field)) {
      return digits;
    }
  }
  return 0;
}

cti::Unexpected tag_error(std::size_t index, const IvrTag& tag, const std::string& why) {
  return cti::fail(cti::ErrorCode::invalid_input,
                   "IVR data tag " + std::to_string(index + 1) + " (" +
                       detail::quote(tag.object + "." + tag.field) + "): " + why);
}

/// Identifiers reach a query only through the two builders below, and each checks every name
/// it writes, whatever the parser or the settings validation did before.
cti::Result<void> check_tag_identifiers(std::size_t index, const IvrTag& tag,
                                        const NameField& name_field,
                                        const MatchSettings& settings) {
  if (auto valid = validate_api_name(tag.object); !valid) {
    return tag_error(index, tag, valid.error().message);
  }
  if (auto valid = validate_api_name(tag.field); !valid) {
    return tag_error(index, tag, valid.error().message);
  }
  if (!settings.allowed_ivr_objects.empty() &&
      detail::index_of(settings.allowed_ivr_objects, tag.object) ==
          settings.allowed_ivr_objects.size()) {
    return tag_error(index, tag, "object " + detail::quote(tag.object) +
                                     " is not in allowed_ivr_objects");
  }
  return check_name_field(name_field);
}

/// Padding applies to exact matches only. A value is zero-padded because the field stores
/// auto-numbers at a fixed width ("1234" is stored as "00001234"); that is only right when the
/// caller entered the whole number. In starts_with mode the digits are the number's beginning,
/// and padding them ("00000012") would turn the prefix "12" of "12345678" into another number;
/// in ends_with and contains modes the unpadded digits already match the stored value.
void set_matched_value(MatchStep& step, const IvrTag& tag, IvrMatchMode mode, std::size_t pad_to) {
  step.value.clear();
  if (mode == IvrMatchMode::exact && tag.value.size() < pad_to && detail::is_digits(tag.value)) {
    step.value.append(pad_to - tag.value.size(), '0');
  }
  step.value.append(tag.value);
}

cti::Result<void> build_ivr_step(MatchStep& step, std::size_t index, const IvrTag& tag,
                                 const MatchSettings& settings) {
  const NameField name = name_field_of(settings, tag.object);
  CTI_TRY(check_tag_identifiers(index, tag, name, settings));
  const std::string_view name_field = name.name;
  const IvrMatchMode mode = settings.ivr_match;
  step.source = StepSource::ivr;
  step.language = QueryLanguage::soql;
  step.objects.resize(1);
  step.objects[0].assign(tag.object);
  step.field.assign(tag.field);
  step.mode = mode;
  set_matched_value(step, tag, mode, padding_of(settings, tag));

  std::string& query = step.query;
  query.clear();
  query.append("SELECT Id");
  if (!detail::iequals(name_field, "Id")) {
    query.append(", ").append(name_field);
  }
  if (!detail::iequals(tag.field, "Id") && !detail::iequals(tag.field, name_field)) {
    query.append(", ").append(tag.field);
  }
  query.append(" FROM ").append(tag.object).append(" WHERE ").append(tag.field);
  switch (mode) {
    case IvrMatchMode::exact:
      query.append(" = '");
      append_soql_literal(query, step.value);
      query.append("'");
      break;
    case IvrMatchMode::starts_with:
      query.append(" LIKE '");
      append_soql_like(query, step.value);
      query.append("%'");
      break;
    case IvrMatchMode::ends_with:
      query.append(" LIKE '%");
      append_soql_like(query, step.value);
      query.append("'");
      break;
    case IvrMatchMode::contains:
      query.append(" LIKE '%");
      append_soql_like(query, step.value);
      query.append("%'");
      break;
  }
  query.append(" LIMIT ");
  append_number(query, settings.record_limit);
  return {};
}

cti::Result<void> build_caller_id_step(MatchStep& step, const CallerId& caller_id,
                                       const MatchSettings& settings) {
  step.source = StepSource::caller_id;
  step.language = QueryLanguage::sosl;
  step.objects.assign(settings.caller_id_objects.begin(), settings.caller_id_objects.end());
  step.field.assign("PHONE");
  step.mode = IvrMatchMode::exact;
  // The national number: phone fields are stored as typed, mostly without the country code.
  step.value.assign(caller_id.national);

  std::string& query = step.query;
  query.clear();
  query.append("FIND {");
  append_sosl_term(query, step.value);
  query.append("} IN PHONE FIELDS RETURNING ");
  for (std::size_t i = 0; i < settings.caller_id_objects.size(); ++i) {
    const std::string& object = settings.caller_id_objects[i];
    const NameField name = name_field_of(settings, object);
    if (auto valid = validate_api_name(object); !valid) {
      return settings_error("caller_id_objects", valid.error().message);
    }
    CTI_TRY(check_name_field(name));
    const std::string_view name_field = name.name;
    if (i > 0) {
      query.append(", ");
    }
    query.append(object).append("(Id");
    if (!detail::iequals(name_field, "Id")) {
      query.append(", ").append(name_field);
    }
    if (detail::iequals(object, "Lead")) {
      // A converted lead lives on as its Contact and Account; popping it would be stale.
      query.append(" WHERE IsConverted = false");
    }
    query.append(")");
  }
  query.append(" LIMIT ");
  append_number(query, settings.record_limit);
  return {};
}

/// Empties the plan, keeping every buffer for the next build.
void release(MatchPlan& plan) {
  for (MatchStep& step : plan.steps) {
    auto& spare = step.source == StepSource::ivr ? plan.spare.ivr_steps : plan.spare.caller_id_steps;
    spare.push_back(std::move(step));
  }
  plan.steps.clear();
  detail::release_all(plan.ivr_tags, plan.spare.ivr_tags);
  detail::reset(plan.caller_id);
}

cti::Result<void> fill(MatchPlan& plan, const MatchInput& input, const MatchSettings& settings) {
  if (settings.record_limit < 1 || settings.record_limit > k_max_record_limit) {
    return settings_error("record_limit", "must be 1 to 200, got " +
                                              std::to_string(settings.record_limit));
  }
  if (to_string(settings.ivr_match) == "unknown") {
    return settings_error("ivr_match", "not a known mode");
  }
  CTI_TRY(detail::parse_ivr_data_into(plan.ivr_tags, plan.spare.ivr_tags, input.ivr_data,
                                      settings.ivr_rules));
  CTI_TRY(detail::normalize_caller_id_into(plan.caller_id, input.ani, settings.dialing));
  for (std::size_t i = 0; i < plan.ivr_tags.size(); ++i) {
    CTI_TRY(build_ivr_step(detail::emplace_reused(plan.steps, plan.spare.ivr_steps), i,
                           plan.ivr_tags[i], settings));
  }
  if (plan.caller_id.searchable() && !settings.caller_id_objects.empty()) {
    CTI_TRY(build_caller_id_step(detail::emplace_reused(plan.steps, plan.spare.caller_id_steps),
                                 plan.caller_id, settings));
  }
  return {};
}

}  // namespace

std::string_view to_string(StepSource source) noexcept {
  switch (source) {
    case StepSource::ivr: return "ivr";
    case StepSource::caller_id: return "caller_id";
  }
  return "unknown";
}

std::string_view to_string(QueryLanguage language) noexcept {
  switch (language) {
    case QueryLanguage::soql: return "soql";
    case QueryLanguage::sosl: return "sosl";
  }
  return "unknown";
}

cti::Result<void> build_match_plan_into(MatchPlan& plan, const MatchInput& input,
                                        const MatchSettings& settings) {
  release(plan);
  auto filled = fill(plan, input, settings);
  if (!filled) {
    release(plan);
  }
  return filled;
}

cti::Result<MatchPlan> build_match_plan(const MatchInput& input, const MatchSettings& settings) {
  MatchPlan plan;
  CTI_TRY(build_match_plan_into(plan, input, settings));
  return plan;
}

}  // namespace sfmatch
