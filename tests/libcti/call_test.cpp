#include "cti/call.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using cti::ApplyOutcome;
using cti::CallDirection;
using cti::CallEvent;
using cti::CallEventType;
using cti::CallState;
using cti::CallTracker;
using cti::EndReason;

namespace {

using Type = CallEventType;

// Event times are injected: second n of a fixed day.
std::chrono::system_clock::time_point at(int second) {
  return std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 50) +
         std::chrono::seconds(second);
}

CallEvent event(Type type, std::string call_id = "c1", std::string extension = "201",
                int second = 0) {
  CallEvent e;
  e.type = type;
  e.call_id = std::move(call_id);
  e.extension = std::move(extension);
  e.occurred_at = at(second);
  return e;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// Applies events that must all be accepted.
void feed(CallTracker& tracker, std::initializer_list<CallEvent> events) {
  for (const CallEvent& e : events) {
    const auto r = tracker.apply(e);
    REQUIRE_MESSAGE(r.outcome == ApplyOutcome::applied, r.reason);
  }
}

}  // namespace

TEST_CASE("names of CallState and ApplyOutcome") {
  CHECK(cti::to_string(CallState::offering) == "offering");
  CHECK(cti::to_string(CallState::ringing) == "ringing");
  CHECK(cti::to_string(CallState::dialing) == "dialing");
  CHECK(cti::to_string(CallState::connected) == "connected");
  CHECK(cti::to_string(CallState::held) == "held");
  CHECK(cti::to_string(CallState::transferred) == "transferred");
  CHECK(cti::to_string(CallState::disconnected) == "disconnected");
  CHECK(cti::to_string(ApplyOutcome::applied) == "applied");
  CHECK(cti::to_string(ApplyOutcome::duplicate) == "duplicate");
  CHECK(cti::to_string(ApplyOutcome::out_of_order) == "out_of_order");
  CHECK(cti::to_string(ApplyOutcome::unknown_call) == "unknown_call");
  CHECK(cti::to_string(ApplyOutcome::invalid) == "invalid");
}

TEST_CASE("an inbound call from offering to disconnected") {
  CallTracker tracker;
  CallEvent offering = event(Type::offering, "c1", "201", 1);
  offering.ani = "+12128425500";
  offering.dnis = "8005550100";
  offering.ivr_data = "Case.CaseNumber=1234";
  auto r = tracker.apply(offering);
  REQUIRE(r.outcome == ApplyOutcome::applied);
  CHECK(r.reason.empty());
  REQUIRE(r.call.has_value());
  CHECK(r.call->state == CallState::offering);
  CHECK(r.call->direction == CallDirection::inbound);
  CHECK(r.call->started_at == at(1));
  CHECK(r.call->is_active());

  feed(tracker, {event(Type::ringing, "c1", "201", 2), event(Type::connected, "c1", "201", 5),
                 event(Type::held, "c1", "201", 10)});
  CHECK(tracker.find("c1")->state == CallState::held);
  feed(tracker, {event(Type::retrieved, "c1", "201", 20)});

  const auto call = tracker.find("c1");
  REQUIRE(call.has_value());
  CHECK(call->state == CallState::connected);
  CHECK(call->was_connected);
  CHECK(call->connected_at == at(5));  // the first answer, not the retrieve
  CHECK(call->ani == "+12128425500");
  CHECK(call->ivr_data == "Case.CaseNumber=1234");
  CHECK(tracker.active_count() == 1);

  CallEvent hangup = event(Type::disconnected, "c1", "201", 60);
  hangup.end_reason = EndReason::remote_hangup;
  r = tracker.apply(hangup);
  REQUIRE(r.outcome == ApplyOutcome::applied);
  CHECK(r.call->state == CallState::disconnected);
  CHECK(r.call->end_reason == EndReason::remote_hangup);
  CHECK(r.call->ended_at == at(60));
  CHECK_FALSE(r.call->is_active());
  CHECK(tracker.active_count() == 0);
  CHECK(tracker.active_calls("201").empty());
  CHECK(tracker.counters().applied == 6);
}

