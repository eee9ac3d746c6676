#pragma once
// CallEvent: what every PBX adapter produces and the call tracker consumes. One value type
// for all PBXs, so the same scenario yields the same sequence whatever the protocol.

#include "cti/result.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace cti {

enum class CallEventType {
  offering,      ///< the call exists and is headed for the agent (queued, not yet ringing)
  ringing,       ///< the agent's phone rings (inbound) or the far end rings (outbound)
  dialing,       ///< an outbound call is being placed from the agent's phone
  connected,     ///< the call is answered
  held,          ///< the agent put the call on hold
  retrieved,     ///< the agent took the call off hold
  transferred,   ///< the call left this agent for transfer_target
  disconnected,  ///< the call ended; end_reason says why
};

enum class CallDirection { inbound, outbound, internal };

/// Why a call ended, recorded on the Call.
enum class EndReason {
  none,           ///< not ended
  local_hangup,   ///< the agent hung up
  remote_hangup,  ///< the other party hung up
  no_answer,      ///< rang and nobody answered
  abandoned,      ///< the caller gave up before it was answered
  busy,           ///< the far end was busy
  transferred,    ///< the call was transferred away from the agent
  failed,         ///< the PBX could not complete the call
  unknown,        ///< the PBX did not say
};

/// One change of one call, as reported by a PBX adapter. Strings are as the PBX sent them
/// (bounded by the adapter); ivr_data is raw, e.g. "Case.CaseNumber=1234".
struct CallEvent {
  CallEventType type = CallEventType::offering;
  std::string call_id;
  std::string extension;  ///< the agent's extension this event is for
  std::string ani;        ///< caller ID of the other party
  std::string dnis;       ///< number dialled
  CallDirection direction = CallDirection::inbound;
  std::string ivr_data;
  std::string transfer_target;  ///< set on `transferred`
  EndReason end_reason = EndReason::none;  ///< set on `disconnected`
  std::chrono::system_clock::time_point occurred_at{};  ///< when the PBX saw it

  friend bool operator==(const CallEvent&, const CallEvent&) = default;
};

std::string_view to_string(CallEventType type) noexcept;
std::string_view to_string(CallDirection direction) noexcept;
std::string_view to_string(EndReason reason) noexcept;

/// Parsers of the names above (exact, lower-case); an unknown name is invalid_input.
Result<CallEventType> parse_call_event_type(std::string_view text);
Result<CallDirection> parse_call_direction(std::string_view text);
Result<EndReason> parse_end_reason(std::string_view text);

}  // namespace cti
