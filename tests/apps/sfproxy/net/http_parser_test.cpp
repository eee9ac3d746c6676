#include "net/http_parser.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace std::string_literals;
using sfproxy::net::HttpRequestParser;
using sfproxy::net::ParseEvent;
using sfproxy::net::ParserLimits;

ParserLimits small_limits() {
  ParserLimits limits;
  limits.max_header_bytes = 1024;
  limits.max_target_bytes = 256;
  limits.max_body_bytes = 100;
  return limits;
}

struct Outcome {
  ParseEvent event = ParseEvent::need_more;
  std::size_t consumed = 0;
  int status = 0;
};

// Feeds everything at once, passing head_complete as a connection would.
Outcome parse_all(HttpRequestParser& parser, std::string_view input) {
  Outcome outcome;
  while (true) {
    const auto step = parser.feed(input.substr(outcome.consumed));
    outcome.consumed += step.consumed;
    outcome.event = step.event;
    if (step.event != ParseEvent::head_complete) break;
  }
  if (outcome.event == ParseEvent::failed) outcome.status = parser.error().status;
  return outcome;
}

// Feeds one byte at a time: the result must not depend on how the bytes were split.
Outcome parse_bytewise(HttpRequestParser& parser, std::string_view input) {
  Outcome outcome;
  for (std::size_t i = 0; i < input.size(); ++i) {
    const auto step = parser.feed(input.substr(i, 1));
    outcome.consumed += step.consumed;
    outcome.event = step.event;
    if (step.event == ParseEvent::complete || step.event == ParseEvent::failed) break;
  }
  if (outcome.event == ParseEvent::failed) outcome.status = parser.error().status;
  return outcome;
}

}  // namespace

