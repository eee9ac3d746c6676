#include "ami_event_mapper.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <optional>
#include <utility>

namespace cti::adapters::asterisk_ami {
namespace {

// Bounds on PBX text that travels on in CallEvents (the same as the other PBX adapters').
constexpr std::size_t k_max_id = 128;
constexpr std::size_t k_max_channel_name = 256;
constexpr std::size_t k_max_extension = 32;
constexpr std::size_t k_max_number = 64;
constexpr std::size_t k_max_ivr_data = 1024;
constexpr std::size_t k_max_pending_originates = 1024;

// ChannelState values (Asterisk's ast_channel_state).
constexpr int k_state_ringing = 5;  // this device is ringing
constexpr int k_state_up = 6;

// A Uniqueid or Linkedid we can key on and pass on as a call id.
bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > k_max_id) {
    return false;
  }
  for (const char c : id) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) {
      return false;
    }
  }
  return true;
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// `Timestamp: 1732550000.123456` (timestampevents = yes) says when Asterisk saw the event.
std::optional<std::chrono::system_clock::time_point> parse_timestamp(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  if (whole.empty() || whole.size() > 12) {
    return std::nullopt;
  }
  std::int64_t seconds = 0;
  const auto [end, error] = std::from_chars(whole.data(), whole.data() + whole.size(), seconds);
  // Up to 2100-01-01: beyond that the nanosecond clock would overflow, and no PBX is there yet.
  if (error != std::errc{} || end != whole.data() + whole.size() || seconds < 0 ||
      seconds > 4102444800) {
    return std::nullopt;
  }
  std::int64_t micros = 0;
  if (dot != std::string_view::npos) {
    std::string_view fraction = text.substr(dot + 1);
    if (fraction.empty() || fraction.size() > 9) {
      return std::nullopt;
    }
    std::int64_t scale = 1000000;
    for (const char c : fraction) {
      if (c < '0' || c > '9') {
        return std::nullopt;
      }
      scale /= 10;
      micros += (c - '0') * scale;
    }
  }
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(seconds) + std::chrono::microseconds(micros)));
}

// DialEnd's DialStatus for a leg that was never answered.
EndReason reason_from_dial_status(std::string_view status) {
  if (status == "NOANSWER") {
    return EndReason::no_answer;
  }
  if (status == "BUSY") {
    return EndReason::busy;
  }
  if (status == "CANCEL") {
    return EndReason::abandoned;
  }
  if (status == "CHANUNAVAIL" || status == "CONGESTION" || status == "INVALIDARGS") {
    return EndReason::failed;
  }
  return EndReason::none;
}

// Q.850 cause of a leg that was never answered; none when it says nothing specific.
EndReason reason_from_cause(int cause) {
  switch (cause) {
    case 17:  // User busy
    case 21:  // Call rejected
      return EndReason::busy;
    case 18:  // No user responding
    case 19:  // User alerting, no answer
    case 26:  // Answered elsewhere (a ring-all sibling took it)
      return EndReason::no_answer;
    case 1:   // Unallocated number
    case 3:   // No route to destination
    case 27:  // Destination out of order
    case 28:  // Invalid number format
    case 34:  // No circuit available
    case 38:  // Network out of order
    case 41:  // Temporary failure
    case 42:  // Switching equipment congestion
      return EndReason::failed;
    default:
      return EndReason::none;
  }
}

// OriginateResponse `Reason` (control-frame codes) of a failed click-to-dial.
EndReason reason_from_originate(std::string_view reason) {
  const auto code = parse_int(reason);
  if (!code) {
    return EndReason::failed;
  }
  switch (*code) {
    case 1:  // the agent's phone hung up (declined)
    case 3:  // rang out
      return EndReason::no_answer;
    case 5:
      return EndReason::busy;
    default:
      return EndReason::failed;
  }
}

// `__CTI_IVR_DATA` (inherited) is reported under the name as written.
std::string_view strip_inheritance(std::string_view name) {
  while (!name.empty() && name.front() == '_') {
    name.remove_prefix(1);
  }
  return name;
}

}  // namespace

AmiEventMapper::AmiEventMapper(MapperSettings settings, Clock now)
    : m_settings(std::move(settings)), m_now(std::move(now)) {
  if (!m_now) {
    m_now = [] { return std::chrono::system_clock::now(); };
  }
}

// --- Entry points ---------------------------------------------------------------------------

