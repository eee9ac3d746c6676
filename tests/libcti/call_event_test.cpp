#include "cti/call_event.hpp"

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

using cti::CallDirection;
using cti::CallEventType;
using cti::EndReason;
using cti::ErrorCode;

namespace {

// Every value round-trips through its name, and names are what the JSON contracts use.
template <typename Enum, typename Parse>
void check_names(std::initializer_list<std::pair<Enum, std::string_view>> table, Parse parse) {
  for (const auto& [value, name] : table) {
    SUBCASE(std::string(name).c_str()) {
      CHECK(cti::to_string(value) == name);
      const auto parsed = parse(name);
      REQUIRE(parsed.has_value());
      CHECK(parsed.value() == value);
    }
  }
}

}  // namespace

TEST_CASE("CallEventType names") {
  check_names<CallEventType>({{CallEventType::offering, "offering"},
                              {CallEventType::ringing, "ringing"},
                              {CallEventType::dialing, "dialing"},
                              {CallEventType::connected, "connected"},
                              {CallEventType::held, "held"},
                              {CallEventType::retrieved, "retrieved"},
                              {CallEventType::transferred, "transferred"},
                              {CallEventType::disconnected, "disconnected"}},
                             cti::parse_call_event_type);
}

TEST_CASE("CallDirection names") {
  check_names<CallDirection>({{CallDirection::inbound, "inbound"},
                              {CallDirection::outbound, "outbound"},
                              {CallDirection::internal, "internal"}},
                             cti::parse_call_direction);
}

TEST_CASE("EndReason names") {
  check_names<EndReason>({{EndReason::none, "none"},
                          {EndReason::local_hangup, "local_hangup"},
                          {EndReason::remote_hangup, "remote_hangup"},
                          {EndReason::no_answer, "no_answer"},
                          {EndReason::abandoned, "abandoned"},
                          {EndReason::busy, "busy"},
                          {EndReason::transferred, "transferred"},
                          {EndReason::failed, "failed"},
                          {EndReason::unknown, "unknown"}},
                         cti::parse_end_reason);
}

TEST_CASE("unknown names are invalid_input with a bounded, printable message") {
  const struct {
    std::string_view label;
    std::string input;
    std::string_view expect_in_message;
  } cases[] = {
      {"empty", "", "unknown call event type \"\""},
      {"upper case", "RINGING", "\"RINGING\""},
      {"padded", " ringing", "\" ringing\""},
      {"lists the choices", "ring", "expected one of: offering, ringing"},
      {"control bytes", std::string("ring\n\x01", 6), "\"ring??\""},
      {"long", std::string(5000, 'a'), "...\""},
  };
  for (const auto& c : cases) {
    SUBCASE(std::string(c.label).c_str()) {
      const auto parsed = cti::parse_call_event_type(c.input);
      REQUIRE_FALSE(parsed.has_value());
      CHECK(parsed.error().code == ErrorCode::invalid_input);
      CHECK(parsed.error().message.find(c.expect_in_message) != std::string::npos);
      CHECK(parsed.error().message.size() < 300);
    }
  }
  CHECK_FALSE(cti::parse_call_direction("Inbound").has_value());
  CHECK_FALSE(cti::parse_end_reason("hangup").has_value());
}

TEST_CASE("CallEvent compares by value") {
  cti::CallEvent a;
  a.call_id = "c1";
  a.extension = "201";
  cti::CallEvent b = a;
  CHECK(a == b);
  b.ivr_data = "Case.CaseNumber=1234";
  CHECK_FALSE(a == b);
}
