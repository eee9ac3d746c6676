#pragma once
// Recent caller-ID lookups, so a repeat caller costs no API request. Bounded (least recently
// used entries go first) and timed: entries with records live `ttl`, "no such caller" entries
// the shorter `negative_ttl` (a new contact should soon be found).

#include "cti/adapters/salesforce/salesforce_adapter.hpp"

#include "sfmatch/pop_decision.hpp"

#include <chrono>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cti::adapters::salesforce::detail {

class CallerCache {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit CallerCache(const CacheConfig& config) : m_config(config) {}

  /// The records stored under `key` if the entry has not expired.
  std::optional<std::vector<sfmatch::RecordRef>> find(std::string_view key, TimePoint now);
  void store(std::string_view key, std::vector<sfmatch::RecordRef> records, TimePoint now);
  std::size_t size() const;

 private:
  struct Entry {
    std::string key;
    std::vector<sfmatch::RecordRef> records;
    TimePoint expires;
  };
  using List = std::list<Entry>;

  CacheConfig m_config;
  mutable std::mutex m_mutex;
  List m_entries;  ///< most recently used first
  std::unordered_map<std::string_view, List::iterator> m_index;  ///< views into m_entries' keys
};

}  // namespace cti::adapters::salesforce::detail
