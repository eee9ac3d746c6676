// AMI events -> CallEvents, without sockets: the checked-in transcripts and small inline
// sequences run through AmiParser and AmiEventMapper. Every sequence is also fed to libcti's
// CallTracker, which must accept each event as a valid transition.
#include "ami_event_mapper.hpp"
#include "ami_parser.hpp"

#include "adapters/asterisk-ami/transcript.hpp"

#include "cti/call.hpp"

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace cti::adapters::asterisk_ami {
namespace {

using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

const auto k_now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));

MapperSettings settings(std::vector<std::string> agents = {}) {
  MapperSettings s;
  s.agent_extensions = std::move(agents);
  s.channel_pattern = std::regex(R"(^(?:PJSIP|SIP|IAX2)/([0-9]+)-[0-9A-Za-z]+$)");
  return s;
}

AmiPacket packet(Fields fields) {
  AmiPacket p;
  for (const auto& [key, value] : fields) {
    p.add(key, value);
  }
  return p;
}

// "ringing 137 <call id>" plus the end reason or transfer target when set.
std::string brief(const CallEvent& e) {
  std::string out = std::string(to_string(e.type)) + " " + e.extension + " " + e.call_id;
  if (e.type == CallEventType::disconnected) {
    out += " " + std::string(to_string(e.end_reason));
  }
  if (e.type == CallEventType::transferred) {
    out += " " + e.transfer_target;
  }
  return out;
}

std::vector<std::string> briefs(const std::vector<CallEvent>& events) {
  std::vector<std::string> out;
  for (const CallEvent& e : events) {
    out.push_back(brief(e));
  }
  return out;
}

// Feeds events to a fresh CallTracker: each must be a valid transition.
void check_tracker_accepts(const std::vector<CallEvent>& events) {
  CallTracker tracker;
  for (const CallEvent& e : events) {
    const ApplyResult result = tracker.apply(e);
    CAPTURE(brief(e));
    CAPTURE(result.reason);
    CHECK(result.outcome == ApplyOutcome::applied);
  }
}

// Plays a checked-in transcript (packets only) through the parser and a mapper.
struct Played {
  std::vector<CallEvent> events;
  MapperCounters counters;
  std::size_t channels = 0;
};

Played play(std::string_view name, MapperSettings s = settings()) {
  const Result<std::vector<TranscriptStep>> steps = load_transcript(transcript_path(name));
  REQUIRE_MESSAGE(steps, (steps ? std::string() : steps.error().message));
  std::string text;
  for (const TranscriptStep& step : *steps) {
    REQUIRE_MESSAGE(step.kind == TranscriptStep::Kind::packet, "directive in a mapper-level transcript");
    for (const auto& [key, value] : step.headers) {
      text += key + ": " + value + "\r\n";
    }
    text += "\r\n";
  }
  AmiParser parser({}, false);
  parser.feed(text);
  AmiEventMapper mapper(std::move(s), [] { return k_now; });
  Played played;
  AmiPacket p;
  while (parser.next(p)) {
    mapper.apply(p, played.events);
  }
  played.counters = mapper.counters();
  played.channels = mapper.channel_count();
  return played;
}

// Small builders for inline sequences: only the keys the mapper reads.
AmiPacket newchannel(std::string_view name, std::string_view uniqueid, std::string_view linkedid,
                     std::string_view caller, std::string_view exten, std::string_view state = "0") {
  return packet({{"Event", "Newchannel"}, {"Channel", name}, {"ChannelState", state},
                 {"CallerIDNum", caller}, {"Exten", exten}, {"Uniqueid", uniqueid},
                 {"Linkedid", linkedid}});
}
AmiPacket newstate(std::string_view uniqueid, std::string_view state) {
  return packet({{"Event", "Newstate"}, {"ChannelState", state}, {"Uniqueid", uniqueid}});
}
AmiPacket dial_begin(std::string_view caller, std::string_view dest) {
  return packet({{"Event", "DialBegin"}, {"Uniqueid", caller}, {"DestUniqueid", dest}});
}
AmiPacket dial_end(std::string_view caller, std::string_view dest, std::string_view status) {
  return packet({{"Event", "DialEnd"}, {"Uniqueid", caller}, {"DestUniqueid", dest},
                 {"DialStatus", status}});
}
AmiPacket bridge(std::string_view event, std::string_view uniqueid, std::string_view bridge_id) {
  return packet({{"Event", event}, {"BridgeUniqueid", bridge_id}, {"Uniqueid", uniqueid}});
}
AmiPacket simple(std::string_view event, std::string_view uniqueid) {
  return packet({{"Event", event}, {"Uniqueid", uniqueid}});
}
AmiPacket hangup(std::string_view uniqueid, std::string_view cause = "16") {
  return packet({{"Event", "Hangup"}, {"Uniqueid", uniqueid}, {"Cause", cause}});
}

