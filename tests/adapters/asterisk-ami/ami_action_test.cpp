// Formatting AMI actions: line-break injection is refused, placeholders are substituted.
#include "ami_action.hpp"

#include <doctest/doctest.h>

namespace cti::adapters::asterisk_ami {

TEST_CASE("format_action writes CRLF headers and an empty line") {
  const Result<std::string> text = format_action("Ping", {{"ActionID", "cti-1"}});
  REQUIRE(text);
  CHECK(*text == "Action: Ping\r\nActionID: cti-1\r\n\r\n");
}

TEST_CASE("format_action refuses values that could smuggle in another action") {
  for (const std::string_view value :
       {std::string_view("1\r\n\r\nAction: Hangup"), std::string_view("x\ny"),
        std::string_view("a\0b", 3)}) {
    CAPTURE(value);
    const Result<std::string> text = format_action("Originate", {{"Exten", value}});
    REQUIRE_FALSE(text);
    CHECK(text.error().code == ErrorCode::invalid_input);
    CHECK(text.error().message.find("Exten") != std::string::npos);
  }
}

TEST_CASE("substitute replaces every placeholder") {
  CHECK(substitute("PJSIP/{extension}", "{extension}", "137") == "PJSIP/137");
  CHECK(substitute("\"{digits}\" <{digits}>", "{digits}", "12") == "\"12\" <12>");
  CHECK(substitute("none", "{digits}", "12") == "none");
}

}  // namespace cti::adapters::asterisk_ami