void AmiEventMapper::apply(const AmiPacket& packet, std::vector<CallEvent>& out) {
  const std::string_view kind = packet.kind();
  if (kind == "Response") {
    on_response(packet, out);
    return;
  }
  if (kind != "Event") {
    return;
  }
  ++m_counters.events;
  const auto stamped = parse_timestamp(packet.get("Timestamp"));
  m_event_time = stamped ? *stamped : m_now();

  const std::string_view name = packet.name();
  if (name == "VarSet") {
    on_var_set(packet);
  } else if (name == "Newstate") {
    on_newstate(packet, out);
  } else if (name == "Newchannel") {
    on_newchannel(packet, out);
  } else if (name == "DialBegin") {
    on_dial_begin(packet, out);
  } else if (name == "DialState") {
    on_dial_state(packet, out);
  } else if (name == "DialEnd") {
    on_dial_end(packet, out);
  } else if (name == "BridgeEnter") {
    on_bridge_enter(packet, out);
  } else if (name == "BridgeLeave") {
    on_bridge_leave(packet);
  } else if (name == "Hold") {
    on_hold(packet, true, out);
  } else if (name == "Unhold") {
    on_hold(packet, false, out);
  } else if (name == "HangupRequest") {
    on_hangup_request(packet);
  } else if (name == "Hangup") {
    on_hangup(packet, out);
  } else if (name == "UserEvent") {
    on_user_event(packet);
  } else if (name == "BlindTransfer") {
    on_blind_transfer(packet, out);
  } else if (name == "AttendedTransfer") {
    on_attended_transfer(packet, out);
  } else if (name == "OriginateResponse") {
    on_originate_response(packet, out);
  } else if (name == "CoreShowChannel" && resync_active() &&
             packet.get("ActionID") == m_resync_action_id) {
    on_core_show_channel(packet, out);
  } else if (name == "CoreShowChannelsComplete" && resync_active() &&
             packet.get("ActionID") == m_resync_action_id) {
    end_resync(out);
  } else if (name == "SoftHangupRequest") {
    // Raised on the channel being hung up by someone else; HangupRequest and BridgeLeave on
    // the channel that started it already tell us who ended the call.
  } else {
    ++m_counters.unhandled_events;
    if (m_examples.unhandled_event.empty()) {
      m_examples.unhandled_event = clean(name, k_max_id);
    }
  }
}

bool AmiEventMapper::originate_requested(std::string action_id, std::string call_id,
                                         std::string extension, std::string digits) {
  if (m_originates.size() >= k_max_pending_originates) {
    return false;
  }
  AgentCall call;
  call.call_id = call_id;
  call.extension = std::move(extension);
  call.direction = CallDirection::outbound;
  call.placed = true;
  call.ani = digits;
  call.dnis = std::move(digits);
  call.originated = true;
  m_calls.insert_or_assign(call_id, std::move(call));
  m_active_ids.insert_or_assign(call_id, call_id);
  m_originates.insert_or_assign(std::move(action_id), PendingOriginate{std::move(call_id)});
  return true;
}

void AmiEventMapper::originate_abandoned(std::string_view action_id) {
  const auto it = m_originates.find(action_id);
  if (it == m_originates.end()) {
    return;
  }
  const auto call = m_calls.find(it->second.call_id);
  if (call != m_calls.end() && call->second.channel.empty() && call->second.stage == Stage::created) {
    m_active_ids.erase(call->second.call_id);
    m_calls.erase(call);
  }
  m_originates.erase(it);
}

void AmiEventMapper::begin_resync(std::string action_id) {
  m_resync_action_id = std::move(action_id);
  for (auto& [id, channel] : m_channels) {
    channel.confirmed = false;
  }
  for (auto& [key, call] : m_calls) {
    call.confirmed = false;
  }
}

void AmiEventMapper::cancel_resync() {
  m_resync_action_id.clear();
  for (auto& [id, channel] : m_channels) {
    channel.confirmed = true;
  }
  for (auto& [key, call] : m_calls) {
    call.confirmed = true;
  }
}

std::string AmiEventMapper::channel_of(std::string_view call_id) const {
  const AgentCall* call = find_call(call_id);
  return call ? call->channel_name : std::string{};
}

bool AmiEventMapper::knows_call(std::string_view call_id) const {
  return find_call(call_id) != nullptr;
}

void AmiEventMapper::note_local_hangup(std::string_view call_id) {
  if (AgentCall* call = find_call(call_id)) {
    call->local_hangup_requested = true;
  }
}

std::size_t AmiEventMapper::active_call_count() const noexcept {
  return m_active_ids.size();
}

// --- Event handlers -------------------------------------------------------------------------

void AmiEventMapper::on_newchannel(const AmiPacket& p, std::vector<CallEvent>& out) {
  const std::string_view uniqueid = p.get("Uniqueid");
  if (!is_valid_id(uniqueid)) {
    note_malformed(p);
    return;
  }
  if (Channel* channel = find_channel(uniqueid)) {
    // Already learned (from a resync listing): refresh it.
    channel->confirmed = true;
    update_snapshot(*channel, p, "");
    return;
  }
  create_channel(p, "", uniqueid, out);
}

void AmiEventMapper::on_newstate(const AmiPacket& p, std::vector<CallEvent>& out) {
  Channel* channel = channel_from(p, "", true, out);
  if (channel == nullptr) {
    return;
  }
  update_snapshot(*channel, p, "");
  if (AgentCall* call = agent_call_of(*channel)) {
    // A placed call's own leg ringing or answering is the agent's phone (Originate rings it
    // first); the far end's progress arrives on the dialled channel.
    if (call->stage == Stage::ended || call->placed) {
      return;
    }
    if (channel->state == k_state_ringing && call->stage == Stage::created) {
      emit_ringing(*call, out);
    } else if (channel->state == k_state_up &&
               (call->stage == Stage::created || call->stage == Stage::ringing)) {
      emit_connected(*call, out);
    }
    return;
  }
  if (channel->state == k_state_ringing && !channel->dialer.empty()) {
    // The far end of a call an agent placed starts ringing.
    if (Channel* dialer = find_channel(channel->dialer)) {
      AgentCall* call = agent_call_of(*dialer);
      if (call != nullptr && call->placed && call->stage == Stage::dialing) {
        call->stage = Stage::ringing;
        emit(*call, CallEventType::ringing, out);
      }
    }
  }
}

