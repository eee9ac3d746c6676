#include "cti/adapters/webhook/webhook_adapter.hpp"

#include "cti/adapters/webhook/webhook_client.hpp"
#include "fake_pbx_server.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace cti::adapters::webhook;
using cti::CallEvent;
using cti::CallEventType;

namespace {

const std::string k_secret = "whsec-example-0123456789";
const auto k_now = std::chrono::system_clock::time_point(std::chrono::seconds(1714564800));
const std::string k_ringing =
    R"({"event":"ringing","call_id":"call-1","extension":"137","ani":"+12128425500",)"
    R"("dnis":"8005550100","direction":"inbound","ivr_data":"Case.CaseNumber=1234"})";

struct Harness {
  explicit Harness(Config config = make_config()) {
    connector = make_webhook_connector(config, [this] { return now; });
    auto started = connector->start([this](const CallEvent& event) { events.push_back(event); });
    REQUIRE_MESSAGE(started, (started ? "" : started.error().message));
  }

  static Config make_config() {
    Config config;
    config.secret = k_secret;
    return config;
  }

  /// Posts `body` signed with `secret` at `timestamp`.
  IngestReply post(const std::string& body, std::int64_t timestamp = 1714564800,
                   const std::string& secret = k_secret,
                   std::string_view content_type = "application/json") {
    const std::string ts = std::to_string(timestamp);
    const std::string signature = sign(secret, ts, body);
    return connector->ingest({"POST", content_type, ts, signature, body});
  }

