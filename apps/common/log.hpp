#pragma once
// Log: structured log lines for the daemon, as text ("2026-11-24T06:10:51.123Z info pbx:
// connected") or JSON lines ({"ts":...,"level":"info","component":"pbx","msg":"connected"}).
// Thread-safe; one write per line. Never give it secrets.

#include "cti/result.hpp"

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace cti::app {

enum class LogLevel { debug, info, warning, error };
enum class LogFormat { text, json };

std::string_view to_string(LogLevel level) noexcept;
cti::Result<LogLevel> parse_log_level(std::string_view text);
cti::Result<LogFormat> parse_log_format(std::string_view text);

class Log {
 public:
  explicit Log(LogLevel level = LogLevel::info, LogFormat format = LogFormat::text,
               std::FILE* out = stderr);

  void write(LogLevel level, std::string_view component, std::string_view message);
  void debug(std::string_view component, std::string_view message) { write(LogLevel::debug, component, message); }
  void info(std::string_view component, std::string_view message) { write(LogLevel::info, component, message); }
  void warning(std::string_view component, std::string_view message) { write(LogLevel::warning, component, message); }
  void error(std::string_view component, std::string_view message) { write(LogLevel::error, component, message); }
  bool enabled(LogLevel level) const noexcept { return level >= m_level; }

 private:
  LogLevel m_level;
  LogFormat m_format;
  std::FILE* m_out;
  std::mutex m_mutex;
};

}  // namespace cti::app
