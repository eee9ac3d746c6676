// Fuzzes AMI framing and event mapping with arbitrary bytes from the PBX. Invariants:
// - nothing crashes, hangs or grows without bound;
// - the same bytes fed whole or in pieces give the same packets;
// - every packet respects the limits; no key or value holds a line end;
// - every CallEvent names a call and an extension, and its strings are bounded and free of
//   control characters.

#include "ami_event_mapper.hpp"
#include "ami_parser.hpp"

#include "fuzz/fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using cti::adapters::asterisk_ami::AmiEventMapper;
using cti::adapters::asterisk_ami::AmiPacket;
using cti::adapters::asterisk_ami::AmiParser;
using cti::adapters::asterisk_ami::MapperSettings;
using cti::adapters::asterisk_ami::ParserLimits;

constexpr ParserLimits k_limits{512, 64};

bool clean(std::string_view text, std::size_t max) {
  if (text.size() > max) {
    return false;
  }
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> frame(std::string_view input, std::size_t piece) {
  AmiParser parser(k_limits, true);
  std::vector<std::string> out;
  AmiPacket packet;
  for (std::size_t at = 0; at < input.size(); at += piece) {
    parser.feed(input.substr(at, piece));
    while (parser.next(packet)) {
      FUZZ_CHECK(packet.size() <= k_limits.max_headers);
      for (std::size_t i = 0; i < packet.size(); ++i) {
        FUZZ_CHECK(packet.key(i).find('\n') == std::string_view::npos);
        FUZZ_CHECK(packet.value(i).find('\n') == std::string_view::npos);
        FUZZ_CHECK(!packet.key(i).empty());
      }
      out.push_back(packet.to_text());
    }
    FUZZ_CHECK(parser.buffered_bytes() <= piece + k_limits.max_line_bytes + 1);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  // The first byte chooses how the rest is split into reads.
  const std::size_t piece = 1 + data[0] % 16;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  const std::vector<std::string> whole = frame(input, input.size() + 1);
  const std::vector<std::string> split = frame(input, piece);
  FUZZ_CHECK(whole == split);

  static const MapperSettings settings = [] {
    MapperSettings s;
    s.channel_pattern = std::regex(R"(^(?:PJSIP|SIP|IAX2)/([0-9]+)-[0-9A-Za-z]+$)");
    s.ivr_user_event = "CtiIvrData";
    s.max_channels = 1000;
    return s;
  }();
  AmiEventMapper mapper(settings, [] { return std::chrono::system_clock::time_point{}; });
  FUZZ_CHECK(mapper.originate_requested("a-1", "c-1", "137", "5550100"));
  mapper.begin_resync("r-1");

  AmiParser parser(k_limits, true);
  parser.feed(input);
  AmiPacket packet;
  std::vector<cti::CallEvent> events;
  while (parser.next(packet)) {
    mapper.apply(packet, events);
  }
  for (const cti::CallEvent& e : events) {
    FUZZ_CHECK(!e.call_id.empty() && clean(e.call_id, 128));
    FUZZ_CHECK(!e.extension.empty() && clean(e.extension, 32));
    FUZZ_CHECK(clean(e.ani, 64) && clean(e.dnis, 64) && clean(e.transfer_target, 64));
    FUZZ_CHECK(clean(e.ivr_data, 1024));
  }
  FUZZ_CHECK(mapper.channel_count() <= 1000);
  return 0;
}
