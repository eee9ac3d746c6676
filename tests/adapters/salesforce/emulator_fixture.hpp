#pragma once
// The Salesforce emulator over TLS on 127.0.0.1 (port 0) with a small org made for these
// tests, and adapter configs and environments pointing at it (a clock tests can move, a
// sleeper that records instead of sleeping, a log that collects lines).

#include "cti/adapters/salesforce/salesforce_adapter.hpp"

#include "sfemu/emulator.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

/// The org's fixed facts, for assertions.
namespace org {
inline constexpr const char* integration_user = "integration@cti.test";
inline constexpr const char* other_user = "backup@cti.test";
inline constexpr const char* client_id = "3MVG9cti.test.app";
inline constexpr const char* client_secret = "app-secret-7f3a9c";
inline constexpr const char* refresh_token = "5Aep861refresh.token.value";
inline constexpr const char* user_password = "dev-password";
inline constexpr const char* jwt_audience = "https://login.salesforce.com";
}  // namespace org

/// Test time: the real steady clock plus an offset the test can add to.
class TestClock {
 public:
  std::chrono::steady_clock::time_point now() const {
    return std::chrono::steady_clock::now() + std::chrono::milliseconds(m_offset_ms.load());
  }
  void advance(std::chrono::milliseconds by) { m_offset_ms += by.count(); }

 private:
  std::atomic<std::int64_t> m_offset_ms{0};
};

/// What the adapter logged and how long it asked to sleep.
struct Recorder {
  mutable std::mutex mutex;
  std::vector<std::string> lines;
  std::vector<std::chrono::milliseconds> sleeps;

  std::vector<std::string> log_lines() const {
    std::lock_guard lock(mutex);
    return lines;
  }
  std::size_t sleep_count() const {
    std::lock_guard lock(mutex);
    return sleeps.size();
  }
};

class EmulatorFixture {
 public:
  /// Starts the emulator with the test org over TLS.
  explicit EmulatorFixture(cti::sfemu::Options options = {});

  cti::sfemu::Emulator& emulator() { return *m_emulator; }
  std::string base_url() const { return m_emulator->base_url(); }

  /// A client-credentials config for the emulator, trusting its certificate.
  cti::adapters::salesforce::Config config() const;
  /// Test clock, recording sleeper (no real sleep) and collecting log.
  cti::adapters::salesforce::Environment environment();
  std::unique_ptr<cti::adapters::salesforce::SalesforceClient> client();
  std::unique_ptr<cti::adapters::salesforce::SalesforceClient> client(
      const cti::adapters::salesforce::Config& config);

  std::uint64_t token_requests() const;

  TestClock clock;
  std::shared_ptr<Recorder> recorder = std::make_shared<Recorder>();

 private:
  std::unique_ptr<cti::sfemu::Emulator> m_emulator;
};

/// The seed text of the test org (users, connected app with the JWT certificate, records).
std::string test_org_seed();
