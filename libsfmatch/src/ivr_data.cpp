#include "sfmatch/ivr_data.hpp"

#include "sfmatch/api_name.hpp"

#include "internal.hpp"
#include "text.hpp"

#include <cstdint>
#include <string>

namespace sfmatch {
namespace {

// Hard ceilings for the configurable limits. The value ceiling keeps the longest literal
// (every character escaped, plus LIKE wildcards) far below SOQL's 4000-character WHERE clause.
constexpr std::size_t k_max_digits = 16;  // what the auto-attendant can collect
constexpr std::size_t k_value_length_ceiling = 1000;
constexpr std::size_t k_tags_ceiling = 64;
constexpr std::size_t k_input_length_ceiling = 65536;

constexpr bool is_separator(char c) noexcept { return c == ';' || c == '&' || c == '\n'; }

std::string tag_error_prefix(std::size_t number, std::size_t offset, std::string_view piece) {
  return "IVR data tag " + std::to_string(number) + " at offset " + std::to_string(offset) + " (" +
         detail::quote(piece) + "): ";
}

/// Checks that `value` is UTF-8 without control characters (C0, DEL, C1) and counts its
/// characters. Returns the reason when it is not.
const char* check_text(std::string_view value, std::size_t& characters) noexcept {
  characters = 0;
  std::size_t i = 0;
  const auto byte_at = [&](std::size_t at) { return static_cast<std::uint8_t>(value[at]); };
  while (i < value.size()) {
    const std::uint8_t lead = byte_at(i);
    std::size_t length = 0;
    std::uint8_t second_min = 0x80;
    std::uint8_t second_max = 0xbf;
    if (lead < 0x80) {
      if (lead < 0x20 || lead == 0x7f) {
        return "the value contains a control character";
      }
      ++i;
      ++characters;
      continue;
    }
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      second_min = lead == 0xe0 ? 0xa0 : 0x80;  // no overlong forms
      second_max = lead == 0xed ? 0x9f : 0xbf;  // no surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      second_min = lead == 0xf0 ? 0x90 : 0x80;
      second_max = lead == 0xf4 ? 0x8f : 0xbf;  // nothing above U+10FFFF
    } else {
      return "the value is not valid UTF-8";
    }
    if (value.size() - i < length) {
      return "the value is not valid UTF-8";
    }
    const std::uint8_t second = byte_at(i + 1);
    if (second < second_min || second > second_max) {
      return "the value is not valid UTF-8";
    }
    for (std::size_t k = 2; k < length; ++k) {
      if ((byte_at(i + k) & 0xc0) != 0x80) {
        return "the value is not valid UTF-8";
      }
    }
    if (lead == 0xc2 && second < 0xa0) {
      return "the value contains a control character";  // U+0080..U+009F
    }
    i += length;
    ++characters;
  }
  return nullptr;
}

/// Parses one non-empty, trimmed piece into `tag`. Returns the reason on failure.
cti::Result<void> parse_tag(std::string_view piece, const IvrRules& rules, IvrTag& tag) {
  const std::size_t equals = piece.find('=');
  if (equals == std::string_view::npos) {
    return cti::fail(cti::ErrorCode::invalid_input, "expected Object.Field=value (no '=')");
  }
  const std::string_view key = detail::trim(piece.substr(0, equals));
  const std::string_view value = detail::trim(piece.substr(equals + 1));
  const std::size_t dot = key.find('.');
  if (dot == std::string_view::npos || key.find('.', dot + 1) != std::string_view::npos) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     "expected Object.Field before '=' (one dot), got " + detail::quote(key));
  }
  const std::string_view object = key.substr(0, dot);
  const std::string_view field = key.substr(dot + 1);
  CTI_TRY(validate_api_name(object));
  CTI_TRY(validate_api_name(field));
  if (value.empty()) {
    return cti::fail(cti::ErrorCode::invalid_input, "the value is empty");
  }

  if (const IvrTagDefinition* definition = find_definition(rules, object, field)) {
    if (!detail::is_digits(value)) {
      return cti::fail(cti::ErrorCode::invalid_input, "the value must be digits only");
    }
    if (value.size() < definition->min_digits || value.size() > definition->max_digits) {
      return cti::fail(cti::ErrorCode::invalid_input,
                       "the value has " + std::to_string(value.size()) + " digits; " +
                           definition->object + "." + definition->field + " takes " +
                           std::to_string(definition->min_digits) + " to " +
                           std::to_string(definition->max_digits));
    }
    // The definition's spelling, so later lookups (padding, name field) see one form.
    tag.object.assign(definition->object);
    tag.field.assign(definition->field);
    tag.value.assign(value);
    return {};
  }
  if (!rules.definitions.empty()) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     std::string(object) + "." + std::string(field) +
                         " is not one of the configured IVR tags");
  }
  std::size_t characters = 0;
  if (const char* reason = check_text(value, characters)) {
    return cti::fail(cti::ErrorCode::invalid_input, reason);
  }
  if (characters > rules.max_value_length) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     "the value is longer than " + std::to_string(rules.max_value_length) +
                         " characters");
  }
  tag.object.assign(object);
  tag.field.assign(field);
  tag.value.assign(value);
  return {};
}