struct Mapper {
  AmiEventMapper mapper;
  std::vector<CallEvent> events;
  explicit Mapper(MapperSettings s = settings()) : mapper(std::move(s), [] { return k_now; }) {}
  Mapper& operator<<(const AmiPacket& p) {
    mapper.apply(p, events);
    return *this;
  }
};

// An inbound caller C (uid c) dialling agent leg A (uid a, channel name) up to connected.
void connect_inbound(Mapper& m, std::string_view c, std::string_view agent_name, std::string_view a,
                     std::string_view ani = "+12128425500") {
  m << newchannel("PJSIP/carrier-00000001", c, c, ani, "8005550100", "4")
    << newchannel(agent_name, a, c, "137", "137") << dial_begin(c, a) << newstate(a, "5")
    << newstate(a, "6") << dial_end(c, a, "ANSWER") << bridge("BridgeEnter", c, "b1")
    << bridge("BridgeEnter", a, "b1");
}

}  // namespace

TEST_CASE("the contract call: inbound with IVR data, held, retrieved, caller hangs up") {
  const Played played = play("inbound_ivr_hold");
  CHECK(briefs(played.events) == std::vector<std::string>{
                                     "ringing 137 1732550000.16",
                                     "connected 137 1732550000.16",
                                     "held 137 1732550000.16",
                                     "retrieved 137 1732550000.16",
                                     "disconnected 137 1732550000.16 remote_hangup",
                                 });
  for (const CallEvent& e : played.events) {
    CAPTURE(brief(e));
    CHECK(e.ani == "+12128425500");
    CHECK(e.dnis == "8005550100");
    CHECK(e.ivr_data == "Case.CaseNumber=1234");
    CHECK(e.direction == CallDirection::inbound);
    CHECK(e.transfer_target.empty());
    CHECK(e.occurred_at == k_now);
  }
  CHECK(played.events.back().end_reason == EndReason::remote_hangup);
  CHECK(played.counters.unknown_channel_events == 0);
  CHECK(played.counters.malformed_events == 0);
  CHECK(played.counters.unhandled_events > 0);  // Newexten, BridgeCreate, RTCPSent, ...
  CHECK(played.channels == 0);                   // everything hung up: nothing kept
  check_tracker_accepts(played.events);
}

TEST_CASE("the checked-in transcripts map to the expected CallEvents") {
  struct Case {
    const char* name;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"inbound_agent_hangup",
       {"ringing 137 1732550000.16", "connected 137 1732550000.16",
        "disconnected 137 1732550000.16 local_hangup"}},
      {"unanswered", {"ringing 138 1732550100.20", "disconnected 138 1732550100.20 no_answer"}},
      {"abandoned", {"ringing 137 1732550200.30", "disconnected 137 1732550200.30 abandoned"}},
      {"blind_transfer",
       {"ringing 137 1732550000.16", "connected 137 1732550000.16",
        "transferred 137 1732550000.16 138", "ringing 138 1732550000.16",
        "connected 138 1732550000.16", "disconnected 138 1732550000.16 remote_hangup"}},
  };
  for (const Case& c : cases) {
    SUBCASE(c.name) {
      const Played played = play(c.name);
      CHECK(briefs(played.events) == c.expected);
      CHECK(played.counters.unknown_channel_events == 0);
      CHECK(played.channels == 0);
      check_tracker_accepts(played.events);
    }
  }
}

