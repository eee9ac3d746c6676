#include "retrying_sender.hpp"

#include <algorithm>

namespace cti::adapters::salesforce::detail {
namespace {

bool is_retriable_status(int status, bool idempotent) {
  if (status == 502 || status == 503 || status == 504) {
    return true;  // the server did not act on the request
  }
  return idempotent && (status == 500 || status == 429);
}

}  // namespace

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, unsigned attempt,
                                        double jitter) {
  auto delay = policy.backoff_base;
  for (unsigned i = 0; i < attempt && delay < policy.backoff_max; ++i) {
    delay *= 2;
  }
  delay = std::min(delay, policy.backoff_max);
  const double clamped = std::clamp(jitter, 0.0, 1.0);
  const auto half = delay / 2;
  return half + std::chrono::milliseconds(
                    static_cast<std::int64_t>(static_cast<double>((delay - half).count()) * clamped));
}

cti::Result<HttpResponse> RetryingSender::send(HttpsChannel& channel, const HttpRequest& request,
                                               std::chrono::steady_clock::time_point deadline,
                                               bool idempotent,
                                               std::atomic<std::uint64_t>& sent) const {
  bool reconnected_once = false;
  unsigned attempt = 0;
  for (;;) {
    SendOutcome outcome = channel.send(request, deadline);
    if (outcome.request_written) {
      sent.fetch_add(1, std::memory_order_relaxed);
    }
    bool again = false;
    if (outcome.response) {
      again = is_retriable_status(outcome.response->status, idempotent);
    } else {
      // A kept-alive connection the server has quietly closed fails at once; one immediate
      // reconnect is not a retry.
      if (outcome.retriable && outcome.reused_connection && idempotent && !reconnected_once) {
        reconnected_once = true;
        continue;
      }
      again = outcome.retriable && (idempotent || !outcome.request_written);
    }
    if (!again || attempt >= m_policy.retries) {
      if (outcome.response) {
        return std::move(*outcome.response);
      }
      if (attempt > 0) {
        outcome.error.message += " (after " + std::to_string(attempt + 1) + " attempts)";
      }
      return cti::Unexpected(std::move(outcome.error));
    }
    const auto wait = backoff_delay(m_policy, attempt, m_runtime.jitter());
    if (m_runtime.now() + wait >= deadline) {
      // Waiting would take us past the deadline: report what we have now.
      if (outcome.response) {
        return std::move(*outcome.response);
      }
      outcome.error.message += " (no time left for another attempt)";
      return cti::Unexpected(std::move(outcome.error));
    }
    m_retries.fetch_add(1, std::memory_order_relaxed);
    m_runtime.sleep(wait);
    ++attempt;
  }
}

}  // namespace cti::adapters::salesforce::detail
