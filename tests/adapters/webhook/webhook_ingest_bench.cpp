// webhook_ingest_bench: events per second through WebhookConnector::ingest() on one thread:
// HMAC verification, replay check, JSON parsing, validation and delivery to a handler.
// Requests are signed beforehand, as the PBX would have done.
//
//   webhook_ingest_bench [requests]   (default 100000; a Release build gives real figures)

#include "cti/adapters/webhook/webhook_adapter.hpp"
#include "cti/adapters/webhook/webhook_client.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace {

using namespace cti::adapters::webhook;

const std::string k_secret = "bench-secret-0123456789abcdef";
const std::string k_timestamp = "1714564800";

std::string event_json(std::size_t n) {
  cti::CallEvent event;
  event.type = cti::CallEventType::ringing;
  event.call_id = "bench-" + std::to_string(n);
  event.extension = std::to_string(100 + n % 500);
  event.ani = "+1415555" + std::to_string(1000 + n % 9000);
  event.dnis = "8005550100";
  event.ivr_data = "Case.CaseNumber=" + std::to_string(1000 + n % 9000);
  event.occurred_at = std::chrono::system_clock::time_point(std::chrono::seconds(1714564800));
  return to_json(event);
}

struct Request {
  std::string body;
  std::string signature;
};

/// Runs every request once; returns events per second, or -1 when one was refused.
double run(const char* label, const std::vector<Request>& requests, std::size_t per_request) {
  Config config;
  config.secret = k_secret;
  config.max_batch = per_request;
  config.replay_cache_size = requests.size();
  auto connector = make_webhook_connector(
      config, [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1714564800)); });
  std::size_t delivered = 0;
  if (!connector->start([&](const cti::CallEvent&) { ++delivered; })) {
    return -1;
  }
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  for (const auto& request : requests) {
    const auto reply = connector->ingest(
        {"POST", "application/json", k_timestamp, request.signature, request.body});
    if (reply.status != 200) {
      std::fprintf(stderr, "refused: %d %s\n", reply.status, reply.body.c_str());
      return -1;
    }
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  // CPU time as well: on a busy machine it is the fairer measure of one core's capacity.
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const double rate = static_cast<double>(delivered) / elapsed.count();
  std::printf("%-16s %7zu requests %7zu events  wall %6.3f s %9.0f events/s  cpu %6.3f s %9.0f "
              "events/cpu-s\n",
              label, requests.size(), delivered, elapsed.count(), rate, cpu,
              static_cast<double>(delivered) / cpu);
  return rate;
}

std::vector<Request> make_requests(std::size_t count, std::size_t per_request) {
  std::vector<Request> requests;
  requests.reserve(count);
  std::size_t n = 0;
  for (std::size_t i = 0; i < count; ++i) {
    std::string body;
    if (per_request == 1) {
      body = event_json(n++);
    } else {
      body = "[";
      for (std::size_t k = 0; k < per_request; ++k) {
        if (k > 0) {
          body += ',';
        }
        body += event_json(n++);
      }
      body += "]";
    }
    requests.push_back({body, sign(k_secret, k_timestamp, body)});
  }
  return requests;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100000;
  if (count == 0) {
    std::fprintf(stderr, "usage: webhook_ingest_bench [requests]\n");
    return 2;
  }
  std::printf("one event per request: %s\n", event_json(0).c_str());
  bool ok = run("single event", make_requests(count, 1), 1) > 0;
  ok = run("batches of 10", make_requests(count / 10, 10), 10) > 0 && ok;
  ok = run("batches of 100", make_requests(count / 100, 100), 100) > 0 && ok;
  return ok ? 0 : 1;
}
