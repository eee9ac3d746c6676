#pragma once
// Text helpers of the adapter: ASCII comparisons that ignore the locale, encoders for URLs,
// form bodies and JSON, and bounded quoting of untrusted text into messages.

#include <cstddef>
#include <string>
#include <string_view>

namespace cti::adapters::salesforce::detail {

constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool is_alnum(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/// Salesforce names (objects, fields, keywords) are case-insensitive.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view text) noexcept;

/// Percent-encodes everything but RFC 3986 unreserved characters (a query parameter value).
void append_percent_encoded(std::string& out, std::string_view value);
std::string percent_encoded(std::string_view value);

/// Appends `"value"` with JSON escapes (control characters as \u00XX; UTF-8 passes).
void append_json_string(std::string& out, std::string_view value);

/// Untrusted text for an error message: at most `limit` bytes, control bytes shown as '?',
/// "..." when cut.
std::string printable_excerpt(std::string_view text, std::size_t limit = 200);
/// The same in single quotes.
std::string quoted_excerpt(std::string_view text, std::size_t limit = 200);

}  // namespace cti::adapters::salesforce::detail
