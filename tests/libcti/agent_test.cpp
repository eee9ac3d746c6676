#include "cti/agent.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

using cti::AgentState;
using cti::ErrorCode;

TEST_CASE("AgentState names round-trip") {
  const struct {
    AgentState state;
    std::string_view name;
  } cases[] = {
      {AgentState::signed_out, "signed_out"},
      {AgentState::available, "available"},
      {AgentState::on_call, "on_call"},
      {AgentState::away, "away"},
  };
  for (const auto& c : cases) {
    SUBCASE(std::string(c.name).c_str()) {
      CHECK(cti::to_string(c.state) == c.name);
      const auto parsed = cti::parse_agent_state(c.name);
      REQUIRE(parsed.has_value());
      CHECK(parsed.value() == c.state);
    }
  }
}

TEST_CASE("unknown agent states are rejected") {
  for (std::string_view text : {"", "Available", "busy", "on-call", "available "}) {
    SUBCASE(("\"" + std::string(text) + "\"").c_str()) {
      const auto parsed = cti::parse_agent_state(text);
      REQUIRE_FALSE(parsed.has_value());
      CHECK(parsed.error().code == ErrorCode::invalid_input);
      CHECK(parsed.error().message.find("unknown agent state") != std::string::npos);
    }
  }
}

TEST_CASE("validate_extension: 1 to 16 digits") {
  const struct {
    std::string input;
    bool ok;
    std::string_view reason;
  } cases[] = {
      {"7", true, ""},
      {"201", true, ""},
      {"0042", true, ""},
      {"1234567890123456", true, ""},
      {"", false, "empty"},
      {"12345678901234567", false, "at most 16"},
      {"20a", false, "digits only"},
      {"+201", false, "digits only"},
      {" 201", false, "digits only"},
      {"201\n", false, "digits only"},
      {"2-01", false, "digits only"},
      {std::string(1000, '1'), false, "at most 16"},
  };
  for (const auto& c : cases) {
    SUBCASE(("\"" + c.input.substr(0, 20) + "\"").c_str()) {
      const auto r = cti::validate_extension(c.input);
      REQUIRE(r.has_value() == c.ok);
      if (!c.ok) {
        CHECK(r.error().code == ErrorCode::invalid_input);
        CHECK(r.error().message.find(c.reason) != std::string::npos);
        CHECK(r.error().message.find('\n') == std::string::npos);
      }
    }
  }
}

TEST_CASE("agent settings default to the guide's choices") {
  const cti::Agent agent;
  CHECK(agent.state == AgentState::signed_out);
  CHECK(agent.settings.caller_id_objects == std::vector<std::string>{"Contact", "Account", "Lead"});
  CHECK(agent.settings.ivr_match == "exact");
  cti::AgentSettings other;
  other.ivr_match = "starts_with";
  CHECK_FALSE(other == agent.settings);
}