TEST_CASE("an outbound call starts with dialing") {
  CallTracker tracker;
  CallEvent dialing = event(Type::dialing, "o1", "201", 1);
  dialing.dnis = "912128425500";
  auto r = tracker.apply(dialing);
  REQUIRE(r.outcome == ApplyOutcome::applied);
  CHECK(r.call->state == CallState::dialing);
  // The field defaults to inbound; a dialing call is one the agent places.
  CHECK(r.call->direction == CallDirection::outbound);

  feed(tracker, {event(Type::ringing, "o1", "201", 2), event(Type::connected, "o1", "201", 9)});
  CallEvent hangup = event(Type::disconnected, "o1", "201", 30);
  hangup.end_reason = EndReason::local_hangup;
  r = tracker.apply(hangup);
  CHECK(r.call->end_reason == EndReason::local_hangup);
  CHECK(r.call->connected_at == at(9));

  SUBCASE("an internal call keeps its direction") {
    CallEvent internal = event(Type::dialing, "i1", "201");
    internal.direction = CallDirection::internal;
    CHECK(tracker.apply(internal).call->direction == CallDirection::internal);
  }
}

TEST_CASE("end reasons when the PBX gives none") {
  const struct {
    const char* name;
    CallDirection direction;
    std::vector<Type> before;
    EndReason given;
    EndReason expected;
  } cases[] = {
      {"inbound offering, caller gives up", CallDirection::inbound, {Type::offering},
       EndReason::none, EndReason::abandoned},
      {"inbound ringing, caller gives up", CallDirection::inbound, {Type::ringing},
       EndReason::none, EndReason::abandoned},
      {"outbound never answered", CallDirection::outbound, {Type::dialing, Type::ringing},
       EndReason::none, EndReason::no_answer},
      {"outbound busy as reported", CallDirection::outbound, {Type::dialing}, EndReason::busy,
       EndReason::busy},
      {"internal never answered", CallDirection::internal, {Type::ringing}, EndReason::none,
       EndReason::no_answer},
      {"inbound ringing, no_answer as reported", CallDirection::inbound, {Type::ringing},
       EndReason::no_answer, EndReason::no_answer},
      {"connected, no reason", CallDirection::inbound, {Type::ringing, Type::connected},
       EndReason::none, EndReason::unknown},
      {"held, no reason", CallDirection::outbound, {Type::dialing, Type::connected, Type::held},
       EndReason::none, EndReason::unknown},
      {"connected, remote hangup", CallDirection::inbound, {Type::ringing, Type::connected},
       EndReason::remote_hangup, EndReason::remote_hangup},
      {"connected, failed", CallDirection::inbound, {Type::ringing, Type::connected},
       EndReason::failed, EndReason::failed},
  };
  for (const auto& c : cases) {
    SUBCASE(c.name) {
      CallTracker tracker;
      for (Type type : c.before) {
        CallEvent e = event(type);
        e.direction = c.direction;
        REQUIRE(tracker.apply(e).outcome == ApplyOutcome::applied);
      }
      CallEvent end = event(Type::disconnected);
      end.end_reason = c.given;
      const auto r = tracker.apply(end);
      REQUIRE(r.outcome == ApplyOutcome::applied);
      CHECK(r.call->end_reason == c.expected);
      CHECK(tracker.find("c1")->end_reason == c.expected);
    }
  }
}

