#pragma once
// Formatting of AMI actions. Values come partly from agents and the web (dialled digits, call
// ids), so a value that could end a line and smuggle in a second action is refused here.

#include "cti/result.hpp"

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cti::adapters::asterisk_ami {

using ActionHeader = std::pair<std::string_view, std::string_view>;

/// `Action: <name>` followed by the headers and the closing empty line, CRLF throughout.
/// Fails (invalid_input) when a value holds CR, LF or NUL, naming the header.
Result<std::string> format_action(std::string_view name, const std::vector<ActionHeader>& headers);

/// Replaces every `{placeholder}` in `text` by `value`.
std::string substitute(std::string_view text, std::string_view placeholder, std::string_view value);

}  // namespace cti::adapters::asterisk_ami