void AmiEventMapper::on_dial_begin(const AmiPacket& p, std::vector<CallEvent>& out) {
  Channel* dest = channel_from(p, "Dest", true, out);
  if (dest == nullptr) {
    return;
  }
  // Originate's own dial of the agent's phone has no calling channel.
  Channel* caller = p.get("Uniqueid").empty() ? nullptr : channel_from(p, "", true, out);
  if (caller != nullptr) {
    update_snapshot(*caller, p, "");
    dest->dialer = caller->id;
    caller->dialee = dest->id;
  }
  update_snapshot(*dest, p, "Dest");

  AgentCall* dest_call = agent_call_of(*dest);
  AgentCall* caller_call = caller != nullptr ? agent_call_of(*caller) : nullptr;
  if (dest_call != nullptr && !dest_call->placed && dest_call->stage == Stage::created) {
    if (caller_call != nullptr) {
      dest_call->direction = CallDirection::internal;
    }
    fill_party(*dest_call, *dest);
  }
  if (caller_call != nullptr && caller_call->placed && caller_call->stage == Stage::created) {
    if (dest_call != nullptr) {
      caller_call->direction = CallDirection::internal;
    }
    fill_party(*caller_call, *caller);
    caller_call->stage = Stage::dialing;
    emit(*caller_call, CallEventType::dialing, out);
  }
}

void AmiEventMapper::on_dial_state(const AmiPacket& p, std::vector<CallEvent>& out) {
  if (p.get("DialStatus") != "RINGING") {
    return;
  }
  if (Channel* dest = find_channel(p.get("DestUniqueid"))) {
    dest->confirmed = true;
    AgentCall* call = agent_call_of(*dest);
    if (call != nullptr && !call->placed && call->stage == Stage::created) {
      emit_ringing(*call, out);
    }
  }
  if (Channel* caller = find_channel(p.get("Uniqueid"))) {
    caller->confirmed = true;
    AgentCall* call = agent_call_of(*caller);
    if (call != nullptr && call->placed && call->stage == Stage::dialing) {
      call->stage = Stage::ringing;
      emit(*call, CallEventType::ringing, out);
    }
  }
}

void AmiEventMapper::on_dial_end(const AmiPacket& p, std::vector<CallEvent>& out) {
  const std::string_view status = p.get("DialStatus");
  Channel* dest = find_channel(p.get("DestUniqueid"));
  Channel* caller = find_channel(p.get("Uniqueid"));
  if (dest == nullptr && caller == nullptr) {
    note_unknown_channel(p);
    return;
  }
  const EndReason failure = reason_from_dial_status(status);
  if (dest != nullptr) {
    dest->confirmed = true;
    AgentCall* call = agent_call_of(*dest);
    if (call != nullptr && !call->placed &&
        (call->stage == Stage::created || call->stage == Stage::ringing)) {
      if (status == "ANSWER") {
        emit_connected(*call, out);
      } else if (failure != EndReason::none) {
        call->end_hint = failure;
      }
    }
  }
  if (caller != nullptr) {
    caller->confirmed = true;
    AgentCall* call = agent_call_of(*caller);
    if (call != nullptr && call->placed &&
        (call->stage == Stage::dialing || call->stage == Stage::ringing)) {
      if (status == "ANSWER") {
        emit_connected(*call, out);
      } else if (failure != EndReason::none) {
        // The agent cancelling their own attempt is them giving up on it.
        call->end_hint = failure;
      }
    }
  }
}

void AmiEventMapper::on_bridge_enter(const AmiPacket& p, std::vector<CallEvent>& out) {
  Channel* channel = channel_from(p, "", false, out);
  if (channel == nullptr) {
    return;
  }
  add_to_bridge(*channel, p.get("BridgeUniqueid"));
  AgentCall* call = agent_call_of(*channel);
  if (call == nullptr) {
    return;
  }
  const bool waiting = call->placed
                           ? (call->stage == Stage::dialing || call->stage == Stage::ringing)
                           : (call->stage == Stage::created || call->stage == Stage::ringing);
  if (waiting) {
    emit_connected(*call, out);
  }
}

void AmiEventMapper::on_bridge_leave(const AmiPacket& p) {
  std::vector<CallEvent> none;
  Channel* channel = channel_from(p, "", false, none);
  if (channel == nullptr) {
    return;
  }
  // The first leg to leave a two-party conversation is the one that ended it.
  if (AgentCall* call = agent_call_of(*channel);
      call != nullptr && (call->stage == Stage::connected || call->stage == Stage::held) &&
      call->end_hint == EndReason::none) {
    call->end_hint = EndReason::local_hangup;
  }
  const std::string bridge = channel->bridge;
  leave_bridge(*channel);
  if (const auto members = m_bridges.find(bridge); members != m_bridges.end()) {
    for (const std::string& other : members->second) {
      Channel* peer = find_channel(other);
      AgentCall* call = peer != nullptr ? agent_call_of(*peer) : nullptr;
      if (call != nullptr && (call->stage == Stage::connected || call->stage == Stage::held) &&
          call->end_hint == EndReason::none) {
        call->end_hint = EndReason::remote_hangup;
      }
    }
  }
}