TEST_CASE("every event from every state") {
  // How to reach each state, then what each event type does from there.
  const struct {
    CallState state;
    std::vector<Type> path;
  } states[] = {
      {CallState::offering, {Type::offering}},
      {CallState::ringing, {Type::ringing}},
      {CallState::dialing, {Type::dialing}},
      {CallState::connected, {Type::ringing, Type::connected}},
      {CallState::held, {Type::ringing, Type::connected, Type::held}},
      {CallState::transferred, {Type::ringing, Type::connected, Type::transferred}},
      {CallState::disconnected, {Type::ringing, Type::connected, Type::disconnected}},
  };
  const auto A = ApplyOutcome::applied;
  const auto D = ApplyOutcome::duplicate;
  const auto O = ApplyOutcome::out_of_order;
  const Type events[] = {Type::offering,  Type::ringing,   Type::dialing,     Type::connected,
                         Type::held,      Type::retrieved, Type::transferred, Type::disconnected};
  // Rows: states in the order above; columns: events in the order above.
  const ApplyOutcome expected[7][8] = {
      /* offering     */ {D, A, O, A, O, O, A, A},
      /* ringing      */ {O, D, O, A, O, O, A, A},
      /* dialing      */ {O, A, D, A, O, O, A, A},
      /* connected    */ {O, O, O, D, A, D, A, A},
      /* held         */ {O, O, O, A, D, A, A, A},
      /* transferred  */ {O, O, O, O, O, O, D, D},
      /* disconnected */ {O, O, O, O, O, O, D, D},
  };
  const CallState next_state[8] = {CallState::offering,    CallState::ringing,
                                   CallState::dialing,     CallState::connected,
                                   CallState::held,        CallState::connected,
                                   CallState::transferred, CallState::disconnected};

  for (std::size_t s = 0; s < 7; ++s) {
    for (std::size_t e = 0; e < 8; ++e) {
      const std::string name = std::string(cti::to_string(states[s].state)) + " + " +
                               std::string(cti::to_string(events[e]));
      SUBCASE(name.c_str()) {
        CallTracker tracker;
        for (Type type : states[s].path) {
          REQUIRE(tracker.apply(event(type)).outcome == ApplyOutcome::applied);
        }
        REQUIRE(tracker.find("c1")->state == states[s].state);
        const auto before = tracker.counters();

        const auto r = tracker.apply(event(events[e]));
        CHECK(r.outcome == expected[s][e]);
        REQUIRE(r.call.has_value());
        const auto after = tracker.counters();
        if (r.outcome == ApplyOutcome::applied) {
          CHECK(r.reason.empty());
          CHECK(r.call->state == next_state[e]);
          CHECK(after.applied == before.applied + 1);
        } else {
          CHECK_FALSE(r.reason.empty());
          CHECK(contains(r.reason, "\"c1\""));
          CHECK(r.call->state == states[s].state);  // ignored events change nothing
          CHECK(tracker.find("c1")->state == states[s].state);
          CHECK(after.duplicate + after.out_of_order ==
                before.duplicate + before.out_of_order + 1);
        }
      }
    }
  }
}

TEST_CASE("events for calls the tracker never saw") {
  const Type types[] = {Type::connected, Type::held, Type::retrieved, Type::transferred,
                        Type::disconnected};
  for (Type type : types) {
    SUBCASE(std::string(cti::to_string(type)).c_str()) {
      CallTracker tracker;
      const auto r = tracker.apply(event(type, "ghost-7"));
      CHECK(r.outcome == ApplyOutcome::unknown_call);
      CHECK(contains(r.reason, "unknown call"));
      CHECK(contains(r.reason, "\"ghost-7\""));
      CHECK_FALSE(r.call.has_value());
      CHECK_FALSE(tracker.find("ghost-7").has_value());
      CHECK(tracker.active_count() == 0);
      CHECK(tracker.counters().unknown_call == 1);
    }
  }
}

TEST_CASE("malformed events are invalid") {
  const struct {
    const char* name;
    std::string call_id;
    std::string extension;
    std::string_view reason;
  } cases[] = {
      {"no call id", "", "201", "no call id"},
      {"no extension", "c1", "", "no extension"},
      {"neither", "", "", "no call id"},
  };
  for (const auto& c : cases) {
    SUBCASE(c.name) {
      CallTracker tracker;
      const auto r = tracker.apply(event(Type::offering, c.call_id, c.extension));
      CHECK(r.outcome == ApplyOutcome::invalid);
      CHECK(contains(r.reason, c.reason));
      CHECK_FALSE(r.call.has_value());
      CHECK(tracker.active_count() == 0);
      CHECK(tracker.counters().invalid == 1);
      CHECK(tracker.counters().applied == 0);
    }
  }
}

