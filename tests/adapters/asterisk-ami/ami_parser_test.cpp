// AMI framing: banner, CRLF and bare LF, packet ends, splits at every byte, garbage and bounds.
#include "ami_parser.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

namespace cti::adapters::asterisk_ami {
namespace {

struct Parsed {
  std::vector<std::vector<std::pair<std::string, std::string>>> packets;
  ParserCounters counters;
  bool banner = false;
  std::string version;
};

Parsed parse(std::string_view input, bool expect_banner, std::size_t piece = 0,
             ParserLimits limits = {}) {
  AmiParser parser(limits, expect_banner);
  Parsed out;
  AmiPacket packet;
  auto drain = [&] {
    while (parser.next(packet)) {
      std::vector<std::pair<std::string, std::string>> headers;
      for (std::size_t i = 0; i < packet.size(); ++i) {
        headers.emplace_back(std::string(packet.key(i)), std::string(packet.value(i)));
      }
      out.packets.push_back(std::move(headers));
    }
  };
  if (piece == 0) {
    parser.feed(input);
    drain();
  } else {
    for (std::size_t at = 0; at < input.size(); at += piece) {
      parser.feed(input.substr(at, piece));
      drain();
    }
  }
  out.counters = parser.counters();
  out.banner = parser.banner_seen();
  out.version = std::string(parser.banner_version());
  return out;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

}  // namespace

TEST_CASE("AmiParser frames packets") {
  struct Case {
    const char* name;
    std::string_view input;
    std::vector<Headers> packets;
    std::uint64_t garbage;
  };
  const std::vector<Case> cases = {
      {"one packet, CRLF", "Event: Hangup\r\nCause: 16\r\n\r\n",
       {{{"Event", "Hangup"}, {"Cause", "16"}}}, 0},
      {"bare LF line ends", "Event: Hangup\nCause: 16\n\n", {{{"Event", "Hangup"}, {"Cause", "16"}}}, 0},
      {"mixed line ends", "Event: A\r\nX: 1\n\r\n", {{{"Event", "A"}, {"X", "1"}}}, 0},
      {"two packets in one read", "Event: A\r\n\r\nEvent: B\r\n\r\n",
       {{{"Event", "A"}}, {{"Event", "B"}}}, 0},
      {"value with colons splits at the first", "AppData: PJSIP/1001@carrier:5060,30\r\n\r\n",
       {{{"AppData", "PJSIP/1001@carrier:5060,30"}}}, 0},
      {"empty value", "Event: Newchannel\r\nAccountCode: \r\n\r\n",
       {{{"Event", "Newchannel"}, {"AccountCode", ""}}}, 0},
      {"no space after the colon", "Event:Hangup\r\n\r\n", {{{"Event", "Hangup"}}}, 0},
      {"repeated keys kept in order",
       "Event: Newchannel\r\nChanVariable: A=1\r\nChanVariable: B=2\r\n\r\n",
       {{{"Event", "Newchannel"}, {"ChanVariable", "A=1"}, {"ChanVariable", "B=2"}}}, 0},
      {"stray blank lines between packets", "\r\n\r\nEvent: A\r\n\r\n\r\n", {{{"Event", "A"}}}, 0},
      {"garbage line skipped inside a packet", "Event: A\r\nthis is not a header\r\nX: 1\r\n\r\n",
       {{{"Event", "A"}, {"X", "1"}}}, 1},
      {"garbage between packets", "junk\r\nEvent: A\r\n\r\n--END COMMAND--\r\n",
       {{{"Event", "A"}}}, 2},
      {"key with a space is garbage", "Bad Key: 1\r\nEvent: A\r\n\r\n", {{{"Event", "A"}}}, 1},
      {"empty key is garbage", ": value\r\nEvent: A\r\n\r\n", {{{"Event", "A"}}}, 1},
      {"incomplete packet is held back", "Event: A\r\nX: 1\r\n", {}, 0},
      {"NUL bytes stay inside the value", std::string_view("X: a\0b\r\n\r\n", 10),
       {{{"X", std::string("a\0b", 3)}}}, 0},
  };
  for (const Case& c : cases) {
    SUBCASE(c.name) {
      const Parsed whole = parse(c.input, false);
      CHECK(whole.packets == c.packets);
      CHECK(whole.counters.garbage_lines == c.garbage);
      CHECK(whole.counters.packets == c.packets.size());
      // The same bytes split at every possible boundary give the same packets.
      for (std::size_t piece = 1; piece <= 7; ++piece) {
        const Parsed split = parse(c.input, false, piece);
        CHECK(split.packets == c.packets);
        CHECK(split.counters.garbage_lines == c.garbage);
      }
    }
  }
}

TEST_CASE("AmiParser reads the banner first") {
  SUBCASE("banner then a packet in the same read") {
    const Parsed p = parse("Asterisk Call Manager/9.0.0\r\nResponse: Success\r\n\r\n", true);
    CHECK(p.banner);
    CHECK(p.version == "9.0.0");
    REQUIRE(p.packets.size() == 1);
    CHECK(p.packets[0][0] == std::pair<std::string, std::string>{"Response", "Success"});
  }
  SUBCASE("banner split byte by byte") {
    const Parsed p = parse("Asterisk Call Manager/2.10.4\r\n", true, 1);
    CHECK(p.banner);
    CHECK(p.version == "2.10.4");
  }
  SUBCASE("lines before the banner are garbage and not packets") {
    const Parsed p = parse("Event: A\r\n\r\nAsterisk Call Manager/9.0.0\r\nEvent: B\r\n\r\n", true);
    CHECK(p.banner);
    CHECK(p.counters.garbage_lines == 1);
    REQUIRE(p.packets.size() == 1);
    CHECK(p.packets[0][0].second == "B");
  }
  SUBCASE("no banner: nothing is a packet") {
    const Parsed p = parse("HTTP/1.1 400 Bad Request\r\n\r\n", true);
    CHECK_FALSE(p.banner);
    CHECK(p.packets.empty());
    CHECK(p.counters.garbage_lines == 1);
  }
  SUBCASE("reset starts a new connection") {
    AmiParser parser;
    parser.feed("Asterisk Call Manager/9.0.0\r\nEvent: A\r\nX: half");
    AmiPacket packet;
    CHECK_FALSE(parser.next(packet));
    parser.reset(true);
    CHECK_FALSE(parser.banner_seen());
    parser.feed("Asterisk Call Manager/9.0.0\r\nEvent: B\r\n\r\n");
    REQUIRE(parser.next(packet));
    CHECK(packet.get("Event") == "B");
    CHECK_FALSE(packet.has("X"));
  }
}

TEST_CASE("AmiParser bounds lines and packets") {
  ParserLimits limits;
  limits.max_line_bytes = 32;
  limits.max_headers = 3;

  SUBCASE("an over-long line is dropped, the packet survives") {
    const std::string input = "Event: A\r\nBig: " + std::string(100, 'x') + "\r\nX: 1\r\n\r\n";
    for (const std::size_t piece : {std::size_t{0}, std::size_t{1}, std::size_t{5}, std::size_t{40}}) {
      CAPTURE(piece);
      const Parsed p = parse(input, false, piece, limits);
      REQUIRE(p.packets.size() == 1);
      CHECK(p.packets[0] == Headers{{"Event", "A"}, {"X", "1"}});
      CHECK(p.counters.oversized_lines == 1);
    }
  }
  SUBCASE("endless bytes without a line end stay bounded") {
    AmiParser parser(limits, false);
    AmiPacket packet;
    for (int i = 0; i < 1000; ++i) {
      parser.feed(std::string(1000, 'y'));
      CHECK_FALSE(parser.next(packet));
      CHECK(parser.buffered_bytes() <= 1000 + limits.max_line_bytes);
    }
    parser.feed("\r\nEvent: A\r\n\r\n");
    REQUIRE(parser.next(packet));
    CHECK(packet.get("Event") == "A");
    CHECK(parser.counters().oversized_lines == 1);
  }
  SUBCASE("a packet with too many headers is dropped whole") {
    const Parsed p = parse("Event: A\r\nB: 1\r\nC: 2\r\nD: 3\r\n\r\nEvent: E\r\n\r\n", false, 0, limits);
    REQUIRE(p.packets.size() == 1);
    CHECK(p.packets[0] == Headers{{"Event", "E"}});
    CHECK(p.counters.oversized_packets == 1);
  }
}

TEST_CASE("AmiPacket lookups") {
  AmiPacket packet;
  packet.add("Event", "Hangup");
  packet.add("Cause", "16");
  packet.add("Cause", "17");
  CHECK(packet.kind() == "Event");
  CHECK(packet.name() == "Hangup");
  CHECK(packet.get("Cause") == "16");
  CHECK(packet.get("cause").empty());  // keys are case-sensitive, as Asterisk writes them
  CHECK(packet.has("Cause"));
  CHECK_FALSE(packet.has("Channel"));
  CHECK(packet.to_text() == "Event: Hangup\r\nCause: 16\r\nCause: 17\r\n\r\n");
  const AmiPacket copy = packet;  // offsets, not pointers: a copy reads the same
  CHECK(copy.get("Event") == "Hangup");
  AmiPacket other;
  other.add("Reply", "x");
  CHECK(other.kind().empty());
}

}  // namespace cti::adapters::asterisk_ami
