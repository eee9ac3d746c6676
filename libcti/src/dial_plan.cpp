#include "cti/dial_plan.hpp"

#include "quote.hpp"

#include <cassert>
#include <utility>

namespace cti {
namespace {

// Bounds on untrusted input. 20 digits is more than any real number (E.164 allows 15, plus
// an international prefix); 64 characters leaves room for generous formatting.
constexpr std::size_t k_max_input_chars = 64;
constexpr std::size_t k_max_digits = 20;
constexpr std::size_t k_max_post_dial_digits = 16;

constexpr std::size_t k_max_prefix_digits = 4;
constexpr std::size_t k_max_country_code_digits = 3;
constexpr std::size_t k_max_extension_length = 16;
constexpr std::size_t k_min_national_length = 4;
constexpr std::size_t k_max_national_length = 15;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_formatting(char c) {
  return c == '(' || c == ')' || c == '.' || c == '-' || c == ' ' || c == '/' || c == '\t';
}
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (!is_digit(c)) return false;
  }
  return true;
}

/// Length of the extension marker at the start of `text` ("x", "ext", "#"), 0 when none.
/// The dot of "ext." is formatting and is skipped like any other.
std::size_t marker_length(std::string_view text) {
  if (text.size() >= 3 && lower(text[0]) == 'e' && lower(text[1]) == 'x' && lower(text[2]) == 't') {
    return 3;
  }
  if (lower(text[0]) == 'x' || text[0] == '#') {
    return 1;
  }
  return 0;
}

/// A number taken apart: the digits to dial, the extension digits and whether it began with '+'.
struct Parsed {
  std::string digits;
  std::string post_dial;
  bool plus = false;
};

Unexpected reject(std::string_view number, std::string why) {
  return fail(ErrorCode::invalid_input, "number " + detail::quote(number) + " " + std::move(why));
}

Result<Parsed> parse(std::string_view number) {
  if (number.empty()) {
    return fail(ErrorCode::invalid_input, "number is empty");
  }
  if (number.size() > k_max_input_chars) {
    return reject(number, "is longer than " + std::to_string(k_max_input_chars) + " characters");
  }
  Parsed parsed;
  bool in_extension = false;
  for (std::size_t i = 0; i < number.size();) {
    const char c = number[i];
    if (is_digit(c)) {
      (in_extension ? parsed.post_dial : parsed.digits) += c;
      ++i;
    } else if (is_formatting(c)) {
      ++i;
    } else if (c == '+') {
      if (parsed.plus || in_extension || !parsed.digits.empty()) {
        return reject(number, "has a '+' that does not lead the number");
      }
      parsed.plus = true;
      ++i;
    } else if (const std::size_t marker = marker_length(number.substr(i)); marker > 0) {
      if (in_extension) {
        return reject(number, "has more than one extension marker");
      }
      if (parsed.digits.empty()) {
        return reject(number, "has an extension marker before any digits of the number");
      }
      in_extension = true;
      i += marker;
    } else if (is_letter(c)) {
      return reject(number, "contains letters (only x, ext or # may mark an extension)");
    } else {
      return reject(number, "contains the character " + detail::quote(number.substr(i, 1)) +
                                ", which is neither a digit nor formatting");
    }
  }
  if (parsed.digits.empty()) {
    return reject(number, "has no digits");
  }
  if (parsed.digits.size() > k_max_digits) {
    return reject(number, "has more than " + std::to_string(k_max_digits) + " digits");
  }
  if (in_extension && parsed.post_dial.empty()) {
    return reject(number, "has an extension marker without digits after it");
  }
  if (parsed.post_dial.size() > k_max_post_dial_digits) {
    return reject(number, "has an extension of more than " +
                              std::to_string(k_max_post_dial_digits) + " digits");
  }
  return parsed;
}

Result<void> check_prefix(std::string_view field, const std::string& value) {
  if (value.size() > k_max_prefix_digits || !all_digits(value)) {
    return fail(ErrorCode::invalid_input, std::string(field) + " " + detail::quote(value) +
                                              " must be 0 to " +
                                              std::to_string(k_max_prefix_digits) + " digits");
  }
  return {};
}

}  // namespace