TEST_CASE("late and duplicate events after the end") {
  CallTracker tracker;
  feed(tracker, {event(Type::ringing), event(Type::connected), event(Type::disconnected)});

  SUBCASE("connected after disconnected") {
    const auto r = tracker.apply(event(Type::connected));
    CHECK(r.outcome == ApplyOutcome::out_of_order);
    CHECK(contains(r.reason, "already ended"));
    CHECK(r.call->state == CallState::disconnected);
    CHECK(tracker.counters().out_of_order == 1);
  }
  SUBCASE("a repeated disconnect") {
    const auto r = tracker.apply(event(Type::disconnected));
    CHECK(r.outcome == ApplyOutcome::duplicate);
    CHECK(tracker.counters().duplicate == 1);
  }
  SUBCASE("the same call offered again at the same extension") {
    CHECK(tracker.apply(event(Type::offering)).outcome == ApplyOutcome::out_of_order);
    CHECK(tracker.active_count() == 0);
  }
  SUBCASE("a non-starting event from another extension") {
    const auto r = tracker.apply(event(Type::held, "c1", "202"));
    CHECK(r.outcome == ApplyOutcome::out_of_order);
    CHECK(contains(r.reason, "ended at extension \"201\""));
  }
}

TEST_CASE("an event for an active call at another extension is out of order") {
  CallTracker tracker;
  feed(tracker, {event(Type::ringing, "c1", "201"), event(Type::connected, "c1", "201")});
  const Type types[] = {Type::ringing, Type::connected, Type::held, Type::disconnected};
  for (Type type : types) {
    SUBCASE(std::string(cti::to_string(type)).c_str()) {
      const auto r = tracker.apply(event(type, "c1", "305"));
      CHECK(r.outcome == ApplyOutcome::out_of_order);
      CHECK(contains(r.reason, "is at extension \"201\""));
      CHECK(tracker.find("c1")->state == CallState::connected);
      CHECK(tracker.find("c1")->extension == "201");
    }
  }
}

TEST_CASE("a transfer ends one leg and the target starts the next") {
  CallTracker tracker;
  CallEvent ringing = event(Type::ringing, "c1", "201", 1);
  ringing.ani = "2128425500";
  ringing.ivr_data = "Case.CaseNumber=1234";
  feed(tracker, {ringing, event(Type::connected, "c1", "201", 2)});

  CallEvent transfer = event(Type::transferred, "c1", "201", 30);
  transfer.transfer_target = "202";
  auto r = tracker.apply(transfer);
  REQUIRE(r.outcome == ApplyOutcome::applied);
  CHECK(r.call->state == CallState::transferred);
  CHECK(r.call->end_reason == EndReason::transferred);
  CHECK(r.call->transfer_target == "202");
  CHECK(r.call->ended_at == at(30));
  CHECK(tracker.active_calls("201").empty());

  SUBCASE("the target's phone rings: a new leg") {
    r = tracker.apply(event(Type::ringing, "c1", "202", 31));
    REQUIRE(r.outcome == ApplyOutcome::applied);
    CHECK(r.call->extension == "202");
    CHECK(r.call->state == CallState::ringing);
    CHECK(r.call->end_reason == EndReason::none);
    CHECK(r.call->transfer_target.empty());
    CHECK_FALSE(r.call->was_connected);
    CHECK(r.call->started_at == at(31));
    // The caller is the same: what the PBX said about them carries over.
    CHECK(r.call->ani == "2128425500");
    CHECK(r.call->ivr_data == "Case.CaseNumber=1234");
    CHECK(tracker.find("c1")->extension == "202");
    CHECK(tracker.active_calls("202").size() == 1);

    // A late event for the old leg is recognised and changes nothing.
    const auto late = tracker.apply(event(Type::disconnected, "c1", "201", 32));
    CHECK(late.outcome == ApplyOutcome::out_of_order);
    CHECK(tracker.find("c1")->state == CallState::ringing);

    feed(tracker, {event(Type::connected, "c1", "202", 33)});
    CallEvent hangup = event(Type::disconnected, "c1", "202", 90);
    hangup.end_reason = EndReason::remote_hangup;
    r = tracker.apply(hangup);
    CHECK(r.call->end_reason == EndReason::remote_hangup);
    CHECK(tracker.active_count() == 0);
  }
  SUBCASE("the PBX also reports the old leg hanging up") {
    r = tracker.apply(event(Type::disconnected, "c1", "201", 31));
    CHECK(r.outcome == ApplyOutcome::duplicate);
    CHECK(r.call->end_reason == EndReason::transferred);
  }
  SUBCASE("the target's offering or an outbound dialing also starts a leg") {
    CHECK(tracker.apply(event(Type::offering, "c1", "203")).outcome == ApplyOutcome::applied);
    CHECK(tracker.find("c1")->state == CallState::offering);
  }
}

