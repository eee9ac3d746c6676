#include "sfmatch/caller_id.hpp"

#include "internal.hpp"
#include "text.hpp"

#include <array>
#include <cstddef>
#include <string>

namespace sfmatch {
namespace {

constexpr std::size_t k_max_ani_length = 64;  // bytes, formatting included
constexpr std::size_t k_max_digits = 20;
constexpr std::size_t k_max_e164_digits = 15;  // ITU-T E.164: country code + national number
constexpr std::size_t k_min_national_digits = 4;

// What PBXs and carriers put in the caller ID when there is none to show.
constexpr std::array<std::string_view, 7> k_withheld_markers = {
    "anonymous", "unknown", "private", "restricted", "withheld", "unavailable", "<unknown>"};

// ITU-T country calling codes (E.164 assignments). Zone 1 (NANP) and 7 are one digit; the
// two-digit codes are listed; every other code is three digits (zones 2-9 fill the rest).
// Codes never start with 0.
constexpr std::array<bool, 100> two_digit_codes() {
  std::array<bool, 100> codes{};
  for (const int code : {20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49,
                         51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84,
                         86, 90, 91, 92, 93, 94, 95, 98}) {
    codes[static_cast<std::size_t>(code)] = true;
  }
  return codes;
}
constexpr std::array<bool, 100> k_two_digit_codes = two_digit_codes();

/// Length of the country code that `digits` starts with (0 when none can: a leading 0).
std::size_t country_code_length(std::string_view digits) noexcept {
  if (digits.empty() || digits[0] == '0') {
    return 0;
  }
  if (digits[0] == '1' || digits[0] == '7') {
    return 1;
  }
  if (digits.size() >= 2) {
    const auto two = static_cast<std::size_t>((digits[0] - '0') * 10 + (digits[1] - '0'));
    if (k_two_digit_codes[two]) {
      return 2;
    }
  }
  return 3;
}

bool is_withheld_marker(std::string_view text) noexcept {
  for (const auto marker : k_withheld_markers) {
    if (detail::iequals(text, marker)) {
      return true;
    }
  }
  return false;
}

bool is_formatting(char c) noexcept {
  return c == ' ' || c == '\t' || c == '.' || c == '-' || c == '(' || c == ')';
}

cti::Unexpected invalid(std::string_view ani, std::string_view why) {
  return cti::fail(cti::ErrorCode::invalid_input,
                   "caller ID " + detail::quote(ani) + ": " + std::string(why));
}

void set_external(CallerId& out, std::string_view country_code, std::string_view national) {
  out.kind = CallerIdKind::external;
  out.country_code.assign(country_code);
  out.national.assign(national);
  out.e164.assign(1, '+');
  out.e164.append(country_code);
  out.e164.append(national);
}

/// `digits` is a country code followed by a national number (what follows a '+' or the
/// international prefix).
cti::Result<void> set_international(CallerId& out, std::string_view ani, std::string_view digits,
                                    const cti::DialingOptions& options) {
  if (digits.size() > k_max_e164_digits) {
    return invalid(ani, "an international number has at most 15 digits");
  }
  const std::size_t code_length = country_code_length(digits);
  if (code_length == 0) {
    return invalid(ani, "a country code cannot start with 0");
  }
  if (digits.size() < code_length + k_min_national_digits) {
    return invalid(ani, "too short for an international number");
  }
  const std::string_view country_code = digits.substr(0, code_length);
  std::string_view national = digits.substr(code_length);
  // "+44 (0)20 7946 0018": the home trunk prefix written after the country code.
  const std::string_view trunk = options.long_distance_prefix;
  if (country_code == options.country_code && !trunk.empty() &&
      national.size() == trunk.size() + options.national_number_length &&
      national.starts_with(trunk)) {
    national.remove_prefix(trunk.size());
  }
  set_external(out, country_code, national);
  return {};
}

/// Tries the forms a number from the home country takes: the international prefix and a full
/// number, the bare national number, or it preceded by the long-distance prefix or the home
/// country code. True when `digits` had one of these forms.
cti::Result<bool> match_home(CallerId& out, std::string_view ani, std::string_view digits,
                             const cti::DialingOptions& options) {
  const std::string_view international = options.international_prefix;
  if (!international.empty() && digits.size() > international.size() &&
      digits.starts_with(international)) {
    CTI_TRY(set_international(out, ani, digits.substr(international.size()), options));
    return true;
  }
  const std::size_t length = options.national_number_length;
  if (digits.size() == length) {
    set_external(out, options.country_code, digits);
    return true;
  }
  for (const std::string_view prefix : {std::string_view(options.long_distance_prefix),
                                        std::string_view(options.country_code)}) {
    if (!prefix.empty() && digits.size() == prefix.size() + length && digits.starts_with(prefix)) {
      set_external(out, options.country_code, digits.substr(prefix.size()));
      return true;
    }
  }
  return false;
}

cti::Result<void> classify(CallerId& out, std::string_view ani, bool plus,
                           const cti::DialingOptions& options) {
  const std::string_view digits = out.digits;
  if (plus) {
    return set_international(out, ani, digits, options);
  }
  if (digits.size() >= options.min_extension_length &&
      digits.size() <= options.max_extension_length) {
    out.kind = CallerIdKind::internal;
    out.extension.assign(digits);
    return {};
  }
  if (CTI_TRY(match_home(out, ani, digits, options))) {
    return {};
  }
  // The PBX may leave its outside-line prefix in front ("9" + "1 212 842 5500", "9011 44 ...").
  // Only tried after the number as is, so area codes such as 916 are not taken for "9" + "16".
  std::string_view rest = digits;
  const std::string_view outside = options.outside_prefix;
  if (!outside.empty() && digits.size() > outside.size() && digits.starts_with(outside)) {
    rest.remove_prefix(outside.size());
    if (CTI_TRY(match_home(out, ani, rest, options))) {
      return {};
    }
  }
  if (rest.size() < options.national_number_length) {
    // A local number without its area code: searchable, but no E.164 form can be made.
    if (rest.size() < k_min_national_digits) {
      return invalid(ani, "too short for an outside number, and not an extension (" +
                              std::to_string(options.min_extension_length) + " to " +
                              std::to_string(options.max_extension_length) + " digits)");
    }
    out.kind = CallerIdKind::external;
    out.country_code.assign(options.country_code);
    out.national.assign(rest);
    return {};
  }
  // Longer than a home number and no prefix: a country code and number without the '+', as
  // many SIP trunks deliver them.
  return set_international(out, ani, digits, options);
}

}  // namespace

std::string_view to_string(CallerIdKind kind) noexcept {
  switch (kind) {
    case CallerIdKind::external: return "external";
    case CallerIdKind::internal: return "internal";
    case CallerIdKind::withheld: return "withheld";
  }
  return "unknown";
}

namespace detail {

void reset(CallerId& caller_id) noexcept {
  caller_id.kind = CallerIdKind::withheld;
  caller_id.digits.clear();
  caller_id.country_code.clear();
  caller_id.national.clear();
  caller_id.e164.clear();
  caller_id.extension.clear();
}

cti::Result<void> normalize_caller_id_into(CallerId& out, std::string_view ani,
                                           const cti::DialingOptions& options) {
  reset(out);
  const std::string_view text = trim(ani);
  if (text.empty() || is_withheld_marker(text)) {
    return {};
  }
  if (ani.size() > k_max_ani_length) {
    return invalid(ani, "longer than " + std::to_string(k_max_ani_length) + " characters");
  }
  bool plus = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_digit(c)) {
      if (out.digits.size() == k_max_digits) {
        reset(out);
        return invalid(ani, "more than " + std::to_string(k_max_digits) + " digits");
      }
      out.digits += c;
    } else if (c == '+' && i == 0) {
      plus = true;
    } else if (!is_formatting(c)) {
      reset(out);
      if (c == '+') {
        return invalid(ani, "a '+' may only lead the number");
      }
      if (is_alpha(c)) {
        return invalid(ani, "it contains a letter");
      }
      return invalid(ani, "it contains " + quote(text.substr(i, 1)));
    }
  }
  if (out.digits.empty()) {
    reset(out);
    return invalid(ani, "it has no digits");
  }
  if (auto classified = classify(out, ani, plus, options); !classified) {
    reset(out);
    return classified;
  }
  return {};
}

}  // namespace detail

cti::Result<CallerId> normalize_caller_id(std::string_view ani, const cti::DialingOptions& options) {
  CallerId caller_id;
  CTI_TRY(detail::normalize_caller_id_into(caller_id, ani, options));
  return caller_id;
}

}  // namespace sfmatch
