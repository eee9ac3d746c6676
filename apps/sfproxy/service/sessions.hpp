#pragma once
// Sign-in sessions and login throttling. Tokens are bearer tokens (the softphone is framed
// cross-site, where cookies are unreliable); only their SHA-256 is kept in memory.

#include "cti/result.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sfproxy {

using Clock = std::function<std::chrono::steady_clock::time_point()>;

struct SessionConfig {
  std::chrono::seconds idle_timeout{12 * 3600};     ///< unused this long -> expired
  std::chrono::seconds absolute_timeout{24 * 3600};  ///< from sign-in, regardless of use
  std::size_t max_sessions_per_agent = 16;           ///< oldest dropped beyond this
};

struct Session {
  std::string extension;
  std::chrono::steady_clock::time_point created{};
  std::chrono::steady_clock::time_point last_used{};
};

/// Thread-safe session table.
class SessionManager {
 public:
  explicit SessionManager(SessionConfig config, Clock clock = {});

  /// A new random token (256 bits, base64url) for the agent.
  std::string create(std::string_view extension);
  /// The session of a token, refreshing its idle timer; unauthorized when unknown or expired
  /// (the message says which, without echoing the token).
  cti::Result<Session> authenticate(std::string_view token);
  /// Ends one session; false if there was none.
  bool revoke(std::string_view token);
  /// Ends every session of an agent (password change, removal); returns how many.
  std::size_t revoke_agent(std::string_view extension);
  /// Sessions not yet expired (walks the table: for metrics, not for every request).
  std::size_t active_sessions() const;
  /// Entries held, including expired ones not yet swept (for tests and metrics).
  std::size_t stored_sessions() const;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;

  bool expired(const Session& session, TimePoint now) const;
  void erase_locked(const std::string& key);
  void sweep_locked(TimePoint now);

  SessionConfig m_config;
  Clock m_clock;
  mutable std::mutex m_mutex;
  /// Keyed by the raw SHA-256 of the token, never the token itself.
  std::unordered_map<std::string, Session> m_sessions;
  /// Extension -> its sessions' keys, oldest first (at most max_sessions_per_agent).
  std::unordered_map<std::string, std::vector<std::string>> m_by_agent;
  /// Expired sessions are swept when the table reaches this size (doubling), so memory stays
  /// bounded by the live sessions at an amortised O(1) per create().
  std::size_t m_sweep_at;
};

struct ThrottleConfig {
  std::size_t max_failures_per_account_per_hour = 100;
  std::size_t max_failures_per_address_per_hour = 1000;
  std::size_t free_failures = 5;           ///< failures before back-off starts
  std::chrono::seconds max_backoff{900};   ///< the delay doubles per failure up to this
  std::size_t max_tracked_keys = 10000;    ///< per kind (accounts, addresses); oldest evicted
};

/// Counts failed sign-ins per extension and per client address over a sliding hour and
/// says when the next attempt may be made. Thread-safe; memory bounded (old entries pruned).
class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottleConfig config, Clock clock = {});

  /// rate_limited ("too many failed sign-ins; try again in N s") when either key is throttled.
  /// `address` is the client's IP address, without the port. The account gets the back-off
  /// and its hourly cap; the address only its (higher) hourly cap, since a contact centre's
  /// agents often share one address.
  cti::Result<void> check(std::string_view extension, std::string_view address);
  void record_failure(std::string_view extension, std::string_view address);
  /// A success clears the account's back-off (not the address's).
  void record_success(std::string_view extension);

  /// Keys tracked now, accounts plus addresses (for tests and metrics).
  std::size_t tracked_keys() const;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;

  /// Failures over the last hour in twelve five-minute slots (a failure counts for 55 to 60
  /// minutes): a fixed 56 bytes per key whatever the attack rate.
  struct SlidingHour {
    static constexpr std::size_t k_slots = 12;
    std::array<std::uint32_t, k_slots> counts{};
    std::int64_t newest = 0;  ///< slot number of the newest bucket

    void advance(std::int64_t slot);
    void add(std::int64_t slot);
    std::uint64_t total(std::int64_t slot);
    /// Seconds from `now_s` until fewer than `limit` failures are in the window.
    std::int64_t seconds_until_below(std::int64_t now_s, std::uint64_t limit);
  };

  struct Entry {
    SlidingHour hour;
    std::size_t consecutive = 0;  ///< failures since the last success (accounts only)
    TimePoint last_failure{};
    std::list<std::string>::iterator lru;
  };

  /// Entries by key, with the least recently failed evicted first beyond the cap.
  struct Table {
    std::unordered_map<std::string, Entry> entries;
    std::list<std::string> order;  ///< most recent first
  };

  Entry& touch(Table& table, std::string_view key);
  std::int64_t wait_seconds(Table& table, std::string_view key, std::size_t hourly_limit,
                            bool backoff, TimePoint now);

  ThrottleConfig m_config;
  Clock m_clock;
  mutable std::mutex m_mutex;
  Table m_accounts;
  Table m_addresses;
};

}  // namespace sfproxy