TEST_CASE("a queue call rings the next agent after one did not answer") {
  CallTracker tracker(4);
  feed(tracker, {event(Type::ringing, "q1", "201")});
  CallEvent missed = event(Type::disconnected, "q1", "201");
  missed.end_reason = EndReason::no_answer;
  feed(tracker, {missed, event(Type::ringing, "q1", "202"), event(Type::connected, "q1", "202")});
  CHECK(tracker.find("q1")->extension == "202");
  CHECK(tracker.find("q1")->state == CallState::connected);

  // The replaced leg gave up its place in the ended-call list: after this leg and three more
  // calls end, all four are kept; the fifth evicts q1.
  feed(tracker, {event(Type::disconnected, "q1", "202")});
  for (int i = 0; i < 3; ++i) {
    const std::string id = "n" + std::to_string(i);
    feed(tracker, {event(Type::ringing, id), event(Type::disconnected, id)});
  }
  REQUIRE(tracker.find("q1").has_value());
  CHECK(tracker.find("q1")->extension == "202");
  feed(tracker, {event(Type::ringing, "n3"), event(Type::disconnected, "n3")});
  CHECK_FALSE(tracker.find("q1").has_value());
  CHECK(tracker.find("n0").has_value());
  CHECK(tracker.find("n3").has_value());
}

TEST_CASE("ended calls are kept up to the limit, oldest evicted") {
  CallTracker tracker(2);
  for (const char* id : {"a", "b", "c"}) {
    feed(tracker,
         {event(Type::ringing, id), event(Type::connected, id), event(Type::disconnected, id)});
  }
  CHECK_FALSE(tracker.find("a").has_value());
  REQUIRE(tracker.find("b").has_value());
  REQUIRE(tracker.find("c").has_value());

  // Still known: a late event is out of order. Evicted: it is an unknown call.
  CHECK(tracker.apply(event(Type::connected, "b")).outcome == ApplyOutcome::out_of_order);
  CHECK(tracker.apply(event(Type::held, "a")).outcome == ApplyOutcome::unknown_call);

  SUBCASE("active calls are never evicted") {
    feed(tracker, {event(Type::ringing, "live")});
    for (const char* id : {"d", "e", "f"}) {
      feed(tracker, {event(Type::ringing, id), event(Type::disconnected, id)});
    }
    CHECK(tracker.find("live").has_value());
    CHECK(tracker.active_count() == 1);
  }
}

TEST_CASE("keeping no ended calls still reports the ended call") {
  CallTracker tracker(0);
  feed(tracker, {event(Type::ringing)});
  const auto r = tracker.apply(event(Type::disconnected));
  REQUIRE(r.outcome == ApplyOutcome::applied);
  REQUIRE(r.call.has_value());
  CHECK(r.call->end_reason == EndReason::abandoned);
  CHECK_FALSE(tracker.find("c1").has_value());
  CHECK(tracker.apply(event(Type::disconnected)).outcome == ApplyOutcome::unknown_call);
}

TEST_CASE("later events fill in blanks but do not overwrite") {
  CallTracker tracker;
  feed(tracker, {event(Type::offering)});
  CHECK(tracker.find("c1")->ani.empty());

  CallEvent ringing = event(Type::ringing);
  ringing.ani = "2128425500";
  ringing.ivr_data = "Case.CaseNumber=1234";
  feed(tracker, {ringing});

  CallEvent connected = event(Type::connected);
  connected.ani = "9999999999";
  connected.dnis = "8005550100";
  feed(tracker, {connected});

  const auto call = tracker.find("c1");
  CHECK(call->ani == "2128425500");
  CHECK(call->ivr_data == "Case.CaseNumber=1234");
  CHECK(call->dnis == "8005550100");

  // A duplicate is ignored entirely, including its fields.
  CallEvent again = event(Type::connected);
  again.ani = "1111";
  CHECK(tracker.apply(again).outcome == ApplyOutcome::duplicate);
}

