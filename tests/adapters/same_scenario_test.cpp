// The contract every PBX adapter meets: the same call produces the same CallEvents, whatever
// the protocol. The call is examples/scenarios/inbound_ivr_hold.yaml: "+12128425500" with IVR
// data "Case.CaseNumber=1234" rings extension 137, is answered, held, retrieved, and ended by
// the caller. Each adapter plays it in its own protocol; the sequences are compared field by
// field, except occurred_at and call_id (each PBX has its own clock and ids).

#include "adapters/asterisk-ami/transcript_runner.hpp"
#include "cti/adapters/pbx_sim/pbx_sim_adapter.hpp"
#include "cti/adapters/webhook/webhook_adapter.hpp"
#include "cti/adapters/webhook/webhook_client.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using cti::CallEvent;
using cti::Result;

const std::string k_scenario = std::string(CTI_SCENARIO_DIR) + "/inbound_ivr_hold.yaml";
const auto k_epoch = std::chrono::system_clock::time_point(std::chrono::seconds(1714564800));

/// What is compared: everything but occurred_at and call_id.
std::string comparable(const CallEvent& event) {
  std::ostringstream out;
  out << cti::to_string(event.type) << " extension=" << event.extension << " ani=" << event.ani
      << " dnis=" << event.dnis << " direction=" << cti::to_string(event.direction)
      << " ivr_data=" << event.ivr_data << " transfer_target=" << event.transfer_target
      << " end_reason=" << cti::to_string(event.end_reason);
  return out.str();
}

std::vector<std::string> comparable(const std::vector<CallEvent>& events) {
  std::vector<std::string> out;
  for (const auto& event : events) {
    out.push_back(comparable(event));
  }
  return out;
}

/// The simulator plays the scenario file under its manual clock.
Result<std::vector<CallEvent>> from_simulator() {
  cti::adapters::pbx_sim::Config config;
  config.scenario_file = k_scenario;
  auto pbx = cti::adapters::pbx_sim::make_stepped_pbx(config, k_epoch);
  std::vector<CallEvent> events;
  CTI_TRY(pbx->start([&](const CallEvent& event) { events.push_back(event); }));
  pbx->run_until_idle();
  pbx->stop();
  return events;
}

/// The PBX posts each step of the scenario as signed JSON, one request per event.
Result<std::vector<CallEvent>> from_webhook() {
  namespace webhook = cti::adapters::webhook;
  const auto scenario = CTI_TRY(cti::adapters::pbx_sim::load_scenario_file(k_scenario));
  webhook::Config config;
  config.secret = "contract-test-secret-0123456789";
  auto now = k_epoch;
  auto connector = webhook::make_webhook_connector(config, [&] { return now; });
  std::vector<CallEvent> events;
  CTI_TRY(connector->start([&](const CallEvent& event) { events.push_back(event); }));
  for (const auto& step : scenario.steps) {
    now = k_epoch + step.at;
    CallEvent event = step.event;
    event.occurred_at = now;
    const std::string body = webhook::to_json(event);
    const std::string timestamp = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
    const auto reply = connector->ingest(
        {"POST", "application/json", timestamp, webhook::sign(config.secret, timestamp, body), body});
    if (reply.status != 200) {
      return cti::fail(cti::ErrorCode::invalid_input,
                       "ingest refused " + body + ": " + std::to_string(reply.status) + " " + reply.body);
    }
  }
  connector->stop();
  return events;
}

/// Asterisk sends the AMI events of this call (tests/adapters/asterisk-ami/transcripts/
/// inbound_ivr_hold.txt) from a fake AMI server to the real connector over loopback TCP.
Result<std::vector<CallEvent>> from_asterisk_ami() {
  auto run = CTI_TRY(cti::adapters::asterisk_ami::run_transcript_for_test("inbound_ivr_hold"));
  return std::move(run.events);
}

/// One adapter's way of playing the scenario.
struct Source {
  const char* adapter;
  std::function<Result<std::vector<CallEvent>>()> play;
};

const std::vector<Source> k_sources = {
    {"pbx-sim", from_simulator},
    {"webhook", from_webhook},
    {"asterisk-ami", from_asterisk_ami},
};

}  // namespace

TEST_CASE("the reference sequence: what the scenario means") {
  auto events = from_simulator();
  REQUIRE_MESSAGE(events, (events ? "" : events.error().message));
  const std::string call =
      " extension=137 ani=+12128425500 dnis=8005550100 direction=inbound "
      "ivr_data=Case.CaseNumber=1234 transfer_target=";
  CHECK(comparable(*events) == std::vector<std::string>{
                                   "ringing" + call + " end_reason=none",
                                   "connected" + call + " end_reason=none",
                                   "held" + call + " end_reason=none",
                                   "retrieved" + call + " end_reason=none",
                                   "disconnected" + call + " end_reason=remote_hangup",
                               });
  for (const auto& event : *events) {
    CHECK(event.call_id == "call-1");
  }
}

TEST_CASE("every PBX adapter produces the same CallEvents for the same call") {
  auto reference = from_simulator();
  REQUIRE(reference);
  for (const auto& source : k_sources) {
    SUBCASE(source.adapter) {
      auto events = source.play();
      REQUIRE_MESSAGE(events, (events ? "" : events.error().message));
      CHECK(comparable(*events) == comparable(*reference));
      // Within one adapter, every event of the call carries the same id.
      for (const auto& event : *events) {
        CHECK(event.call_id == events->front().call_id);
      }
    }
  }
}
