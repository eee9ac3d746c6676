#include "runtime.hpp"

#include <mutex>
#include <random>
#include <thread>

namespace cti::adapters::salesforce::detail {

Runtime::Runtime(Environment environment) : m_environment(std::move(environment)) {
  if (!m_environment.now) {
    m_environment.now = [] { return std::chrono::steady_clock::now(); };
  }
  if (!m_environment.wall_clock) {
    m_environment.wall_clock = [] { return std::chrono::system_clock::now(); };
  }
  if (!m_environment.sleep) {
    m_environment.sleep = [](std::chrono::milliseconds duration) {
      std::this_thread::sleep_for(duration);
    };
  }
  if (!m_environment.jitter) {
    m_environment.jitter = [] {
      // Jitter only spreads retries apart; it needs no cryptographic quality.
      static std::mutex mutex;
      static std::minstd_rand engine(std::random_device{}());
      std::lock_guard lock(mutex);
      return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
    };
  }
}

void Runtime::log(LogLevel level, std::string_view message) const {
  if (m_environment.log) {
    m_environment.log(level, message);
  }
}

}  // namespace cti::adapters::salesforce::detail
