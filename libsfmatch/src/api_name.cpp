#include "sfmatch/api_name.hpp"

#include "text.hpp"

#include <array>
#include <cstddef>
#include <string>

namespace sfmatch {
namespace {

constexpr std::size_t k_max_api_name_length = 80;

// Custom object / field / relationship / external / event / metadata / big object /
// person-account suffixes.
constexpr std::array<std::string_view, 7> k_suffixes = {"c", "r", "x", "e", "mdt", "b", "pc"};

enum class CharClass : unsigned char { other, alphanumeric, underscore };

constexpr std::array<CharClass, 256> char_classes() {
  std::array<CharClass, 256> classes{};
  for (std::size_t byte = 0; byte < classes.size(); ++byte) {
    const auto c = static_cast<char>(byte);
    if (detail::is_alpha(c) || detail::is_digit(c)) {
      classes[byte] = CharClass::alphanumeric;
    }
  }
  classes['_'] = CharClass::underscore;
  return classes;
}
constexpr std::array<CharClass, 256> k_classes = char_classes();

bool is_suffix(std::string_view part) noexcept {
  for (const auto suffix : k_suffixes) {
    if (detail::iequals(part, suffix)) {
      return true;
    }
  }
  return false;
}

cti::Unexpected invalid(std::string_view name, std::string_view why) {
  return cti::fail(cti::ErrorCode::invalid_input,
                   "invalid Salesforce API name " + detail::quote(name) + ": " + std::string(why));
}

}  // namespace

cti::Result<void> validate_api_name(std::string_view name) {
  if (name.empty()) {
    return invalid(name, "it is empty");
  }
  if (name.size() > k_max_api_name_length) {
    return invalid(name, "it is longer than 80 characters");
  }
  if (!detail::is_alpha(name.front())) {
    return invalid(name, "it must start with a letter");
  }
  // Where the double underscores are: at most two (ns__Name__c), never three in a row.
  std::size_t separators = 0;
  std::size_t last_part = 0;  // start of the part after the last "__"
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const CharClass kind = k_classes[static_cast<unsigned char>(c)];
    if (kind == CharClass::alphanumeric) {
      continue;
    }
    if (kind == CharClass::other) {
      return invalid(name, "only letters, digits and underscores are allowed, not " +
                               detail::quote(name.substr(i, 1)));
    }
    if (i + 1 < name.size() && name[i + 1] == '_') {
      if (i + 2 >= name.size()) {
        break;  // a trailing "__", reported below
      }
      if (name[i + 2] == '_') {
        return invalid(name, "it has more than two underscores in a row");
      }
      if (!detail::is_alpha(name[i + 2])) {
        return invalid(name, "the part after a double underscore must start with a letter");
      }
      ++separators;
      ++i;
      last_part = i + 1;
    }
  }
  if (name.back() == '_') {
    return invalid(name, "it must not end with an underscore");
  }
  if (separators > 2) {
    return invalid(name, "a double underscore may only follow a namespace prefix or precede a suffix");
  }
  // One separator: ns__Name or Name__c. Two: only ns__Name__c.
  if (separators == 2 && !is_suffix(name.substr(last_part))) {
    return invalid(name, "with a namespace prefix, a second double underscore must precede a "
                         "suffix such as __c");
  }
  return {};
}

}  // namespace sfmatch