TEST_CASE("the transfer target inherits the caller's details") {
  const Played played = play("blind_transfer");
  REQUIRE(played.events.size() == 6);
  const CallEvent& ringing_138 = played.events[3];
  CHECK(ringing_138.ani == "+12128425500");
  CHECK(ringing_138.ivr_data == "Case.CaseNumber=1234");
  CHECK(ringing_138.direction == CallDirection::inbound);
}

TEST_CASE("only configured agents get events") {
  CHECK(play("inbound_ivr_hold", settings({"138", "139"})).events.empty());
  CHECK(play("inbound_ivr_hold", settings({"137"})).events.size() == 5);
}

TEST_CASE("IVR data arrives by VarSet, ChanVariable or UserEvent") {
  const std::string c = "100.1";
  const std::string a = "100.2";
  SUBCASE("ChanVariable (manager.conf channelvars)") {
    Mapper m;
    m << packet({{"Event", "Newchannel"}, {"Channel", "PJSIP/carrier-1"}, {"ChannelState", "4"},
                 {"CallerIDNum", "5550100"}, {"Exten", "800"}, {"Uniqueid", c}, {"Linkedid", c},
                 {"ChanVariable", "CTI_IVR_DATA="}})
      << packet({{"Event", "Newstate"}, {"ChannelState", "6"}, {"Uniqueid", c},
                 {"ChanVariable", "CTI_IVR_DATA=Case.CaseNumber=77"}})
      << newchannel("PJSIP/137-0001", a, c, "137", "137") << newstate(a, "5");
    REQUIRE(m.events.size() == 1);
    CHECK(m.events[0].ivr_data == "Case.CaseNumber=77");
  }
  SUBCASE("UserEvent, when configured") {
    MapperSettings s = settings();
    s.ivr_user_event = "CtiIvrData";
    Mapper m(std::move(s));
    m << newchannel("PJSIP/carrier-1", c, c, "5550100", "800", "4")
      << packet({{"Event", "UserEvent"}, {"Uniqueid", c}, {"UserEvent", "CtiIvrData"},
                 {"CTI_IVR_DATA", "Account.AccountNumber=CD355119"}})
      << newchannel("PJSIP/137-0001", a, c, "137", "137") << newstate(a, "5");
    REQUIRE(m.events.size() == 1);
    CHECK(m.events[0].ivr_data == "Account.AccountNumber=CD355119");
  }
  SUBCASE("UserEvent without the configuration, other variables and removals") {
    Mapper m;
    m << newchannel("PJSIP/carrier-1", c, c, "5550100", "800", "4")
      << packet({{"Event", "VarSet"}, {"Uniqueid", c}, {"Variable", "CTI_IVR_DATA"}, {"Value", "Case.CaseNumber=1"}})
      << packet({{"Event", "VarSet"}, {"Uniqueid", c}, {"Variable", "CTI_IVR_DATA"}, {"Value", ""}})
      << packet({{"Event", "VarSet"}, {"Uniqueid", c}, {"Variable", "DIALSTATUS"}, {"Value", "ANSWER"}})
      << packet({{"Event", "UserEvent"}, {"Uniqueid", c}, {"UserEvent", "CtiIvrData"},
                 {"CTI_IVR_DATA", "Case.CaseNumber=2"}})
      << newchannel("PJSIP/137-0001", a, c, "137", "137") << newstate(a, "5");
    REQUIRE(m.events.size() == 1);
    CHECK(m.events[0].ivr_data.empty());
  }
  SUBCASE("over-long or control-character values are dropped and counted") {
    Mapper m;
    m << newchannel("PJSIP/carrier-1", c, c, "5550100", "800", "4")
      << packet({{"Event", "VarSet"}, {"Uniqueid", c}, {"Variable", "CTI_IVR_DATA"},
                 {"Value", std::string(2000, '7')}})
      << newchannel("PJSIP/137-0001", a, c, "137", "137") << newstate(a, "5");
    REQUIRE(m.events.size() == 1);
    CHECK(m.events[0].ivr_data.empty());
    CHECK(m.mapper.counters().dropped_values == 1);
    Mapper n;
    n << newchannel("PJSIP/carrier-1", c, c, std::string_view("555\x01" "0100", 8), "800", "4")
      << newchannel("PJSIP/137-0001", a, c, "137", "137") << newstate(a, "5");
    REQUIRE(n.events.size() == 1);
    CHECK(n.events[0].ani.empty());
    CHECK(n.mapper.counters().dropped_values == 1);
  }
}

