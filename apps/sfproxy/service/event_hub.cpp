#include "event_hub.hpp"

namespace sfproxy {

std::string format_sse(std::uint64_t seq, std::string_view type, std::string_view data) {
  std::string out;
  out.reserve(data.size() + type.size() + 40);
  out += "id: ";
  out += std::to_string(seq);
  out += "\nevent: ";
  out += type;
  out += "\ndata: ";
  out += data;
  out += "\n\n";
  return out;
}

EventHub::EventHub(std::size_t capacity_per_agent) : m_log(capacity_per_agent) {}

std::uint64_t EventHub::publish(std::string_view extension, std::string type, std::string data,
                                std::string subject) {
  const std::uint64_t seq = m_log.append(extension, type, data, std::move(subject));
  auto it = m_by_agent.find(std::string(extension));
  if (it == m_by_agent.end()) {
    return seq;
  }
  const std::string frame = format_sse(seq, type, data);
  for (auto sub = it->second.begin(); sub != it->second.end();) {
    if (sub->second.send(frame)) {
      ++sub;
    } else {
      m_by_id.erase(sub->first);
      sub = it->second.erase(sub);
    }
  }
  if (it->second.empty()) {
    m_by_agent.erase(it);
  }
  return seq;
}

cti::Replay EventHub::replay(std::string_view extension, std::uint64_t after) const {
  return m_log.since(extension, after);
}

std::uint64_t EventHub::last_seq(std::string_view extension) const {
  return m_log.last_seq(extension);
}

EventHub::SubscriptionId EventHub::subscribe(std::string_view extension, EventSink sink,
                                             StreamEnder end) {
  const SubscriptionId id = m_next_id++;
  m_by_agent[std::string(extension)].emplace(id, Subscriber{std::move(sink), std::move(end)});
  m_by_id.emplace(id, std::string(extension));
  return id;
}

void EventHub::unsubscribe(SubscriptionId id) {
  auto it = m_by_id.find(id);
  if (it == m_by_id.end()) {
    return;
  }
  auto agent = m_by_agent.find(it->second);
  if (agent != m_by_agent.end()) {
    agent->second.erase(id);
    if (agent->second.empty()) {
      m_by_agent.erase(agent);
    }
  }
  m_by_id.erase(it);
}

std::vector<StreamEnder> EventHub::end_agent(std::string_view extension, std::string_view bytes) {
  std::vector<StreamEnder> enders;
  auto agent = m_by_agent.find(std::string(extension));
  if (agent == m_by_agent.end()) {
    return enders;
  }
  for (auto& [id, subscriber] : agent->second) {
    (void)subscriber.send(bytes);  // a client already gone is dropped all the same
    if (subscriber.end) {
      enders.push_back(std::move(subscriber.end));
    }
    m_by_id.erase(id);
  }
  m_by_agent.erase(agent);
  return enders;
}

std::size_t EventHub::subscribers(std::string_view extension) const {
  auto it = m_by_agent.find(std::string(extension));
  return it == m_by_agent.end() ? 0 : it->second.size();
}

}  // namespace sfproxy
