#include "event_json.hpp"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <array>

namespace cti::adapters::webhook::detail {
namespace {

using Poco::Dynamic::Var;

// A batch is an array of flat objects; anything deeper is refused by the parser.
constexpr std::size_t k_max_json_depth = 4;

constexpr std::array k_known_fields = {
    std::string_view("event"),     std::string_view("call_id"),         std::string_view("extension"),
    std::string_view("ani"),       std::string_view("dnis"),            std::string_view("direction"),
    std::string_view("ivr_data"),  std::string_view("transfer_target"), std::string_view("end_reason"),
    std::string_view("occurred_at"),
};

/// How a text field may look.
enum class Charset {
  token,  // printable ASCII without spaces: ids and extensions
  text,   // any UTF-8 without control characters
};

bool fits(std::string_view text, Charset charset) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return false;
    }
    if (charset == Charset::token && (byte == 0x20 || byte >= 0x80)) {
      return false;
    }
  }
  return charset == Charset::token || valid_utf8(text);
}

class EventReader {
 public:
  EventReader(const Poco::JSON::Object& object, std::string prefix, BodyError& error)
      : m_object(object), m_prefix(std::move(prefix)), m_error(error) {}

  /// Reads a string field; absent or null leaves `out` unchanged. False on error.
  bool text(std::string_view name, std::string& out, std::size_t max_length, Charset charset,
            bool required) {
    const std::string key(name);
    if (!m_object.has(key) || m_object.get(key).isEmpty()) {
      if (required) {
        return fail(name, "is required");
      }
      return true;
    }
    const Var& value = m_object.get(key);
    if (!value.isString()) {
      return fail(name, "must be a string");
    }
    std::string text = value.extract<std::string>();
    if (required && text.empty()) {
      return fail(name, "must not be empty");
    }
    if (text.size() > max_length) {
      return fail(name, "longer than " + std::to_string(max_length) + " bytes");
    }
    if (!fits(text, charset)) {
      return fail(name, charset == Charset::token
                            ? "must be printable ASCII without spaces"
                            : "must be UTF-8 without control characters");
    }
    out = std::move(text);
    return true;
  }

  bool fail(std::string_view name, std::string_view message) {
    m_error.problem = BodyProblem::invalid;
    m_error.message = m_prefix + std::string(name) + ": " + std::string(message);
    return false;
  }

 private:
  const Poco::JSON::Object& m_object;
  std::string m_prefix;
  BodyError& m_error;
};

bool read_event(const Var& value, std::string prefix,
                std::chrono::system_clock::time_point received_at, CallEvent& event,
                BodyError& error) {
  if (value.type() != typeid(Poco::JSON::Object::Ptr)) {
    error = {BodyProblem::invalid,
             (prefix.empty() ? std::string("the body") : prefix.substr(0, prefix.size() - 1)) +
                 ": must be an event object"};
    return false;
  }
  const auto object = value.extract<Poco::JSON::Object::Ptr>();
  EventReader reader(*object, prefix, error);
  for (const auto& [key, field] : *object) {
    if (std::find(k_known_fields.begin(), k_known_fields.end(), key) == k_known_fields.end()) {
      return reader.fail(key.substr(0, 64), "unknown field");
    }
  }

  std::string type_name;
  std::string direction_name;
  std::string reason_name;
  std::string time_text;
  if (!reader.text("event", type_name, 32, Charset::token, true) ||
      !reader.text("call_id", event.call_id, k_max_call_id, Charset::token, true) ||
      !reader.text("extension", event.extension, k_max_extension, Charset::token, true) ||
      !reader.text("ani", event.ani, k_max_number, Charset::text, false) ||
      !reader.text("dnis", event.dnis, k_max_number, Charset::text, false) ||
      !reader.text("direction", direction_name, 16, Charset::token, false) ||
      !reader.text("ivr_data", event.ivr_data, k_max_ivr_data, Charset::text, false) ||
      !reader.text("transfer_target", event.transfer_target, k_max_number, Charset::text, false) ||
      !reader.text("end_reason", reason_name, 32, Charset::token, false) ||
      !reader.text("occurred_at", time_text, 64, Charset::token, false)) {
    return false;
  }

  auto type = parse_call_event_type(type_name);
  if (!type) {
    return reader.fail("event", type.error().message);
  }
  event.type = *type;
  if (!direction_name.empty()) {
    auto direction = parse_call_direction(direction_name);
    if (!direction) {
      return reader.fail("direction", direction.error().message);
    }
    event.direction = *direction;
  }
  if (!reason_name.empty()) {
    auto reason = parse_end_reason(reason_name);
    if (!reason) {
      return reader.fail("end_reason", reason.error().message);
    }
    if (*reason != EndReason::none && event.type != CallEventType::disconnected) {
      return reader.fail("end_reason", "only a disconnected event has one");
    }
    event.end_reason = *reason;
  }
  if (event.type == CallEventType::transferred && event.transfer_target.empty()) {
    return reader.fail("transfer_target", "is required for a transferred event");
  }
  if (event.type != CallEventType::transferred && !event.transfer_target.empty()) {
    return reader.fail("transfer_target", "only a transferred event has one");
  }
  event.occurred_at = received_at;
  if (!time_text.empty()) {
    auto time = parse_time(time_text);
    if (!time) {
      return reader.fail("occurred_at", time.error().message);
    }
    event.occurred_at = *time;
  }
  return true;
}

