#pragma once
// Result<T> and Error: how expected failures travel (bad input, a refused request, a timeout).
// Spelled like std::expected so the switch is mechanical once every compiler we support has it.
// ConfigError is the one exception type: start-up and configuration failures, caught once in main.

#include <cassert>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cti {

enum class ErrorCode {
  invalid_input,  ///< the caller sent something malformed or out of bounds
  not_found,      ///< the thing asked for does not exist
  conflict,       ///< the request contradicts current state (duplicate, wrong state, no seat)
  unauthorized,   ///< credentials missing, wrong or expired
  forbidden,      ///< authenticated but not allowed
  rate_limited,   ///< too many attempts or requests; try again later
  not_supported,  ///< the operation exists but this configuration cannot do it
  timeout,        ///< a deadline passed
  unavailable,    ///< a peer is down, refused, or answered with a server error
  internal,       ///< a bug or an unexpected state on our side
};

/// Stable lower-case name of a code, as used in JSON error bodies and logs.
std::string_view to_string(ErrorCode code) noexcept;

/// An expected failure: a machine-readable code and a message meant for a person.
struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;

  friend bool operator==(const Error&, const Error&) = default;
};

/// Wraps an Error so that a Result<T> can be built from it (like std::unexpected).
class Unexpected {
 public:
  explicit Unexpected(Error error) : m_error(std::move(error)) {}
  Unexpected(ErrorCode code, std::string message) : m_error{code, std::move(message)} {}
  Error& error() & { return m_error; }
  Error&& error() && { return std::move(m_error); }

 private:
  Error m_error;
};

/// Shorthand for `return cti::fail(ErrorCode::invalid_input, "...")`.
inline Unexpected fail(ErrorCode code, std::string message) {
  return Unexpected(code, std::move(message));
}

/// Either a value or an Error. Reading the wrong side is a bug (asserted).
template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(const T& value) : m_data(std::in_place_index<0>, value) {}
  Result(T&& value) : m_data(std::in_place_index<0>, std::move(value)) {}
  Result(Unexpected unexpected) : m_data(std::in_place_index<1>, std::move(unexpected).error()) {}
  template <typename U>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::decay_t<U>, Result> &&
             !std::is_same_v<std::decay_t<U>, Unexpected> && !std::is_same_v<std::decay_t<U>, T>)
  Result(U&& value) : m_data(std::in_place_index<0>, std::forward<U>(value)) {}

  bool has_value() const noexcept { return m_data.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    assert(has_value() && "Result::value() on an error");
    return std::get<0>(m_data);
  }
  const T& value() const& {
    assert(has_value() && "Result::value() on an error");
    return std::get<0>(m_data);
  }
  T&& value() && {
    assert(has_value() && "Result::value() on an error");
    return std::get<0>(std::move(m_data));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    assert(!has_value() && "Result::error() on a value");
    return std::get<1>(m_data);
  }
  Error&& error() && {
    assert(!has_value() && "Result::error() on a value");
    return std::get<1>(std::move(m_data));
  }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(m_data) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> m_data;
};

/// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;

  Result() = default;
  Result(Unexpected unexpected) : m_error(std::move(unexpected).error()), m_failed(true) {}

  bool has_value() const noexcept { return !m_failed; }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const { assert(has_value() && "Result::value() on an error"); }
  const Error& error() const& {
    assert(!has_value() && "Result::error() on a value");
    return m_error;
  }
  Error&& error() && {
    assert(!has_value() && "Result::error() on a value");
    return std::move(m_error);
  }

 private:
  Error m_error;
  bool m_failed = false;
};

/// Thrown for configuration and start-up errors only; each app's main catches it once
/// and exits with status 2.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace cti

/// Propagates an error: `auto v = CTI_TRY(parse(x));` returns the Error from the enclosing
/// function when parse fails. Uses a GNU statement expression (g++ and clang both have it).
#define CTI_TRY(expr)                                                \
  __extension__({                                                    \
    auto&& cti_try_result_ = (expr);                                 \
    if (!cti_try_result_) {                                          \
      return ::cti::Unexpected(std::move(cti_try_result_).error());  \
    }                                                                \
    std::move(cti_try_result_).value();                              \
  })
