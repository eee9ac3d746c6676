#include "caller_cache.hpp"

namespace cti::adapters::salesforce::detail {

std::optional<std::vector<sfmatch::RecordRef>> CallerCache::find(std::string_view key,
                                                                 TimePoint now) {
  std::lock_guard lock(m_mutex);
  const auto found = m_index.find(key);
  if (found == m_index.end()) {
    return std::nullopt;
  }
  const List::iterator entry = found->second;
  if (now >= entry->expires) {
    m_index.erase(found);
    m_entries.erase(entry);
    return std::nullopt;
  }
  m_entries.splice(m_entries.begin(), m_entries, entry);
  return entry->records;
}

void CallerCache::store(std::string_view key, std::vector<sfmatch::RecordRef> records,
                        TimePoint now) {
  if (m_config.max_entries == 0) {
    return;
  }
  const auto ttl = records.empty() ? m_config.negative_ttl : m_config.ttl;
  if (ttl <= std::chrono::seconds::zero()) {
    return;
  }
  std::lock_guard lock(m_mutex);
  if (const auto found = m_index.find(key); found != m_index.end()) {
    const List::iterator entry = found->second;
    entry->records = std::move(records);
    entry->expires = now + ttl;
    m_entries.splice(m_entries.begin(), m_entries, entry);
    return;
  }
  while (m_entries.size() >= m_config.max_entries) {
    m_index.erase(m_entries.back().key);
    m_entries.pop_back();
  }
  m_entries.push_front(Entry{std::string(key), std::move(records), now + ttl});
  m_index.emplace(m_entries.front().key, m_entries.begin());
}

std::size_t CallerCache::size() const {
  std::lock_guard lock(m_mutex);
  return m_entries.size();
}

}  // namespace cti::adapters::salesforce::detail