void AmiEventMapper::on_hold(const AmiPacket& p, bool held, std::vector<CallEvent>& out) {
  Channel* channel = channel_from(p, "", false, out);
  if (channel == nullptr) {
    return;
  }
  AgentCall* call = agent_call_of(*channel);
  if (call == nullptr) {
    return;  // the far end holding the agent is not the agent's hold
  }
  if (held && call->stage == Stage::connected) {
    call->stage = Stage::held;
    emit(*call, CallEventType::held, out);
  } else if (!held && call->stage == Stage::held) {
    call->stage = Stage::connected;
    emit(*call, CallEventType::retrieved, out);
  }
}

void AmiEventMapper::on_hangup_request(const AmiPacket& p) {
  std::vector<CallEvent> none;
  Channel* channel = channel_from(p, "", false, none);
  if (channel == nullptr) {
    return;
  }
  if (AgentCall* call = agent_call_of(*channel)) {
    if (call->end_hint == EndReason::none) {
      if (call->stage == Stage::connected || call->stage == Stage::held) {
        call->end_hint = EndReason::local_hangup;
      } else if (call->placed && (call->stage == Stage::dialing || call->stage == Stage::ringing) &&
                 channel->answered) {
        call->end_hint = EndReason::abandoned;  // the agent gave up before the far end answered
      }
    }
    return;
  }
  hint_peers_of(*channel);
}

void AmiEventMapper::on_hangup(const AmiPacket& p, std::vector<CallEvent>& out) {
  Channel* channel = channel_from(p, "", false, out);
  if (channel == nullptr) {
    return;
  }
  channel->hung_up = true;
  const int cause = parse_int(p.get("Cause")).value_or(0);
  AgentCall* call = agent_call_of(*channel);
  if (call == nullptr) {
    hint_peers_of(*channel);
  } else if (call->stage != Stage::ended) {
    end_call(*call, reason_for_hangup(*call, *channel, cause), out);
  }
  remove_channel(channel->id);
}

EndReason AmiEventMapper::reason_for_hangup(const AgentCall& call,
                                                                const Channel& leg,
                                                                int cause) const {
  if (call.local_hangup_requested) {
    return EndReason::local_hangup;
  }
  if (call.stage == Stage::connected || call.stage == Stage::held) {
    if (call.end_hint == EndReason::local_hangup || call.end_hint == EndReason::remote_hangup) {
      return call.end_hint;
    }
    // No earlier signal: if the other side is still there, the agent's leg went first.
    const std::string& other = call.placed ? leg.dialee : leg.dialer;
    if (other.empty()) {
      return EndReason::unknown;
    }
    const auto peer = m_channels.find(other);
    return (peer != m_channels.end() && !peer->second.hung_up) ? EndReason::local_hangup
                                                               : EndReason::remote_hangup;
  }
  if (cause == 26) {
    return EndReason::no_answer;  // answered elsewhere
  }
  if (call.end_hint != EndReason::none) {
    return call.end_hint;
  }
  if (const EndReason by_cause = reason_from_cause(cause); by_cause != EndReason::none) {
    return by_cause;
  }
  if (call.placed) {
    // Click-to-dial rings the agent's own phone first: not picking it up is no answer.
    return leg.answered ? EndReason::abandoned : EndReason::no_answer;
  }
  const auto dialer = leg.dialer.empty() ? m_channels.end() : m_channels.find(leg.dialer);
  return (dialer == m_channels.end() || dialer->second.hung_up) ? EndReason::abandoned
                                                                 : EndReason::no_answer;
}

void AmiEventMapper::on_var_set(const AmiPacket& p) {
  if (strip_inheritance(p.get("Variable")) != m_settings.ivr_variable) {
    return;
  }
  std::vector<CallEvent> none;
  if (Channel* channel = channel_from(p, "", false, none)) {
    set_ivr_data(*channel, p.get("Value"));
  }
}

void AmiEventMapper::on_user_event(const AmiPacket& p) {
  if (m_settings.ivr_user_event.empty() || p.get("UserEvent") != m_settings.ivr_user_event) {
    return;
  }
  if (!p.has(m_settings.ivr_variable)) {
    note_malformed(p);
    return;
  }
  std::vector<CallEvent> none;
  if (Channel* channel = channel_from(p, "", false, none)) {
    set_ivr_data(*channel, p.get(m_settings.ivr_variable));
  }
}

void AmiEventMapper::on_blind_transfer(const AmiPacket& p, std::vector<CallEvent>& out) {
  if (p.get("Result") != "Success") {
    return;
  }
  Channel* transferer = find_channel(p.get("TransfererUniqueid"));
  if (transferer == nullptr) {
    note_unknown_channel(p);
    return;
  }
  transferer->confirmed = true;
  if (AgentCall* call = agent_call_of(*transferer)) {
    transfer_call(*call, clean(p.get("Extension"), k_max_number), out);
  }
}

