#pragma once
// RestCrmClient: the SalesforceClient over REST. Private to the adapter; made by
// make_salesforce_client.

#include "caller_cache.hpp"
#include "https_channel.hpp"
#include "jwt.hpp"
#include "rest_parser.hpp"
#include "retrying_sender.hpp"
#include "runtime.hpp"
#include "token_source.hpp"

#include "cti/adapters/salesforce/salesforce_adapter.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cti::adapters::salesforce::detail {

class RestCrmClient final : public SalesforceClient {
 public:
  RestCrmClient(const Config& config, Environment environment, std::optional<JwtSigner> signer,
                Poco::Net::Context::Ptr tls);

  cti::Result<std::vector<sfmatch::RecordRef>> query(std::string_view soql) override;
  cti::Result<std::vector<sfmatch::RecordRef>> search(std::string_view sosl) override;
  cti::Result<std::string> create(
      std::string_view object,
      const std::vector<std::pair<std::string, std::string>>& fields) override;
  cti::Result<std::vector<sfmatch::StepResult>> run_plan(const sfmatch::MatchPlan& plan) override;
  std::optional<std::vector<sfmatch::StepResult>> run_plan_cached(const sfmatch::MatchPlan& plan) override;

  cti::Result<PingResult> ping() override;
  ApiUsage usage() const override;
  std::uint64_t requests_sent() const override;
  ClientStats stats() const override;
  CircuitStatus circuit() const override;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Records = std::vector<sfmatch::RecordRef>;

  TimePoint deadline() const { return m_runtime.now() + m_config.call_deadline; }
  std::string data_path(std::string_view rest) const;

  // One API request with authentication, the one-refresh-on-401 rule, the circuit breaker
  // and the API-limit back-off. Returns any other HTTP answer.
  cti::Result<HttpResponse> call_api(HttpRequest request, TimePoint deadline, bool idempotent);
  cti::Result<HttpResponse> call_api_admitted(HttpRequest& request, TimePoint deadline,
                                              bool idempotent);
  // call_api, then a 2xx answer's body as JSON (other answers become errors).
  cti::Result<Json> call_api_json(HttpRequest request, TimePoint deadline, bool idempotent);
  cti::Result<std::string> obtain_token(TimePoint deadline);

  cti::Result<Records> run_query(std::string_view soql, TimePoint deadline);
  cti::Result<Records> run_search(std::string_view sosl, TimePoint deadline);
  cti::Result<Records> follow_pages(QueryPage page, const NameFields& names, TimePoint deadline);
  /// Runs the given steps: SOQL steps share composite requests (five queries each), a lone
  /// query or a SOSL search goes on its own. One Result per step, in the order of `indexes`.
  cti::Result<std::vector<cti::Result<Records>>> fetch_steps(const sfmatch::MatchPlan& plan,
                                                            std::span<const std::size_t> indexes,
                                                            TimePoint deadline);
  cti::Result<Records> read_step(const sfmatch::MatchStep& step, const Json& body,
                                 TimePoint deadline);

  /// The error for a non-2xx answer; REQUEST_LIMIT_EXCEEDED also starts the back-off.
  cti::Error failure_for(int status, const ApiError& error);
  void note_usage(std::string_view limit_info);

  // Circuit breaker. admit() says whether this call is the half-open trial.
  cti::Result<bool> admit();
  void open_circuit(std::string reason, std::chrono::seconds cool_down, bool for_limit);
  void close_circuit();
  void settle_trial();

  std::string scrub(std::string text) const;
  template <typename T>
  cti::Result<T> scrubbed(cti::Result<T> result) const;

  Config m_config;
  Runtime m_runtime;
  std::string m_data_prefix;  ///< "/services/data/vNN.N/"

  std::atomic<std::uint64_t> m_api_requests{0};
  std::atomic<std::uint64_t> m_token_requests{0};
  std::atomic<std::uint64_t> m_retries{0};
  std::atomic<std::uint64_t> m_cache_hits{0};
  std::atomic<std::uint64_t> m_cache_misses{0};
  std::atomic<std::uint64_t> m_usage_used{0};
  std::atomic<std::uint64_t> m_usage_limit{0};
  std::atomic<bool> m_usage_warned{false};

  RetryingSender m_sender;
  HttpsChannel m_api_channel;
  std::unique_ptr<HttpsChannel> m_separate_login_channel;  ///< when the token host differs
  TokenSource m_tokens;
  CallerCache m_cache;

  mutable std::mutex m_circuit_mutex;
  CircuitState m_circuit_state = CircuitState::closed;
  std::string m_circuit_reason;
  bool m_circuit_for_limit = false;
  bool m_trial_running = false;
  TimePoint m_circuit_until{};
};

}  // namespace cti::adapters::salesforce::detail