int digits(std::string_view text, std::size_t pos, std::size_t count, bool& ok) {
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') {
      ok = false;
      return 0;
    }
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::vector<CallEvent> parse_events(std::string_view body, std::size_t max_batch,
                                    std::chrono::system_clock::time_point received_at,
                                    BodyError& error) {
  Var parsed;
  try {
    Poco::JSON::Parser parser;
    parser.setDepth(k_max_json_depth);
    parsed = parser.parse(std::string(body));
  } catch (const Poco::Exception& exception) {
    const auto first = body.find_first_not_of(" \t\r\n");
    const bool container = first != std::string_view::npos && (body[first] == '{' || body[first] == '[');
    error = {BodyProblem::malformed,
             container ? "the body is not valid JSON: " + exception.message()
                       : std::string("the body must be a JSON event object or an array of them")};
    return {};
  }

  std::vector<CallEvent> events;
  if (parsed.type() == typeid(Poco::JSON::Array::Ptr)) {
    const auto array = parsed.extract<Poco::JSON::Array::Ptr>();
    if (array->size() == 0) {
      error = {BodyProblem::invalid, "the batch is empty"};
      return {};
    }
    if (array->size() > max_batch) {
      error = {BodyProblem::invalid, "the batch has " + std::to_string(array->size()) +
                                         " events; at most " + std::to_string(max_batch) +
                                         " are allowed"};
      return {};
    }
    events.resize(array->size());
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (!read_event(array->get(static_cast<unsigned>(i)), "events[" + std::to_string(i) + "].",
                      received_at, events[i], error)) {
        return {};
      }
    }
    return events;
  }
  events.resize(1);
  if (!read_event(parsed, "", received_at, events[0], error)) {
    return {};
  }
  return events;
}

Result<std::chrono::system_clock::time_point> parse_time(std::string_view text) {
  using namespace std::chrono;
  const auto invalid = [&] {
    return fail(ErrorCode::invalid_input,
                "must be an RFC 3339 time like 2024-05-01T12:00:00.000Z");
  };
  bool ok = text.size() >= 20;
  const int year = digits(text, 0, 4, ok);
  const int month = digits(text, 5, 2, ok);
  const int day = digits(text, 8, 2, ok);
  const int hour = digits(text, 11, 2, ok);
  const int minute = digits(text, 14, 2, ok);
  const int second = digits(text, 17, 2, ok);
  if (!ok || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') ||
      text[13] != ':' || text[16] != ':') {
    return invalid();
  }
  std::size_t pos = 19;
  nanoseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    std::int64_t value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 9) {
      value = value * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == start) {
      return invalid();
    }
    for (std::size_t n = pos - start; n < 9; ++n) {
      value *= 10;
    }
    fraction = nanoseconds(value);
  }
  minutes offset{0};
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') &&
             text[pos + 3] == ':') {
    bool offset_ok = true;
    const int offset_hours = digits(text, pos + 1, 2, offset_ok);
    const int offset_minutes = digits(text, pos + 4, 2, offset_ok);
    if (!offset_ok || offset_hours > 23 || offset_minutes > 59) {
      return invalid();
    }
    offset = minutes(offset_hours * 60 + offset_minutes);
    if (text[pos] == '-') {
      offset = -offset;
    }
    pos += 6;
  } else {
    return invalid();
  }
  const year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (pos != text.size() || year < 1970 || !date.ok() || hour > 23 || minute > 59 || second > 59) {
    return invalid();
  }
  const auto local = sys_days(date) + hours(hour) + minutes(minute) + seconds(second) + fraction;
  return time_point_cast<system_clock::duration>(local - offset);
}

bool valid_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if ((byte & 0xE0) == 0xC0) {
      length = 2;
      code = byte & 0x1Fu;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      code = byte & 0x0Fu;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      code = byte & 0x07u;
    } else {
      return false;
    }
    if (i + length > text.size()) {
      return false;
    }
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        return false;
      }
      code = (code << 6) | (next & 0x3Fu);
    }
    constexpr std::uint32_t k_smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < k_smallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

}  // namespace cti::adapters::webhook::detail
