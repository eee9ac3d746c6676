#pragma once
// Reconnect delays: exponential from `min`, capped at `max`, with "equal jitter" (a random
// point in the upper half of the step) so that many proxies restarted together do not
// reconnect in lock-step. Pure, so the bounds are tested without waiting.

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace cti::adapters::asterisk_ami {

/// Delay before reconnect attempt `attempt` (0 = first retry); always within [min, max].
/// `random` is any uniformly distributed value.
inline std::chrono::milliseconds reconnect_delay(unsigned attempt, std::chrono::milliseconds min,
                                                 std::chrono::milliseconds max,
                                                 std::uint64_t random) {
  const std::int64_t low = std::max<std::int64_t>(1, min.count());
  const std::int64_t high = std::max<std::int64_t>(low, max.count());
  std::int64_t step = low;
  for (unsigned i = 0; i < attempt && step < high; ++i) {
    step *= 2;
  }
  step = std::min(step, high);
  const std::int64_t half = step / 2;
  const auto spread = static_cast<std::uint64_t>(step - half) + 1;
  const std::int64_t jittered = half + static_cast<std::int64_t>(random % spread);
  return std::chrono::milliseconds(std::clamp(jittered, low, high));
}

}  // namespace cti::adapters::asterisk_ami
