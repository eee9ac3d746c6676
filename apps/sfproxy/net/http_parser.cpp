#include "net/http_parser.hpp"

#include "net/http_syntax.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

namespace sfproxy::net {
namespace {

constexpr std::string_view crlf = "\r\n";

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool starts_with_ignore_case(std::string_view text, std::string_view prefix) noexcept {
  return text.size() >= prefix.size() && equals_ignore_case(text.substr(0, prefix.size()), prefix);
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Saturates instead of overflowing: any value that large is refused as too big anyway.
std::optional<std::uint64_t> parse_decimal(std::string_view digits) noexcept {
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    value = value > (max - digit) / 10 ? max : value * 10 + digit;
  }
  return value;
}

}  // namespace

// HttpRequest is what the parser makes, so its one method lives here too.
const std::string* HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

ParseStep HttpRequestParser::feed(std::string_view data) {
  switch (m_state) {
    case State::head: {
      std::size_t skipped = 0;
      if (m_head.empty()) {
        // Empty lines before the request line are ignored, a CR only as part of CRLF.
        while (skipped < data.size()) {
          const char c = data[skipped];
          if (m_pending_cr) {
            if (c != '\n') return fail(400, "bare CR before the request line", skipped);
            m_pending_cr = false;
          } else if (c == '\r') {
            m_pending_cr = true;
          } else if (c == '\n') {
            return fail(400, "bare LF before the request line", skipped);
          } else {
            break;
          }
          ++skipped;
          if (++m_leading_bytes > m_limits.max_header_bytes) {
            return fail(400, "too many empty lines before the request line", skipped);
          }
        }
        if (skipped == data.size()) return {ParseEvent::need_more, skipped};
      }
      ParseStep step = feed_head(data.substr(skipped));
      step.consumed += skipped;
      return step;
    }
    case State::body:
      return feed_body(data);
    case State::done:
      return {ParseEvent::complete, 0};
    case State::failed:
      return {ParseEvent::failed, 0};
  }
  return {ParseEvent::failed, 0};
}

ParseStep HttpRequestParser::feed_head(std::string_view data) {
  m_started = true;
  // Never hold more than one byte past the limit: that byte is what proves it exceeded.
  const std::size_t room = m_limits.max_header_bytes + 1 - m_head.size();
  const std::size_t take = std::min(room, data.size());
  m_head.append(data.data(), take);

  std::size_t blank_line = m_head.find("\r\n\r\n", m_scan_from);
  if (blank_line != std::string::npos && blank_line + 4 > m_limits.max_header_bytes) {
    blank_line = std::string::npos;  // too late: judged below like a head that never ends
  }
  if (blank_line == std::string::npos) {
    // Judge the request line as it arrives, so that garbage (a TLS hello sent to a plain
    // port, say) is refused at once rather than after max_header_bytes or a timeout.
    if (!m_first_line_done) {
      if (!scan_request_line(m_head) || !finish_request_line(m_head)) {
        m_state = State::failed;
        m_head = std::string();
        return {ParseEvent::failed, take};
      }
    }
    if (m_head.size() > m_limits.max_header_bytes) {
      if (!m_first_line_done) return fail(414, "request line too long", take);
      return fail(431, "request header fields too large", take);
    }
    m_scan_from = m_head.size() >= 3 ? m_head.size() - 3 : 0;
    return {ParseEvent::need_more, take};
  }

  const std::size_t head_end = blank_line + 4;
  const std::size_t consumed = take - (m_head.size() - head_end);
  m_head.resize(head_end);
  const std::string head = std::exchange(m_head, std::string());
  if (!parse_head(head)) {
    m_state = State::failed;
    return {ParseEvent::failed, consumed};
  }
  if (m_content_length > 0) {
    m_state = State::body;
    m_request.body.reserve(m_content_length);
    return {ParseEvent::head_complete, consumed};
  }
  m_state = State::done;
  return {ParseEvent::complete, consumed};
}

// Checks the request line byte by byte in arrival order (characters, method, target length),
// so that the first fault found does not depend on how the bytes were split.
bool HttpRequestParser::scan_request_line(std::string_view text) {
  RequestLineScan& scan = m_line_scan;
  for (; scan.position < text.size(); ++scan.position) {
    const char c = text[scan.position];
    if (c == '\r') {
      scan.line_done = true;
      return true;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) return set_error(400, "invalid character in the request line");
    if (!scan.method_done) {
      if (c == ' ') {
        if (scan.method_length == 0) return set_error(400, "invalid method");
        scan.method_done = true;
      } else if (!is_token_char(c)) {
        return set_error(400, "invalid character in the method");
      } else {
        ++scan.method_length;
      }
    } else if (!scan.target_done) {
      if (c == ' ') {
        scan.target_done = true;
      } else if (++scan.target_length > m_limits.max_target_bytes) {
        return set_error(414, "request target too long");
      }
    }
  }
  return true;
}

// Once the request line's CRLF is in, the line is parsed in full.
bool HttpRequestParser::finish_request_line(std::string_view text) {
  if (!m_line_scan.line_done) return true;
  const std::size_t cr = m_line_scan.position;
  if (cr + 1 >= text.size()) return true;  // its LF has not arrived yet
  if (text[cr + 1] != '\n') return set_error(400, "bare CR in the request line");
  if (!parse_request_line(text.substr(0, cr))) return false;
  m_first_line_done = true;
  return true;
}

ParseStep HttpRequestParser::feed_body(std::string_view data) {
  const std::size_t missing = m_content_length - m_request.body.size();
  const std::size_t take = std::min(missing, data.size());
  m_request.body.append(data.data(), take);
  if (m_request.body.size() < m_content_length) return {ParseEvent::need_more, take};
  m_state = State::done;
  return {ParseEvent::complete, take};
}

ParseStep HttpRequestParser::fail(int status, std::string message, std::size_t consumed) {
  set_error(status, std::move(message));
  m_state = State::failed;
  m_head = std::string();
  return {ParseEvent::failed, consumed};
}

bool HttpRequestParser::set_error(int status, std::string message) {
  m_error = ParseError{status, std::move(message)};
  return false;
}

bool HttpRequestParser::parse_head(std::string_view head) {
  // The request line goes through the same byte-by-byte scan as when it arrives alone.
  if (!m_first_line_done && (!scan_request_line(head) || !finish_request_line(head))) return false;
  // After the request line, every header line, the last included, ends in CRLF once the
  // final empty line is dropped.
  std::string_view rest = head.substr(0, head.size() - crlf.size());
  rest.remove_prefix(rest.find(crlf) + crlf.size());
  while (!rest.empty()) {
    const std::size_t end = rest.find(crlf);
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end + crlf.size());
    if (line.find_first_of("\r\n") != std::string_view::npos) {
      return set_error(400, "bare CR or LF in the request head");
    }
    if (!parse_header_line(line)) return false;
  }
  return apply_headers();
}

