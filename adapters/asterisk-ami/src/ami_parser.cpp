#include "ami_parser.hpp"

#include <cassert>
#include <limits>
#include <utility>

namespace cti::adapters::asterisk_ami {
namespace {

constexpr std::string_view k_banner_prefix = "Asterisk Call Manager/";
constexpr std::size_t k_max_key_bytes = 128;
constexpr std::size_t k_max_banner_version_bytes = 64;

// AMI keys are words such as `Uniqueid`, `Cause-txt`, `DestChannel`; UserEvent bodies add
// dialplan-chosen keys like `CTI_IVR_DATA`. Anything else on the left of a colon is not a key.
bool is_valid_key(std::string_view key) noexcept {
  if (key.empty() || key.size() > k_max_key_bytes) {
    return false;
  }
  for (const char c : key) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string_view AmiPacket::key(std::size_t index) const noexcept {
  assert(index < m_fields.size());
  const Field& f = m_fields[index];
  return std::string_view(m_text).substr(f.key_offset, f.key_length);
}

std::string_view AmiPacket::value(std::size_t index) const noexcept {
  assert(index < m_fields.size());
  const Field& f = m_fields[index];
  return std::string_view(m_text).substr(f.value_offset, f.value_length);
}

std::string_view AmiPacket::get(std::string_view wanted) const noexcept {
  for (std::size_t i = 0; i < m_fields.size(); ++i) {
    if (key(i) == wanted) {
      return value(i);
    }
  }
  return {};
}

bool AmiPacket::has(std::string_view wanted) const noexcept {
  for (std::size_t i = 0; i < m_fields.size(); ++i) {
    if (key(i) == wanted) {
      return true;
    }
  }
  return false;
}

std::string_view AmiPacket::kind() const noexcept {
  if (m_fields.empty()) {
    return {};
  }
  const std::string_view first = key(0);
  if (first == "Event" || first == "Response" || first == "Action") {
    return first;
  }
  return {};
}

std::string_view AmiPacket::name() const noexcept {
  return m_fields.empty() ? std::string_view{} : value(0);
}

void AmiPacket::add(std::string_view key_text, std::string_view value_text) {
  assert(m_text.size() + key_text.size() + value_text.size() <
         std::numeric_limits<std::uint32_t>::max());
  Field f{};
  f.key_offset = static_cast<std::uint32_t>(m_text.size());
  f.key_length = static_cast<std::uint32_t>(key_text.size());
  m_text.append(key_text);
  f.value_offset = static_cast<std::uint32_t>(m_text.size());
  f.value_length = static_cast<std::uint32_t>(value_text.size());
  m_text.append(value_text);
  m_fields.push_back(f);
}

void AmiPacket::clear() noexcept {
  m_text.clear();
  m_fields.clear();
}

std::string AmiPacket::to_text() const {
  std::string out;
  for (std::size_t i = 0; i < m_fields.size(); ++i) {
    out.append(key(i)).append(": ").append(value(i)).append("\r\n");
  }
  out.append("\r\n");
  return out;
}

AmiParser::AmiParser(ParserLimits limits, bool expect_banner)
    : m_limits(limits), m_expect_banner(expect_banner) {}

void AmiParser::reset(bool expect_banner) {
  m_buffer.clear();
  m_position = 0;
  m_scan_from = 0;
  m_skipping_line = false;
  m_expect_banner = expect_banner;
  m_banner_seen = false;
  m_banner_version.clear();
  m_current.clear();
  m_current_oversized = false;
}

void AmiParser::feed(std::string_view bytes) {
  m_buffer.append(bytes);
}

bool AmiParser::next(AmiPacket& packet) {
  bool ready = false;
  while (!ready) {
    if (m_skipping_line) {
      const std::size_t end = m_buffer.find('\n', m_position);
      if (end == std::string::npos) {
        m_position = m_buffer.size();
        compact();
        return false;
      }
      m_position = end + 1;
      m_scan_from = m_position;
      m_skipping_line = false;
      continue;
    }
    const std::size_t end = m_buffer.find('\n', m_scan_from);
    if (end == std::string::npos) {
      if (m_buffer.size() - m_position > m_limits.max_line_bytes) {
        // No line end within the bound: drop what we have and the rest of the line.
        ++m_counters.oversized_lines;
        m_skipping_line = true;
        m_position = m_buffer.size();
      } else {
        m_scan_from = m_buffer.size();
      }
      compact();
      return false;
    }
    std::string_view line(m_buffer.data() + m_position, end - m_position);
    m_position = end + 1;
    m_scan_from = m_position;
    if (line.size() > m_limits.max_line_bytes) {
      ++m_counters.oversized_lines;
      continue;
    }
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    const bool expecting_banner = m_expect_banner;
    handle_line(line, ready);
    if (m_stop_at_banner && expecting_banner && !m_expect_banner) {
      compact();
      return false;
    }
  }
  std::swap(packet, m_current);  // keeps both buffers' capacity in circulation
  m_current.clear();
  compact();
  return true;
}

bool AmiParser::take_banner() {
  if (!m_banner_seen && m_expect_banner) {
    // While the banner is awaited no packet can complete, and next() stops right after the
    // banner line, so nothing is consumed that the caller would miss.
    m_stop_at_banner = true;
    AmiPacket none;
    const bool got = next(none);
    assert(!got && "no packet completes before the banner");
    (void)got;
    m_stop_at_banner = false;
  }
  return m_banner_seen;
}

void AmiParser::handle_line(std::string_view line, bool& packet_ready) {
  if (m_expect_banner) {
    if (line.empty()) {
      return;
    }
    if (line.starts_with(k_banner_prefix)) {
      m_banner_version.assign(line.substr(k_banner_prefix.size(), k_max_banner_version_bytes));
      m_banner_seen = true;
      m_expect_banner = false;
      return;
    }
    ++m_counters.garbage_lines;
    return;
  }

  if (line.empty()) {
    if (m_current_oversized) {
      ++m_counters.oversized_packets;
      m_current.clear();
      m_current_oversized = false;
      return;
    }
    if (!m_current.empty()) {
      ++m_counters.packets;
      packet_ready = true;
    }
    return;
  }

  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || !is_valid_key(line.substr(0, colon))) {
    ++m_counters.garbage_lines;
    return;
  }
  std::string_view value = line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  if (m_current_oversized) {
    return;
  }
  if (m_current.size() >= m_limits.max_headers) {
    m_current_oversized = true;
    m_current.clear();
    return;
  }
  m_current.add(line.substr(0, colon), value);
}

void AmiParser::compact() {
  if (m_position == m_buffer.size()) {
    m_buffer.clear();
    m_position = 0;
    m_scan_from = 0;
    return;
  }
  // Erase consumed bytes only when they dominate, so a burst costs one move, not one per packet.
  if (m_position > 4096 && m_position * 2 > m_buffer.size()) {
    m_buffer.erase(0, m_position);
    m_scan_from -= m_position;
    m_position = 0;
  }
}

}  // namespace cti::adapters::asterisk_ami
