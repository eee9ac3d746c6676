// salesforce_bench: a realistic mix of inbound calls through the Salesforce adapter against
// the in-process emulator over TLS. Prints the API requests spent per call (on the mix and
// in the worst case) and the adapter's overhead on top of the emulator, measured against a
// raw Poco HTTPS request for the same query on a kept-alive connection.
//
//   salesforce_bench [calls] [repeat_percent] [ivr_percent] [overhead_samples]
//   defaults:         1000    40               50            2000

#include "emulator_fixture.hpp"
#include "test_keys.hpp"

#include "sfmatch/crm_client.hpp"
#include "sfmatch/match_plan.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace sf = cti::adapters::salesforce;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int k_contacts = 400;
constexpr int k_cases = 300;

std::string phone_of(int i) {
  // Stored in mixed formats, as real orgs hold them.
  const int line = 1000 + i;
  switch (i % 4) {
    case 0: return "(415) 555-" + std::to_string(line);
    case 1: return "415-555-" + std::to_string(line);
    case 2: return "415555" + std::to_string(line);
    default: return "+1 415 555 " + std::to_string(line);
  }
}

std::string case_number_of(int i) {
  char text[16];
  std::snprintf(text, sizeof text, "%08d", 20000 + i);
  return text;
}

/// The test org plus a few hundred contacts and cases.
std::string bench_seed() {
  std::string seed = test_org_seed();
  std::string extra;
  for (int i = 0; i < k_contacts; ++i) {
    extra += R"(,{"attributes":{"type":"Contact","referenceId":"bc)" + std::to_string(i) +
             R"("},"FirstName":"Bench","LastName":"Caller )" + std::to_string(i) + R"(","Phone":")" +
             phone_of(i) + R"("})";
  }
  for (int i = 0; i < k_cases; ++i) {
    extra += R"(,{"attributes":{"type":"Case","referenceId":"bk)" + std::to_string(i) +
             R"("},"CaseNumber":")" + case_number_of(i) + R"(","Subject":"Bench case"})";
  }
  const std::size_t end = seed.rfind(']');
  seed.insert(end, extra);
  return seed;
}

struct Call {
  std::string ivr;
  std::string ani;
  bool repeat = false;
};

/// The mix: `repeat_percent` of calls come from someone who called before; half of the new
/// callers are known contacts; `ivr_percent` carry a case number, four in five of them real.
std::vector<Call> make_calls(int count, int repeat_percent, int ivr_percent) {
  std::mt19937 random(20261124);
  std::uniform_int_distribution<int> percent(0, 99);
  std::vector<std::string> seen;
  std::vector<Call> calls;
  int next_contact = 0;
  int next_stranger = 0;
  for (int i = 0; i < count; ++i) {
    Call call;
    if (!seen.empty() && percent(random) < repeat_percent) {
      call.ani = seen[std::uniform_int_distribution<std::size_t>(0, seen.size() - 1)(random)];
      call.repeat = true;
    } else if (percent(random) < 50 && next_contact < k_contacts) {
      call.ani = "1415555" + std::to_string(1000 + next_contact++);
    } else {
      call.ani = "1646555" + std::to_string(1000 + next_stranger++ % 9000);
    }
    seen.push_back(call.ani);
    if (percent(random) < ivr_percent) {
      const int index = std::uniform_int_distribution<int>(0, k_cases - 1)(random);
      const std::string digits = std::to_string(20000 + index);
      call.ivr = "Case.CaseNumber=" + (percent(random) < 80 ? digits : std::to_string(90000 + index));
    }
    calls.push_back(std::move(call));
  }
  return calls;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) {
    return 0.0;
  }
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(rank, values.size() - 1)];
}

/// CPU time of the calling thread: the client's own work, without the waits for the server
/// (and much less disturbed by other processes than wall time).
double thread_cpu_micros() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec) / 1000.0;
}

double micros(Clock::duration duration) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count()) / 1000.0;
}

