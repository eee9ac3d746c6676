#include "sfmatch/escape.hpp"

#include <array>
#include <cstddef>

namespace sfmatch {
namespace {

// One table per context says what each byte becomes. Runs of bytes that pass unchanged are
// appended in one go, which keeps escaping cheap for the common all-digits value.
constexpr char k_pass = 0;
constexpr char k_unicode = 1;  // \u00XX
constexpr char k_space = 2;    // a space
// Any other entry: a backslash followed by that character.

using EscapeTable = std::array<char, 256>;

constexpr EscapeTable soql_table(bool like) {
  EscapeTable table{};
  for (std::size_t byte = 0; byte < 0x20; ++byte) {
    table[byte] = k_unicode;
  }
  table[0x7f] = k_unicode;
  table['\n'] = 'n';
  table['\r'] = 'r';
  table['\t'] = 't';
  table['\b'] = 'b';
  table['\f'] = 'f';
  table['\\'] = '\\';
  table['\''] = '\'';
  table['"'] = '"';
  if (like) {
    table['%'] = '%';
    table['_'] = '_';
  }
  return table;
}

constexpr EscapeTable sosl_table() {
  EscapeTable table{};
  for (std::size_t byte = 0; byte < 0x20; ++byte) {
    table[byte] = k_space;
  }
  table[0x7f] = k_space;
  for (const char c : std::string_view("?&|!{}[]()^~*:\\\"'+-")) {
    table[static_cast<unsigned char>(c)] = c;
  }
  return table;
}

constexpr EscapeTable k_soql_literal = soql_table(false);
constexpr EscapeTable k_soql_like = soql_table(true);
constexpr EscapeTable k_sosl_term = sosl_table();

void append_escaped(std::string& out, std::string_view value, const EscapeTable& table) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto byte = static_cast<unsigned char>(value[i]);
    const char code = table[byte];
    if (code == k_pass) {
      continue;
    }
    out.append(value.data() + run_start, i - run_start);
    run_start = i + 1;
    if (code == k_unicode) {
      const char escape[] = {'\\', 'u', '0', '0', k_hex[byte >> 4], k_hex[byte & 0xf]};
      out.append(escape, sizeof escape);
    } else if (code == k_space) {
      out += ' ';
    } else {
      const char escape[] = {'\\', code};
      out.append(escape, sizeof escape);
    }
  }
  out.append(value.data() + run_start, value.size() - run_start);
}

}  // namespace

void append_soql_literal(std::string& out, std::string_view value) {
  append_escaped(out, value, k_soql_literal);
}

std::string escape_soql_literal(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  append_soql_literal(out, value);
  return out;
}

void append_soql_like(std::string& out, std::string_view value) {
  append_escaped(out, value, k_soql_like);
}

std::string escape_soql_like(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  append_soql_like(out, value);
  return out;
}

void append_sosl_term(std::string& out, std::string_view value) {
  append_escaped(out, value, k_sosl_term);
}

std::string escape_sosl_term(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  append_sosl_term(out, value);
  return out;
}

}  // namespace sfmatch