TEST_CASE("active calls of an agent, oldest first") {
  CallTracker tracker;
  // Arrival order decides, not the PBX's timestamps or the ids.
  feed(tracker, {event(Type::ringing, "zz", "201", 50), event(Type::ringing, "aa", "201", 10),
                 event(Type::ringing, "mm", "202", 20), event(Type::ringing, "kk", "201", 30)});
  feed(tracker, {event(Type::disconnected, "aa", "201")});
  const auto calls = tracker.active_calls("201");
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].id == "zz");
  CHECK(calls[1].id == "kk");
  CHECK(tracker.active_calls("999").empty());
  CHECK(tracker.active_count() == 3);
}

TEST_CASE("an event without a time is stamped when it arrives") {
  CallTracker tracker;
  CallEvent e = event(Type::ringing);
  e.occurred_at = {};
  const auto before = std::chrono::system_clock::now();
  const auto r = tracker.apply(e);
  CHECK(r.call->started_at >= before);
}

TEST_CASE("the tracker can be fed from several threads") {
  CallTracker tracker(10000);
  constexpr int threads = 4;
  constexpr int calls_per_thread = 200;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&tracker, t] {
      const std::string extension = std::to_string(200 + t);
      for (int i = 0; i < calls_per_thread; ++i) {
        const std::string id = extension + "-" + std::to_string(i);
        tracker.apply(event(Type::ringing, id, extension));
        tracker.apply(event(Type::connected, id, extension));
        tracker.apply(event(Type::connected, id, extension));  // a duplicate
        if (i % 2 == 0) {
          tracker.apply(event(Type::disconnected, id, extension));
        }
        tracker.apply(event(Type::held, "unknown-" + id, extension));
        (void)tracker.active_calls(extension);
      }
    });
  }
  for (auto& worker : workers) {
    worker.join();
  }
  const auto counters = tracker.counters();
  CHECK(counters.applied == threads * (calls_per_thread * 2 + calls_per_thread / 2));
  CHECK(counters.duplicate == threads * calls_per_thread);
  CHECK(counters.unknown_call == threads * calls_per_thread);
  CHECK(tracker.active_count() == threads * calls_per_thread / 2);
  CHECK(tracker.active_calls("201").size() == calls_per_thread / 2);
}

TEST_CASE("calls that never end cannot grow the tracker without bound: the oldest active call gives way") {
  CallTracker tracker(/*ended_calls_kept=*/2, /*max_active_calls=*/3);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(tracker.apply(event(Type::ringing, "c" + std::to_string(i), "201", i)).outcome == ApplyOutcome::applied);
  }
  CHECK(tracker.active_count() == 3);
  // c1 ends normally; a fourth call fits without evicting anyone.
  REQUIRE(tracker.apply(event(Type::disconnected, "c1", "201", 10)).outcome == ApplyOutcome::applied);
  REQUIRE(tracker.apply(event(Type::ringing, "c3", "201", 11)).outcome == ApplyOutcome::applied);
  CHECK(tracker.counters().evicted == 0);

  // A thousand more calls that never end: the tracker keeps three, the newest.
  for (int i = 4; i < 1004; ++i) {
    REQUIRE(tracker.apply(event(Type::ringing, "c" + std::to_string(i), "201", i)).outcome == ApplyOutcome::applied);
  }
  CHECK(tracker.active_count() == 3);
  CHECK(tracker.counters().evicted == 1000);
  const auto active = tracker.active_calls("201");
  REQUIRE(active.size() == 3);
  CHECK(active[0].id == "c1001");
  CHECK(active[2].id == "c1003");
  // What was evicted is remembered as ended only while it is among the kept ended calls.
  auto evicted = tracker.find("c1000");
  REQUIRE(evicted);
  CHECK(evicted->state == CallState::disconnected);
  CHECK(evicted->end_reason == EndReason::unknown);
  CHECK_FALSE(tracker.find("c0"));
  // A late end for an evicted call is recognised (duplicate) while it is still kept.
  CHECK(tracker.apply(event(Type::disconnected, "c1000", "201", 2000)).outcome == ApplyOutcome::duplicate);
}
