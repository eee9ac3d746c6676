#include "log.hpp"

#include "json_writer.hpp"

#include <chrono>
#include <ctime>

namespace cti::app {
namespace {

std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return buffer;
}

// One line of text: control characters (an injected newline) become spaces.
std::string single_line(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20) {
      c = ' ';
    }
  }
  return line;
}

}  // namespace

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
  }
  return "info";
}

cti::Result<LogLevel> parse_log_level(std::string_view text) {
  for (auto level : {LogLevel::debug, LogLevel::info, LogLevel::warning, LogLevel::error}) {
    if (text == to_string(level)) {
      return level;
    }
  }
  return cti::fail(cti::ErrorCode::invalid_input,
                   "log level must be debug, info, warning or error, not '" + std::string(text) + "'");
}

cti::Result<LogFormat> parse_log_format(std::string_view text) {
  if (text == "text") {
    return LogFormat::text;
  }
  if (text == "json") {
    return LogFormat::json;
  }
  return cti::fail(cti::ErrorCode::invalid_input,
                   "log format must be text or json, not '" + std::string(text) + "'");
}

Log::Log(LogLevel level, LogFormat format, std::FILE* out) : m_level(level), m_format(format), m_out(out) {}

void Log::write(LogLevel level, std::string_view component, std::string_view message) {
  if (!enabled(level)) {
    return;
  }
  std::string line;
  if (m_format == LogFormat::json) {
    JsonWriter json;
    json.begin_object()
        .field("ts", timestamp())
        .field("level", to_string(level))
        .field("component", component)
        .field("msg", message)
        .end_object();
    line = std::move(json).str();
  } else {
    line = timestamp() + " " + std::string(to_string(level)) + " " + single_line(component) + ": " +
           single_line(message);
  }
  line.push_back('\n');
  std::lock_guard lock(m_mutex);
  std::fwrite(line.data(), 1, line.size(), m_out);
  std::fflush(m_out);
}

}  // namespace cti::app
