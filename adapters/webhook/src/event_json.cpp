#include "event_json.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Handler.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <array>
#include <optional>

namespace cti::adapters::webhook::detail {
namespace {

// A batch is an array of flat objects; anything deeper is refused by the parser.
constexpr std::size_t k_max_json_depth = 4;

enum Field : std::size_t {
  f_event, f_call_id, f_extension, f_ani, f_dnis, f_direction, f_ivr_data, f_transfer_target,
  f_end_reason, f_occurred_at, f_count
};

constexpr std::array<std::string_view, f_count> k_field_names = {
    "event",    "call_id",         "extension",  "ani",        "dnis",
    "direction", "ivr_data",       "transfer_target", "end_reason", "occurred_at",
};

/// One event object as posted: the string value of each field present (null: absent).
struct RawEvent {
  std::array<std::optional<std::string>, f_count> values;
};

/// Builds RawEvents straight from the parser's callbacks, without a document tree in
/// between (the tree cost more than everything else in ingest). Records the first problem
/// and ignores the rest of the body's meaning; the parser still checks its syntax.
class EventCollector : public Poco::JSON::Handler {
 public:
  explicit EventCollector(std::size_t max_batch) : m_max_batch(max_batch) {}

  void reset() override {}

  void startObject() override {
    ++m_depth;
    if (m_depth == 1) {
      m_single = true;
      begin_event();
    } else if (m_depth == 2 && m_in_array) {
      begin_event();
    } else {
      nested();
    }
  }
  void endObject() override { --m_depth; }
  void startArray() override {
    ++m_depth;
    if (m_depth == 1) {
      m_in_array = true;
    } else {
      nested();
    }
  }
  void endArray() override {
    --m_depth;
    if (m_depth == 0 && m_in_array && m_count == 0) {
      note(BodyProblem::invalid, "the batch is empty");
    }
  }
  void key(const std::string& name) override {
    if (!in_event_level() || !m_problem.message.empty()) {
      return;
    }
    const auto it = std::find(k_field_names.begin(), k_field_names.end(), name);
    if (it == k_field_names.end()) {
      note(BodyProblem::invalid, prefix() + name.substr(0, 64) + ": unknown field");
      return;
    }
    m_field = static_cast<std::size_t>(it - k_field_names.begin());
    if (m_seen[m_field]) {
      note(BodyProblem::invalid, prefix() + name + ": given twice");
    }
    m_seen[m_field] = true;
  }
  void null() override { scalar(); }
  void value(int) override { not_a_string(); }
  void value(unsigned) override { not_a_string(); }
  void value(Poco::Int64) override { not_a_string(); }
  void value(Poco::UInt64) override { not_a_string(); }
  void value(double) override { not_a_string(); }
  void value(bool) override { not_a_string(); }
  void value(const std::string& text) override {
    if (scalar() && m_storing) {
      m_events.back().values[m_field] = text;
    }
  }

  std::vector<RawEvent>& events() { return m_events; }
  const BodyError& problem() const { return m_problem; }

 private:
  bool in_event_level() const {
    return (m_single && m_depth == 1) || (m_in_array && m_depth == 2);
  }

  std::string prefix() const {
    return m_in_array ? "events[" + std::to_string(m_count - 1) + "]." : std::string();
  }

  void begin_event() {
    ++m_count;
    m_seen.fill(false);
    m_field = f_count;
    if (m_count > m_max_batch) {
      note(BodyProblem::invalid, "the batch has more than " + std::to_string(m_max_batch) +
                                     " events; at most " + std::to_string(m_max_batch) +
                                     " are allowed");
    }
    m_storing = m_problem.message.empty();
    if (m_storing) {
      m_events.emplace_back();
    }
  }

  /// A scalar arrived; true when it is a field value of an event.
  bool scalar() {
    if (m_depth == 0) {
      note(BodyProblem::malformed, "the body must be a JSON event object or an array of them");
      return false;
    }
    if (m_in_array && m_depth == 1) {
      ++m_count;
      note(BodyProblem::invalid, prefix().substr(0, prefix().size() - 1) + ": must be an event object");
      return false;
    }
    return in_event_level() && m_field < f_count;
  }

  void not_a_string() {
    if (scalar()) {
      note(BodyProblem::invalid, prefix() + std::string(k_field_names[m_field]) + ": must be a string");
    }
  }