/// A plain Poco client: one token, one kept-alive connection, GET and read the body.
class RawClient {
 public:
  RawClient(const std::string& host, std::uint16_t port)
      : m_session(host, port,
                  new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", test_keys().tls_cert_file,
                                         Poco::Net::Context::VERIFY_STRICT)) {
    m_session.setKeepAlive(true);
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/services/oauth2/token",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    Poco::Net::HTMLForm form;
    form.set("grant_type", "client_credentials");
    form.set("client_id", org::client_id);
    form.set("client_secret", org::client_secret);
    form.prepareSubmit(request);
    form.write(m_session.sendRequest(request));
    const std::string body = receive();
    Poco::JSON::Parser parser;
    m_token = parser.parse(body).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("access_token");
  }

  std::string get(const std::string& target) {
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, target, Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + m_token);
    request.set("Accept", "application/json");
    request.setKeepAlive(true);
    m_session.sendRequest(request);
    return receive();
  }

 private:
  std::string receive() {
    Poco::Net::HTTPResponse response;
    std::istream& in = m_session.receiveResponse(response);
    std::string body;
    Poco::StreamCopier::copyToString(in, body);
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      throw std::runtime_error("raw request failed: " + body);
    }
    return body;
  }

  Poco::Net::HTTPSClientSession m_session;
  std::string m_token;
};

