#pragma once
// AMI packet framing: bytes from the socket in, `Key: Value` packets out. The input is
// untrusted, so every line and packet is bounded and anything that is not a header is
// counted and skipped rather than trusted or fatal.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cti::adapters::asterisk_ami {

/// One AMI packet: ordered headers, keys may repeat (`ChanVariable`, `Variable`).
/// Stores its text once; headers are offsets into it, so copies stay valid.
class AmiPacket {
 public:
  std::size_t size() const noexcept { return m_fields.size(); }
  bool empty() const noexcept { return m_fields.empty(); }
  std::string_view key(std::size_t index) const noexcept;
  std::string_view value(std::size_t index) const noexcept;

  /// Value of the first header named `key` (exact, case-sensitive), or "" when absent.
  std::string_view get(std::string_view key) const noexcept;
  bool has(std::string_view key) const noexcept;

  /// "Event", "Response" or "Action" when the first header is one of those; else "".
  std::string_view kind() const noexcept;
  /// The first header's value: the event name, the response status or the action name.
  std::string_view name() const noexcept;

  void add(std::string_view key, std::string_view value);
  void clear() noexcept;

  /// The packet as AMI text, CRLF line ends and the closing empty line included.
  std::string to_text() const;

 private:
  struct Field {
    std::uint32_t key_offset;
    std::uint32_t key_length;
    std::uint32_t value_offset;
    std::uint32_t value_length;
  };
  std::string m_text;
  std::vector<Field> m_fields;
};

/// Bounds on untrusted input. A longer line is dropped; a packet with more headers is
/// dropped whole (a truncated packet would be misread).
struct ParserLimits {
  std::size_t max_line_bytes = 8192;
  std::size_t max_headers = 256;
};

/// What the parser has seen and dropped since it was built (reset() keeps them).
struct ParserCounters {
  std::uint64_t packets = 0;
  std::uint64_t garbage_lines = 0;
  std::uint64_t oversized_lines = 0;
  std::uint64_t oversized_packets = 0;
};

/// Incremental framer. Lines end in CRLF (a bare LF is accepted); a packet ends at an empty
/// line; a connection starts with the banner `Asterisk Call Manager/<version>`.
class AmiParser {
 public:
  explicit AmiParser(ParserLimits limits = {}, bool expect_banner = true);

  /// Forgets buffered bytes for a new connection. Counters are kept.
  void reset(bool expect_banner);
  /// Appends bytes as read from the socket, split anywhere.
  void feed(std::string_view bytes);
  /// Moves the next complete packet into `packet`; false when more bytes are needed.
  bool next(AmiPacket& packet);
  /// Reads buffered lines up to and including the banner, and no further, so that no packet
  /// is consumed. True once the banner has been seen.
  bool take_banner();

  bool banner_seen() const noexcept { return m_banner_seen; }
  std::string_view banner_version() const noexcept { return m_banner_version; }
  const ParserCounters& counters() const noexcept { return m_counters; }
  std::size_t buffered_bytes() const noexcept { return m_buffer.size() - m_position; }

 private:
  void handle_line(std::string_view line, bool& packet_ready);
  void compact();

  ParserLimits m_limits;
  std::string m_buffer;
  std::size_t m_position = 0;      // first unconsumed byte of m_buffer
  std::size_t m_scan_from = 0;     // where to resume looking for '\n'
  bool m_skipping_line = false;    // dropping the rest of an over-long line
  bool m_expect_banner = true;
  bool m_banner_seen = false;
  bool m_stop_at_banner = false;  // set by take_banner()
  std::string m_banner_version;
  AmiPacket m_current;
  bool m_current_oversized = false;
  ParserCounters m_counters;
};

}  // namespace cti::adapters::asterisk_ami
