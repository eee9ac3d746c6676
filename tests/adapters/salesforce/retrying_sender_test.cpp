#include "retrying_sender.hpp"

#include <doctest/doctest.h>

using namespace cti::adapters::salesforce::detail;
using std::chrono::milliseconds;

TEST_CASE("backoff: doubles from the base, capped, with the upper half jittered") {
  const RetryPolicy policy{5, milliseconds(200), milliseconds(1000)};
  CHECK(backoff_delay(policy, 0, 0.0) == milliseconds(100));
  CHECK(backoff_delay(policy, 0, 1.0) == milliseconds(200));
  CHECK(backoff_delay(policy, 1, 0.0) == milliseconds(200));
  CHECK(backoff_delay(policy, 1, 0.5) == milliseconds(300));
  CHECK(backoff_delay(policy, 2, 1.0) == milliseconds(800));
  CHECK(backoff_delay(policy, 3, 1.0) == milliseconds(1000));
  CHECK(backoff_delay(policy, 40, 1.0) == milliseconds(1000));
  CHECK(backoff_delay(policy, 0, 7.0) == milliseconds(200));  // out-of-range jitter clamped
}
