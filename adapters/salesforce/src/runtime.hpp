#pragma once
// The Environment with every hook filled in (real clocks, real sleep, a real random source),
// plus the log helper that keeps secrets out of messages.

#include "cti/adapters/salesforce/salesforce_adapter.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace cti::adapters::salesforce::detail {

struct Runtime {
  explicit Runtime(Environment environment);

  std::chrono::steady_clock::time_point now() const { return m_environment.now(); }
  std::chrono::system_clock::time_point wall_clock() const { return m_environment.wall_clock(); }
  void sleep(std::chrono::milliseconds duration) const { m_environment.sleep(duration); }
  double jitter() const { return m_environment.jitter(); }
  void log(LogLevel level, std::string_view message) const;
  const Environment& environment() const { return m_environment; }

 private:
  Environment m_environment;
};

}  // namespace cti::adapters::salesforce::detail