void AmiEventMapper::on_attended_transfer(const AmiPacket& p, std::vector<CallEvent>& out) {
  if (p.get("Result") != "Success") {
    return;
  }
  std::string target;
  if (Channel* target_channel = find_channel(p.get("TransferTargetUniqueid"))) {
    if (const AgentCall* target_call = agent_call_of(*target_channel)) {
      target = target_call->extension;
    }
  }
  if (target.empty()) {
    target = clean(p.get("TransferTargetCallerIDNum"), k_max_number);
  }
  if (target.empty()) {
    target = clean(p.get("SecondTransfererConnectedLineNum"), k_max_number);
  }
  // Both of the transferring agent's legs (the original call and the consultation) leave it.
  bool known = false;
  for (const std::string_view key : {std::string_view("OrigTransfererUniqueid"),
                                     std::string_view("SecondTransfererUniqueid")}) {
    Channel* channel = find_channel(p.get(key));
    if (channel == nullptr) {
      continue;
    }
    known = true;
    channel->confirmed = true;
    if (AgentCall* call = agent_call_of(*channel)) {
      transfer_call(*call, target, out);
    }
  }
  if (!known) {
    note_unknown_channel(p);
  }
}

void AmiEventMapper::on_originate_response(const AmiPacket& p, std::vector<CallEvent>& out) {
  const auto it = m_originates.find(p.get("ActionID"));
  if (it == m_originates.end()) {
    return;  // an Originate of another AMI client
  }
  const std::string key = it->second.call_id;
  m_originates.erase(it);
  if (p.get("Response") != "Failure") {
    return;  // the channel's own events carry the call on
  }
  const auto call = m_calls.find(key);
  if (call == m_calls.end()) {
    return;
  }
  if (call->second.stage != Stage::ended) {
    end_call(call->second, reason_from_originate(p.get("Reason")), out);
  }
  if (call->second.channel.empty()) {
    m_calls.erase(call);
  }
}

void AmiEventMapper::on_response(const AmiPacket& p, std::vector<CallEvent>& out) {
  const auto it = m_originates.find(p.get("ActionID"));
  if (it == m_originates.end()) {
    return;
  }
  if (p.name() != "Success") {
    originate_abandoned(it->first);
    return;
  }
  // Queued: the agent's phone is about to ring for the call make_call returned.
  m_event_time = m_now();
  const auto call = m_calls.find(it->second.call_id);
  if (call != m_calls.end() && call->second.stage == Stage::created) {
    call->second.stage = Stage::dialing;
    emit(call->second, CallEventType::dialing, out);
  }
}

void AmiEventMapper::on_core_show_channel(const AmiPacket& p, std::vector<CallEvent>& out) {
  const std::string_view uniqueid = p.get("Uniqueid");
  if (!is_valid_id(uniqueid)) {
    note_malformed(p);
    return;
  }
  Channel* channel = find_channel(uniqueid);
  if (channel == nullptr) {
    channel = create_channel(p, "", uniqueid, out);
    if (channel == nullptr) {
      return;
    }
  }
  channel->confirmed = true;
  update_snapshot(*channel, p, "");
  if (channel->bridge.empty()) {
    add_to_bridge(*channel, p.get("BridgeId"));
  }
  AgentCall* call = agent_call_of(*channel);
  if (call == nullptr || call->stage == Stage::ended) {
    return;
  }
  call->confirmed = true;
  // Bring the call up to what the PBX says now, through the states the tracker expects.
  if (call->placed) {
    if (call->stage == Stage::created) {
      fill_party(*call, *channel);
      call->stage = Stage::dialing;
      emit(*call, CallEventType::dialing, out);
    }
    if (!channel->bridge.empty() && channel->state == k_state_up &&
        (call->stage == Stage::dialing || call->stage == Stage::ringing)) {
      emit_connected(*call, out);
    }
    return;
  }
  if (channel->state == k_state_ringing && call->stage == Stage::created) {
    emit_ringing(*call, out);
  } else if (channel->state == k_state_up &&
             (call->stage == Stage::created || call->stage == Stage::ringing)) {
    emit_connected(*call, out);
  }
}

void AmiEventMapper::end_resync(std::vector<CallEvent>& out) {
  m_resync_action_id.clear();
  std::vector<std::string> gone;
  for (const auto& [uniqueid, channel] : m_channels) {
    if (!channel.confirmed) {
      gone.push_back(uniqueid);
    }
  }
  for (const std::string& uniqueid : gone) {
    Channel* channel = find_channel(uniqueid);
    if (channel == nullptr) {
      continue;
    }
    if (AgentCall* call = agent_call_of(*channel); call != nullptr && call->stage != Stage::ended) {
      ++m_counters.calls_closed_by_resync;
      end_call(*call, EndReason::unknown, out);
    }
    remove_channel(uniqueid);
  }
  // Click-to-dial calls whose channel never appeared and whose outcome we missed.
  std::vector<std::string> orphans;
  for (const auto& [key, call] : m_calls) {
    if (!call.confirmed && call.channel.empty()) {
      orphans.push_back(key);
    }
  }
  for (const std::string& key : orphans) {
    AgentCall& call = m_calls.at(key);
    if (call.stage != Stage::ended) {
      ++m_counters.calls_closed_by_resync;
      end_call(call, EndReason::unknown, out);
    }
    m_calls.erase(key);
  }
  std::erase_if(m_originates, [this](const auto& entry) {
    return !m_calls.contains(entry.second.call_id);
  });
  for (auto& [key, call] : m_calls) {
    call.confirmed = true;
  }
}

