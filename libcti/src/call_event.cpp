#include "cti/call_event.hpp"

#include "enum_names.hpp"

#include <array>
#include <utility>

namespace cti {
namespace {

constexpr std::array k_event_types{
    std::pair{CallEventType::offering, std::string_view("offering")},
    std::pair{CallEventType::ringing, std::string_view("ringing")},
    std::pair{CallEventType::dialing, std::string_view("dialing")},
    std::pair{CallEventType::connected, std::string_view("connected")},
    std::pair{CallEventType::held, std::string_view("held")},
    std::pair{CallEventType::retrieved, std::string_view("retrieved")},
    std::pair{CallEventType::transferred, std::string_view("transferred")},
    std::pair{CallEventType::disconnected, std::string_view("disconnected")},
};

constexpr std::array k_directions{
    std::pair{CallDirection::inbound, std::string_view("inbound")},
    std::pair{CallDirection::outbound, std::string_view("outbound")},
    std::pair{CallDirection::internal, std::string_view("internal")},
};

constexpr std::array k_end_reasons{
    std::pair{EndReason::none, std::string_view("none")},
    std::pair{EndReason::local_hangup, std::string_view("local_hangup")},
    std::pair{EndReason::remote_hangup, std::string_view("remote_hangup")},
    std::pair{EndReason::no_answer, std::string_view("no_answer")},
    std::pair{EndReason::abandoned, std::string_view("abandoned")},
    std::pair{EndReason::busy, std::string_view("busy")},
    std::pair{EndReason::transferred, std::string_view("transferred")},
    std::pair{EndReason::failed, std::string_view("failed")},
    std::pair{EndReason::unknown, std::string_view("unknown")},
};

}  // namespace

std::string_view to_string(CallEventType type) noexcept {
  return detail::name_of(k_event_types, type);
}

std::string_view to_string(CallDirection direction) noexcept {
  return detail::name_of(k_directions, direction);
}

std::string_view to_string(EndReason reason) noexcept {
  return detail::name_of(k_end_reasons, reason);
}

Result<CallEventType> parse_call_event_type(std::string_view text) {
  return detail::parse_name(k_event_types, text, "call event type");
}

Result<CallDirection> parse_call_direction(std::string_view text) {
  return detail::parse_name(k_directions, text, "call direction");
}

Result<EndReason> parse_end_reason(std::string_view text) {
  return detail::parse_name(k_end_reasons, text, "end reason");
}

}  // namespace cti