  std::chrono::system_clock::time_point now = k_now;
  std::unique_ptr<WebhookConnector> connector;
  std::vector<CallEvent> events;
};

/// The error object of a reply: {"error":{"code","message"}}.
std::pair<std::string, std::string> error_of(const IngestReply& reply) {
  Poco::JSON::Parser parser;
  const auto root = parser.parse(reply.body).extract<Poco::JSON::Object::Ptr>();
  const auto error = root->getObject("error");
  REQUIRE(error);
  return {error->getValue<std::string>("code"), error->getValue<std::string>("message")};
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("sign() matches `openssl dgst -sha256 -hmac` (the worked example of docs/webhook.md)") {
  CHECK(sign(k_secret, "1714564800", k_ringing) ==
        "sha256=b8738d501f2ed41588cad76283a05d2d262c94012e8857e39a18729577685c3c");
  // A key longer than SHA-256's 64-byte block is hashed first.
  CHECK(sign(std::string(100, 'k'), "1714564800", "{}") ==
        "sha256=9db65cadabe37ff21deb6537da68a871e9c4c1fa2c27822f39f4543b59bbe462");
}

TEST_CASE("a signed single event is accepted and delivered with every field") {
  Harness harness;
  const auto reply = harness.post(k_ringing);
  CHECK(reply.status == 200);
  CHECK(reply.body == R"({"accepted":1})");
  REQUIRE(harness.events.size() == 1);
  const CallEvent& event = harness.events[0];
  CHECK(event.type == CallEventType::ringing);
  CHECK(event.call_id == "call-1");
  CHECK(event.extension == "137");
  CHECK(event.ani == "+12128425500");
  CHECK(event.dnis == "8005550100");
  CHECK(event.direction == cti::CallDirection::inbound);
  CHECK(event.ivr_data == "Case.CaseNumber=1234");
  CHECK(event.end_reason == cti::EndReason::none);
  CHECK(event.occurred_at == k_now);  // no occurred_at: the time it was received
}

TEST_CASE("a batch is delivered in order; occurred_at and end_reason are read") {
  Harness harness;
  const std::string body =
      R"([{"event":"connected","call_id":"c","extension":"137","occurred_at":"2024-05-01T11:59:59.250Z"},)"
      R"({"event":"transferred","call_id":"c","extension":"137","transfer_target":"138"},)"
      R"({"event":"disconnected","call_id":"d","extension":"138","end_reason":"remote_hangup",)"
      R"("direction":"outbound","occurred_at":"2024-05-01T13:59:59+02:00"}])";
  const auto reply = harness.post(body);
  CHECK(reply.status == 200);
  CHECK(reply.body == R"({"accepted":3})");
  REQUIRE(harness.events.size() == 3);
  CHECK(harness.events[0].type == CallEventType::connected);
  CHECK(harness.events[0].occurred_at == k_now - std::chrono::milliseconds(750));
  CHECK(harness.events[1].transfer_target == "138");
  CHECK(harness.events[2].end_reason == cti::EndReason::remote_hangup);
  CHECK(harness.events[2].direction == cti::CallDirection::outbound);
  CHECK(harness.events[2].occurred_at == k_now - std::chrono::seconds(1));
}

TEST_CASE("to_json round-trips through ingest") {
  CallEvent event;
  event.type = CallEventType::disconnected;
  event.call_id = "call 9";
  event.extension = "137";
  event.ani = "(415) 555-0143";
  event.ivr_data = "Case.CaseNumber=1234;Name=Zoë";
  event.end_reason = cti::EndReason::abandoned;
  event.occurred_at = k_now + std::chrono::milliseconds(123);
  Harness harness;
  const auto reply = harness.post(to_json(event));
  CHECK(reply.status == 422);  // no spaces in a call id
  event.call_id = "call-9";
  REQUIRE(harness.post(to_json(event)).status == 200);
  REQUIRE(harness.events.size() == 1);
  CHECK(harness.events[0] == event);
  CHECK(format_time(event.occurred_at) == "2024-05-01T12:00:00.123Z");
}

TEST_CASE("authentication failures are 401 and deliver nothing") {
  Harness harness;
  SUBCASE("wrong secret") {
    const auto reply = harness.post(k_ringing, 1714564800, "another-secret-0123456789");
    CHECK(reply.status == 401);
    CHECK(error_of(reply) == std::pair<std::string, std::string>{
                                 "unauthorized",
                                 "the signature does not match the body (HMAC-SHA256 over "
                                 "\"<timestamp>.<body>\" with the shared secret)"});
  }
  SUBCASE("signature of another body") {
    const std::string signature = sign(k_secret, "1714564800", k_ringing);
    std::string tampered = k_ringing;
    tampered.replace(tampered.find("137"), 3, "138");
    const auto reply = harness.connector->ingest(
        {"POST", "application/json", "1714564800", signature, tampered});
    CHECK(reply.status == 401);
    CHECK(contains(error_of(reply).second, "does not match"));
  }
  SUBCASE("signature of another timestamp") {
    const std::string signature = sign(k_secret, "1714564801", k_ringing);
    const auto reply = harness.connector->ingest(
        {"POST", "application/json", "1714564800", signature, k_ringing});
    CHECK(reply.status == 401);
  }
  SUBCASE("malformed headers") {
    const std::string good = sign(k_secret, "1714564800", k_ringing);
    struct Row {
      std::string timestamp;
      std::string signature;
      const char* expected;
    };
    const Row rows[] = {
        {"", good, "X-CTI-Timestamp"},
        {"17145648OO", good, "X-CTI-Timestamp"},
        {"-1714564800", good, "X-CTI-Timestamp"},
        {"1714564800", "", "X-CTI-Signature"},
        {"1714564800", good.substr(7), "X-CTI-Signature"},
        {"1714564800", "sha1=" + good.substr(7), "X-CTI-Signature"},
        {"1714564800", good.substr(0, good.size() - 1), "X-CTI-Signature"},
        {"1714564800", good.substr(0, good.size() - 1) + "g", "X-CTI-Signature"},
    };
    for (const auto& row : rows) {
      CAPTURE(row.timestamp);
      CAPTURE(row.signature);
      const auto reply = harness.connector->ingest(
          {"POST", "application/json", row.timestamp, row.signature, k_ringing});
      CHECK(reply.status == 401);
      CHECK(contains(error_of(reply).second, row.expected));
    }
  }
  SUBCASE("upper-case hex is the same signature") {
    std::string signature = sign(k_secret, "1714564800", k_ringing);
    for (std::size_t i = 7; i < signature.size(); ++i) {
      signature[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(signature[i])));
    }
    const auto reply = harness.connector->ingest(
        {"POST", "application/json", "1714564800", signature, k_ringing});
    CHECK(reply.status == 200);
    CHECK(harness.events.size() == 1);
    return;
  }
  CHECK(harness.events.empty());
}

TEST_CASE("the replay window: stale and future timestamps are 401 with their own message") {
  Harness harness;
  auto old = harness.post(k_ringing, 1714564800 - 301);
  CHECK(old.status == 401);
  CHECK(error_of(old).second ==
        "the timestamp is stale: 301 s old, outside the 300 s window (check the PBX clock)");
  auto future = harness.post(k_ringing, 1714564800 + 400);
  CHECK(future.status == 401);
  CHECK(contains(error_of(future).second, "400 s in the future"));
  CHECK(harness.events.empty());
  CHECK(harness.post(k_ringing, 1714564800 - 300).status == 200);
  CHECK(harness.post(k_ringing, 1714564800 + 299).status == 200);
  CHECK(harness.events.size() == 2);
}

TEST_CASE("a replayed request is 409 while the window lasts") {
  Harness harness;
  CHECK(harness.post(k_ringing).status == 200);
  const auto replay = harness.post(k_ringing);
  CHECK(replay.status == 409);
  CHECK(error_of(replay).first == "conflict");
  CHECK(harness.events.size() == 1);
  // Same body, new timestamp: a new request.
  CHECK(harness.post(k_ringing, 1714564801).status == 200);
  // Once the window has passed the old request is stale anyway.
  harness.now += std::chrono::seconds(301);
  CHECK(harness.post(k_ringing).status == 401);

  Config config = Harness::make_config();
  config.reject_replays = false;
  Harness lenient(config);
  CHECK(lenient.post(k_ringing).status == 200);
  CHECK(lenient.post(k_ringing).status == 200);
  CHECK(lenient.events.size() == 2);
}

TEST_CASE("transport problems: 405, 415, 413, 503") {
  Harness harness;
  const std::string signature = sign(k_secret, "1714564800", k_ringing);
  CHECK(harness.connector->ingest({"GET", "application/json", "1714564800", signature, k_ringing})
            .status == 405);
  CHECK(harness.post(k_ringing, 1714564800, k_secret, "text/plain").status == 415);
  CHECK(harness.post(k_ringing, 1714564800, k_secret, "application/jsonp").status == 415);
  CHECK(harness.post(k_ringing, 1714564800, k_secret, "application/json; charset=latin-1").status == 415);
  CHECK(harness.post(k_ringing, 1714564800, k_secret, "Application/JSON; charset=UTF-8").status == 200);

  std::string big = k_ringing;
  big.insert(big.size() - 1, ",\"dnis\":\"" + std::string(64 * 1024, '1') + "\"");
  const auto oversized = harness.post(big, 1714564801);
  CHECK(oversized.status == 413);
  CHECK(contains(error_of(oversized).second, "larger than 65536 bytes"));

  harness.connector->stop();
  const auto stopped = harness.post(k_ringing, 1714564802);
  CHECK(stopped.status == 503);
  CHECK(error_of(stopped).first == "unavailable");
  CHECK(harness.events.size() == 1);
}

TEST_CASE("malformed JSON is 400") {
  Harness harness;
  std::int64_t timestamp = 1714564800;
  for (const char* body : {"", "{", "\"ringing\"", "42", "{\"event\":\"ringing\",}", "[1,2", "nul", "{} {}",
                           "[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]"}) {
    CAPTURE(body);
    const auto reply = harness.post(body, timestamp++);
    CHECK(reply.status == 400);
    CHECK(error_of(reply).first == "invalid_input");
  }
  CHECK(harness.events.empty());
}

TEST_CASE("invalid events are 422, name the field, and deliver nothing") {
  struct Row {
    std::string body;
    const char* expected;
  };
  const std::string ok = R"("call_id":"c","extension":"137")";
  const Row rows[] = {
      {R"({"event":"rining",)" + ok + "}", "event: unknown call event type \"rining\""},
      {R"({"call_id":"c","extension":"137"})", "event: is required"},
      {R"({"event":"ringing","extension":"137"})", "call_id: is required"},
      {R"({"event":"ringing","call_id":"","extension":"137"})", "call_id: must not be empty"},
      {R"({"event":"ringing","call_id":"c"})", "extension: is required"},
      {R"({"event":"ringing","call_id":"c","extension":137})", "extension: must be a string"},
      {R"({"event":"ringing","call_id":")" + std::string(129, 'x') + R"(","extension":"137"})",
       "call_id: longer than 128 bytes"},
      {R"({"event":"ringing",)" + ok + R"(,"ani":")" + std::string(65, '5') + "\"}",
       "ani: longer than 64 bytes"},
      {R"({"event":"ringing",)" + ok + R"(,"ivr_data":")" + std::string(1025, 'a') + "\"}",
       "ivr_data: longer than 1024 bytes"},
      {R"({"event":"ringing",)" + ok + R"(,"ivr_data":"a\u0001b"})",
       "ivr_data: must be UTF-8 without control characters"},
      {R"({"event":"ringing","call_id":"c d","extension":"137"})",
       "call_id: must be printable ASCII without spaces"},
      {R"({"event":"ringing",)" + ok + R"(,"direction":"sideways"})", "direction: unknown call direction"},
      {R"({"event":"ringing",)" + ok + R"(,"end_reason":"busy"})", "end_reason: only a disconnected event"},
      {R"({"event":"disconnected",)" + ok + R"(,"end_reason":"bored"})", "end_reason: unknown end reason"},
      {R"({"event":"transferred",)" + ok + "}", "transfer_target: is required"},
      {R"({"event":"held",)" + ok + R"(,"transfer_target":"138"})", "transfer_target: only a transferred"},
      {R"({"event":"ringing",)" + ok + R"(,"occurred_at":"yesterday"})", "occurred_at: must be an RFC 3339 time"},
      {R"({"event":"ringing",)" + ok + R"(,"occurred_at":"2024-02-30T00:00:00Z"})", "occurred_at"},
      {R"({"event":"ringing",)" + ok + R"(,"colour":"red"})", "colour: unknown field"},
      {R"({"event":"ringing",)" + ok + R"(,"ani":"1","ani":"2"})", "ani: given twice"},
      {R"({"event":"ringing",)" + ok + R"(,"ani":{"number":"1"}})", "ani: must be a string"},
      {R"({"event":"ringing",)" + ok + R"(,"ani":["1"]})", "ani: must be a string"},
      {R"({"event":"ringing",)" + ok + R"(,"dnis":true})", "dnis: must be a string"},
      {"[" + std::string(R"({"event":"ringing",)") + ok + R"(},[]])", "events[1]: must be an event object"},
      {"[]", "the batch is empty"},
      {"[" + std::string(R"({"event":"ringing",)") + ok + "},1]", "events[1]: must be an event object"},
      {"[" + std::string(R"({"event":"ringing",)") + ok + R"(},{"event":"held","call_id":"c"}])",
       "events[1].extension: is required"},
  };
  Harness harness;
  std::int64_t timestamp = 1714564800;
  for (const auto& row : rows) {
    CAPTURE(row.body);
    const auto reply = harness.post(row.body, timestamp++);
    CHECK(reply.status == 422);
    const auto error = error_of(reply);
    CHECK(error.first == "invalid_input");
    CHECK_MESSAGE(contains(error.second, row.expected), error.second);
  }
  CHECK(harness.events.empty());  // a bad event anywhere in a batch stops the whole batch
}

