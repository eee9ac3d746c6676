// match_plan_bench: how fast MatchPlans are built from a realistic mix of calls, and how many
// heap allocations each one costs, with build_match_plan (a new plan per call) and
// build_match_plan_into (one plan reused). Single thread. Not a test: run it by hand on a
// Release build.
//   match_plan_bench [seconds per measurement, default 1]
//
// Allocations are counted by replacing the global operator new in this executable only.

#include "sfmatch/match_plan.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::atomic<std::uint64_t> g_allocations{0};

void* counted_allocation(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* memory = std::malloc(size == 0 ? 1 : size)) {
    return memory;
  }
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return counted_allocation(size); }
void* operator new[](std::size_t size) { return counted_allocation(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }

namespace {

// What reaches the proxy on a working day: most calls carry only a caller ID, some an IVR
// case or contract number (one or two tags); caller IDs in every form the PBX passes, plus
// internal and withheld callers.
const std::vector<sfmatch::MatchInput> k_calls = {
    {"", "+1 (212) 842-5500"},
    {"Case.CaseNumber=1234", "12128425500"},
    {"", "2128425500"},
    {"", "912128425500"},
    {"Case.CaseNumber=98765", "+44 20 7946 0018"},
    {"", "9011442079460018"},
    {"", "1001"},
    {"", "anonymous"},
    {"Case.CaseNumber=4321;Contract.ContractNumber=77", "(415) 555-0143"},
    {"", "<unknown>"},
    {"Account.AccountNumber=CUST-00917", "4155550143"},
    {"", "+49 30 1234567"},
    {"Case.CaseNumber=12345678", ""},
    {"", "9165551234"},
    {"", "555-1234"},
    {"Contract.ContractNumber=20240611", "2005"},
};

struct Measurement {
  double plans_per_second = 0;      ///< per second of wall time
  double plans_per_cpu_second = 0;  ///< per second this thread ran: per core, on a busy machine
  double allocations_per_plan = 0;
  std::uint64_t plans = 0;
};

using Clock = std::chrono::steady_clock;

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

template <typename BuildOne>
Measurement measure(double seconds, BuildOne&& build_one) {
  Measurement m;
  std::uint64_t checksum = 0;
  const std::uint64_t allocations_before = g_allocations.load(std::memory_order_relaxed);
  const double cpu_start = thread_cpu_seconds();
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  auto now = start;
  while (now < deadline) {
    for (int batch = 0; batch < 64; ++batch) {
      for (const auto& call : k_calls) {
        checksum += build_one(call);
        ++m.plans;
      }
    }
    now = Clock::now();
  }
  const double elapsed = std::chrono::duration<double>(now - start).count();
  const double cpu_elapsed = thread_cpu_seconds() - cpu_start;
  const std::uint64_t allocations = g_allocations.load(std::memory_order_relaxed) - allocations_before;
  m.plans_per_second = static_cast<double>(m.plans) / elapsed;
  m.plans_per_cpu_second = static_cast<double>(m.plans) / cpu_elapsed;
  m.allocations_per_plan = static_cast<double>(allocations) / static_cast<double>(m.plans);
  if (checksum == 0) {
    std::puts("(no queries built?)");
  }
  return m;
}

void print(const char* what, int run, const Measurement& m) {
  std::printf("%-22s run %d: %9.0f plans/s (%9.0f per CPU second)  %6.3f allocations/plan  "
              "(%llu plans)\n",
              what, run, m.plans_per_second, m.plans_per_cpu_second, m.allocations_per_plan,
              static_cast<unsigned long long>(m.plans));
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  if (!(seconds > 0)) {
    std::fprintf(stderr, "usage: match_plan_bench [seconds per measurement]\n");
    return 2;
  }
  sfmatch::MatchSettings settings;
  for (const auto& call : k_calls) {
    if (!sfmatch::build_match_plan(call, settings)) {
      std::fprintf(stderr, "bench input refused: '%.*s' / '%.*s'\n",
                   static_cast<int>(call.ivr_data.size()), call.ivr_data.data(),
                   static_cast<int>(call.ani.size()), call.ani.data());
      return 1;
    }
  }
  std::printf("%zu distinct calls, %.1f s per run, single thread\n", k_calls.size(), seconds);

  for (int run = 1; run <= 3; ++run) {
    print("build_match_plan", run, measure(seconds, [&](const sfmatch::MatchInput& call) {
            const auto plan = sfmatch::build_match_plan(call, settings);
            return plan->steps.empty() ? std::size_t{1} : plan->steps.back().query.size();
          }));
  }

  sfmatch::MatchPlan plan;
  // Warm-up: one pass over the mix sizes every buffer the plan keeps.
  for (const auto& call : k_calls) {
    (void)sfmatch::build_match_plan_into(plan, call, settings);
  }
  for (int run = 1; run <= 3; ++run) {
    print("build_match_plan_into", run, measure(seconds, [&](const sfmatch::MatchInput& call) {
            (void)sfmatch::build_match_plan_into(plan, call, settings);
            return plan.steps.empty() ? std::size_t{1} : plan.steps.back().query.size();
          }));
  }
  return 0;
}
