#include "cti/agent.hpp"

#include "enum_names.hpp"
#include "quote.hpp"

#include <array>
#include <utility>

namespace cti {
namespace {

constexpr std::array k_agent_states{
    std::pair{AgentState::signed_out, std::string_view("signed_out")},
    std::pair{AgentState::available, std::string_view("available")},
    std::pair{AgentState::on_call, std::string_view("on_call")},
    std::pair{AgentState::away, std::string_view("away")},
};

constexpr std::size_t k_max_extension_length = 16;

}  // namespace

std::string_view to_string(AgentState state) noexcept {
  return detail::name_of(k_agent_states, state);
}

Result<AgentState> parse_agent_state(std::string_view text) {
  return detail::parse_name(k_agent_states, text, "agent state");
}

Result<void> validate_extension(std::string_view extension) {
  if (extension.empty()) {
    return fail(ErrorCode::invalid_input, "extension is empty");
  }
  if (extension.size() > k_max_extension_length) {
    return fail(ErrorCode::invalid_input,
                "extension has " + std::to_string(extension.size()) + " characters; at most " +
                    std::to_string(k_max_extension_length) + " digits are allowed");
  }
  for (char c : extension) {
    if (c < '0' || c > '9') {
      return fail(ErrorCode::invalid_input,
                  "extension " + detail::quote(extension) + " must contain digits only");
    }
  }
  return {};
}

}  // namespace cti
