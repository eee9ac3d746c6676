#pragma once
// Private helpers for the enums that have a stable text name: one table per enum serves
// both to_string and the parser, so the two cannot drift apart.

#include "cti/result.hpp"
#include "quote.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace cti::detail {

template <typename Enum, std::size_t N>
constexpr std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table,
                                   Enum value) noexcept {
  for (const auto& [entry, name] : table) {
    if (entry == value) {
      return name;
    }
  }
  // Only a cast can produce a value outside the table.
  return "unknown";
}

/// Parses an exact, lower-case name.
template <typename Enum, std::size_t N>
Result<Enum> parse_name(const std::array<std::pair<Enum, std::string_view>, N>& table,
                        std::string_view text, std::string_view what) {
  for (const auto& [entry, name] : table) {
    if (name == text) {
      return entry;
    }
  }
  std::string message = "unknown " + std::string(what) + " " + quote(text) + "; expected one of:";
  for (std::size_t i = 0; i < N; ++i) {
    message += (i == 0 ? " " : ", ");
    message += table[i].second;
  }
  return fail(ErrorCode::invalid_input, std::move(message));
}

}  // namespace cti::detail
