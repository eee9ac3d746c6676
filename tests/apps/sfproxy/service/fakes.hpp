#pragma once
// Fakes of the service's ports: a PBX that records commands, a CRM that answers from a
// table (or holds its answer until released), and an in-memory agent directory.

#include "agent_directory.hpp"

#include "cti/pbx_connector.hpp"
#include "sfmatch/crm_client.hpp"
#include "sfmatch/match_settings.hpp"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sfproxy::test {

class FakePbx final : public cti::PbxConnector {
 public:
  cti::Result<void> start(cti::CallEventHandler) override { return {}; }
  void stop() override {}
  cti::Result<std::string> make_call(std::string_view extension, std::string_view digits) override {
    std::lock_guard lock(m_mutex);
    commands.push_back("make_call " + std::string(extension) + " " + std::string(digits));
    return std::string("out-1");
  }
  cti::Result<void> answer(std::string_view id) override { return record("answer", id); }
  cti::Result<void> hangup(std::string_view id) override { return record("hangup", id); }
  cti::Result<void> hold(std::string_view id) override { return record("hold", id); }
  cti::Result<void> retrieve(std::string_view id) override { return record("retrieve", id); }
  cti::PbxCapabilities capabilities() const override { return caps; }
  cti::PbxHealth health() const override { return {true, "fake"}; }

  cti::PbxCapabilities caps{true, false, true, true};
  std::vector<std::string> commands;

 private:
  cti::Result<void> record(std::string_view what, std::string_view id) {
    std::lock_guard lock(m_mutex);
    commands.push_back(std::string(what) + " " + std::string(id));
    return {};
  }
  std::mutex m_mutex;
};

/// Answers query/search from `records` keyed by query text; counts calls. With hold()
/// set, every call waits until release() (to test deadlines); fail_with makes calls fail.
/// run_plan_cached answers a plan whose every step finds a needle in `cached`.
class FakeCrm final : public sfmatch::CrmClient {
 public:
  std::optional<std::vector<sfmatch::StepResult>> run_plan_cached(const sfmatch::MatchPlan& plan) override {
    std::lock_guard lock(m_mutex);
    std::vector<sfmatch::StepResult> results;
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
      const auto hit = std::find_if(cached.begin(), cached.end(), [&](const auto& entry) {
        return plan.steps[i].query.find(entry.first) != std::string::npos;
      });
      if (hit == cached.end()) {
        return std::nullopt;
      }
      results.push_back(sfmatch::StepResult{i, hit->second});
    }
    return results;
  }

  cti::Result<std::vector<sfmatch::RecordRef>> query(std::string_view soql) override {
    return answer(soql);
  }
  cti::Result<std::vector<sfmatch::RecordRef>> search(std::string_view sosl) override {
    return answer(sosl);
  }
  cti::Result<std::string> create(std::string_view,
                                  const std::vector<std::pair<std::string, std::string>>&) override {
    return std::string("00T000000000001AAA");
  }

  void hold() {
    std::lock_guard lock(m_mutex);
    m_held = true;
  }
  void release() {
    {
      std::lock_guard lock(m_mutex);
      m_held = false;
    }
    m_changed.notify_all();
  }
  std::size_t calls() const {
    std::lock_guard lock(m_mutex);
    return m_calls;
  }

  std::map<std::string, std::vector<sfmatch::RecordRef>> records;  // query text -> rows
  std::map<std::string, std::vector<sfmatch::RecordRef>> cached;   // what run_plan_cached knows
  std::optional<cti::Error> fail_with;

 private:
  cti::Result<std::vector<sfmatch::RecordRef>> answer(std::string_view text) {
    std::unique_lock lock(m_mutex);
    ++m_calls;
    m_changed.wait(lock, [&] { return !m_held; });
    if (fail_with) {
      return cti::Unexpected(*fail_with);
    }
    for (const auto& [needle, rows] : records) {
      if (text.find(needle) != std::string_view::npos) {
        return rows;
      }
    }
    return std::vector<sfmatch::RecordRef>{};
  }

  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  bool m_held = false;
  std::size_t m_calls = 0;
};

