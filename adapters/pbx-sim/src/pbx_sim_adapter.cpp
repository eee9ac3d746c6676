#include "cti/adapters/pbx_sim/pbx_sim_adapter.hpp"

#include "simulation.hpp"
#include "yaml_reader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace cti::adapters::pbx_sim {
namespace {

using detail::Millis;
using detail::Simulation;
using detail::TimedEvent;

Result<Scenario> scenario_of(const Config& config) {
  if (config.scenario_file.empty()) {
    return config.scenario;
  }
  return load_scenario_file(config.scenario_file);
}

std::string health_detail(const Simulation& simulation) {
  return "simulated PBX: " + std::to_string(simulation.active_calls()) + " calls active, " +
         std::to_string(simulation.skipped_steps()) + " scripted steps skipped";
}

Result<void> not_started(std::string_view verb) {
  return fail(ErrorCode::unavailable, std::string(verb) + ": the simulated PBX is not started");
}

/// The manual-clock simulator: everything happens in the caller's thread.
class SteppedSimulatedPbx final : public SteppedPbx {
 public:
  SteppedSimulatedPbx(Config config, std::chrono::system_clock::time_point epoch)
      : m_config(std::move(config)), m_epoch(epoch) {}

  Result<void> start(CallEventHandler on_event) override {
    if (m_simulation) {
      return fail(ErrorCode::conflict, "the simulated PBX is already started");
    }
    m_simulation.emplace(m_config, CTI_TRY(scenario_of(m_config)));
    m_handler = std::move(on_event);
    m_stopped = false;
    return {};
  }

  void stop() override { m_stopped = true; }

  Result<std::string> make_call(std::string_view extension, std::string_view digits) override {
    if (!running()) {
      return Unexpected(not_started("make_call").error());
    }
    return m_simulation->make_call(m_now, extension, digits);
  }
  Result<void> answer(std::string_view call_id) override {
    return running() ? m_simulation->answer(m_now, call_id) : not_started("answer");
  }
  Result<void> hangup(std::string_view call_id) override {
    return running() ? m_simulation->hangup(m_now, call_id) : not_started("hangup");
  }
  Result<void> hold(std::string_view call_id) override {
    return running() ? m_simulation->hold(m_now, call_id) : not_started("hold");
  }
  Result<void> retrieve(std::string_view call_id) override {
    return running() ? m_simulation->retrieve(m_now, call_id) : not_started("retrieve");
  }

  PbxCapabilities capabilities() const override { return {true, true, true, true}; }
  PbxHealth health() const override {
    if (!running()) {
      return {false, "simulated PBX: not started"};
    }
    return {true, health_detail(*m_simulation)};
  }

  Millis now() const override { return m_now; }
  std::optional<Millis> next_due() const override {
    return running() ? m_simulation->next_due() : std::nullopt;
  }

  void advance(Millis step) override {
    const Millis target = step >= Millis::max() - m_now ? Millis::max() : m_now + step;
    deliver_until(target);
    m_now = std::max(m_now, target);
  }

  void run_until_idle(Millis limit) override { deliver_until(limit); }

 private:
  bool running() const { return m_simulation.has_value() && !m_stopped; }

  void deliver_until(Millis target) {
    std::vector<TimedEvent> batch;
    while (running()) {
      const auto due = m_simulation->next_due();
      if (!due || *due > target) {
        break;
      }
      m_now = std::max(m_now, *due);
      batch.clear();
      m_simulation->take_due(*due, batch);
      for (auto& timed : batch) {
        timed.event.occurred_at = m_epoch + timed.at;
        if (m_handler) {
          m_handler(timed.event);
        }
      }
    }
  }

  Config m_config;
  std::chrono::system_clock::time_point m_epoch;
  std::optional<Simulation> m_simulation;
  CallEventHandler m_handler;
  Millis m_now{0};
  bool m_stopped = false;
};

/// The real-time simulator: one thread sleeps until the next due event and delivers it.
class RealTimeSimulatedPbx final : public PbxConnector {
 public:
  explicit RealTimeSimulatedPbx(Config config) : m_config(std::move(config)) {}
  ~RealTimeSimulatedPbx() override { stop(); }

  RealTimeSimulatedPbx(const RealTimeSimulatedPbx&) = delete;
  RealTimeSimulatedPbx& operator=(const RealTimeSimulatedPbx&) = delete;

  Result<void> start(CallEventHandler on_event) override {
    std::lock_guard lock(m_mutex);
    if (m_simulation) {
      return fail(ErrorCode::conflict, "the simulated PBX is already started");
    }
    m_simulation.emplace(m_config, CTI_TRY(scenario_of(m_config)));
    m_handler = std::move(on_event);
    m_start_steady = std::chrono::steady_clock::now();
    m_start_wall = std::chrono::system_clock::now();
    m_thread = std::thread([this] { run(); });
    return {};
  }

  void stop() override {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
    }
    m_wake.notify_all();
    // A handler that calls stop() runs on this thread; it cannot wait for itself.
    if (m_thread.joinable() && m_thread.get_id() != std::this_thread::get_id()) {
      m_thread.join();
    }
  }