cti::Unexpected rules_error(std::string what) {
  return cti::fail(cti::ErrorCode::invalid_input, "ivr_rules: " + what);
}

}  // namespace

cti::Result<void> validate(const IvrRules& rules) {
  if (rules.max_value_length < 1 || rules.max_value_length > k_value_length_ceiling) {
    return rules_error("max_value_length must be 1 to " + std::to_string(k_value_length_ceiling));
  }
  if (rules.max_tags < 1 || rules.max_tags > k_tags_ceiling) {
    return rules_error("max_tags must be 1 to " + std::to_string(k_tags_ceiling));
  }
  if (rules.max_input_length < 1 || rules.max_input_length > k_input_length_ceiling) {
    return rules_error("max_input_length must be 1 to " + std::to_string(k_input_length_ceiling));
  }
  for (std::size_t i = 0; i < rules.definitions.size(); ++i) {
    const IvrTagDefinition& definition = rules.definitions[i];
    const std::string where = "definitions[" + std::to_string(i) + "] (" +
                              detail::quote(definition.object + "." + definition.field) + "): ";
    if (auto valid = validate_api_name(definition.object); !valid) {
      return rules_error(where + valid.error().message);
    }
    if (auto valid = validate_api_name(definition.field); !valid) {
      return rules_error(where + valid.error().message);
    }
    if (definition.min_digits < 1 || definition.min_digits > definition.max_digits ||
        definition.max_digits > k_max_digits) {
      return rules_error(where + "digits must satisfy 1 <= min_digits <= max_digits <= 16, got " +
                         std::to_string(definition.min_digits) + " to " +
                         std::to_string(definition.max_digits));
    }
    if (definition.pad_to > k_max_digits) {
      return rules_error(where + "pad_to must be at most 16");
    }
    for (std::size_t k = 0; k < i; ++k) {
      if (detail::iequals(rules.definitions[k].object, definition.object) &&
          detail::iequals(rules.definitions[k].field, definition.field)) {
        return rules_error(where + "defined twice (also definitions[" + std::to_string(k) + "])");
      }
    }
  }
  return {};
}

const IvrTagDefinition* find_definition(const IvrRules& rules, std::string_view object,
                                        std::string_view field) noexcept {
  for (const IvrTagDefinition& definition : rules.definitions) {
    if (detail::iequals(definition.object, object) && detail::iequals(definition.field, field)) {
      return &definition;
    }
  }
  return nullptr;
}

namespace detail {

cti::Result<void> parse_ivr_data_into(std::vector<IvrTag>& tags, std::vector<IvrTag>& spare,
                                      std::string_view text, const IvrRules& rules) {
  release_all(tags, spare);
  if (text.size() > rules.max_input_length) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     "IVR data is " + std::to_string(text.size()) + " bytes, more than the limit of " +
                         std::to_string(rules.max_input_length));
  }
  std::size_t number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = start;
    while (end < text.size() && !is_separator(text[end])) {
      ++end;
    }
    const std::string_view raw = text.substr(start, end - start);
    const std::string_view piece = trim(raw);
    const std::size_t offset = start + static_cast<std::size_t>(piece.data() - raw.data());
    start = end + 1;
    if (piece.empty()) {
      continue;
    }
    ++number;
    if (number > rules.max_tags) {
      release_all(tags, spare);
      return cti::fail(cti::ErrorCode::invalid_input,
                       tag_error_prefix(number, offset, piece) + "more than " +
                           std::to_string(rules.max_tags) + " tags");
    }
    IvrTag& tag = emplace_reused(tags, spare);
    if (auto parsed = parse_tag(piece, rules, tag); !parsed) {
      release_all(tags, spare);
      return cti::fail(cti::ErrorCode::invalid_input,
                       tag_error_prefix(number, offset, piece) + parsed.error().message);
    }
  }
  return {};
}

}  // namespace detail

cti::Result<std::vector<IvrTag>> parse_ivr_data(std::string_view text, const IvrRules& rules) {
  std::vector<IvrTag> tags;
  std::vector<IvrTag> spare;
  CTI_TRY(detail::parse_ivr_data_into(tags, spare, text, rules));
  return tags;
}

}  // namespace sfmatch