/// Agents with plain-text passwords; seats counted against `seats`.
class MemoryDirectory final : public AgentDirectory {
 public:
  explicit MemoryDirectory(std::size_t seats) : m_seats(seats) {}

  cti::Result<void> add_agent(std::string_view extension, std::string_view name,
                              std::string_view password) override {
    std::lock_guard lock(m_mutex);
    Entry entry;
    entry.record.extension = std::string(extension);
    entry.record.display_name = std::string(name);
    entry.password = std::string(password);
    m_agents[std::string(extension)] = entry;
    return {};
  }
  cti::Result<void> set_password(std::string_view extension, std::string_view password) override {
    std::lock_guard lock(m_mutex);
    m_agents.at(std::string(extension)).password = std::string(password);
    m_journal.emplace_back(extension);
    return {};
  }
  cti::Result<void> remove_agent(std::string_view extension) override {
    std::lock_guard lock(m_mutex);
    m_agents.erase(std::string(extension));
    m_journal.emplace_back(extension);
    return {};
  }
  cti::Result<std::vector<AgentRecord>> list_agents() override {
    std::lock_guard lock(m_mutex);
    std::vector<AgentRecord> all;
    for (const auto& [ext, entry] : m_agents) {
      all.push_back(entry.record);
    }
    return all;
  }
  cti::Result<AgentRecord> find_agent(std::string_view extension) override {
    std::lock_guard lock(m_mutex);
    auto it = m_agents.find(std::string(extension));
    if (it == m_agents.end()) {
      return cti::fail(cti::ErrorCode::not_found, "no agent");
    }
    return it->second.record;
  }
  cti::Result<AgentRecord> verify_password(std::string_view extension,
                                           std::string_view password) override {
    std::lock_guard lock(m_mutex);
    auto it = m_agents.find(std::string(extension));
    if (it == m_agents.end() || it->second.password != password) {
      return cti::fail(cti::ErrorCode::unauthorized, "wrong extension or password");
    }
    return it->second.record;
  }
  cti::Result<void> save_settings(std::string_view extension,
                                  const cti::AgentSettings& settings) override {
    std::lock_guard lock(m_mutex);
    m_agents.at(std::string(extension)).record.settings = settings;
    return {};
  }
  cti::Result<LicenceSummary> licence() override {
    std::lock_guard lock(m_mutex);
    LicenceSummary summary{"Salesforce Integration", m_seats, 0, {}};
    for (const auto& [ext, entry] : m_agents) {
      if (entry.record.has_seat) {
        ++summary.assigned;
        summary.members.push_back(ext);
      }
    }
    return summary;
  }
  cti::Result<void> assign_seat(std::string_view extension) override {
    std::lock_guard lock(m_mutex);
    m_agents.at(std::string(extension)).record.has_seat = true;
    return {};
  }
  cti::Result<void> unassign_seat(std::string_view extension) override {
    std::lock_guard lock(m_mutex);
    m_agents.at(std::string(extension)).record.has_seat = false;
    m_journal.emplace_back(extension);
    return {};
  }
  cti::Result<AccessChanges> access_changes_since(std::uint64_t after, std::size_t limit) override {
    std::lock_guard lock(m_mutex);
    AccessChanges changes{m_journal.size(), {}};
    if (limit == 0) {
      return changes;
    }
    changes.last = after;
    for (auto i = after; i < m_journal.size() && changes.extensions.size() < limit; ++i) {
      changes.extensions.push_back(m_journal[i]);
      changes.last = i + 1;
    }
    return changes;
  }

 private:
  struct Entry {
    AgentRecord record;
    std::string password;
  };
  std::mutex m_mutex;
  std::map<std::string, Entry> m_agents;
  std::vector<std::string> m_journal;  ///< extensions whose access changed; position = index + 1
  std::size_t m_seats;
};

}  // namespace sfproxy::test
