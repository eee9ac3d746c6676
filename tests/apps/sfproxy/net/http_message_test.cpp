#include "net/http_message.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

namespace {

using namespace sfproxy::net;

const Headers no_headers;

}  // namespace

TEST_CASE("a response: status line, server headers, handler headers, common headers, body") {
  HttpResponse response;
  response.status = 201;
  response.headers = {{"Content-Type", "application/json"}, {"X-Custom", "1"}};
  response.body = R"({"ok":true})";
  const Headers common = {{"X-Frame", "deny"}, {"X-Custom", "common"}};
  const std::string text = serialize_response(response, {}, common, "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(text ==
        "HTTP/1.1 201 Created\r\n"
        "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
        "Content-Length: 11\r\n"
        "Content-Type: application/json\r\n"
        "X-Custom: 1\r\n"
        "X-Frame: deny\r\n"
        "\r\n"
        R"({"ok":true})");
}

TEST_CASE("the server owns framing headers and drops header fields that could split the response") {
  HttpResponse response;
  response.headers = {{"Content-Length", "999"},     {"Transfer-Encoding", "chunked"}, {"Date", "yesterday"},
                      {"Connection", "keep-alive"}, {"X-Bad", "a\r\nSet-Cookie: x=1"},  {"Bad Name", "v"},
                      {"X-Good", "v"}};
  response.body = "ok";
  ResponseFraming framing;
  framing.keep_alive = false;
  const std::string text = serialize_response(response, framing, no_headers, "D");
  CHECK(text == "HTTP/1.1 200 OK\r\nDate: D\r\nContent-Length: 2\r\nConnection: close\r\nX-Good: v\r\n\r\nok");
}

TEST_CASE("HEAD, 204, 304, HTTP/1.0 keep-alive and odd statuses") {
  HttpResponse response;
  response.body = "body";
  ResponseFraming head;
  head.head_request = true;
  CHECK(serialize_response(response, head, no_headers, "D") == "HTTP/1.1 200 OK\r\nDate: D\r\nContent-Length: 4\r\n\r\n");
  response.status = 204;
  CHECK(serialize_response(response, {}, no_headers, "D") == "HTTP/1.1 204 No Content\r\nDate: D\r\n\r\n");
  response.status = 304;
  CHECK(serialize_response(response, {}, no_headers, "D") == "HTTP/1.1 304 Not Modified\r\nDate: D\r\n\r\n");
  response.status = 200;
  ResponseFraming http10;
  http10.http10 = true;
  CHECK(serialize_response(response, http10, no_headers, "D") ==
        "HTTP/1.1 200 OK\r\nDate: D\r\nContent-Length: 4\r\nConnection: keep-alive\r\n\r\nbody");
  response.status = 99;
  CHECK(serialize_response(response, {}, no_headers, "D").rfind("HTTP/1.1 500 Internal Server Error\r\n", 0) == 0);
  response.status = 299;
  CHECK(serialize_response(response, {}, no_headers, "D").rfind("HTTP/1.1 299 \r\n", 0) == 0);
}

TEST_CASE("a stream head: no length, closes, no-store unless the handler chose") {
  const std::string text = serialize_stream_head(200, {{"Content-Type", "text/event-stream"}}, {{"X-A", "1"}}, "D");
  CHECK(text ==
        "HTTP/1.1 200 OK\r\nDate: D\r\nConnection: close\r\nCache-Control: no-store\r\n"
        "Content-Type: text/event-stream\r\nX-A: 1\r\n\r\n");
  const std::string own = serialize_stream_head(200, {{"cache-control", "no-cache"}}, no_headers, "D");
  CHECK(own == "HTTP/1.1 200 OK\r\nDate: D\r\nConnection: close\r\ncache-control: no-cache\r\n\r\n");
}

TEST_CASE("error bodies use the product's error codes and escape the message") {
  CHECK(error_body(400, "bad \"thing\"\n") == R"({"error":{"code":"invalid_input","message":"bad \"thing\"\u000a"}})");
  CHECK(error_body(408, "slow") == R"({"error":{"code":"timeout","message":"slow"}})");
  CHECK(error_body(503, "full") == R"({"error":{"code":"unavailable","message":"full"}})");
  CHECK(error_body(500, "bug") == R"({"error":{"code":"internal","message":"bug"}})");
  const HttpResponse response = error_response(413, "too big");
  CHECK(response.status == 413);
  CHECK(response.headers == Headers{{"Content-Type", "application/json"}});
}

TEST_CASE("wants_close reads the Connection header's options") {
  CHECK(wants_close({{"Connection", "close"}}));
  CHECK(wants_close({{"connection", "Upgrade, CLOSE"}}));
  CHECK_FALSE(wants_close({{"Connection", "keep-alive"}}));
  CHECK_FALSE(wants_close({}));
}

TEST_CASE("HTTP dates are IMF-fixdate in GMT") {
  using namespace std::chrono;
  CHECK(http_date(system_clock::time_point(seconds(784111777))) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(http_date(system_clock::time_point(seconds(0))) == "Thu, 01 Jan 1970 00:00:00 GMT");
}