bool HttpRequestParser::parse_request_line(std::string_view line) {
  // Characters, method and target length were checked by scan_request_line.
  const std::size_t first_space = line.find(' ');
  if (first_space == std::string_view::npos) return set_error(400, "malformed request line");
  const std::string_view method = line.substr(0, first_space);
  const std::string_view after_method = line.substr(first_space + 1);
  const std::size_t second_space = after_method.find(' ');
  if (second_space == std::string_view::npos) return set_error(400, "malformed request line");
  const std::string_view target = after_method.substr(0, second_space);
  const std::string_view version = after_method.substr(second_space + 1);
  if (target.empty()) return set_error(400, "malformed request line");

  if (version == "HTTP/1.1") {
    m_http10 = false;
  } else if (version == "HTTP/1.0") {
    m_http10 = true;
  } else if (version.size() == 8 && version.substr(0, 5) == "HTTP/" && is_digit(version[5]) &&
             version[6] == '.' && is_digit(version[7])) {
    return set_error(505, "HTTP version not supported");
  } else {
    return set_error(400, "malformed HTTP version");
  }
  m_request.method = std::string(method);
  return parse_target(target);
}

bool HttpRequestParser::parse_target(std::string_view target) {
  for (char c : target) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '#') {
      return set_error(400, "invalid character in the request target");
    }
  }
  m_request.target = std::string(target);
  if (target == "*") {
    if (m_request.method != "OPTIONS") return set_error(400, "'*' is only a target for OPTIONS");
    m_request.path = "*";
    return true;
  }

  std::string_view path_and_query;
  if (target.front() == '/') {
    path_and_query = target;
  } else if (starts_with_ignore_case(target, "http://") || starts_with_ignore_case(target, "https://")) {
    std::string_view after_scheme = target.substr(target.find("//") + 2);
    const std::size_t authority_end = after_scheme.find_first_of("/?");
    if (authority_end == 0 || after_scheme.empty()) return set_error(400, "missing host in the request target");
    path_and_query = authority_end == std::string_view::npos ? std::string_view("/")
                                                             : after_scheme.substr(authority_end);
  } else {
    return set_error(400, "unsupported form of request target");
  }

  const std::size_t question = path_and_query.find('?');
  std::string_view raw_path = path_and_query.substr(0, question);
  if (question != std::string_view::npos) {
    m_request.query = std::string(path_and_query.substr(question + 1));
  }
  if (raw_path.empty()) raw_path = "/";

  std::string path;
  path.reserve(raw_path.size());
  for (std::size_t i = 0; i < raw_path.size(); ++i) {
    if (raw_path[i] != '%') {
      path.push_back(raw_path[i]);
      continue;
    }
    if (i + 2 >= raw_path.size()) {
      return set_error(400, "invalid percent-encoding in the path");
    }
    const int high = hex_value(raw_path[i + 1]);
    const int low = hex_value(raw_path[i + 2]);
    if (high < 0 || low < 0) return set_error(400, "invalid percent-encoding in the path");
    const int value = high * 16 + low;
    if (value < 0x20 || value == 0x7f) return set_error(400, "control character in the path");
    path.push_back(static_cast<char>(static_cast<unsigned char>(value)));
    i += 2;
  }
  m_request.path = std::move(path);
  return true;
}

