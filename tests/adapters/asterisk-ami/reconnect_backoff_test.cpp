// Reconnect delays: exponential, capped, jittered, and never outside [min, max].
#include "reconnect_backoff.hpp"

#include <doctest/doctest.h>

#include <random>

namespace cti::adapters::asterisk_ami {

using std::chrono::milliseconds;

TEST_CASE("reconnect_delay grows, is capped and jittered into the upper half of each step") {
  struct Case {
    unsigned attempt;
    long low;
    long high;
  };
  // min 500 ms, max 30 s: steps 500, 1000, 2000, ... capped at 30000; jitter in [step/2, step].
  const Case cases[] = {{0, 500, 500}, {1, 500, 1000}, {2, 1000, 2000}, {3, 2000, 4000},
                        {6, 15000, 30000}, {7, 15000, 30000}, {40, 15000, 30000}};
  std::mt19937_64 random(7);
  for (const Case& c : cases) {
    CAPTURE(c.attempt);
    for (int i = 0; i < 200; ++i) {
      const milliseconds delay = reconnect_delay(c.attempt, milliseconds(500), milliseconds(30000), random());
      CHECK(delay.count() >= c.low);
      CHECK(delay.count() <= c.high);
    }
  }
}

TEST_CASE("reconnect_delay covers its whole range and survives odd settings") {
  CHECK(reconnect_delay(3, milliseconds(100), milliseconds(10000), 0) == milliseconds(400));
  CHECK(reconnect_delay(3, milliseconds(100), milliseconds(10000), 400) == milliseconds(800));
  CHECK(reconnect_delay(0, milliseconds(0), milliseconds(0), 12345) == milliseconds(1));
  CHECK(reconnect_delay(5, milliseconds(50), milliseconds(10), 9) == milliseconds(50));
  CHECK(reconnect_delay(4000000000U, milliseconds(1), milliseconds(86400000), ~0ULL) <=
        milliseconds(86400000));
}

}  // namespace cti::adapters::asterisk_ami