  void nested() {
    if (m_in_array && m_depth == 2) {
      ++m_count;
      note(BodyProblem::invalid, prefix().substr(0, prefix().size() - 1) + ": must be an event object");
    } else if (m_field < f_count && m_depth == (m_single ? 2u : 3u)) {
      note(BodyProblem::invalid, prefix() + std::string(k_field_names[m_field]) + ": must be a string");
    }
  }

  void note(BodyProblem problem, std::string message) {
    if (m_problem.message.empty()) {
      m_problem = {problem, std::move(message)};
      m_storing = false;
    }
  }

  std::size_t m_max_batch;
  std::size_t m_depth = 0;
  std::size_t m_count = 0;
  std::size_t m_field = f_count;
  bool m_single = false;
  bool m_in_array = false;
  bool m_storing = false;
  std::array<bool, f_count> m_seen{};
  std::vector<RawEvent> m_events;
  BodyError m_problem;
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
  EventReader(RawEvent& raw, std::string prefix, BodyError& error)
      : m_raw(raw), m_prefix(std::move(prefix)), m_error(error) {}

  /// Moves a string field into `out`; absent leaves `out` unchanged. False on error.
  bool text(Field field, std::string& out, std::size_t max_length, Charset charset, bool required) {
    const std::string_view name = k_field_names[field];
    auto& value = m_raw.values[field];
    if (!value) {
      return required ? fail(name, "is required") : true;
    }
    if (required && value->empty()) {
      return fail(name, "must not be empty");
    }
    if (value->size() > max_length) {
      return fail(name, "longer than " + std::to_string(max_length) + " bytes");
    }
    if (!fits(*value, charset)) {
      return fail(name, charset == Charset::token ? "must be printable ASCII without spaces"
                                                  : "must be UTF-8 without control characters");
    }
    out = std::move(*value);
    return true;
  }

  bool fail(std::string_view name, std::string_view message) {
    m_error.problem = BodyProblem::invalid;
    m_error.message = m_prefix + std::string(name) + ": " + std::string(message);
    return false;
  }

 private:
  RawEvent& m_raw;
  std::string m_prefix;
  BodyError& m_error;
};

bool read_event(RawEvent& raw, std::string prefix,
                std::chrono::system_clock::time_point received_at, CallEvent& event,
                BodyError& error) {
  EventReader reader(raw, std::move(prefix), error);
  std::string type_name;
  std::string direction_name;
  std::string reason_name;
  std::string time_text;
  if (!reader.text(f_event, type_name, 32, Charset::token, true) ||
      !reader.text(f_call_id, event.call_id, k_max_call_id, Charset::token, true) ||
      !reader.text(f_extension, event.extension, k_max_extension, Charset::token, true) ||
      !reader.text(f_ani, event.ani, k_max_number, Charset::text, false) ||
      !reader.text(f_dnis, event.dnis, k_max_number, Charset::text, false) ||
      !reader.text(f_direction, direction_name, 16, Charset::token, false) ||
      !reader.text(f_ivr_data, event.ivr_data, k_max_ivr_data, Charset::text, false) ||
      !reader.text(f_transfer_target, event.transfer_target, k_max_number, Charset::text, false) ||
      !reader.text(f_end_reason, reason_name, 32, Charset::token, false) ||
      !reader.text(f_occurred_at, time_text, 64, Charset::token, false)) {
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
  auto* collector = new EventCollector(max_batch);
  const Poco::JSON::Handler::Ptr handler(collector);  // owns it
  try {
    Poco::JSON::Parser parser(handler);
    parser.setDepth(k_max_json_depth);
    parser.parse(std::string(body));
  } catch (const Poco::Exception& exception) {
    const auto first = body.find_first_not_of(" \t\r\n");
    const bool container = first != std::string_view::npos && (body[first] == '{' || body[first] == '[');
    error = {BodyProblem::malformed,
             container ? "the body is not valid JSON: " + exception.message()
                       : std::string("the body must be a JSON event object or an array of them")};
    return {};
  }
  if (!collector->problem().message.empty()) {
    error = collector->problem();
    return {};
  }
  auto& raw = collector->events();
  if (raw.empty()) {
    error = {BodyProblem::malformed, "the body must be a JSON event object or an array of them"};
    return {};
  }
  const bool batch = body.find_first_not_of(" \t\r\n") != std::string_view::npos &&
                     body[body.find_first_not_of(" \t\r\n")] == '[';
  std::vector<CallEvent> events(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (!read_event(raw[i], batch ? "events[" + std::to_string(i) + "]." : std::string(),
                    received_at, events[i], error)) {
      return {};
    }
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
