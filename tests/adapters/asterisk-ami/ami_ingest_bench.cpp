// ami_ingest_bench: AMI events per second turned into CallEvents on one core.
//
//   ami_ingest_bench [calls] [concurrent]
//
// 1. In memory: the contract call's transcript, renumbered per call and interleaved
//    `concurrent` calls at a time, is fed to AmiParser + AmiEventMapper (no sockets).
// 2. Loopback: the same stream is played by FakeAmiServer over 127.0.0.1 to a connector made by
//    make_pbx_connector (the fake server's own cost is included, so this is a lower bound).

#include "adapters/asterisk-ami/fake_ami_server.hpp"
#include "adapters/asterisk-ami/transcript.hpp"
#include "adapters/asterisk-ami/transcript_runner.hpp"

#include "ami_event_mapper.hpp"
#include "ami_parser.hpp"

#include "cti/adapters/asterisk_ami/asterisk_ami_adapter.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace cti::adapters::asterisk_ami;
using Clock = std::chrono::steady_clock;
using Headers = std::vector<std::pair<std::string, std::string>>;

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  std::size_t at = 0;
  while ((at = text.find(from, at)) != std::string::npos) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
  return text;
}

// The contract call's packets with every id made unique to call `n`.
std::vector<Headers> call_packets(const std::vector<TranscriptStep>& steps, int n) {
  const std::string tag = std::to_string(1800000000 + n);
  std::vector<Headers> packets;
  for (const TranscriptStep& step : steps) {
    Headers headers = step.headers;
    for (auto& [key, value] : headers) {
      value = replace_all(value, "1732550000", tag);
      value = replace_all(value, "1732550004", tag);
      value = replace_all(value, "carrier-00000010", "carrier-" + std::to_string(n));
      value = replace_all(value, "137-00000011", "137-" + std::to_string(n));
      value = replace_all(value, "5b1f0c2e-8d7a-4c55-9a0e-2f4b6a1d9e31", "bridge-" + tag);
    }
    packets.push_back(std::move(headers));
  }
  return packets;
}

// All calls' packets, `concurrent` calls interleaved packet by packet.
std::vector<Headers> stream(const std::vector<TranscriptStep>& steps, int calls, int concurrent) {
  std::vector<Headers> out;
  for (int first = 0; first < calls; first += concurrent) {
    std::vector<std::vector<Headers>> batch;
    for (int n = first; n < std::min(calls, first + concurrent); ++n) {
      batch.push_back(call_packets(steps, n));
    }
    for (std::size_t i = 0; i < batch.front().size(); ++i) {
      for (const auto& call : batch) {
        out.push_back(call[i]);
      }
    }
  }
  return out;
}

std::string to_text(const std::vector<Headers>& packets) {
  std::string text;
  for (const Headers& headers : packets) {
    for (const auto& [key, value] : headers) {
      text.append(key).append(": ").append(value).append("\r\n");
    }
    text.append("\r\n");
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  const int calls = argc > 1 ? std::atoi(argv[1]) : 20000;
  const int concurrent = argc > 2 ? std::atoi(argv[2]) : 100;
  if (calls <= 0 || concurrent <= 0) {
    std::fprintf(stderr, "usage: ami_ingest_bench [calls > 0] [concurrent > 0]\n");
    return 2;
  }
  const auto steps = load_transcript(transcript_path("inbound_ivr_hold"));
  if (!steps) {
    std::fprintf(stderr, "ami_ingest_bench: %s\n", steps.error().message.c_str());
    return 1;
  }
  const std::vector<Headers> packets = stream(*steps, calls, concurrent);
  const std::string text = to_text(packets);
  std::printf("%d calls, %d at a time: %zu AMI events, %.1f MB\n", calls, concurrent, packets.size(),
              static_cast<double>(text.size()) / 1e6);

  // 1. Parser + mapper, in memory, fed in 64 KiB reads as the connector does.
  {
    MapperSettings settings;
    settings.channel_pattern = std::regex(R"(^(?:PJSIP|SIP|IAX2)/([0-9]+)-[0-9A-Za-z]+$)");
    AmiParser parser({}, false);
    AmiEventMapper mapper(settings, [] { return std::chrono::system_clock::time_point{}; });
    std::vector<cti::CallEvent> events;
    std::size_t call_events = 0;
    std::size_t ami_events = 0;
    AmiPacket packet;
    const auto start = Clock::now();
    for (std::size_t at = 0; at < text.size(); at += 65536) {
      parser.feed(std::string_view(text).substr(at, 65536));
      while (parser.next(packet)) {
        ++ami_events;
        mapper.apply(packet, events);
      }
      call_events += events.size();
      events.clear();
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("in memory (parser + mapper): %zu events in %.3f s = %.0f events/s, %zu CallEvents\n",
                ami_events, seconds, static_cast<double>(ami_events) / seconds, call_events);
    if (call_events != static_cast<std::size_t>(calls) * 5 || mapper.channel_count() != 0) {
      std::fprintf(stderr, "ami_ingest_bench: expected %d CallEvents and no channels left\n", calls * 5);
      return 1;
    }
  }

  // 2. Loopback TCP through the connector.
  {
    std::vector<TranscriptStep> script;
    for (const Headers& headers : packets) {
      TranscriptStep step;
      step.headers = headers;
      script.push_back(std::move(step));
    }
    FakeAmiServer server({}, std::move(script));
    Config config = default_test_config();
    config.host = "127.0.0.1";
    config.port = server.port();
    Options options;
    options.metrics = std::make_shared<Metrics>();
    std::atomic<std::size_t> call_events{0};
    const auto connector = make_pbx_connector(config, options);
    const auto start = Clock::now();
    if (!connector->start([&](const cti::CallEvent&) { ++call_events; })) {
      std::fprintf(stderr, "ami_ingest_bench: the connector did not start\n");
      return 1;
    }
    const auto expected = static_cast<std::size_t>(calls) * 5;
    const auto deadline = start + std::chrono::minutes(5);
    while (call_events < expected && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    connector->stop();
    std::printf("loopback TCP (fake server -> connector): %zu events in %.3f s = %.0f events/s, %zu CallEvents\n",
                packets.size(), seconds, static_cast<double>(packets.size()) / seconds,
                call_events.load());
    if (call_events != expected) {
      std::fprintf(stderr, "ami_ingest_bench: expected %zu CallEvents\n", expected);
      return 1;
    }
  }
  return 0;
}
