#pragma once
// ApiError and ApiResult<T>: how the emulator's expected failures travel. They mirror
// cti::Result, but the error carries what Salesforce puts on the wire (HTTP status,
// errorCode, message, fields) because that is exactly what a client must see.

#include <cassert>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace cti::sfemu {

/// One Salesforce REST error: rendered as `[{"message","errorCode"[,"fields"]}]`.
struct ApiError {
  int status = 400;
  std::string error_code;
  std::string message;
  std::vector<std::string> fields;
};

inline ApiError api_error(int status, std::string error_code, std::string message,
                          std::vector<std::string> fields = {}) {
  return ApiError{status, std::move(error_code), std::move(message), std::move(fields)};
}

/// Either a value or an ApiError. Reading the wrong side is a bug (asserted).
template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
  ApiResult(ApiError error) : m_data(std::in_place_index<1>, std::move(error)) {}

  bool has_value() const noexcept { return m_data.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(m_data);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(m_data);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(m_data));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const ApiError& error() const& {
    assert(!has_value());
    return std::get<1>(m_data);
  }
  ApiError&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(m_data));
  }

 private:
  std::variant<T, ApiError> m_data;
};

/// ApiResult<void>: success carries nothing.
template <>
class [[nodiscard]] ApiResult<void> {
 public:
  ApiResult() = default;
  ApiResult(ApiError error) : m_error(std::move(error)), m_failed(true) {}

  bool has_value() const noexcept { return !m_failed; }
  explicit operator bool() const noexcept { return has_value(); }
  const ApiError& error() const& {
    assert(m_failed);
    return m_error;
  }
  ApiError&& error() && {
    assert(m_failed);
    return std::move(m_error);
  }

 private:
  ApiError m_error;
  bool m_failed = false;
};

}  // namespace cti::sfemu

/// Propagates an ApiError from an ApiResult expression (like CTI_TRY).
#define SFEMU_TRY(expr)                                          \
  __extension__({                                                \
    auto&& sfemu_try_result_ = (expr);                           \
    if (!sfemu_try_result_) {                                    \
      return std::move(sfemu_try_result_).error();               \
    }                                                            \
    std::move(sfemu_try_result_).value();                        \
  })

/// Same for ApiResult<void>.
#define SFEMU_TRY_VOID(expr)                                     \
  do {                                                           \
    auto&& sfemu_try_result_ = (expr);                           \
    if (!sfemu_try_result_) {                                    \
      return std::move(sfemu_try_result_).error();               \
    }                                                            \
  } while (false)
