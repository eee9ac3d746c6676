#include "sessions.hpp"

#include <sodium.h>

#include <algorithm>
#include <utility>

namespace sfproxy {
namespace {

constexpr std::size_t k_token_bytes = 32;
// base64url of 32 bytes without padding.
constexpr std::size_t k_token_chars = (k_token_bytes * 4 + 2) / 3;
constexpr std::size_t k_min_sweep = 64;
constexpr std::int64_t k_slot_seconds = 300;  // five minutes
// Keys longer than this (never a real extension or IP address) are cut: a hostile value
// costs the same memory as any other, at worst sharing a count with its look-alikes.
constexpr std::size_t k_max_key_bytes = 64;

Clock or_steady(Clock clock) {
  if (clock) {
    return clock;
  }
  return [] { return std::chrono::steady_clock::now(); };
}

void init_sodium() {
  if (sodium_init() < 0) {
    throw cti::ConfigError("libsodium could not be initialised (no source of randomness?)");
  }
}

std::string new_token() {
  std::array<unsigned char, k_token_bytes> random{};
  randombytes_buf(random.data(), random.size());
  std::array<char, sodium_base64_ENCODED_LEN(k_token_bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)>
      text{};
  sodium_bin2base64(text.data(), text.size(), random.data(), random.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(random.data(), random.size());
  return std::string(text.data(), k_token_chars);
}

// The table key: a token found in a memory dump or a log of the table cannot be replayed.
std::string token_key(std::string_view token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  return std::string(digest.begin(), digest.end());
}

cti::Unexpected unknown_session() {
  return cti::fail(cti::ErrorCode::unauthorized, "unknown session; sign in again");
}

std::int64_t seconds_of(std::chrono::steady_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

std::size_t slot_index(std::int64_t slot, std::size_t slots) {
  const auto n = static_cast<std::int64_t>(slots);
  return static_cast<std::size_t>(((slot % n) + n) % n);
}

std::string_view bounded_key(std::string_view key) { return key.substr(0, k_max_key_bytes); }

}  // namespace

// --- SessionManager ---------------------------------------------------------------------

SessionManager::SessionManager(SessionConfig config, Clock clock)
    : m_config(config), m_clock(or_steady(std::move(clock))), m_sweep_at(k_min_sweep) {
  init_sodium();
}

bool SessionManager::expired(const Session& session, TimePoint now) const {
  return now - session.last_used >= m_config.idle_timeout ||
         now - session.created >= m_config.absolute_timeout;
}

void SessionManager::erase_locked(const std::string& key) {
  const auto it = m_sessions.find(key);
  if (it == m_sessions.end()) {
    return;
  }
  if (auto agent = m_by_agent.find(it->second.extension); agent != m_by_agent.end()) {
    auto& keys = agent->second;
    keys.erase(std::remove(keys.begin(), keys.end(), key), keys.end());
    if (keys.empty()) {
      m_by_agent.erase(agent);
    }
  }
  m_sessions.erase(it);
}

void SessionManager::sweep_locked(TimePoint now) {
  std::vector<std::string> dead;
  for (const auto& [key, session] : m_sessions) {
    if (expired(session, now)) {
      dead.push_back(key);
    }
  }
  for (const auto& key : dead) {
    erase_locked(key);
  }
  m_sweep_at = std::max(k_min_sweep, 2 * m_sessions.size());
}

std::string SessionManager::create(std::string_view extension) {
  std::string token = new_token();
  std::string key = token_key(token);
  const auto now = m_clock();
  std::lock_guard lock(m_mutex);
  if (m_sessions.size() >= m_sweep_at) {
    sweep_locked(now);
  }
  m_sessions[key] = Session{std::string(extension), now, now};
  auto& keys = m_by_agent[std::string(extension)];
  keys.push_back(std::move(key));
  const std::size_t cap = std::max<std::size_t>(1, m_config.max_sessions_per_agent);
  if (keys.size() > cap) {
    // Copy: erase_locked edits `keys`.
    const std::string oldest = keys.front();
    erase_locked(oldest);
  }
  return token;
}

cti::Result<Session> SessionManager::authenticate(std::string_view token) {
  if (token.size() != k_token_chars) {
    return unknown_session();
  }
  const std::string key = token_key(token);
  const auto now = m_clock();
  std::lock_guard lock(m_mutex);
  const auto it = m_sessions.find(key);
  if (it == m_sessions.end()) {
    return unknown_session();
  }
  if (expired(it->second, now)) {
    erase_locked(key);
    return cti::fail(cti::ErrorCode::unauthorized, "session expired; sign in again");
  }
  it->second.last_used = now;
  return it->second;
}

bool SessionManager::revoke(std::string_view token) {
  const std::string key = token_key(token);
  std::lock_guard lock(m_mutex);
  if (m_sessions.find(key) == m_sessions.end()) {
    return false;
  }
  erase_locked(key);
  return true;
}

std::size_t SessionManager::revoke_agent(std::string_view extension) {
  std::lock_guard lock(m_mutex);
  const auto agent = m_by_agent.find(std::string(extension));
  if (agent == m_by_agent.end()) {
    return 0;
  }
  const std::vector<std::string> keys = std::move(agent->second);
  m_by_agent.erase(agent);
  for (const auto& key : keys) {
    m_sessions.erase(key);
  }
  return keys.size();
}

std::size_t SessionManager::active_sessions() const {
  const auto now = m_clock();
  std::lock_guard lock(m_mutex);
  return static_cast<std::size_t>(
      std::count_if(m_sessions.begin(), m_sessions.end(),
                    [&](const auto& item) { return !expired(item.second, now); }));
}

std::size_t SessionManager::stored_sessions() const {
  std::lock_guard lock(m_mutex);
  return m_sessions.size();
}

// --- LoginThrottle ----------------------------------------------------------------------

void LoginThrottle::SlidingHour::advance(std::int64_t slot) {
  if (slot <= newest) {
    return;  // the same slot, or a clock that went back: keep counting in the newest
  }
  if (slot - newest >= static_cast<std::int64_t>(k_slots)) {
    counts.fill(0);
  } else {
    for (std::int64_t s = newest + 1; s <= slot; ++s) {
      counts[slot_index(s, k_slots)] = 0;
    }
  }
  newest = slot;
}

void LoginThrottle::SlidingHour::add(std::int64_t slot) {
  advance(slot);
  auto& count = counts[slot_index(newest, k_slots)];
  if (count < UINT32_MAX) {
    ++count;
  }
}

std::uint64_t LoginThrottle::SlidingHour::total(std::int64_t slot) {
  advance(slot);
  std::uint64_t sum = 0;
  for (const auto count : counts) {
    sum += count;
  }
  return sum;
}

std::int64_t LoginThrottle::SlidingHour::seconds_until_below(std::int64_t now_s,
                                                             std::uint64_t limit) {
  std::uint64_t remaining = total(floor_div(now_s, k_slot_seconds));
  const auto slots = static_cast<std::int64_t>(k_slots);
  // Oldest slot first: each one leaves the window k_slots slots after it began.
  for (std::int64_t s = newest - slots + 1; s <= newest && remaining >= limit; ++s) {
    remaining -= counts[slot_index(s, k_slots)];
    if (remaining < limit) {
      return std::max<std::int64_t>(1, (s + slots) * k_slot_seconds - now_s);
    }
  }
  return 0;
}

LoginThrottle::LoginThrottle(ThrottleConfig config, Clock clock)
    : m_config(config), m_clock(or_steady(std::move(clock))) {}

LoginThrottle::Entry& LoginThrottle::touch(Table& table, std::string_view key) {
  const std::string bounded(bounded_key(key));
  if (auto it = table.entries.find(bounded); it != table.entries.end()) {
    table.order.splice(table.order.begin(), table.order, it->second.lru);
    return it->second;
  }
  const std::size_t cap = std::max<std::size_t>(1, m_config.max_tracked_keys);
  while (table.entries.size() >= cap) {
    table.entries.erase(table.order.back());
    table.order.pop_back();
  }
  table.order.push_front(bounded);
  Entry& entry = table.entries[bounded];
  entry.lru = table.order.begin();
  return entry;
}

std::int64_t LoginThrottle::wait_seconds(Table& table, std::string_view key,
                                         std::size_t hourly_limit, bool backoff, TimePoint now) {
  const auto it = table.entries.find(std::string(bounded_key(key)));
  if (it == table.entries.end()) {
    return 0;
  }
  Entry& entry = it->second;
  std::int64_t wait = entry.hour.seconds_until_below(seconds_of(now), std::max<std::size_t>(1, hourly_limit));
  if (backoff && entry.consecutive >= m_config.free_failures) {
    // 1 s after the free_failures-th failure, then doubling, up to max_backoff.
    const std::size_t doublings = entry.consecutive - m_config.free_failures;
    const std::int64_t cap = std::max<std::int64_t>(1, m_config.max_backoff.count());
    const std::int64_t delay = doublings >= 62 ? cap : std::min<std::int64_t>(cap, std::int64_t{1} << doublings);
    const auto ready = entry.last_failure + std::chrono::seconds(delay);
    if (now < ready) {
      // Round up: "try again in 0 s" would be a lie.
      const auto left = std::chrono::ceil<std::chrono::seconds>(ready - now).count();
      wait = std::max<std::int64_t>(wait, left);
    }
  }
  return wait;
}

cti::Result<void> LoginThrottle::check(std::string_view extension, std::string_view address) {
  const auto now = m_clock();
  std::lock_guard lock(m_mutex);
  const std::int64_t wait =
      std::max(wait_seconds(m_accounts, extension, m_config.max_failures_per_account_per_hour,
                            true, now),
               wait_seconds(m_addresses, address, m_config.max_failures_per_address_per_hour,
                            false, now));
  if (wait > 0) {
    return cti::fail(cti::ErrorCode::rate_limited, "too many failed sign-ins; try again in " +
                                                    std::to_string(wait) + " s");
  }
  return {};
}

void LoginThrottle::record_failure(std::string_view extension, std::string_view address) {
  const auto now = m_clock();
  const std::int64_t slot = floor_div(seconds_of(now), k_slot_seconds);
  std::lock_guard lock(m_mutex);
  for (Table* table : {&m_accounts, &m_addresses}) {
    Entry& entry = touch(*table, table == &m_accounts ? extension : address);
    entry.hour.add(slot);
    // A run of failures older than an hour starts over.
    if (entry.consecutive > 0 && now - entry.last_failure >= std::chrono::hours(1)) {
      entry.consecutive = 0;
    }
    ++entry.consecutive;
    entry.last_failure = now;
  }
}

void LoginThrottle::record_success(std::string_view extension) {
  std::lock_guard lock(m_mutex);
  if (auto it = m_accounts.entries.find(std::string(bounded_key(extension))); it != m_accounts.entries.end()) {
    it->second.consecutive = 0;
  }
}

std::size_t LoginThrottle::tracked_keys() const {
  std::lock_guard lock(m_mutex);
  return m_accounts.entries.size() + m_addresses.entries.size();
}

}  // namespace sfproxy
