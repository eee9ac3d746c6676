// Fuzzes HttpRequestParser. The first two bytes choose the limits; the rest is the request
// stream. It is parsed twice, whole and in small pieces whose sizes come from the input
// itself, and both runs must agree exactly: how TCP splits the bytes must never change
// the outcome. Then the invariants of a parsed request or a refusal are checked, for up to
// eight pipelined requests.

#include "fuzz/fuzz_check.hpp"
#include "net/http_parser.hpp"
#include "net/http_syntax.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using sfproxy::net::HttpRequest;
using sfproxy::net::HttpRequestParser;
using sfproxy::net::ParseEvent;
using sfproxy::net::ParserLimits;

struct Outcome {
  ParseEvent event = ParseEvent::need_more;
  std::size_t consumed = 0;
  int status = 0;
  HttpRequest request;
  bool keep_alive = false;
  bool expects_continue = false;
  bool started = false;
};

// Feeds `input` in chunks sized by `splits` (all at once when empty) until the request is
// complete, refused, or the input runs out.
Outcome run(const ParserLimits& limits, std::string_view input, std::string_view splits) {
  HttpRequestParser parser(limits);
  Outcome outcome;
  std::size_t next_split = 0;
  while (true) {
    std::size_t chunk = input.size() - outcome.consumed;
    if (!splits.empty()) {
      const auto pick = static_cast<unsigned char>(splits[next_split++ % splits.size()]);
      chunk = std::min<std::size_t>(chunk, 1 + pick % 16);
    }
    const auto step = parser.feed(input.substr(outcome.consumed, chunk));
    FUZZ_CHECK(step.consumed <= chunk);
    outcome.consumed += step.consumed;
    outcome.event = step.event;
    if (step.event == ParseEvent::complete || step.event == ParseEvent::failed) break;
    if (step.event == ParseEvent::need_more) {
      FUZZ_CHECK(step.consumed == chunk);
      if (outcome.consumed == input.size()) break;
    }
  }
  if (outcome.event == ParseEvent::failed) {
    outcome.status = parser.error().status;
    FUZZ_CHECK(!parser.error().message.empty());
  }
  outcome.request = parser.request();
  outcome.keep_alive = parser.keep_alive();
  outcome.expects_continue = parser.expects_continue();
  outcome.started = parser.started();
  if (outcome.event == ParseEvent::complete) FUZZ_CHECK(parser.request().body.size() == parser.content_length());
  return outcome;
}

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

void check_request(const Outcome& outcome, const ParserLimits& limits) {
  const HttpRequest& request = outcome.request;
  FUZZ_CHECK(sfproxy::net::is_token(request.method));
  FUZZ_CHECK(!request.target.empty() && request.target.size() <= limits.max_target_bytes);
  FUZZ_CHECK(request.target.find_first_of(" #") == std::string::npos && !has_control(request.target));
  FUZZ_CHECK(!request.path.empty() && !has_control(request.path));
  FUZZ_CHECK(request.body.size() <= limits.max_body_bytes);
  FUZZ_CHECK(outcome.consumed <= limits.max_header_bytes * 2 + limits.max_body_bytes);
  for (const auto& [name, value] : request.headers) {
    FUZZ_CHECK(sfproxy::net::is_token(name));
    FUZZ_CHECK(sfproxy::net::to_lower_ascii(name) == name);
    FUZZ_CHECK(sfproxy::net::is_field_value(value));
    FUZZ_CHECK(sfproxy::net::trim_ows(value) == value);
  }
  FUZZ_CHECK(!outcome.expects_continue || !request.body.empty());
}

bool same(const Outcome& a, const Outcome& b) {
  // After a refusal the connection closes, so how much was looked at does not matter.
  return a.event == b.event && (a.event == ParseEvent::failed || a.consumed == b.consumed) &&
         a.status == b.status && a.started == b.started &&
         a.request.method == b.request.method && a.request.target == b.request.target &&
         a.request.path == b.request.path && a.request.query == b.request.query &&
         a.request.headers == b.request.headers && a.request.body == b.request.body &&
         (a.event != ParseEvent::complete ||
          (a.keep_alive == b.keep_alive && a.expects_continue == b.expects_continue));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  ParserLimits limits;
  limits.max_header_bytes = 256 + std::size_t{data[0]} * 16;
  limits.max_target_bytes = 64 + std::size_t{data[1] & 0x7fu} * 8;
  limits.max_body_bytes = (data[1] & 0x80u) != 0 ? 64 : 4096;
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  for (int request = 0; request < 8 && !input.empty(); ++request) {
    const Outcome whole = run(limits, input, {});
    const Outcome pieces = run(limits, input, input);
    FUZZ_CHECK(same(whole, pieces));
    FUZZ_CHECK(whole.consumed <= input.size());
    switch (whole.event) {
      case ParseEvent::complete:
        check_request(whole, limits);
        break;
      case ParseEvent::failed:
        FUZZ_CHECK(whole.status == 400 || whole.status == 413 || whole.status == 414 || whole.status == 417 ||
                   whole.status == 431 || whole.status == 501 || whole.status == 505);
        return 0;  // the connection would close here
      case ParseEvent::need_more:
        FUZZ_CHECK(whole.consumed == input.size());
        return 0;
      case ParseEvent::head_complete:
        FUZZ_CHECK(false);  // run() never stops there
    }
    FUZZ_CHECK(whole.consumed > 0);
    input.remove_prefix(whole.consumed);  // the next pipelined request
  }
  return 0;
}
