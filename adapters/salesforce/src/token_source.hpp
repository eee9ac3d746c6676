#pragma once
// The OAuth 2.0 access token for a daemon: minted with the configured flow when first needed
// and again after Salesforce rejects it. Concurrent callers share one fetch.

#include "jwt.hpp"
#include "retrying_sender.hpp"

#include "cti/adapters/salesforce/salesforce_adapter.hpp"

#include "cti/result.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace cti::adapters::salesforce::detail {

class TokenSource {
 public:
  TokenSource(const Config& config, const Runtime& runtime, const RetryingSender& sender,
              HttpsChannel& login_channel, std::optional<JwtSigner> signer,
              std::atomic<std::uint64_t>& token_requests);

  /// The current token, fetching one when there is none. The token endpoint refusing the
  /// credentials is ErrorCode::unauthorized; not reaching it is unavailable or timeout.
  cti::Result<std::string> token(std::chrono::steady_clock::time_point deadline);

  /// Forgets `stale` (the token a 401 came back for) unless a newer one replaced it already.
  void invalidate(const std::string& stale);

  /// The tokens issued lately (the current one included), for scrubbing them out of
  /// messages: an error about a rejected token may arrive after it was dropped.
  std::vector<std::string> recent_tokens() const;

 private:
  cti::Result<std::string> fetch(std::chrono::steady_clock::time_point deadline);
  cti::Result<std::string> request_body() const;

  const Config& m_config;
  const Runtime& m_runtime;
  const RetryingSender& m_sender;
  HttpsChannel& m_login_channel;
  std::optional<JwtSigner> m_signer;
  std::atomic<std::uint64_t>& m_token_requests;
  std::string m_audience;

  mutable std::timed_mutex m_mutex;
  std::string m_token;                 // guarded by m_mutex
  std::vector<std::string> m_recent;   // guarded by m_mutex; the last few tokens issued
};

}  // namespace cti::adapters::salesforce::detail