TEST_CASE("anomalies are counted and dropped, never fatal") {
  Mapper m;
  m << hangup("999.9")                                             // a channel never seen
    << simple("Hold", "999.9")
    << packet({{"Event", "Newstate"}, {"ChannelState", "5"}})         // no Uniqueid
    << packet({{"Event", "Hangup"}, {"Uniqueid", std::string(500, '1')}})
    << packet({{"Event", "PeerStatus"}, {"Peer", "PJSIP/137"}})       // not used
    << packet({{"Event", "Newstate"}, {"Uniqueid", "1.1"}, {"ChannelState", "banana"}})
    << packet({{"Response", "Success"}, {"ActionID", "nobody"}})
    << packet({{"Reply", "what"}});
  CHECK(m.events.empty());
  CHECK(m.mapper.counters().unknown_channel_events == 2);
  CHECK(m.mapper.counters().malformed_events == 2);
  CHECK(m.mapper.counters().unhandled_events == 1);
  CHECK(m.mapper.examples().unknown_channel == "Hangup");
  CHECK(m.mapper.examples().unhandled_event == "PeerStatus");
}

TEST_CASE("end reasons") {
  const std::string c = "200.1";
  const std::string a = "200.2";
  SUBCASE("reordered hangups: the caller's HangupRequest decides") {
    Mapper m;
    connect_inbound(m, c, "PJSIP/137-0002", a);
    m << simple("HangupRequest", c) << hangup(c) << bridge("BridgeLeave", a, "b1") << hangup(a);
    CHECK(m.events.back().end_reason == EndReason::remote_hangup);
  }
  SUBCASE("no HangupRequest: the first to leave the bridge decides") {
    Mapper m;
    connect_inbound(m, c, "PJSIP/137-0002", a);
    m << bridge("BridgeLeave", a, "b1") << bridge("BridgeLeave", c, "b1") << hangup(c) << hangup(a);
    CHECK(m.events.back().end_reason == EndReason::local_hangup);
  }
  SUBCASE("only Hangups: whoever is still there did not hang up") {
    Mapper m;
    connect_inbound(m, c, "PJSIP/137-0002", a);
    m << hangup(c) << hangup(a);
    CHECK(m.events.back().end_reason == EndReason::remote_hangup);
  }
  SUBCASE("agent busy while ringing") {
    Mapper m;
    m << newchannel("PJSIP/carrier-1", c, c, "5550100", "800", "4")
      << newchannel("PJSIP/137-0002", a, c, "137", "137") << dial_begin(c, a) << newstate(a, "5")
      << hangup(a, "17");
    CHECK(briefs(m.events) == std::vector<std::string>{"ringing 137 200.1", "disconnected 137 200.1 busy"});
  }
  SUBCASE("a leg that never rang is not reported") {
    Mapper m;
    m << newchannel("PJSIP/carrier-1", c, c, "5550100", "800", "4")
      << newchannel("PJSIP/137-0002", a, c, "137", "137") << dial_begin(c, a)
      << dial_end(c, a, "CHANUNAVAIL") << hangup(a, "20");
    CHECK(m.events.empty());
    CHECK(m.mapper.active_call_count() == 0);
  }
  SUBCASE("the PBX Timestamp stamps the event") {
    Mapper m;
    m << newchannel("PJSIP/carrier-1", c, c, "5550100", "800", "4")
      << newchannel("PJSIP/137-0002", a, c, "137", "137")
      << packet({{"Event", "Newstate"}, {"ChannelState", "5"}, {"Uniqueid", a},
                 {"Timestamp", "1732550000.250000"}});
    REQUIRE(m.events.size() == 1);
    CHECK(m.events[0].occurred_at == std::chrono::system_clock::time_point(
                                         std::chrono::milliseconds(1732550000250LL)));
  }
  SUBCASE("a Timestamp that is not a time falls back to the clock") {
    for (const std::string_view stamp : {"999999999999.5", "-5.0", "12.x", "1.1234567890", "."}) {
      CAPTURE(stamp);
      Mapper m;
      m << newchannel("PJSIP/carrier-1", c, c, "5550100", "800", "4")
        << newchannel("PJSIP/137-0002", a, c, "137", "137")
        << packet({{"Event", "Newstate"}, {"ChannelState", "5"}, {"Uniqueid", a}, {"Timestamp", stamp}});
      REQUIRE(m.events.size() == 1);
      CHECK(m.events[0].occurred_at == k_now);
    }
  }
}

