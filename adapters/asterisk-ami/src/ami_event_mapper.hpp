#pragma once
// AmiEventMapper: the state machine that turns AMI channel events into CallEvents for agents.
// Pure logic (no sockets, no threads), so it is tested and benchmarked on its own.
//
// Model: every channel is tracked by Uniqueid; channels sharing a Linkedid form a group that
// holds what the caller brought (ANI, DNIS, IVR data). A channel whose name maps to an agent's
// extension is an agent leg and owns an AgentCall: the call as that agent sees it. The call id
// is the group's Linkedid, so a transfer target sees the same call the transferring agent had;
// while another agent's call with that id is still active (ring-all siblings, the callee of an
// internal call, a consultation) the agent leg's own Uniqueid is used instead, so two active
// calls never share an id.

#include "ami_parser.hpp"

#include "cti/call_event.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cti::adapters::asterisk_ami {

/// What the mapper needs from the Config, compiled.
struct MapperSettings {
  std::vector<std::string> agent_extensions;  ///< empty: every channel_pattern match
  std::regex channel_pattern;                 ///< group 1 = extension
  std::string ivr_variable = "CTI_IVR_DATA";
  std::string ivr_user_event;
  std::size_t max_channels = 50000;  ///< beyond this, new channels are ignored (and counted)
};

struct MapperCounters {
  std::uint64_t events = 0;
  std::uint64_t unhandled_events = 0;
  std::uint64_t unknown_channel_events = 0;
  std::uint64_t malformed_events = 0;
  std::uint64_t dropped_values = 0;
  std::uint64_t channel_limit_hits = 0;
  std::uint64_t call_events = 0;
  std::uint64_t calls_closed_by_resync = 0;
  std::uint64_t originate_failures = 0;  ///< click-to-dial calls that ended unconnected
};

/// First example of each kind of anomaly, for one log line per kind.
struct MapperExamples {
  std::string unhandled_event;
  std::string unknown_channel;
  std::string malformed_event;
};

class AmiEventMapper {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  AmiEventMapper(MapperSettings settings, Clock now);

  /// Applies one packet from the server (an Event, or a Response to an action the mapper
  /// tracks) and appends the resulting CallEvents to `out`.
  void apply(const AmiPacket& packet, std::vector<CallEvent>& out);

  /// Click-to-dial: an Originate with this ActionID and ChannelId is about to be sent. The
  /// ChannelId becomes the agent leg's Uniqueid and so the call id. False when too many are
  /// already waiting for their channel.
  bool originate_requested(std::string action_id, std::string call_id, std::string extension,
                           std::string digits);
  /// The Originate could not be sent, or was refused outright: forget it without events.
  void originate_abandoned(std::string_view action_id);

  /// Starts a resynchronisation: the CoreShowChannel events answering `action_id` list the
  /// channels that exist; when their list completes, known channels missing from it (and not
  /// seen in any event since) are closed with EndReason::unknown and unknown agent channels are
  /// reported. Calling it again restarts it.
  void begin_resync(std::string action_id);
  /// The server refused the listing: keep what we know.
  void cancel_resync();
  bool resync_active() const noexcept { return !m_resync_action_id.empty(); }

  /// The agent leg's channel name for a call id ("" when unknown or not yet created).
  std::string channel_of(std::string_view call_id) const;
  bool knows_call(std::string_view call_id) const;
  /// Our own Hangup action is about to end this call: its end reason is local_hangup.
  void note_local_hangup(std::string_view call_id);

  const MapperCounters& counters() const noexcept { return m_counters; }
  const MapperExamples& examples() const noexcept { return m_examples; }
  std::size_t channel_count() const noexcept { return m_channels.size(); }
  std::size_t active_call_count() const noexcept;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  template <typename T>
  using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

  enum class Stage { created, dialing, ringing, connected, held, ended };

  /// One call as one agent sees it. Keyed by the agent leg's Uniqueid (for click-to-dial,
  /// the ChannelId we chose, which becomes that Uniqueid).
  struct AgentCall {
    std::string call_id;
    std::string extension;
    std::string channel;       ///< agent leg Uniqueid ("" until the leg exists)
    std::string channel_name;  ///< e.g. PJSIP/137-00000011, for the Hangup action
    std::string group;         ///< Linkedid of the agent leg
    CallDirection direction = CallDirection::inbound;
    bool placed = false;       ///< the agent placed it (its leg started the call, or Originate)
    bool originated = false;   ///< placed by our Originate: make_call returned its id
    std::string ani;
    std::string dnis;
    std::string ivr_data;
    bool announced = false;    ///< an event went out; the caller's details are now fixed
    Stage stage = Stage::created;
    bool was_connected = false;
    EndReason end_hint = EndReason::none;  ///< first signal of how it ends
    bool local_hangup_requested = false;
    bool confirmed = true;     ///< seen since the current resync began
  };