// --- Channel bookkeeping --------------------------------------------------------------------

AmiEventMapper::Channel* AmiEventMapper::find_channel(std::string_view uniqueid) {
  if (uniqueid.empty()) {
    return nullptr;
  }
  const auto it = m_channels.find(uniqueid);
  return it == m_channels.end() ? nullptr : &it->second;
}

AmiEventMapper::Channel* AmiEventMapper::channel_from(const AmiPacket& p, std::string_view prefix,
                                                      bool create, std::vector<CallEvent>& out) {
  std::string scratch;
  const std::string_view uniqueid = field(p, prefix, "Uniqueid", scratch);
  if (!is_valid_id(uniqueid)) {
    note_malformed(p);
    return nullptr;
  }
  if (Channel* channel = find_channel(uniqueid)) {
    channel->confirmed = true;
    if (AgentCall* call = agent_call_of(*channel)) {
      call->confirmed = true;
    }
    return channel;
  }
  if (!create) {
    note_unknown_channel(p);
    return nullptr;
  }
  const std::string id(uniqueid);  // `scratch` may be reused below
  return create_channel(p, prefix, id, out);
}

AmiEventMapper::Channel* AmiEventMapper::create_channel(const AmiPacket& p, std::string_view prefix,
                                                        std::string_view uniqueid,
                                                        std::vector<CallEvent>& out) {
  if (m_channels.size() >= m_settings.max_channels) {
    ++m_counters.channel_limit_hits;
    return nullptr;
  }
  std::string scratch;
  Channel fresh;
  fresh.id = std::string(uniqueid);
  fresh.name = clean(field(p, prefix, "Channel", scratch), k_max_channel_name);
  const std::string_view linkedid = field(p, prefix, "Linkedid", scratch);
  fresh.linkedid = is_valid_id(linkedid) ? std::string(linkedid) : fresh.id;
  fresh.exten = clean(field(p, prefix, "Exten", scratch), k_max_number);
  const auto [it, inserted] = m_channels.emplace(fresh.id, std::move(fresh));
  assert(inserted && "create_channel is only called for unknown channels");
  Channel& channel = it->second;

  Group& group = m_groups[channel.linkedid];
  ++group.channels;
  const bool originator = channel.linkedid == channel.id;
  update_snapshot(channel, p, prefix);
  if (originator) {
    group.ani = channel.caller_num;
    group.dnis = channel.exten;
  }

  const auto originated = m_calls.find(channel.id);
  if (originated != m_calls.end() && originated->second.originated) {
    // Our click-to-dial: ChannelId made this leg's Uniqueid the call id.
    AgentCall& call = originated->second;
    call.channel = channel.id;
    call.channel_name = channel.name;
    call.group = channel.linkedid;
    channel.agent = true;
    group.originator_is_agent = group.originator_is_agent || originator;
    if (call.stage == Stage::created) {
      call.stage = Stage::dialing;
      emit(call, CallEventType::dialing, out);
    }
    // From here the channel's own events (its Hangup included) tell how the call goes.
    std::erase_if(m_originates, [&](const auto& entry) { return entry.second.call_id == channel.id; });
    return &channel;
  }

  std::string extension = agent_extension_of(channel.name);
  if (extension.empty()) {
    return &channel;
  }
  group.originator_is_agent = group.originator_is_agent || originator;
  AgentCall call;
  call.call_id = m_active_ids.contains(channel.linkedid) ? channel.id : channel.linkedid;
  call.extension = std::move(extension);
  call.channel = channel.id;
  call.channel_name = channel.name;
  call.group = channel.linkedid;
  call.placed = originator;
  call.direction = originator ? CallDirection::outbound
                              : (group.originator_is_agent ? CallDirection::internal
                                                           : CallDirection::inbound);
  fill_party(call, channel);
  m_active_ids.insert_or_assign(call.call_id, channel.id);
  m_calls.insert_or_assign(channel.id, std::move(call));
  channel.agent = true;
  return &channel;
}

void AmiEventMapper::add_to_bridge(Channel& channel, std::string_view bridge) {
  if (bridge.empty() || bridge.size() > k_max_id || channel.bridge == bridge) {
    return;
  }
  leave_bridge(channel);
  channel.bridge = std::string(bridge);
  m_bridges[channel.bridge].push_back(channel.id);
}

void AmiEventMapper::leave_bridge(Channel& channel) {
  if (channel.bridge.empty()) {
    return;
  }
  if (const auto members = m_bridges.find(channel.bridge); members != m_bridges.end()) {
    std::erase(members->second, channel.id);
    if (members->second.empty()) {
      m_bridges.erase(members);
    }
  }
  channel.bridge.clear();
}