TEST_CASE("ring-all: two agents ring for one caller, each call has its own id") {
  const std::string c = "300.1";
  Mapper m;
  m << newchannel("PJSIP/carrier-1", c, c, "5550100", "800", "4")
    << newchannel("PJSIP/137-0001", "300.2", c, "137", "137")
    << newchannel("PJSIP/138-0001", "300.3", c, "138", "138") << dial_begin(c, "300.2")
    << dial_begin(c, "300.3") << newstate("300.2", "5") << newstate("300.3", "5")
    << newstate("300.3", "6") << dial_end(c, "300.3", "ANSWER") << dial_end(c, "300.2", "CANCEL")
    << hangup("300.2", "26") << bridge("BridgeEnter", c, "b") << bridge("BridgeEnter", "300.3", "b")
    << simple("HangupRequest", "300.3") << bridge("BridgeLeave", "300.3", "b") << hangup("300.3")
    << hangup(c);
  CHECK(briefs(m.events) == std::vector<std::string>{
                                "ringing 137 300.1", "ringing 138 300.3", "connected 138 300.3",
                                "disconnected 137 300.1 no_answer", "disconnected 138 300.3 local_hangup"});
  check_tracker_accepts(m.events);
}

TEST_CASE("an internal call between two agents") {
  Mapper m;
  m << newchannel("PJSIP/137-0001", "400.1", "400.1", "137", "138", "4")
    << newchannel("PJSIP/138-0001", "400.2", "400.1", "138", "138") << dial_begin("400.1", "400.2")
    << newstate("400.2", "5") << packet({{"Event", "DialState"}, {"Uniqueid", "400.1"},
                                         {"DestUniqueid", "400.2"}, {"DialStatus", "RINGING"}})
    << newstate("400.2", "6") << dial_end("400.1", "400.2", "ANSWER")
    << bridge("BridgeEnter", "400.1", "b") << bridge("BridgeEnter", "400.2", "b")
    << simple("HangupRequest", "400.1") << bridge("BridgeLeave", "400.1", "b") << hangup("400.1")
    << bridge("BridgeLeave", "400.2", "b") << hangup("400.2");
  CHECK(briefs(m.events) == std::vector<std::string>{
                                "dialing 137 400.1", "ringing 138 400.2", "ringing 137 400.1",
                                "connected 138 400.2", "connected 137 400.1",
                                "disconnected 137 400.1 local_hangup",
                                "disconnected 138 400.2 remote_hangup"});
  for (const CallEvent& e : m.events) {
    CHECK(e.direction == CallDirection::internal);
    CHECK(e.ani == (e.extension == "137" ? "138" : "137"));
  }
  check_tracker_accepts(m.events);
}

TEST_CASE("an attended transfer ends both of the transferring agent's calls") {
  Mapper m;
  connect_inbound(m, "500.1", "PJSIP/137-0001", "500.2");
  // 137 consults 138 on a second leg, then completes the transfer.
  m << newchannel("PJSIP/137-0002", "500.3", "500.3", "137", "138", "4")
    << newchannel("PJSIP/138-0001", "500.4", "500.3", "138", "138") << dial_begin("500.3", "500.4")
    << newstate("500.4", "5") << newstate("500.4", "6") << dial_end("500.3", "500.4", "ANSWER")
    << packet({{"Event", "AttendedTransfer"}, {"Result", "Success"},
               {"OrigTransfererUniqueid", "500.2"}, {"SecondTransfererUniqueid", "500.3"},
               {"TransferTargetUniqueid", "500.4"}, {"TransfereeUniqueid", "500.1"},
               {"DestType", "Bridge"}})
    << hangup("500.2") << hangup("500.3") << hangup("500.1") << hangup("500.4");
  CHECK(briefs(m.events) == std::vector<std::string>{
                                "ringing 137 500.1", "connected 137 500.1", "dialing 137 500.3",
                                "ringing 138 500.4", "connected 138 500.4", "connected 137 500.3",
                                "transferred 137 500.1 138", "transferred 137 500.3 138",
                                "disconnected 138 500.4 remote_hangup"});
  check_tracker_accepts(m.events);
}

