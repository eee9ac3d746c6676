// The webhook protocol end to end: `ctictl simulate --url` (the reference sender) posts a
// scenario over HTTP to a server whose handler is a thin translation onto ingest(), the
// receiving side, as the proxy's route will be.

#include "cti/adapters/webhook/webhook_adapter.hpp"

#include "adapters/webhook/fake_pbx_server.hpp"
#include "command.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <mutex>
#include <sstream>

namespace {

using namespace cti::adapters::webhook;

const std::string k_secret = "roundtrip-secret-0123456789";
const std::string k_scenario = std::string(CTI_SCENARIO_DIR) + "/inbound_ivr_hold.yaml";

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run simulate(std::vector<std::string> args) {
  std::ostringstream out;
  std::ostringstream err;
  ctictl::Io io{out, err};
  int code = ctictl::run_simulate(args, io);
  return {code, out.str(), err.str()};
}

/// A proxy stand-in: HTTP in, ingest(), the reply out.
struct FakeProxy {
  explicit FakeProxy(const std::string& secret) : server(secret) {
    Config config;
    config.secret = secret;
    connector = make_webhook_connector(config);
    REQUIRE(connector->start([this](const cti::CallEvent& event) {
      std::lock_guard lock(mutex);
      events.push_back(event);
    }));
    server.handle_with([this](const cti::test::ReceivedRequest& request) {
      const auto reply = connector->ingest({request.method, request.content_type, request.timestamp,
                                            request.signature, request.body});
      return std::pair{reply.status, reply.body};
    });
  }

  std::vector<cti::CallEvent> received() {
    std::lock_guard lock(mutex);
    return events;
  }

  cti::test::FakePbxServer server;
  std::unique_ptr<WebhookConnector> connector;
  std::mutex mutex;
  std::vector<cti::CallEvent> events;
};

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("ctictl simulate --url posts signed events the webhook adapter accepts") {
  FakeProxy proxy(k_secret);
  ::setenv("CTI_ROUNDTRIP_SECRET", k_secret.c_str(), 1);
  auto result = simulate({"--scenario", k_scenario, "--url", proxy.server.url("/pbx/v1/events"),
                          "--secret-env", "CTI_ROUNDTRIP_SECRET"});
  REQUIRE_MESSAGE(result.code == 0, result.err);
  CHECK(contains(result.out, "+0.000s ringing call-1 ext=137 ani=+12128425500 dnis=8005550100 "
                             "inbound ivr=\"Case.CaseNumber=1234\" -> 200\n"));
  CHECK(contains(result.out, "+40.000s disconnected call-1 ext=137 ani=+12128425500 dnis=8005550100 "
                             "inbound ivr=\"Case.CaseNumber=1234\" reason=remote_hangup -> 200\n"));
  const auto events = proxy.received();
  REQUIRE(events.size() == 5);
  CHECK(events[0].type == cti::CallEventType::ringing);
  CHECK(events[0].ivr_data == "Case.CaseNumber=1234");
  CHECK(events[2].type == cti::CallEventType::held);
  CHECK(events[4].end_reason == cti::EndReason::remote_hangup);
  // occurred_at travels: the steps keep their spacing.
  CHECK(events[4].occurred_at - events[0].occurred_at == std::chrono::seconds(40));

  for (const auto& request : proxy.server.requests()) {
    CHECK(request.path == "/pbx/v1/events");
    CHECK(request.signature_valid);
  }
}

TEST_CASE("ctictl simulate --url --json prints the status beside each event") {
  FakeProxy proxy(k_secret);
  ::setenv("CTI_ROUNDTRIP_SECRET", k_secret.c_str(), 1);
  auto result = simulate({"--agent", "137", "--no-answer", "--json", "--url",
                          proxy.server.url("/pbx/v1/events"), "--secret-env", "CTI_ROUNDTRIP_SECRET"});
  REQUIRE_MESSAGE(result.code == 0, result.err);
  CHECK(result.out.rfind(R"({"status":200,"event":{"event":"ringing","call_id":"call-1","extension":"137",)", 0) == 0);
  CHECK(proxy.received().size() == 2);
}

TEST_CASE("ctictl simulate --url stops at the first refused event and exits 1") {
  FakeProxy proxy("the-proxy-has-another-secret");
  ::setenv("CTI_ROUNDTRIP_SECRET", k_secret.c_str(), 1);
  auto result = simulate({"--scenario", k_scenario, "--url", proxy.server.url("/pbx/v1/events"),
                          "--secret-env", "CTI_ROUNDTRIP_SECRET"});
  CHECK(result.code == 1);
  CHECK(contains(result.out, "ringing call-1"));
  CHECK(contains(result.out, " -> 401\n"));
  CHECK_FALSE(contains(result.out, "connected"));  // nothing after the refusal
  CHECK(result.err ==
        "ctictl: error: the proxy refused the event with HTTP 401: unauthorized: the signature "
        "does not match the body (HMAC-SHA256 over \"<timestamp>.<body>\" with the shared secret)\n");
  CHECK(proxy.received().empty());
  CHECK(proxy.server.requests().size() == 1);
}

TEST_CASE("ctictl simulate --url: an unreachable proxy exits 1 with a clear message") {
  std::string url;
  {
    cti::test::FakePbxServer closed(k_secret);
    url = closed.url("/pbx/v1/events");
  }
  ::setenv("CTI_ROUNDTRIP_SECRET", k_secret.c_str(), 1);
  auto result = simulate({"--agent", "137", "--url", url, "--secret-env", "CTI_ROUNDTRIP_SECRET",
                          "--timeout", "2000"});
  CHECK(result.code == 1);
  CHECK(contains(result.out, "-> failed"));
  CHECK(result.err.rfind("ctictl: error: cannot reach 127.0.0.1:", 0) == 0);

  auto bad_url = simulate({"--agent", "137", "--url", "ftp://example/x", "--secret-env",
                           "CTI_ROUNDTRIP_SECRET"});
  CHECK(bad_url.code == 1);
  CHECK(contains(bad_url.err, "bad URL 'ftp://example/x'"));
}