void AmiEventMapper::remove_channel(std::string_view uniqueid) {
  const auto it = m_channels.find(uniqueid);
  if (it == m_channels.end()) {
    return;
  }
  Channel& channel = it->second;
  leave_bridge(channel);
  if (const auto group = m_groups.find(channel.linkedid);
      group != m_groups.end() && --group->second.channels == 0) {
    m_groups.erase(group);
  }
  if (channel.agent) {
    if (const auto call = m_calls.find(channel.id); call != m_calls.end()) {
      const auto active = m_active_ids.find(call->second.call_id);
      if (active != m_active_ids.end() && active->second == call->first) {
        m_active_ids.erase(active);
      }
      m_calls.erase(call);
    }
  }
  m_channels.erase(it);
}

void AmiEventMapper::update_snapshot(Channel& channel, const AmiPacket& p, std::string_view prefix) {
  std::string scratch;
  if (const auto state = parse_int(field(p, prefix, "ChannelState", scratch))) {
    channel.state = *state;
    channel.answered = channel.answered || *state == k_state_up;
  }
  if (std::string num = clean(field(p, prefix, "CallerIDNum", scratch), k_max_number); !num.empty()) {
    channel.caller_num = std::move(num);
  }
  if (std::string num = clean(field(p, prefix, "ConnectedLineNum", scratch), k_max_number);
      !num.empty()) {
    channel.connected_num = std::move(num);
  }
  if (prefix.empty()) {
    read_channel_variables(p, channel);
  }
}

void AmiEventMapper::read_channel_variables(const AmiPacket& p, const Channel& channel) {
  // manager.conf `channelvars` adds `ChanVariable: NAME=value` to every event of the channel.
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p.key(i) != "ChanVariable") {
      continue;
    }
    const std::string_view entry = p.value(i);
    const std::size_t equals = entry.find('=');
    if (equals == std::string_view::npos ||
        strip_inheritance(entry.substr(0, equals)) != m_settings.ivr_variable) {
      continue;
    }
    if (equals + 1 < entry.size()) {  // channelvars lists the name on every event, set or not
      set_ivr_data(channel, entry.substr(equals + 1));
    }
  }
}

void AmiEventMapper::set_ivr_data(const Channel& channel, std::string_view value) {
  if (const auto group = m_groups.find(channel.linkedid); group != m_groups.end()) {
    group->second.ivr_data = clean(value, k_max_ivr_data);
  }
}

std::string AmiEventMapper::agent_extension_of(std::string_view channel_name) const {
  if (channel_name.empty() || channel_name.size() > k_max_channel_name) {
    return {};
  }
  std::match_results<std::string_view::const_iterator> match;
  try {
    if (!std::regex_match(channel_name.begin(), channel_name.end(), match,
                          m_settings.channel_pattern) ||
        match.size() < 2 || !match[1].matched) {
      return {};
    }
  } catch (const std::regex_error&) {
    return {};  // a pattern too costly for this name: not an agent, rather than a lost connection
  }
  std::string extension = match[1].str();
  if (extension.empty() || extension.size() > k_max_extension) {
    return {};
  }
  if (!m_settings.agent_extensions.empty() &&
      std::find(m_settings.agent_extensions.begin(), m_settings.agent_extensions.end(),
                extension) == m_settings.agent_extensions.end()) {
    return {};
  }
  return extension;
}

AmiEventMapper::AgentCall* AmiEventMapper::agent_call_of(const Channel& channel) {
  if (!channel.agent) {
    return nullptr;
  }
  const auto it = m_calls.find(channel.id);
  return it == m_calls.end() ? nullptr : &it->second;
}

AmiEventMapper::AgentCall* AmiEventMapper::find_call(std::string_view call_id) {
  if (const auto active = m_active_ids.find(call_id); active != m_active_ids.end()) {
    const auto it = m_calls.find(active->second);
    return it == m_calls.end() ? nullptr : &it->second;
  }
  return nullptr;
}

const AmiEventMapper::AgentCall* AmiEventMapper::find_call(std::string_view call_id) const {
  if (const auto active = m_active_ids.find(call_id); active != m_active_ids.end()) {
    const auto it = m_calls.find(active->second);
    return it == m_calls.end() ? nullptr : &it->second;
  }
  return nullptr;
}

// --- Emission -------------------------------------------------------------------------------

void AmiEventMapper::emit(AgentCall& call, CallEventType type, std::vector<CallEvent>& out,
                          EndReason reason, std::string transfer_target) {
  if (!call.announced) {
    // The caller's details are fixed once the agent has seen the call, so every event of the
    // call carries the same ones.
    if (const auto group = m_groups.find(call.group); group != m_groups.end()) {
      call.ivr_data = group->second.ivr_data;
    }
    call.announced = true;
  }
  CallEvent event;
  event.type = type;
  event.call_id = call.call_id;
  event.extension = call.extension;
  event.ani = call.ani;
  event.dnis = call.dnis;
  event.direction = call.direction;
  event.ivr_data = call.ivr_data;
  event.transfer_target = std::move(transfer_target);
  event.end_reason = reason;
  event.occurred_at = m_event_time;
  out.push_back(std::move(event));
  ++m_counters.call_events;
}

