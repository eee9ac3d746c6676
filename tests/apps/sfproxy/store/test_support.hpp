#pragma once
// Helpers for the store tests: a scratch directory removed at the end, a manual clock, and a
// cheap password hasher (the production cost would make these tests take seconds).

#include "store/password_hash.hpp"

#include <chrono>
#include <filesystem>
#include <random>
#include <string>

namespace store_test {

class TempDir {
 public:
  TempDir() {
    std::random_device random;
    m_path = std::filesystem::temp_directory_path() /
             ("cti-store-test-" + std::to_string(random()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(m_path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (m_path / name).string(); }

 private:
  std::filesystem::path m_path;
};

struct ManualClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};

  void advance(std::chrono::steady_clock::duration by) { now += by; }
  auto function() {
    return [this] { return now; };
  }
};

inline const sfproxy::PasswordHasher& cheap_hasher() {
  static const sfproxy::PasswordHasher hasher =
      sfproxy::PasswordHasher::with_cost_for_test({1, 8192});
  return hasher;
}

}  // namespace store_test