  Result<std::string> make_call(std::string_view extension, std::string_view digits) override {
    std::lock_guard lock(m_mutex);
    if (!running()) {
      return Unexpected(not_started("make_call").error());
    }
    auto result = m_simulation->make_call(elapsed(), extension, digits);
    m_wake.notify_all();
    return result;
  }
  Result<void> answer(std::string_view call_id) override {
    return command(call_id, &Simulation::answer, "answer");
  }
  Result<void> hangup(std::string_view call_id) override {
    return command(call_id, &Simulation::hangup, "hangup");
  }
  Result<void> hold(std::string_view call_id) override {
    return command(call_id, &Simulation::hold, "hold");
  }
  Result<void> retrieve(std::string_view call_id) override {
    return command(call_id, &Simulation::retrieve, "retrieve");
  }

  PbxCapabilities capabilities() const override { return {true, true, true, true}; }
  PbxHealth health() const override {
    std::lock_guard lock(m_mutex);
    if (!running()) {
      return {false, "simulated PBX: not running"};
    }
    return {true, health_detail(*m_simulation)};
  }

 private:
  bool running() const { return m_simulation.has_value() && !m_stopping; }

  Millis elapsed() const {
    return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - m_start_steady);
  }

  Result<void> command(std::string_view call_id,
                       Result<void> (Simulation::*action)(Millis, std::string_view),
                       std::string_view verb) {
    std::lock_guard lock(m_mutex);
    if (!running()) {
      return not_started(verb);
    }
    auto result = ((*m_simulation).*action)(elapsed(), call_id);
    m_wake.notify_all();
    return result;
  }

  void run() {
    std::vector<TimedEvent> batch;
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
      const auto due = m_simulation->next_due();
      if (!due) {
        m_wake.wait(lock);
        continue;
      }
      const auto deadline = m_start_steady + *due;
      if (std::chrono::steady_clock::now() < deadline) {
        m_wake.wait_until(lock, deadline);
        continue;
      }
      batch.clear();
      m_simulation->take_due(elapsed(), batch);
      // The handler runs unlocked so it may call back into the connector.
      lock.unlock();
      for (auto& timed : batch) {
        timed.event.occurred_at = m_start_wall + timed.at;
        if (m_handler) {
          m_handler(timed.event);
        }
      }
      lock.lock();
    }
  }

  Config m_config;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::optional<Simulation> m_simulation;
  CallEventHandler m_handler;
  std::chrono::steady_clock::time_point m_start_steady;
  std::chrono::system_clock::time_point m_start_wall;
  std::thread m_thread;
  bool m_stopping = false;
};

}  // namespace

Result<Config> parse_config(const YAML::Node& node) {
  const detail::YamlReader reader("config");
  Config config;
  try {
    if (!node || node.IsNull()) {
      return config;
    }
    if (!node.IsMap()) {
      return reader.error(node, "pbx-sim", "must be a map");
    }
    CTI_TRY(reader.check_keys(node, "pbx-sim"));
    auto millis = [&](const YAML::Node& value, const std::string& path) -> Result<Millis> {
      return Millis(static_cast<Millis::rep>(
          CTI_TRY(reader.integer(value, path, 0, detail::k_max_offset_ms))));
    };
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.Scalar();
      const std::string path = "pbx-sim." + key;
      const YAML::Node value = it->second;
      if (key == "scenario") {
        config.scenario_file = CTI_TRY(reader.string(value, path, 4096));
      } else if (key == "answer_after_ms") {
        config.answer_after = CTI_TRY(millis(value, path));
      } else if (key == "talk_time_ms") {
        config.talk_time = CTI_TRY(millis(value, path));
      } else if (key == "fail_after_ms") {
        config.fail_after = CTI_TRY(millis(value, path));
      } else if (key == "call_id_prefix") {
        config.call_id_prefix = CTI_TRY(reader.string(value, path, 64));
        const bool token = std::all_of(config.call_id_prefix.begin(), config.call_id_prefix.end(),
                                       [](unsigned char c) { return c > 0x20 && c < 0x7f; });
        if (!token) {
          return reader.error(value, path, "printable characters only, no spaces");
        }
      } else if (key == "dial_failures") {
        if (!value.IsMap()) {
          return reader.error(value, path, "must be a map of number suffix to end reason");
        }
        CTI_TRY(reader.check_keys(value, path));
        config.dial_failures.clear();
        for (auto rule = value.begin(); rule != value.end(); ++rule) {
          const std::string suffix = rule->first.Scalar();
          const std::string rule_path = path + "." + suffix;
          if (suffix.empty() || suffix.size() > k_max_number) {
            return reader.error(rule->first, rule_path, "a suffix is 1 to 64 characters");
          }
          auto reason = parse_end_reason(CTI_TRY(reader.string(rule->second, rule_path, 32)));
          if (!reason || (*reason != EndReason::busy && *reason != EndReason::no_answer &&
                          *reason != EndReason::failed)) {
            return reader.error(rule->second, rule_path, "must be busy, no_answer or failed");
          }
          config.dial_failures.push_back({suffix, *reason});
        }
      } else {
        return reader.error(it->first, path,
                            "unknown key; pbx-sim has scenario, answer_after_ms, talk_time_ms, "
                            "fail_after_ms, dial_failures, call_id_prefix");
      }
    }
    return config;
  } catch (const YAML::Exception& error) {
    return fail(ErrorCode::invalid_input, "pbx-sim: " + error.msg);
  }
}

std::unique_ptr<PbxConnector> make_pbx_connector(const Config& config) {
  return std::make_unique<RealTimeSimulatedPbx>(config);
}

std::unique_ptr<SteppedPbx> make_stepped_pbx(const Config& config,
                                             std::chrono::system_clock::time_point epoch) {
  return std::make_unique<SteppedSimulatedPbx>(config, epoch);
}

}  // namespace cti::adapters::pbx_sim