TEST_CASE("batches are bounded") {
  Config config = Harness::make_config();
  config.max_batch = 3;
  Harness harness(config);
  const std::string one = R"({"event":"ringing","call_id":"c","extension":"137"})";
  CHECK(harness.post("[" + one + "," + one + "," + one + "]").status == 200);
  const auto reply = harness.post("[" + one + "," + one + "," + one + "," + one + "]", 1714564801);
  CHECK(reply.status == 422);
  CHECK(contains(error_of(reply).second, "the batch has more than 3 events; at most 3"));
  CHECK(harness.events.size() == 3);
}

TEST_CASE("capabilities and unsupported commands") {
  Harness harness;
  CHECK_FALSE(harness.connector->capabilities().make_call);
  CHECK(harness.connector->make_call("137", "5550100").error().code == cti::ErrorCode::unavailable);
  CHECK(harness.connector->answer("c").error().code == cti::ErrorCode::unavailable);
  CHECK(harness.connector->health().connected);

  Config weak;
  weak.secret = "short";
  auto connector = make_webhook_connector(weak);
  auto started = connector->start([](const CallEvent&) {});
  REQUIRE_FALSE(started);
  CHECK(contains(started.error().message, "at least 16 bytes"));
}

TEST_CASE("parse_config: secret from value, file or environment; errors name the key") {
  auto inline_secret = parse_config(YAML::Load(
      "secret: whsec-example-0123456789\nreplay_window_s: 60\nreject_replays: false\n"
      "max_body_bytes: 1024\nmax_batch: 10\nmake_call_url: http://127.0.0.1:9/dial\n"
      "make_call_timeout_ms: 250\ninsecure_tls: true\n"));
  REQUIRE_MESSAGE(inline_secret, (inline_secret ? "" : inline_secret.error().message));
  CHECK(inline_secret->secret == k_secret);
  CHECK(inline_secret->replay_window == std::chrono::seconds(60));
  CHECK_FALSE(inline_secret->reject_replays);
  CHECK(inline_secret->max_body_bytes == 1024);
  CHECK(inline_secret->max_batch == 10);
  CHECK(inline_secret->make_call_url == "http://127.0.0.1:9/dial");
  CHECK(inline_secret->make_call_timeout == std::chrono::milliseconds(250));
  CHECK(inline_secret->insecure_tls);

  const auto file = (std::filesystem::temp_directory_path() / "cti_webhook_secret.txt").string();
  std::ofstream(file) << k_secret << "\n";
  auto from_file = parse_config(YAML::Load("secret_file: " + file));
  REQUIRE(from_file);
  CHECK(from_file->secret == k_secret);
  std::filesystem::remove(file);

  ::setenv("CTI_WEBHOOK_TEST_SECRET", k_secret.c_str(), 1);
  auto from_env = parse_config(YAML::Load("secret_env: CTI_WEBHOOK_TEST_SECRET"));
  REQUIRE(from_env);
  CHECK(from_env->secret == k_secret);

  struct Row {
    std::string yaml;
    const char* expected;
  };
  const Row rows[] = {
      {"replay_window_s: 60", "give exactly one of secret, secret_file, secret_env"},
      {"secret: a-long-enough-secret\nsecret_env: X", "give exactly one"},
      {"secret: short", "config:1:9: webhook.secret: the secret must be at least 16 bytes"},
      {"secret_file: /no/such/secret", "webhook.secret_file: cannot read '/no/such/secret'"},
      {"secret_env: CTI_WEBHOOK_TEST_UNSET_VARIABLE", "webhook.secret_env: the environment variable"},
      {"secret: " + k_secret + "\nreplay_window_s: 0", "config:2:18: webhook.replay_window_s"},
      {"secret: " + k_secret + "\nreject_replays: maybe", "webhook.reject_replays: must be true or false"},
      {"secret: " + k_secret + "\nmake_call_url: ftp://pbx/dial", "webhook.make_call_url: must start with http"},
      {"secret: " + k_secret + "\nlisten: 8080", "config:2:1: webhook.listen: unknown key"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.yaml);
    auto config = parse_config(YAML::Load(row.yaml));
    REQUIRE_FALSE(config);
    CHECK_MESSAGE(contains(config.error().message, row.expected), config.error().message);
  }
}

