#include "cti/result.hpp"

namespace cti {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_input: return "invalid_input";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::unauthorized: return "unauthorized";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::rate_limited: return "rate_limited";
    case ErrorCode::not_supported: return "not_supported";
    case ErrorCode::timeout: return "timeout";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::internal: return "internal";
  }
  // A value outside the enum can only come from a cast; name it rather than crash.
  return "unknown";
}

}  // namespace cti