void AmiEventMapper::emit_ringing(AgentCall& call, std::vector<CallEvent>& out) {
  if (const auto it = m_channels.find(call.channel); it != m_channels.end()) {
    fill_party(call, it->second);
  }
  call.stage = Stage::ringing;
  emit(call, CallEventType::ringing, out);
}

void AmiEventMapper::emit_connected(AgentCall& call, std::vector<CallEvent>& out) {
  if (call.stage == Stage::created) {
    if (call.placed) {
      call.stage = Stage::dialing;
      emit(call, CallEventType::dialing, out);
    } else {
      emit_ringing(call, out);
    }
  }
  call.stage = Stage::connected;
  call.was_connected = true;
  call.end_hint = EndReason::none;
  emit(call, CallEventType::connected, out);
}

void AmiEventMapper::end_call(AgentCall& call, EndReason reason, std::vector<CallEvent>& out) {
  if (call.originated && !call.was_connected) {
    ++m_counters.originate_failures;
  }
  if (call.stage == Stage::created && call.originated) {
    // make_call already returned this id: the agent must learn how it ended.
    call.stage = Stage::dialing;
    emit(call, CallEventType::dialing, out);
  }
  // A leg that never rang was never shown to the agent: nothing to take back.
  if (call.stage != Stage::created) {
    emit(call, CallEventType::disconnected, out, reason);
  }
  finish(call);
}

void AmiEventMapper::transfer_call(AgentCall& call, std::string target, std::vector<CallEvent>& out) {
  if (call.stage == Stage::ended) {
    return;
  }
  if (call.stage != Stage::created) {
    emit(call, CallEventType::transferred, out, EndReason::none, std::move(target));
  }
  finish(call);
}

void AmiEventMapper::finish(AgentCall& call) {
  call.stage = Stage::ended;
  // Free the call id for the next agent leg of the group (a transfer target), unless it now
  // belongs to another active call.
  const auto active = m_active_ids.find(call.call_id);
  if (active == m_active_ids.end()) {
    return;
  }
  const auto owner = m_calls.find(active->second);
  if (owner != m_calls.end() && &owner->second == &call) {
    m_active_ids.erase(active);
  }
}

void AmiEventMapper::fill_party(AgentCall& call, const Channel& leg) {
  if (call.announced || call.originated) {
    return;
  }
  if (call.placed) {
    call.ani = leg.exten;  // the number the agent dialled is the other party
    call.dnis = leg.exten;
    return;
  }
  std::string ani;
  if (const auto dialer = m_channels.find(leg.dialer); !leg.dialer.empty() && dialer != m_channels.end()) {
    ani = dialer->second.caller_num;
  }
  const auto group = m_groups.find(leg.linkedid);
  if (ani.empty() && group != m_groups.end()) {
    ani = group->second.ani;
  }
  if (ani.empty()) {
    ani = leg.connected_num;
  }
  call.ani = std::move(ani);
  if (group != m_groups.end()) {
    call.dnis = group->second.dnis;
  }
}

void AmiEventMapper::hint_peers_of(const Channel& gone) {
  // A non-agent leg is going: agents talking to it, or being rung by it, did not end the call.
  auto hint = [this](const std::string& other) {
    Channel* peer = find_channel(other);
    AgentCall* call = peer != nullptr ? agent_call_of(*peer) : nullptr;
    if (call == nullptr || call->end_hint != EndReason::none) {
      return;
    }
    if (call->stage == Stage::connected || call->stage == Stage::held) {
      call->end_hint = EndReason::remote_hangup;
    } else if (!call->placed && (call->stage == Stage::created || call->stage == Stage::ringing)) {
      call->end_hint = EndReason::abandoned;
    }
  };
  if (const auto members = m_bridges.find(gone.bridge); !gone.bridge.empty() && members != m_bridges.end()) {
    for (const std::string& other : members->second) {
      if (other != gone.id) {
        hint(other);
      }
    }
  }
  if (!gone.dialee.empty()) {
    hint(gone.dialee);
  }
  if (!gone.dialer.empty()) {
    hint(gone.dialer);
  }
}

// --- Value hygiene --------------------------------------------------------------------------

std::string AmiEventMapper::clean(std::string_view value, std::size_t max_bytes) {
  if (value == "<unknown>") {
    return {};  // Asterisk's spelling of an empty caller ID
  }
  if (value.size() > max_bytes) {
    ++m_counters.dropped_values;
    return {};
  }
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      ++m_counters.dropped_values;
      return {};
    }
  }
  return std::string(value);
}

std::string_view AmiEventMapper::field(const AmiPacket& p, std::string_view prefix,
                                       std::string_view key, std::string& scratch) const {
  if (prefix.empty()) {
    return p.get(key);
  }
  scratch.assign(prefix).append(key);
  return p.get(scratch);
}

void AmiEventMapper::note_unknown_channel(const AmiPacket& p) {
  ++m_counters.unknown_channel_events;
  if (m_examples.unknown_channel.empty()) {
    m_examples.unknown_channel = clean(p.name(), k_max_id);
  }
}

void AmiEventMapper::note_malformed(const AmiPacket& p) {
  ++m_counters.malformed_events;
  if (m_examples.malformed_event.empty()) {
    m_examples.malformed_event = clean(p.name(), k_max_id);
  }
}

}  // namespace cti::adapters::asterisk_ami