TEST_CASE("well-formed requests parse, whole or byte by byte") {
  const struct {
    const char* name;
    std::string input;
    std::string method;
    std::string target;
    std::string path;
    std::string query;
    std::string body;
    bool keep_alive;
  } cases[] = {
      {"simple GET", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/", "/", "", "", true},
      {"query kept raw", "GET /api/v1/events?x=1&y=%20 HTTP/1.1\r\n\r\n", "GET", "/api/v1/events?x=1&y=%20",
       "/api/v1/events", "x=1&y=%20", "", true},
      {"path percent-decoded", "GET /a%20b/%C3%A9?q HTTP/1.1\r\n\r\n", "GET", "/a%20b/%C3%A9?q", "/a b/\xC3\xA9", "q",
       "", true},
      {"POST with body", "POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", "POST", "/x", "/x", "", "hello", true},
      {"connection close", "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", "GET", "/", "/", "", "", false},
      {"HTTP/1.0 closes by default", "GET / HTTP/1.0\r\n\r\n", "GET", "/", "/", "", "", false},
      {"HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "GET", "/", "/", "", "", true},
      {"connection list", "GET / HTTP/1.1\r\nConnection: upgrade, close\r\n\r\n", "GET", "/", "/", "", "", false},
      {"leading empty lines skipped", "\r\n\r\nGET / HTTP/1.1\r\n\r\n", "GET", "/", "/", "", "", true},
      {"absolute form", "GET http://example.com:8443/p?q=1 HTTP/1.1\r\n\r\n", "GET", "http://example.com:8443/p?q=1",
       "/p", "q=1", "", true},
      {"absolute form without path", "GET https://example.com HTTP/1.1\r\n\r\n", "GET", "https://example.com", "/",
       "", "", true},
      {"asterisk for OPTIONS", "OPTIONS * HTTP/1.1\r\n\r\n", "OPTIONS", "*", "*", "", "", true},
      {"equal Content-Length repeated", "PUT /x HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nab",
       "PUT", "/x", "/x", "", "ab", true},
      {"Content-Length zero", "POST /x HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "POST", "/x", "/x", "", "", true},
      {"extension method", "PURGE /cache HTTP/1.1\r\n\r\n", "PURGE", "/cache", "/cache", "", "", true},
      {"value with obs-text and tabs", "GET / HTTP/1.1\r\nX-Name: \tJos\xC3\xA9  \t\r\n\r\n", "GET", "/", "/", "", "",
       true},
      {"body of exactly the limit", "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'b'), "POST",
       "/", "/", "", std::string(100, 'b'), true},
  };
  for (const auto& c : cases) {
    for (const bool bytewise : {false, true}) {
      CAPTURE(c.name);
      CAPTURE(bytewise);
      HttpRequestParser parser(small_limits());
      const Outcome outcome = bytewise ? parse_bytewise(parser, c.input) : parse_all(parser, c.input);
      REQUIRE(outcome.event == ParseEvent::complete);
      CHECK(outcome.consumed == c.input.size());
      CHECK(parser.request().method == c.method);
      CHECK(parser.request().target == c.target);
      CHECK(parser.request().path == c.path);
      CHECK(parser.request().query == c.query);
      CHECK(parser.request().body == c.body);
      CHECK(parser.keep_alive() == c.keep_alive);
    }
  }
}

TEST_CASE("header names are lower-cased and values trimmed") {
  HttpRequestParser parser(small_limits());
  const auto outcome = parse_all(parser, "GET / HTTP/1.1\r\nHost: example.com\r\nX-Trace-ID:   abc def  \r\n\r\n");
  REQUIRE(outcome.event == ParseEvent::complete);
  REQUIRE(parser.request().headers.size() == 2);
  CHECK(parser.request().headers[0].first == "host");
  CHECK(*parser.request().header("x-trace-id") == "abc def");
  CHECK(parser.request().header("X-Trace-ID") == nullptr);  // lookups use lower case
  CHECK(parser.request().header("missing") == nullptr);
}

TEST_CASE("malformed or oversized requests are refused with the right status") {
  const struct {
    const char* name;
    std::string input;
    int status;
  } cases[] = {
      {"no version", "GET /\r\n\r\n", 400},
      {"two spaces", "GET  / HTTP/1.1\r\n\r\n", 400},
      {"lower-case version", "GET / http/1.1\r\n\r\n", 400},
      {"HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", 505},
      {"HTTP/0.9 style", "GET /\r\n", 400},
      {"bad method char", "GE(T / HTTP/1.1\r\n\r\n", 400},
      {"TLS hello to a plain port", "\x16\x03\x01\x02\x00\x01"s, 400},
      {"relative target", "GET index.html HTTP/1.1\r\n\r\n", 400},
      {"asterisk for GET", "GET * HTTP/1.1\r\n\r\n", 400},
      {"fragment in target", "GET /a#b HTTP/1.1\r\n\r\n", 400},
      {"non-ASCII in target", "GET /\xC3\xA9 HTTP/1.1\r\n\r\n", 400},
      {"percent-encoded NUL", "GET /a%00b HTTP/1.1\r\n\r\n", 400},
      {"percent-encoded LF", "GET /a%0Ab HTTP/1.1\r\n\r\n", 400},
      {"truncated escape", "GET /a%4 HTTP/1.1\r\n\r\n", 400},
      {"non-hex escape", "GET /a%zz HTTP/1.1\r\n\r\n", 400},
      {"escape at the end", "GET /a% HTTP/1.1\r\n\r\n", 400},
      {"absolute form without host", "GET http:///x HTTP/1.1\r\n\r\n", 400},
      {"obs-fold", "GET / HTTP/1.1\r\nX-A: one\r\n two\r\n\r\n", 400},
      {"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
      {"empty header name", "GET / HTTP/1.1\r\n: a\r\n\r\n", 400},
      {"no colon", "GET / HTTP/1.1\r\nHost\r\n\r\n", 400},
      {"bare CR in a value", "GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n", 400},
      {"bare LF line end", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400},
      {"bare CR before the request", "\rGET / HTTP/1.1\r\n\r\n", 400},
      {"NUL in a value", "GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n"s, 400},
      {"DEL in a value", "GET / HTTP/1.1\r\nX-A: a\x7f\r\n\r\n", 400},
      {"two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"conflicting Content-Length", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
      {"conflicting Content-Length list", "POST / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\nab", 400},
      {"negative Content-Length", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"hex Content-Length", "POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", 400},
      {"empty Content-Length", "POST / HTTP/1.1\r\nContent-Length: \r\n\r\n", 400},
      {"chunked body", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501},
      {"chunked and length", "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
      {"any transfer coding", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"body over the limit", "POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 413},
      {"huge Content-Length", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413},
      {"unknown expectation", "POST / HTTP/1.1\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx", 417},
      {"target over the limit", "GET /" + std::string(300, 'a') + " HTTP/1.1\r\n\r\n", 414},
      {"request line never ends", "GET /" + std::string(2000, 'a'), 414},
      {"headers over the limit", "GET / HTTP/1.1\r\nX-A: " + std::string(1100, 'a') + "\r\n\r\n", 431},
      {"many small headers", "GET / HTTP/1.1\r\n" + [] {
         std::string lines;
         for (int i = 0; i < 200; ++i) lines += "X-" + std::to_string(i) + ": v\r\n";
         return lines;
       }() + "\r\n",
       431},
  };
  for (const auto& c : cases) {
    for (const bool bytewise : {false, true}) {
      CAPTURE(c.name);
      CAPTURE(bytewise);
      HttpRequestParser parser(small_limits());
      const Outcome outcome = bytewise ? parse_bytewise(parser, c.input) : parse_all(parser, c.input);
      REQUIRE(outcome.event == ParseEvent::failed);
      CHECK(outcome.status == c.status);
      CHECK_FALSE(parser.error().message.empty());
    }
  }
}

TEST_CASE("garbage is refused as soon as the request line shows it") {
  HttpRequestParser parser(small_limits());
  const auto step = parser.feed(std::string_view("\x16\x03\x01", 3));
  CHECK(step.event == ParseEvent::failed);
  CHECK(parser.error().status == 400);
}

TEST_CASE("a refused body is not read: 413 comes right after the head") {
  HttpRequestParser parser(small_limits());
  const std::string head = "POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n";
  const auto step = parser.feed(head + std::string(1000, 'x'));
  CHECK(step.event == ParseEvent::failed);
  CHECK(parser.error().status == 413);
  CHECK(step.consumed == head.size());
}

TEST_CASE("pipelined requests: the parser stops at the end of the first") {
  const std::string first = "POST /one HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
  const std::string second = "GET /two HTTP/1.1\r\n\r\n";
  HttpRequestParser parser(small_limits());
  const auto outcome = parse_all(parser, first + second);
  REQUIRE(outcome.event == ParseEvent::complete);
  CHECK(outcome.consumed == first.size());
  CHECK(parser.request().body == "abc");
  // A finished parser consumes nothing more; the next request takes a fresh one.
  CHECK(parser.feed(second).consumed == 0);
  HttpRequestParser next(small_limits());
  CHECK(parse_all(next, second).event == ParseEvent::complete);
  CHECK(next.request().path == "/two");
}

TEST_CASE("head_complete comes before the body, with Expect: 100-continue reported") {
  HttpRequestParser parser(small_limits());
  const std::string head = "PUT /x HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 4\r\n\r\n";
  auto step = parser.feed(head);
  CHECK(step.event == ParseEvent::head_complete);
  CHECK(step.consumed == head.size());
  CHECK(parser.expects_continue());
  CHECK(parser.content_length() == 4);
  step = parser.feed("ab");
  CHECK(step.event == ParseEvent::need_more);
  step = parser.feed("cdEXTRA");
  CHECK(step.event == ParseEvent::complete);
  CHECK(step.consumed == 2);
  CHECK(parser.request().body == "abcd");
}

TEST_CASE("Expect is ignored where it means nothing") {
  SUBCASE("without a body") {
    HttpRequestParser parser(small_limits());
    CHECK(parse_all(parser, "GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n").event == ParseEvent::complete);
    CHECK_FALSE(parser.expects_continue());
  }
  SUBCASE("from an HTTP/1.0 client, whatever it says") {
    HttpRequestParser parser(small_limits());
    CHECK(parse_all(parser, "POST / HTTP/1.0\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx").event ==
          ParseEvent::complete);
    CHECK_FALSE(parser.expects_continue());
  }
}

TEST_CASE("started() tells a request in progress from an idle connection") {
  HttpRequestParser parser(small_limits());
  CHECK_FALSE(parser.started());
  CHECK(parser.feed("\r\n").event == ParseEvent::need_more);
  CHECK_FALSE(parser.started());
  CHECK(parser.feed("G").event == ParseEvent::need_more);
  CHECK(parser.started());
}

TEST_CASE("a request split at every point parses the same") {
  const std::string input =
      "POST /api/v1/calls?x=%41 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n0123456789";
  for (std::size_t split = 0; split <= input.size(); ++split) {
    CAPTURE(split);
    HttpRequestParser parser(small_limits());
    std::size_t consumed = 0;
    ParseEvent event = ParseEvent::need_more;
    for (const std::string_view part : {std::string_view(input).substr(0, split), std::string_view(input).substr(split)}) {
      std::size_t offset = 0;
      while (offset < part.size() || event == ParseEvent::head_complete) {
        const auto step = parser.feed(part.substr(offset));
        offset += step.consumed;
        consumed += step.consumed;
        event = step.event;
        if (event == ParseEvent::complete || event == ParseEvent::failed || event == ParseEvent::need_more) break;
      }
    }
    REQUIRE(event == ParseEvent::complete);
    CHECK(consumed == input.size());
    CHECK(parser.request().path == "/api/v1/calls");
    CHECK(parser.request().query == "x=%41");
    CHECK(parser.request().body == "0123456789");
  }
}