TEST_CASE("click-to-dial bookkeeping") {
  SUBCASE("queued, rang out: dialing then no_answer, once") {
    Mapper m;
    REQUIRE(m.mapper.originate_requested("act-1", "call-1", "137", "912128425500"));
    m << packet({{"Response", "Success"}, {"ActionID", "act-1"}})
      << newchannel("PJSIP/137-0009", "call-1", "call-1", "912128425500", "912128425500")
      << newstate("call-1", "5") << hangup("call-1", "19")
      << packet({{"Event", "OriginateResponse"}, {"ActionID", "act-1"}, {"Response", "Failure"}, {"Reason", "3"}});
    CHECK(briefs(m.events) == std::vector<std::string>{"dialing 137 call-1", "disconnected 137 call-1 no_answer"});
    CHECK(m.events[0].direction == CallDirection::outbound);
    CHECK(m.events[0].ani == "912128425500");
    CHECK(m.events[0].dnis == "912128425500");
    check_tracker_accepts(m.events);
  }
  SUBCASE("refused outright: nothing to report") {
    Mapper m;
    REQUIRE(m.mapper.originate_requested("act-2", "call-2", "137", "5550100"));
    m << packet({{"Response", "Error"}, {"ActionID", "act-2"}, {"Message", "Originate failed"}});
    CHECK(m.events.empty());
    CHECK_FALSE(m.mapper.knows_call("call-2"));
  }
  SUBCASE("no channel at all: OriginateResponse Failure ends it") {
    Mapper m;
    REQUIRE(m.mapper.originate_requested("act-3", "call-3", "137", "5550100"));
    m << packet({{"Response", "Success"}, {"ActionID", "act-3"}})
      << packet({{"Event", "OriginateResponse"}, {"ActionID", "act-3"}, {"Response", "Failure"}, {"Reason", "0"}});
    CHECK(briefs(m.events) == std::vector<std::string>{"dialing 137 call-3", "disconnected 137 call-3 failed"});
    CHECK(m.mapper.counters().originate_failures == 1);
    CHECK_FALSE(m.mapper.knows_call("call-3"));
  }
  SUBCASE("click-to-dial calls waiting for their channel are bounded") {
    Mapper m;
    for (int i = 0; i < 1024; ++i) {
      REQUIRE(m.mapper.originate_requested("act-" + std::to_string(i), "call-" + std::to_string(i),
                                           "137", "5550100"));
    }
    CHECK_FALSE(m.mapper.originate_requested("act-x", "call-x", "137", "5550100"));
    // A channel appearing settles its Originate and frees a place.
    m << newchannel("PJSIP/137-0001", "call-0", "call-0", "5550100", "5550100");
    CHECK(m.mapper.originate_requested("act-y", "call-y", "137", "5550100"));
  }
  SUBCASE("another AMI client's OriginateResponse is ignored") {
    Mapper m;
    m << packet({{"Event", "OriginateResponse"}, {"ActionID", "elsewhere"}, {"Response", "Failure"}});
    CHECK(m.events.empty());
  }
  SUBCASE("channel_of finds the agent's channel for Hangup") {
    Mapper m;
    connect_inbound(m, "600.1", "PJSIP/137-0006", "600.2");
    CHECK(m.mapper.channel_of("600.1") == "PJSIP/137-0006");
    CHECK(m.mapper.channel_of("nope").empty());
    m.mapper.note_local_hangup("600.1");
    m << hangup("600.2");
    CHECK(m.events.back().end_reason == EndReason::local_hangup);
  }
}

