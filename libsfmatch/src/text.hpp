#pragma once
// Small text helpers shared by the parsers: ASCII classification that ignores the locale,
// case-insensitive comparison of Salesforce names, and quoting untrusted text into error
// messages (bounded and printable, so a message never carries control bytes into a log).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sfmatch::detail {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}
constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool is_digits(std::string_view text) noexcept {
  for (const char c : text) {
    if (!is_digit(c)) {
      return false;
    }
  }
  return !text.empty();
}

/// Salesforce object and field names are case-insensitive.
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

/// `key` equals "object.field", ignoring case, without building that string.
constexpr bool iequals_dotted(std::string_view key, std::string_view object,
                              std::string_view field) noexcept {
  return key.size() == object.size() + 1 + field.size() && key[object.size()] == '.' &&
         iequals(key.substr(0, object.size()), object) &&
         iequals(key.substr(object.size() + 1), field);
}

constexpr std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

/// Index of `name` in `names` ignoring case, or names.size() when absent.
inline std::size_t index_of(const std::vector<std::string>& names, std::string_view name) noexcept {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (iequals(names[i], name)) {
      return i;
    }
  }
  return names.size();
}

/// 'text' for an error message: printable ASCII kept, other bytes as \xNN, cut after
/// `max_chars` input bytes with "...".
inline std::string quote(std::string_view text, std::size_t max_chars = 40) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < max_chars; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7f) {
      out += text[i];
    } else {
      out += "\\x";
      out += k_hex[byte >> 4];
      out += k_hex[byte & 0xf];
    }
  }
  if (text.size() > max_chars) {
    out += "...";
  }
  out += '\'';
  return out;
}

}  // namespace sfmatch::detail
