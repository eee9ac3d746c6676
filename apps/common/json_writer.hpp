#pragma once
// JsonWriter: builds compact JSON text for events and API responses without an object
// model in between. Keys and strings are escaped per RFC 8259; invalid UTF-8 bytes are
// replaced with U+FFFD so the output is always valid JSON.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cti::app {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  /// The key of the next value inside an object.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(bool flag);
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(std::uint64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& null();
  /// Inserts already-serialised JSON as the next value (the caller vouches for it).
  JsonWriter& raw(std::string_view json);

  /// Shorthand for key(name).value(v).
  template <typename T>
  JsonWriter& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

  const std::string& str() const& { return m_out; }
  std::string str() && { return std::move(m_out); }

 private:
  void before_value();

  std::string m_out;
  std::vector<bool> m_first;  // per open container: no element written yet
  bool m_after_key = false;
};

/// Appends `text` as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view text);

}  // namespace cti::app
