#include "text.hpp"

namespace cti::adapters::salesforce::detail {

std::string_view trim(std::string_view text) noexcept {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
  };
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

void append_percent_encoded(std::string& out, std::string_view value) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  for (const char c : value) {
    if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += k_hex[byte >> 4];
      out += k_hex[byte & 0x0F];
    }
  }
}

std::string percent_encoded(std::string_view value) {
  std::string out;
  out.reserve(value.size() * 3);
  append_percent_encoded(out, value);
  return out;
}

void append_json_string(std::string& out, std::string_view value) {
  static constexpr char k_hex[] = "0123456789abcdef";
  out += '"';
  for (const char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) {
          out += "\\u00";
          out += k_hex[byte >> 4];
          out += k_hex[byte & 0x0F];
        } else {
          out += c;
        }
      }
    }
  }
  out += '"';
}

std::string printable_excerpt(std::string_view text, std::size_t limit) {
  std::string out;
  const bool cut = text.size() > limit;
  for (const char c : text.substr(0, limit)) {
    const auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 || byte == 0x7F) ? '?' : c;
  }
  if (cut) {
    out += "...";
  }
  return out;
}

std::string quoted_excerpt(std::string_view text, std::size_t limit) {
  return "'" + printable_excerpt(text, limit) + "'";
}

}  // namespace cti::adapters::salesforce::detail