bool HttpRequestParser::parse_header_line(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') return set_error(400, "obsolete line folding");
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return set_error(400, "malformed header line");
  const std::string_view name = line.substr(0, colon);
  if (!is_token(name)) return set_error(400, "invalid header name");
  const std::string_view value = trim_ows(line.substr(colon + 1));
  if (!is_field_value(value)) return set_error(400, "invalid character in a header value");
  m_request.headers.emplace_back(to_lower_ascii(name), std::string(value));
  return true;
}

bool HttpRequestParser::apply_headers() {
  std::optional<std::uint64_t> length;
  bool has_transfer_encoding = false;
  bool connection_close = false;
  bool connection_keep_alive = false;
  int hosts = 0;
  const std::string* expect = nullptr;

  for (const auto& [name, value] : m_request.headers) {
    if (name == "content-length") {
      std::string_view list = value;
      while (true) {
        const std::size_t comma = list.find(',');
        const auto parsed = parse_decimal(trim_ows(list.substr(0, comma)));
        if (!parsed) return set_error(400, "invalid Content-Length");
        if (length && *length != *parsed) return set_error(400, "conflicting Content-Length values");
        length = parsed;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    } else if (name == "transfer-encoding") {
      has_transfer_encoding = true;
    } else if (name == "host") {
      ++hosts;
    } else if (name == "connection") {
      std::string_view list = value;
      while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string_view option = trim_ows(list.substr(0, comma));
        if (equals_ignore_case(option, "close")) connection_close = true;
        if (equals_ignore_case(option, "keep-alive")) connection_keep_alive = true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    } else if (name == "expect") {
      expect = &value;
    }
  }

  if (hosts > 1) return set_error(400, "more than one Host header");
  if (has_transfer_encoding) {
    return set_error(501, "Transfer-Encoding is not supported in requests; send Content-Length");
  }
  if (length && *length > m_limits.max_body_bytes) {
    return set_error(413, "request body larger than " + std::to_string(m_limits.max_body_bytes) + " bytes");
  }
  m_content_length = static_cast<std::size_t>(length.value_or(0));
  m_keep_alive = m_http10 ? (connection_keep_alive && !connection_close) : !connection_close;
  // HTTP/1.0 clients do not know 100-continue: their Expect is ignored (RFC 9110 10.1.1).
  if (expect != nullptr && !m_http10) {
    if (!equals_ignore_case(*expect, "100-continue")) return set_error(417, "unsupported expectation");
    m_expects_continue = m_content_length > 0;
  }
  return true;
}

}  // namespace sfproxy::net
