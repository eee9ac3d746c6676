#include "ami_action.hpp"

namespace cti::adapters::asterisk_ami {
namespace {

bool is_single_line(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

}  // namespace

Result<std::string> format_action(std::string_view name, const std::vector<ActionHeader>& headers) {
  if (name.empty() || !is_single_line(name)) {
    return fail(ErrorCode::invalid_input, "AMI action name must be one non-empty line");
  }
  std::string text;
  text.reserve(64 + headers.size() * 32);
  text.append("Action: ").append(name).append("\r\n");
  for (const auto& [key, value] : headers) {
    if (!is_single_line(key) || !is_single_line(value)) {
      return fail(ErrorCode::invalid_input,
                  "AMI header " + std::string(is_single_line(key) ? key : "?") +
                      " must not contain line breaks");
    }
    text.append(key).append(": ").append(value).append("\r\n");
  }
  text.append("\r\n");
  return text;
}

std::string substitute(std::string_view text, std::string_view placeholder, std::string_view value) {
  std::string out;
  std::size_t from = 0;
  while (true) {
    const std::size_t at = text.find(placeholder, from);
    if (at == std::string_view::npos) {
      out.append(text.substr(from));
      return out;
    }
    out.append(text.substr(from, at - from)).append(value);
    from = at + placeholder.size();
  }
}

}  // namespace cti::adapters::asterisk_ami
