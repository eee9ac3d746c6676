#pragma once
// EventLog: per-agent, sequence-numbered events with bounded retention. The event stream
// sends from it and a reconnecting softphone replays from it with since(Last-Event-ID).

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <deque>
#include <vector>

namespace cti {

struct LoggedEvent {
  std::uint64_t seq = 0;  ///< per agent, starts at 1, never reused
  std::string type;       ///< e.g. call, screenpop, agent
  std::string data;       ///< the payload, already serialised (JSON)
  std::string subject;    ///< what the event is about (a call id), for filtering on replay

  friend bool operator==(const LoggedEvent&, const LoggedEvent&) = default;
};

/// What since() returns: the events after the given sequence number, oldest first, and
/// whether some were already dropped by retention (the client missed events).
struct Replay {
  std::vector<LoggedEvent> events;
  bool gap = false;
};

/// Thread-safe. Each agent keeps at most `capacity` events; older ones are dropped.
class EventLog {
 public:
  explicit EventLog(std::size_t capacity_per_agent = 256);

  /// Appends and returns the new event's sequence number.
  std::uint64_t append(std::string_view extension, std::string type, std::string data,
                       std::string subject = {});
  /// Events with seq > `after` for the agent. A sequence number from the future (say, the
  /// log was restarted) replays everything retained and reports a gap.
  Replay since(std::string_view extension, std::uint64_t after) const;
  /// The last sequence number given to the agent (0 when none).
  std::uint64_t last_seq(std::string_view extension) const;

 private:
  struct AgentLog {
    std::uint64_t next_seq = 1;
    std::deque<LoggedEvent> events;
  };
  std::size_t m_capacity;
  mutable std::mutex m_mutex;
  std::unordered_map<std::string, AgentLog> m_logs;
};

}  // namespace cti
