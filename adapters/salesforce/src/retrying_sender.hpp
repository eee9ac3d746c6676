#pragma once
// Sends a request with bounded retries: after a 5xx answer or a network failure it waits a
// jittered, exponentially growing time (never past the deadline) and tries again.

#include "https_channel.hpp"
#include "runtime.hpp"

#include "cti/result.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>

namespace cti::adapters::salesforce::detail {

struct RetryPolicy {
  unsigned retries = 2;
  std::chrono::milliseconds backoff_base{200};
  std::chrono::milliseconds backoff_max{2000};
};

/// The wait before retry number `attempt` (0-based): base * 2^attempt capped at max, of which
/// the upper half is random ("equal jitter").
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, unsigned attempt, double jitter);

class RetryingSender {
 public:
  RetryingSender(RetryPolicy policy, const Runtime& runtime, std::atomic<std::uint64_t>& retries)
      : m_policy(policy), m_runtime(runtime), m_retries(retries) {}

  /// Any HTTP answer is returned (a final 5xx included, for the caller to describe); only a
  /// failure to get one is an error. A request that is not `idempotent` is repeated only when
  /// it surely did not reach the server or the server said it did not act (502/503/504).
  /// `sent` counts the requests that reached the wire.
  cti::Result<HttpResponse> send(HttpsChannel& channel, const HttpRequest& request,
                                 std::chrono::steady_clock::time_point deadline, bool idempotent,
                                 std::atomic<std::uint64_t>& sent) const;

 private:
  RetryPolicy m_policy;
  const Runtime& m_runtime;
  std::atomic<std::uint64_t>& m_retries;
};

}  // namespace cti::adapters::salesforce::detail