Result<void> validate(const DialingOptions& options) {
  CTI_TRY(check_prefix("outside_prefix", options.outside_prefix));
  CTI_TRY(check_prefix("long_distance_prefix", options.long_distance_prefix));
  CTI_TRY(check_prefix("international_prefix", options.international_prefix));
  if (options.country_code.empty() || options.country_code.size() > k_max_country_code_digits ||
      !all_digits(options.country_code)) {
    return fail(ErrorCode::invalid_input,
                "country_code " + detail::quote(options.country_code) + " must be 1 to " +
                    std::to_string(k_max_country_code_digits) + " digits");
  }
  if (options.min_extension_length < 1 ||
      options.min_extension_length > options.max_extension_length ||
      options.max_extension_length > k_max_extension_length) {
    return fail(ErrorCode::invalid_input,
                "extension lengths must satisfy 1 <= min_extension_length (" +
                    std::to_string(options.min_extension_length) + ") <= max_extension_length (" +
                    std::to_string(options.max_extension_length) + ") <= " +
                    std::to_string(k_max_extension_length));
  }
  if (options.national_number_length < k_min_national_length ||
      options.national_number_length > k_max_national_length) {
    return fail(ErrorCode::invalid_input,
                "national_number_length " + std::to_string(options.national_number_length) +
                    " must be " + std::to_string(k_min_national_length) + " to " +
                    std::to_string(k_max_national_length));
  }
  return {};
}

std::string_view to_string(NumberKind kind) noexcept {
  switch (kind) {
    case NumberKind::internal: return "internal";
    case NumberKind::local: return "local";
    case NumberKind::national: return "national";
    case NumberKind::international: return "international";
  }
  return "unknown";
}

DialPlan::DialPlan(DialingOptions options) : m_options(std::move(options)) {
  assert(validate(m_options).has_value() && "DialPlan needs valid options; use create()");
}

Result<DialPlan> DialPlan::create(DialingOptions options) {
  CTI_TRY(validate(options));
  return DialPlan(std::move(options));
}

Result<DialString> DialPlan::dial_string(std::string_view number) const {
  Parsed parsed = CTI_TRY(parse(number));
  const DialingOptions& o = m_options;
  const std::string& digits = parsed.digits;
  DialString out;
  out.post_dial = std::move(parsed.post_dial);

  if (parsed.plus) {
    if (digits.starts_with(o.country_code)) {
      // Our own country written internationally: dial it the way a national number is dialled.
      const std::string national = digits.substr(o.country_code.size());
      if (national.empty()) {
        return reject(number, "has only a country code");
      }
      out.digits = o.outside_prefix + o.long_distance_prefix + national;
      out.kind = NumberKind::national;
    } else {
      out.digits = o.outside_prefix + o.international_prefix + digits;
      out.kind = NumberKind::international;
    }
    return out;
  }

  const std::size_t length = digits.size();
  if (length >= o.min_extension_length && length <= o.max_extension_length) {
    out.digits = digits;
    out.kind = NumberKind::internal;
  } else if (!o.international_prefix.empty() && digits.starts_with(o.international_prefix)) {
    if (length == o.international_prefix.size()) {
      return reject(number, "has only the international prefix");
    }
    out.digits = o.outside_prefix + digits;
    out.kind = NumberKind::international;
  } else if (!o.long_distance_prefix.empty() &&
             length == o.national_number_length + o.long_distance_prefix.size() &&
             digits.starts_with(o.long_distance_prefix)) {
    out.digits = o.outside_prefix + digits;
    out.kind = NumberKind::national;
  } else if (length == o.national_number_length) {
    out.digits = o.outside_prefix + o.long_distance_prefix + digits;
    out.kind = NumberKind::national;
  } else if (length > o.max_extension_length) {
    out.digits = o.outside_prefix + digits;
    out.kind = NumberKind::local;
  } else {
    return reject(number, "has " + std::to_string(length) +
                              (length == 1 ? " digit" : " digits") +
                              ": too short for an extension (" +
                              std::to_string(o.min_extension_length) + " to " +
                              std::to_string(o.max_extension_length) + " digits)");
  }
  return out;
}

}  // namespace cti
