#pragma once
// HttpRequestParser: the bytes of one HTTP/1.1 request in, an HttpRequest or a refusal (the
// status to answer with) out. Pure: no sockets, no clocks, so it is table-tested and fuzzed
// on its own. Bytes may arrive in any split; the parser never reads past the end of the
// request it is parsing, so pipelined requests stay with the caller until it asks again.
//
// Deliberately strict, because requests come from the network:
// - lines end in CRLF: a bare CR or a bare LF is refused (400), as is obs-fold (400),
//   whitespace before a header's colon (400) and a control character in a value (400);
// - the request line is `token SP target SP HTTP/1.x`: other versions get 505;
// - the target is origin-form ("/path?query"), absolute-form ("http://host/path") or "*" for
//   OPTIONS; the path is percent-decoded and refused (400) if an escape is invalid or decodes
//   to a control character (%00 included). The path is not normalised ("/a/../b" stays);
// - the body is framed by Content-Length only: any Transfer-Encoding (chunked included) gets
//   501; Content-Length values that differ or are not digits get 400; more than
//   max_body_bytes gets 413 as soon as the header is seen, before any of the body;
// - the head (request line, headers, blank line) is bounded by max_header_bytes (431) and the
//   target by max_target_bytes (414); a second Host header gets 400;
// - Expect: 100-continue is reported (expects_continue) for HTTP/1.1 requests with a body;
//   any other expectation gets 417.
// Empty lines before a request line are skipped (RFC 9112 section 2.2).

#include "net/http_server.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace sfproxy::net {

struct ParserLimits {
  std::size_t max_header_bytes = 16 * 1024;  ///< request line + headers + blank line
  std::size_t max_target_bytes = 8 * 1024;   ///< the request target as sent
  std::size_t max_body_bytes = 64 * 1024;
};

/// Why a request is refused: the status to answer with and a message for the client.
struct ParseError {
  int status = 400;
  std::string message;
};

enum class ParseEvent {
  need_more,      ///< every byte was consumed and the request is not complete yet
  head_complete,  ///< the head is parsed and a body follows: answer 100 if asked, feed on
  complete,       ///< the request is complete; bytes after it were not consumed
  failed,         ///< error() says why; the connection answers and closes
};

struct ParseStep {
  ParseEvent event = ParseEvent::need_more;
  std::size_t consumed = 0;  ///< bytes of the input that belong to this request
};

class HttpRequestParser {
 public:
  explicit HttpRequestParser(ParserLimits limits) : m_limits(limits) {}

  /// Consumes a prefix of `data`. After complete or failed, further calls consume nothing.
  ParseStep feed(std::string_view data);

  /// True once a byte of the request proper (not a leading empty line) has arrived.
  bool started() const noexcept { return m_started; }
  /// The request; complete once feed() reported complete (the head alone after head_complete).
  HttpRequest& request() noexcept { return m_request; }
  const HttpRequest& request() const noexcept { return m_request; }
  const ParseError& error() const noexcept { return m_error; }
  /// Whether the connection may carry another request after this one (HTTP/1.1 unless
  /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`).
  bool keep_alive() const noexcept { return m_keep_alive; }
  bool expects_continue() const noexcept { return m_expects_continue; }
  bool is_http10() const noexcept { return m_http10; }
  std::size_t content_length() const noexcept { return m_content_length; }

 private:
  enum class State { head, body, done, failed };

  ParseStep feed_head(std::string_view data);
  ParseStep feed_body(std::string_view data);
  ParseStep fail(int status, std::string message, std::size_t consumed);
  bool scan_request_line(std::string_view text);
  bool finish_request_line(std::string_view text);
  bool parse_head(std::string_view head);
  bool parse_request_line(std::string_view line);
  bool parse_target(std::string_view target);
  bool parse_header_line(std::string_view line);
  bool apply_headers();
  bool set_error(int status, std::string message);

  ParserLimits m_limits;
  State m_state = State::head;
  std::string m_head;            // the head so far, until its blank line arrives
  std::size_t m_scan_from = 0;   // where to resume looking for the blank line
  bool m_pending_cr = false;     // a CR among the leading empty lines, its LF still due
  std::size_t m_leading_bytes = 0;
  struct RequestLineScan {
    std::size_t position = 0;  // next byte of the request line to check
    std::size_t method_length = 0;
    std::size_t target_length = 0;
    bool method_done = false;
    bool target_done = false;
    bool line_done = false;    // position is at its CR
  };
  RequestLineScan m_line_scan;
  bool m_first_line_done = false;  // parsed in full
  bool m_started = false;
  HttpRequest m_request;
  ParseError m_error;
  std::size_t m_content_length = 0;
  bool m_keep_alive = true;
  bool m_expects_continue = false;
  bool m_http10 = false;
};

}  // namespace sfproxy::net