TEST_CASE("make_call posts signed JSON to the PBX and returns its call id") {
  cti::test::FakePbxServer pbx(k_secret);
  Config config = Harness::make_config();
  config.make_call_url = pbx.url("/dial?tenant=1");
  Harness harness(config);
  harness.now = std::chrono::system_clock::now();  // the fake PBX checks the timestamp too
  CHECK(harness.connector->capabilities().make_call);

  pbx.respond(200, R"({"call_id":"pbx-77"})");
  auto id = harness.connector->make_call("137", "912128425500");
  REQUIRE_MESSAGE(id, (id ? "" : id.error().message));
  CHECK(*id == "pbx-77");
  const auto request = pbx.last_request();
  CHECK(request.path == "/dial?tenant=1");
  CHECK(request.content_type == "application/json");
  CHECK(request.signature_valid);
  Poco::JSON::Parser parser;
  const auto body = parser.parse(request.body).extract<Poco::JSON::Object::Ptr>();
  CHECK(body->getValue<std::string>("extension") == "137");
  CHECK(body->getValue<std::string>("number") == "912128425500");
  const std::string request_id = body->getValue<std::string>("request_id");
  CHECK(request_id.size() == 36);

  SUBCASE("no call id in the reply: the request id") {
    pbx.respond(202, "");
    auto fallback = harness.connector->make_call("137", "5550100");
    REQUIRE(fallback);
    Poco::JSON::Parser second;
    const auto sent = second.parse(pbx.last_request().body).extract<Poco::JSON::Object::Ptr>();
    CHECK(*fallback == sent->getValue<std::string>("request_id"));
    CHECK(*fallback != request_id);
  }
  SUBCASE("500 is an error carrying the PBX's message") {
    pbx.respond(500, R"({"error":{"code":"internal","message":"trunk down"}})");
    auto failed = harness.connector->make_call("137", "5550100");
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == cti::ErrorCode::unavailable);
    CHECK(failed.error().message == "make_call: the PBX answered HTTP 500: internal: trunk down");
  }
  SUBCASE("404 is not_found") {
    pbx.respond(404, "no such route");
    auto failed = harness.connector->make_call("137", "5550100");
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == cti::ErrorCode::not_found);
    CHECK(contains(failed.error().message, "HTTP 404: no such route"));
  }
}

TEST_CASE("make_call times out when the PBX does not answer") {
  cti::test::FakePbxServer pbx(k_secret);
  pbx.hold_replies();
  Config config = Harness::make_config();
  config.make_call_url = pbx.url("/dial");
  config.make_call_timeout = std::chrono::milliseconds(200);
  Harness harness(config);
  auto id = harness.connector->make_call("137", "5550100");
  pbx.release_replies();
  REQUIRE_FALSE(id);
  CHECK(id.error().code == cti::ErrorCode::timeout);
  CHECK(contains(id.error().message, "within 200 ms"));
}

TEST_CASE("make_call to a closed port is unavailable") {
  std::uint16_t port = 0;
  {
    cti::test::FakePbxServer pbx(k_secret);
    port = pbx.port();
  }
  Config config = Harness::make_config();
  config.make_call_url = "http://127.0.0.1:" + std::to_string(port) + "/dial";
  Harness harness(config);
  auto id = harness.connector->make_call("137", "5550100");
  REQUIRE_FALSE(id);
  CHECK(id.error().code == cti::ErrorCode::unavailable);
  CHECK(contains(id.error().message, "cannot reach 127.0.0.1:"));
}