int argument(int argc, char** argv, int index, int fallback) {
  return argc > index ? std::atoi(argv[index]) : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int calls_count = argument(argc, argv, 1, 1000);
  const int repeat_percent = argument(argc, argv, 2, 40);
  const int ivr_percent = argument(argc, argv, 3, 50);
  const int samples = argument(argc, argv, 4, 2000);

  cti::sfemu::Options options;
  options.data_json = bench_seed();
  options.daily_limit = 1'000'000;
  EmulatorFixture fixture(options);
  sf::Config config = fixture.config();
  auto client = sf::make_salesforce_client(config);  // real clock, real sleep

  // --- The mix -----------------------------------------------------------------------------
  const std::vector<Call> calls = make_calls(calls_count, repeat_percent, ivr_percent);
  std::map<std::string, std::pair<int, std::uint64_t>> by_kind;  // kind -> calls, requests
  std::uint64_t worst = 0;
  std::string worst_kind;
  std::vector<double> call_micros;
  int errors = 0;
  for (const Call& call : calls) {
    auto plan = sfmatch::build_match_plan({call.ivr, call.ani}, {});
    if (!plan) {
      std::fprintf(stderr, "bad call %s / %s: %s\n", call.ivr.c_str(), call.ani.c_str(), plan.error().message.c_str());
      return 1;
    }
    const std::uint64_t before = client->requests_sent();
    const auto start = Clock::now();
    auto decision = sfmatch::match_with(*client, *plan, {});
    call_micros.push_back(micros(Clock::now() - start));
    errors += decision ? 0 : 1;
    const std::uint64_t spent = client->requests_sent() - before;
    const std::string kind = std::string(call.repeat ? "repeat" : "new") + (call.ivr.empty() ? "" : "+ivr");
    by_kind[kind].first += 1;
    by_kind[kind].second += spent;
    if (spent > worst) {
      worst = spent;
      worst_kind = kind;
    }
  }
  const std::uint64_t total = client->requests_sent();
  std::printf("calls: %d (repeat %d%%, with IVR data %d%%), errors: %d\n", calls_count, repeat_percent,
              ivr_percent, errors);
  std::printf("api requests: %llu, per call %.3f, worst case %llu (%s)\n",
              static_cast<unsigned long long>(total), static_cast<double>(total) / calls_count,
              static_cast<unsigned long long>(worst), worst_kind.c_str());
  for (const auto& [kind, numbers] : by_kind) {
    std::printf("  %-12s %4d calls, %.3f requests per call\n", kind.c_str(), numbers.first,
                static_cast<double>(numbers.second) / numbers.first);
  }
  const auto stats = client->stats();
  std::printf("token requests: %llu, cache hits: %llu, misses: %llu\n",
              static_cast<unsigned long long>(stats.token_requests),
              static_cast<unsigned long long>(stats.cache_hits),
              static_cast<unsigned long long>(stats.cache_misses));
  std::printf("run_plan time per call (adapter + emulator): p50 %.0f us, p99 %.0f us\n",
              percentile(call_micros, 50), percentile(call_micros, 99));

  // --- Overhead against a raw request ------------------------------------------------------
  RawClient raw("127.0.0.1", fixture.emulator().port());
  std::vector<double> adapter_times;
  std::vector<double> raw_times;
  std::vector<double> overhead;
  std::vector<double> adapter_cpu;
  std::vector<double> raw_cpu;
  std::vector<double> overhead_cpu;
  for (int i = 0; i < samples; ++i) {
    const std::string soql = "SELECT Id, CaseNumber FROM Case WHERE CaseNumber = '" + case_number_of(i % k_cases) +
                             "' LIMIT 10";
    std::string encoded;
    Poco::URI::encode(soql, "!#$&'()*+,/:;=?@[]", encoded);
    const std::string target = "/services/data/v" + config.api_version + "/query?q=" + encoded;
    // Alternate which goes first so warm caches favour neither side.
    double raw_us = 0;
    double adapter_us = 0;
    double raw_cpu_us = 0;
    double adapter_cpu_us = 0;
    for (int side = 0; side < 2; ++side) {
      if ((side == 0) == (i % 2 == 0)) {
        const double cpu_start = thread_cpu_micros();
        const auto start = Clock::now();
        const std::string body = raw.get(target);
        raw_us = micros(Clock::now() - start);
        raw_cpu_us = thread_cpu_micros() - cpu_start;
        if (body.find(case_number_of(i % k_cases)) == std::string::npos) {
          std::fprintf(stderr, "raw request found nothing\n");
          return 1;
        }
      } else {
        const double cpu_start = thread_cpu_micros();
        const auto start = Clock::now();
        auto records = client->query(soql);
        adapter_us = micros(Clock::now() - start);
        adapter_cpu_us = thread_cpu_micros() - cpu_start;
        if (!records || records->size() != 1) {
          std::fprintf(stderr, "adapter query failed\n");
          return 1;
        }
      }
    }
    raw_times.push_back(raw_us);
    adapter_times.push_back(adapter_us);
    overhead.push_back(adapter_us - raw_us);
    raw_cpu.push_back(raw_cpu_us);
    adapter_cpu.push_back(adapter_cpu_us);
    overhead_cpu.push_back(adapter_cpu_us - raw_cpu_us);
  }
  std::printf("one query, %d paired samples:\n", samples);
  std::printf("  raw Poco request: p50 %.0f us, p99 %.0f us\n", percentile(raw_times, 50), percentile(raw_times, 99));
  std::printf("  adapter query:    p50 %.0f us, p99 %.0f us\n", percentile(adapter_times, 50),
              percentile(adapter_times, 99));
  std::printf("  wall-time overhead (adapter - raw, per pair): p50 %.0f us, p90 %.0f us, p99 %.0f us\n",
              percentile(overhead, 50), percentile(overhead, 90), percentile(overhead, 99));
  std::printf("  client CPU time: raw p50 %.0f us p99 %.0f us; adapter p50 %.0f us p99 %.0f us\n",
              percentile(raw_cpu, 50), percentile(raw_cpu, 99), percentile(adapter_cpu, 50),
              percentile(adapter_cpu, 99));
  std::printf("  CPU-time overhead (adapter - raw, per pair): p50 %.0f us, p90 %.0f us, p99 %.0f us\n",
              percentile(overhead_cpu, 50), percentile(overhead_cpu, 90), percentile(overhead_cpu, 99));
  return errors == 0 ? 0 : 1;
}
