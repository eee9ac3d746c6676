#pragma once
// EventHub: per-agent event log plus the open event streams that follow it. Publishing
// appends to the agent's cti::EventLog and writes the event to each of the agent's streams;
// subscribing replays what a reconnecting client missed. Not thread-safe on its own:
// ProxyService serialises every call, so replay-then-register can never miss an event.

#include "cti/event_log.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sfproxy {

/// Where a stream's bytes go. Returns false once the client is gone; the hub then drops it.
using EventSink = std::function<bool(std::string_view bytes)>;
/// Ends a stream from the server's side (the agent's access was withdrawn).
using StreamEnder = std::function<void()>;

/// "id: <seq>\nevent: <type>\ndata: <data>\n\n" (data must not contain newlines: JSON).
std::string format_sse(std::uint64_t seq, std::string_view type, std::string_view data);

class EventHub {
 public:
  using SubscriptionId = std::uint64_t;

  explicit EventHub(std::size_t capacity_per_agent);

  /// Appends and delivers. `subject` (a call id) lets replay skip stale events.
  std::uint64_t publish(std::string_view extension, std::string type, std::string data,
                        std::string subject = {});
  /// Events after `after`, as since() would give them.
  cti::Replay replay(std::string_view extension, std::uint64_t after) const;
  std::uint64_t last_seq(std::string_view extension) const;

  SubscriptionId subscribe(std::string_view extension, EventSink sink, StreamEnder end = {});
  void unsubscribe(SubscriptionId id);
  /// Sends `bytes` (not logged) to every stream of the agent and drops them. Returns their
  /// enders, for the caller to run once it no longer holds the lock that serialises the hub
  /// (ending a stream may call back into the owner).
  std::vector<StreamEnder> end_agent(std::string_view extension, std::string_view bytes);

  std::size_t subscribers(std::string_view extension) const;
  std::size_t subscribers() const { return m_by_id.size(); }
  /// Agents with at least one stream.
  std::size_t agents() const { return m_by_agent.size(); }

 private:
  cti::EventLog m_log;
  struct Subscriber {
    EventSink send;
    StreamEnder end;
  };
  std::unordered_map<std::string, std::map<SubscriptionId, Subscriber>> m_by_agent;
  std::unordered_map<SubscriptionId, std::string> m_by_id;
  SubscriptionId m_next_id = 1;
};

}  // namespace sfproxy
