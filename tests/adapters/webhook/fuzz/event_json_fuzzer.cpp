// Fuzzes the webhook body parser (one event object or a batch) with arbitrary bytes posted by
// a PBX. Invariants:
// - nothing crashes or hangs, whatever the nesting, encoding or size;
// - a body is either refused with a message, or every event it yields names a call and an
//   extension, has a known type, and holds bounded strings free of control characters;
// - a batch yields at most max_batch events; refusing yields none.

#include "event_json.hpp"

#include "fuzz/fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

using namespace cti::adapters::webhook::detail;

constexpr std::size_t k_max_batch = 8;

bool clean(std::string_view text, std::size_t max) {
  if (text.size() > max) {
    return false;
  }
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return false;
    }
  }
  return valid_utf8(text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  BodyError error;
  const auto events =
      parse_events(body, k_max_batch, std::chrono::system_clock::time_point(std::chrono::seconds(1)), error);
  if (events.empty()) {
    FUZZ_CHECK(!error.message.empty());
    return 0;
  }
  FUZZ_CHECK(events.size() <= k_max_batch);
  for (const auto& event : events) {
    FUZZ_CHECK(!event.call_id.empty() && clean(event.call_id, k_max_call_id));
    FUZZ_CHECK(!event.extension.empty() && clean(event.extension, k_max_extension));
    FUZZ_CHECK(clean(event.ani, k_max_number));
    FUZZ_CHECK(clean(event.dnis, k_max_number));
    FUZZ_CHECK(clean(event.transfer_target, k_max_number));
    FUZZ_CHECK(clean(event.ivr_data, k_max_ivr_data));
    FUZZ_CHECK(cti::to_string(event.type) != "unknown");
    FUZZ_CHECK((event.type == cti::CallEventType::transferred) == !event.transfer_target.empty());
    FUZZ_CHECK(event.end_reason == cti::EndReason::none ||
               event.type == cti::CallEventType::disconnected);
  }
  return 0;
}