TEST_CASE("resynchronisation after a reconnect") {
  auto listed = [](std::string_view uniqueid, std::string_view linkedid, std::string_view name,
                   std::string_view state, std::string_view bridge_id, std::string_view caller) {
    return packet({{"Event", "CoreShowChannel"}, {"ActionID", "sync-1"}, {"Channel", name},
                   {"ChannelState", state}, {"CallerIDNum", caller}, {"ConnectedLineNum", "5550100"},
                   {"Exten", "800"}, {"Uniqueid", uniqueid}, {"Linkedid", linkedid},
                   {"BridgeId", bridge_id}});
  };
  const AmiPacket complete =
      packet({{"Event", "CoreShowChannelsComplete"}, {"ActionID", "sync-1"}, {"ListItems", "2"}});

  SUBCASE("calls that vanished are closed as unknown; live ones are left alone") {
    Mapper m;
    connect_inbound(m, "700.1", "PJSIP/137-0007", "700.2");
    connect_inbound(m, "701.1", "PJSIP/138-0007", "701.2");
    m.events.clear();
    m.mapper.begin_resync("sync-1");
    m << listed("701.1", "701.1", "PJSIP/carrier-2", "6", "b1", "5550100")
      << listed("701.2", "701.1", "PJSIP/138-0007", "6", "b1", "138") << complete;
    CHECK(briefs(m.events) == std::vector<std::string>{"disconnected 137 700.1 unknown"});
    CHECK(m.mapper.counters().calls_closed_by_resync == 1);
    CHECK(m.mapper.channel_count() == 2);
    CHECK_FALSE(m.mapper.resync_active());
  }
  SUBCASE("a call seen in an event during the listing is not closed") {
    Mapper m;
    connect_inbound(m, "700.1", "PJSIP/137-0007", "700.2");
    m.events.clear();
    m.mapper.begin_resync("sync-1");
    m << simple("Hold", "700.2") << complete;
    CHECK(briefs(m.events) == std::vector<std::string>{"held 137 700.1"});
  }
  SUBCASE("calls that appeared while away are reported in the states the tracker expects") {
    Mapper m;
    m.mapper.begin_resync("sync-1");
    m << listed("800.1", "800.1", "PJSIP/carrier-8", "6", "b8", "5550100")
      << listed("800.2", "800.1", "PJSIP/137-0008", "6", "b8", "137")
      << listed("801.1", "801.1", "PJSIP/carrier-9", "6", "", "5550101")
      << listed("801.2", "801.1", "PJSIP/138-0009", "5", "", "138") << complete;
    CHECK(briefs(m.events) == std::vector<std::string>{"ringing 137 800.1", "connected 137 800.1",
                                                       "ringing 138 801.1"});
    CHECK(m.events[0].ani == "5550100");
    check_tracker_accepts(m.events);
  }
  SUBCASE("a listing for another ActionID is not ours") {
    Mapper m;
    connect_inbound(m, "700.1", "PJSIP/137-0007", "700.2");
    m.events.clear();
    m.mapper.begin_resync("sync-2");
    m << complete;
    CHECK(m.events.empty());
    CHECK(m.mapper.resync_active());
    m.mapper.cancel_resync();
    CHECK_FALSE(m.mapper.resync_active());
  }
  SUBCASE("a click-to-dial whose outcome was missed is closed") {
    Mapper m;
    REQUIRE(m.mapper.originate_requested("act-9", "call-9", "137", "5550100"));
    m << packet({{"Response", "Success"}, {"ActionID", "act-9"}});
    m.mapper.begin_resync("sync-1");
    m << complete;
    CHECK(briefs(m.events) == std::vector<std::string>{"dialing 137 call-9", "disconnected 137 call-9 unknown"});
  }
}

TEST_CASE("memory stays bounded by the channel limit") {
  MapperSettings s = settings();
  s.max_channels = 10;
  Mapper m(std::move(s));
  for (int i = 0; i < 50; ++i) {
    const std::string id = "900." + std::to_string(i);
    m << newchannel("PJSIP/carrier-1", id, id, "5550100", "800", "4");
  }
  CHECK(m.mapper.channel_count() == 10);
  CHECK(m.mapper.counters().channel_limit_hits == 40);
}

}  // namespace cti::adapters::asterisk_ami
