#include "cti/event_log.hpp"

#include <utility>

namespace cti {

EventLog::EventLog(std::size_t capacity_per_agent) : m_capacity(capacity_per_agent) {}

std::uint64_t EventLog::append(std::string_view extension, std::string type, std::string data,
                               std::string subject) {
  std::lock_guard lock(m_mutex);
  auto it = m_logs.find(std::string(extension));
  if (it == m_logs.end()) {
    it = m_logs.emplace(std::string(extension), AgentLog{}).first;
  }
  AgentLog& log = it->second;
  const std::uint64_t seq = log.next_seq++;
  log.events.push_back(LoggedEvent{seq, std::move(type), std::move(data), std::move(subject)});
  while (log.events.size() > m_capacity) {
    log.events.pop_front();
  }
  return seq;
}

Replay EventLog::since(std::string_view extension, std::uint64_t after) const {
  std::lock_guard lock(m_mutex);
  Replay replay;
  const auto it = m_logs.find(std::string(extension));
  if (it == m_logs.end()) {
    // Nothing was ever logged: only a client that claims to have seen events missed any.
    replay.gap = after > 0;
    return replay;
  }
  const AgentLog& log = it->second;
  const std::uint64_t last = log.next_seq - 1;
  if (after > last) {
    // The client saw events this log never gave out (it was restarted): send what we have.
    replay.events.assign(log.events.begin(), log.events.end());
    replay.gap = true;
    return replay;
  }
  // Retained sequence numbers are contiguous, so the first wanted event is found by arithmetic.
  const std::uint64_t first_kept = log.events.empty() ? log.next_seq : log.events.front().seq;
  replay.gap = after + 1 < first_kept;
  const std::uint64_t skip = after >= first_kept ? after - first_kept + 1 : 0;
  replay.events.assign(log.events.begin() + static_cast<std::ptrdiff_t>(skip), log.events.end());
  return replay;
}

std::uint64_t EventLog::last_seq(std::string_view extension) const {
  std::lock_guard lock(m_mutex);
  const auto it = m_logs.find(std::string(extension));
  return it == m_logs.end() ? 0 : it->second.next_seq - 1;
}

}  // namespace cti
