#include "cti/event_log.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using cti::EventLog;

namespace {

std::vector<std::uint64_t> seqs(const cti::Replay& replay) {
  std::vector<std::uint64_t> out;
  for (const auto& e : replay.events) {
    out.push_back(e.seq);
  }
  return out;
}

using Seqs = std::vector<std::uint64_t>;

}  // namespace

TEST_CASE("sequence numbers are per agent and start at 1") {
  EventLog log;
  CHECK(log.last_seq("201") == 0);
  CHECK(log.append("201", "call", R"({"id":"c1"})") == 1);
  CHECK(log.append("201", "screenpop", "{}", "c1") == 2);
  CHECK(log.append("202", "agent", "{}") == 1);
  CHECK(log.last_seq("201") == 2);
  CHECK(log.last_seq("202") == 1);

  const auto all = log.since("201", 0);
  CHECK_FALSE(all.gap);
  REQUIRE(all.events.size() == 2);
  CHECK(all.events[0].seq == 1);
  CHECK(all.events[0].type == "call");
  CHECK(all.events[0].data == R"({"id":"c1"})");
  CHECK(all.events[1].type == "screenpop");
  CHECK(all.events[1].subject == "c1");  // kept for filtering on replay
}

TEST_CASE("replay since a sequence number") {
  EventLog log(4);
  for (int i = 0; i < 3; ++i) {
    log.append("201", "call", std::to_string(i));
  }
  // Retained: 1 2 3 (capacity 4, nothing dropped yet).
  const struct {
    const char* name;
    std::uint64_t after;
    Seqs expected;
    bool gap;
  } cases[] = {
      {"from the start", 0, {1, 2, 3}, false},
      {"after the first", 1, {2, 3}, false},
      {"up to date", 3, {}, false},
      {"from the future", 9, {1, 2, 3}, true},
  };
  for (const auto& c : cases) {
    SUBCASE(c.name) {
      const auto replay = log.since("201", c.after);
      CHECK(seqs(replay) == c.expected);
      CHECK(replay.gap == c.gap);
    }
  }
}

TEST_CASE("retention drops the oldest and replay reports the gap") {
  EventLog log(3);
  for (int i = 0; i < 7; ++i) {
    log.append("201", "call", std::to_string(i));
  }
  // Sequence numbers 1..7 given out; 5 6 7 retained.
  const struct {
    const char* name;
    std::uint64_t after;
    Seqs expected;
    bool gap;
  } cases[] = {
      {"missed dropped events", 0, {5, 6, 7}, true},
      {"missed one dropped event", 3, {5, 6, 7}, true},
      {"saw everything dropped", 4, {5, 6, 7}, false},
      {"partly caught up", 5, {6, 7}, false},
      {"up to date", 7, {}, false},
      {"from the future", 8, {5, 6, 7}, true},
  };
  for (const auto& c : cases) {
    SUBCASE(c.name) {
      const auto replay = log.since("201", c.after);
      CHECK(seqs(replay) == c.expected);
      CHECK(replay.gap == c.gap);
    }
  }
  CHECK(log.last_seq("201") == 7);
  CHECK(log.append("201", "call", "x") == 8);  // numbers are never reused
}

TEST_CASE("an agent with no events") {
  EventLog log;
  CHECK(log.since("201", 0).events.empty());
  CHECK_FALSE(log.since("201", 0).gap);
  // A client that claims to have seen events the log never gave out missed something.
  CHECK(log.since("201", 5).gap);
}

TEST_CASE("a log that keeps nothing still numbers events") {
  EventLog log(0);
  CHECK(log.append("201", "call", "a") == 1);
  CHECK(log.append("201", "call", "b") == 2);
  CHECK(log.since("201", 2).events.empty());
  CHECK_FALSE(log.since("201", 2).gap);
  CHECK(log.since("201", 1).gap);
}

TEST_CASE("concurrent appends give unique, gap-free numbers per agent") {
  constexpr int threads = 4;
  constexpr int per_thread = 500;
  const std::vector<std::string> agents{"201", "202", "203"};
  EventLog log(threads * per_thread);
  std::mutex mutex;
  std::map<std::string, Seqs> given;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::map<std::string, Seqs> mine;
      for (int i = 0; i < per_thread; ++i) {
        const std::string& agent = agents[static_cast<std::size_t>(i + t) % agents.size()];
        mine[agent].push_back(log.append(agent, "call", std::to_string(t)));
        (void)log.since(agent, static_cast<std::uint64_t>(i));
      }
      std::lock_guard lock(mutex);
      for (auto& [agent, numbers] : mine) {
        given[agent].insert(given[agent].end(), numbers.begin(), numbers.end());
      }
    });
  }
  for (auto& worker : workers) {
    worker.join();
  }
  std::size_t total = 0;
  for (const auto& agent : agents) {
    Seqs numbers = given[agent];
    std::sort(numbers.begin(), numbers.end());
    total += numbers.size();
    // 1, 2, ..., n with nothing repeated or skipped.
    for (std::size_t i = 0; i < numbers.size(); ++i) {
      REQUIRE(numbers[i] == i + 1);
    }
    CHECK(log.last_seq(agent) == numbers.size());
    const auto replay = log.since(agent, 0);
    CHECK_FALSE(replay.gap);
    CHECK(seqs(replay) == numbers);  // retained in order
  }
  CHECK(total == threads * per_thread);
}