  struct Channel {
    std::string id;  ///< Uniqueid
    std::string name;
    std::string linkedid;
    std::string caller_num;
    std::string connected_num;
    std::string exten;  ///< Exten at creation: the number dialled
    int state = 0;
    bool answered = false; ///< has been Up
    bool agent = false;    ///< an agent leg: m_calls holds its AgentCall under `id`
    std::string dialer;    ///< Uniqueid of the channel that dialled this one
    std::string dialee;    ///< Uniqueid of the last channel this one dialled
    std::string bridge;    ///< BridgeUniqueid while in a bridge
    bool hung_up = false;
    bool confirmed = true; ///< seen since the current resync began
  };

  struct Group {
    std::string ivr_data;
    std::string ani;   ///< the originating channel's caller number
    std::string dnis;  ///< the originating channel's Exten
    bool originator_is_agent = false;
    std::size_t channels = 0;
  };

  struct PendingOriginate {
    std::string call_id;
  };

  // Event handlers.
  void on_newchannel(const AmiPacket& p, std::vector<CallEvent>& out);
  void on_newstate(const AmiPacket& p, std::vector<CallEvent>& out);
  void on_dial_begin(const AmiPacket& p, std::vector<CallEvent>& out);
  void on_dial_state(const AmiPacket& p, std::vector<CallEvent>& out);
  void on_dial_end(const AmiPacket& p, std::vector<CallEvent>& out);
  void on_bridge_enter(const AmiPacket& p, std::vector<CallEvent>& out);
  void on_bridge_leave(const AmiPacket& p);
  void on_hold(const AmiPacket& p, bool held, std::vector<CallEvent>& out);
  void on_hangup_request(const AmiPacket& p);
  void on_hangup(const AmiPacket& p, std::vector<CallEvent>& out);
  EndReason reason_for_hangup(const AgentCall& call, const Channel& leg, int cause) const;
  void on_var_set(const AmiPacket& p);
  void on_user_event(const AmiPacket& p);
  void on_blind_transfer(const AmiPacket& p, std::vector<CallEvent>& out);
  void on_attended_transfer(const AmiPacket& p, std::vector<CallEvent>& out);
  void on_originate_response(const AmiPacket& p, std::vector<CallEvent>& out);
  void on_response(const AmiPacket& p, std::vector<CallEvent>& out);
  void on_core_show_channel(const AmiPacket& p, std::vector<CallEvent>& out);
  void end_resync(std::vector<CallEvent>& out);

  // Channel bookkeeping.
  Channel* find_channel(std::string_view uniqueid);
  /// Finds the channel of `prefix`Uniqueid, creating it from the snapshot when `create`.
  Channel* channel_from(const AmiPacket& p, std::string_view prefix, bool create,
                        std::vector<CallEvent>& out);
  Channel* create_channel(const AmiPacket& p, std::string_view prefix, std::string_view uniqueid,
                          std::vector<CallEvent>& out);
  void add_to_bridge(Channel& channel, std::string_view bridge);
  void leave_bridge(Channel& channel);
  void remove_channel(std::string_view uniqueid);
  void update_snapshot(Channel& channel, const AmiPacket& p, std::string_view prefix);
  void read_channel_variables(const AmiPacket& p, const Channel& channel);
  void set_ivr_data(const Channel& channel, std::string_view value);
  std::string agent_extension_of(std::string_view channel_name) const;

  AgentCall* agent_call_of(const Channel& channel);
  AgentCall* find_call(std::string_view call_id);
  const AgentCall* find_call(std::string_view call_id) const;

  // Emission.
  void emit(AgentCall& call, CallEventType type, std::vector<CallEvent>& out,
            EndReason reason = EndReason::none, std::string transfer_target = {});
  void emit_ringing(AgentCall& call, std::vector<CallEvent>& out);
  void emit_connected(AgentCall& call, std::vector<CallEvent>& out);
  void end_call(AgentCall& call, EndReason reason, std::vector<CallEvent>& out);
  void transfer_call(AgentCall& call, std::string target, std::vector<CallEvent>& out);
  void finish(AgentCall& call);
  void fill_party(AgentCall& call, const Channel& leg);
  void hint_peers_of(const Channel& gone);

  // Value hygiene: PBX text is bounded and free of control characters before it travels on.
  std::string clean(std::string_view value, std::size_t max_bytes);
  std::string_view field(const AmiPacket& p, std::string_view prefix, std::string_view key,
                         std::string& scratch) const;
  void note_unknown_channel(const AmiPacket& p);
  void note_malformed(const AmiPacket& p);

  MapperSettings m_settings;
  Clock m_now;
  StringMap<Channel> m_channels;
  StringMap<Group> m_groups;
  StringMap<AgentCall> m_calls;                   // by agent leg Uniqueid
  StringMap<std::string> m_active_ids;            // call id -> m_calls key, for active calls
  StringMap<std::vector<std::string>> m_bridges;  // BridgeUniqueid -> member Uniqueids
  StringMap<PendingOriginate> m_originates;  // by ActionID
  std::string m_resync_action_id;
  std::chrono::system_clock::time_point m_event_time{};
  MapperCounters m_counters;
  MapperExamples m_examples;
};

}  // namespace cti::adapters::asterisk_ami
