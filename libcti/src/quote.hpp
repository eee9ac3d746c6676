#pragma once
// Quoting untrusted text (call ids, numbers, names from a PBX or an HTTP body) into error
// messages: bounded and printable, so a message never carries a megabyte or control bytes
// into a log line.

#include <cstddef>
#include <string>
#include <string_view>

namespace cti::detail {

inline std::string quote(std::string_view text, std::size_t max_chars = 40) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < max_chars; ++i) {
    const char c = text[i];
    out += (c >= ' ' && c <= '~') ? c : '?';
  }
  if (text.size() > max_chars) {
    out += "...";
  }
  out += '"';
  return out;
}

}  // namespace cti::detail
