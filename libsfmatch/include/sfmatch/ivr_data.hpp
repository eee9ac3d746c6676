#pragma once
// IVR data as the PBX's auto-attendant delivers it: "Case.CaseNumber=1234", possibly several
// tags in one string separated by ';', '&' or newlines.

#include "cti/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sfmatch {

/// One parsed tag: Object.Field=value.
struct IvrTag {
  std::string object;
  std::string field;
  std::string value;

  friend bool operator==(const IvrTag&, const IvrTag&) = default;
};

/// An auto-attendant entry (the guide's "Adv Collect Digits" with a text tag): the tag's
/// value must be min_digits..max_digits digits; pad_to > 0 left-pads it with zeros for
/// matching (Case numbers are stored as 8 digits) and overrides MatchSettings::field_padding;
/// pad_to == 0 leaves padding to field_padding.
struct IvrTagDefinition {
  std::string object;
  std::string field;
  std::size_t min_digits = 1;
  std::size_t max_digits = 16;  ///< the PBX collects at most 16
  std::size_t pad_to = 0;

  friend bool operator==(const IvrTagDefinition&, const IvrTagDefinition&) = default;
};

/// Limits for parsing. With definitions present, a tag not defined there is refused.
/// validate() bounds the limits: max_value_length 1..1000, max_tags 1..64,
/// max_input_length 1..65536.
struct IvrRules {
  std::vector<IvrTagDefinition> definitions;
  std::size_t max_value_length = 255;  ///< for tags without a definition
  std::size_t max_tags = 8;
  std::size_t max_input_length = 4096;
};

/// Checks a definition list (valid names, 1 <= min <= max <= 16, pad_to <= 16, no duplicate).
cti::Result<void> validate(const IvrRules& rules);

/// Parses the whole string or nothing: on the first bad tag the error names it (its
/// position and text, truncated) and says why. Empty pieces between separators are skipped;
/// surrounding whitespace is trimmed; values must be valid UTF-8 without control characters.
/// An empty input yields no tags.
cti::Result<std::vector<IvrTag>> parse_ivr_data(std::string_view text, const IvrRules& rules = {});

/// Finds the definition for a tag, if any.
const IvrTagDefinition* find_definition(const IvrRules& rules, std::string_view object,
                                        std::string_view field) noexcept;

}  // namespace sfmatch
