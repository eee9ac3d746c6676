#include "cti/result.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace {

using cti::ErrorCode;
using cti::Result;

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') {
    return cti::fail(ErrorCode::invalid_input, std::string("not a digit: ") + c);
  }
  return c - '0';
}

// Two digits through CTI_TRY: the first failure leaves the function.
Result<int> parse_two(std::string_view text) {
  if (text.size() != 2) {
    return cti::fail(ErrorCode::invalid_input, "need two characters");
  }
  const int tens = CTI_TRY(parse_digit(text[0]));
  const int ones = CTI_TRY(parse_digit(text[1]));
  return tens * 10 + ones;
}

Result<void> check_positive(int value) {
  if (value <= 0) {
    return cti::fail(ErrorCode::conflict, "not positive");
  }
  return {};
}

Result<int> doubled_if_positive(int value) {
  CTI_TRY(check_positive(value));
  return value * 2;
}

Result<std::unique_ptr<int>> make_box(int value) {
  if (value < 0) {
    return cti::fail(ErrorCode::invalid_input, "negative");
  }
  return std::make_unique<int>(value);
}

Result<int> unbox(int value) {
  std::unique_ptr<int> box = CTI_TRY(make_box(value));
  return *box;
}

}  // namespace

TEST_CASE("to_string(ErrorCode) gives the stable lower-case names") {
  const struct {
    ErrorCode code;
    std::string_view name;
  } cases[] = {
      {ErrorCode::invalid_input, "invalid_input"}, {ErrorCode::not_found, "not_found"},
      {ErrorCode::conflict, "conflict"},           {ErrorCode::unauthorized, "unauthorized"},
      {ErrorCode::forbidden, "forbidden"},         {ErrorCode::timeout, "timeout"},
      {ErrorCode::rate_limited, "rate_limited"},   {ErrorCode::not_supported, "not_supported"},
      {ErrorCode::unavailable, "unavailable"},     {ErrorCode::internal, "internal"},
  };
  for (const auto& c : cases) {
    SUBCASE(std::string(c.name).c_str()) { CHECK(cti::to_string(c.code) == c.name); }
  }
}

TEST_CASE("Result<T> holds a value or an error") {
  SUBCASE("value") {
    const Result<int> r = 42;
    REQUIRE(r.has_value());
    CHECK(static_cast<bool>(r));
    CHECK(r.value() == 42);
    CHECK(*r == 42);
    CHECK(r.value_or(7) == 42);
  }
  SUBCASE("error") {
    const Result<int> r = cti::fail(ErrorCode::not_found, "no such call");
    REQUIRE_FALSE(r.has_value());
    CHECK_FALSE(static_cast<bool>(r));
    CHECK(r.error().code == ErrorCode::not_found);
    CHECK(r.error().message == "no such call");
    CHECK(r.value_or(7) == 7);
    CHECK(r.error() == cti::Error{ErrorCode::not_found, "no such call"});
  }
  SUBCASE("converting construction and member access") {
    Result<std::string> r = "abc";
    REQUIRE(r.has_value());
    CHECK(r->size() == 3);
    r.value() += "d";
    CHECK(*r == "abcd");
    const std::string moved = std::move(r).value();
    CHECK(moved == "abcd");
  }
  SUBCASE("an Unexpected built from an Error") {
    const Result<std::string> r = cti::Unexpected(cti::Error{ErrorCode::timeout, "slow"});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::timeout);
    CHECK(r.value_or("fallback") == "fallback");
  }
}

TEST_CASE("CTI_TRY returns the first error and unwraps values") {
  const struct {
    std::string_view input;
    bool ok;
    int value;
    std::string_view message;
  } cases[] = {
      {"42", true, 42, ""},
      {"07", true, 7, ""},
      {"4x", false, 0, "not a digit: x"},
      {"y2", false, 0, "not a digit: y"},
      {"123", false, 0, "need two characters"},
  };
  for (const auto& c : cases) {
    SUBCASE(std::string(c.input).c_str()) {
      const auto r = parse_two(c.input);
      REQUIRE(r.has_value() == c.ok);
      if (c.ok) {
        CHECK(r.value() == c.value);
      } else {
        CHECK(r.error().code == ErrorCode::invalid_input);
        CHECK(r.error().message == c.message);
      }
    }
  }
}

TEST_CASE("CTI_TRY works with Result<void> and move-only values") {
  CHECK(doubled_if_positive(21).value() == 42);
  const auto refused = doubled_if_positive(0);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::conflict);

  CHECK(unbox(5).value() == 5);
  const auto negative = unbox(-1);
  REQUIRE_FALSE(negative);
  CHECK(negative.error().message == "negative");
}

TEST_CASE("Result<void>") {
  const Result<void> ok;
  CHECK(ok.has_value());
  CHECK(static_cast<bool>(ok));
  ok.value();  // does not assert

  Result<void> failed = cti::fail(ErrorCode::unavailable, "peer down");
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code == ErrorCode::unavailable);
  const cti::Error taken = std::move(failed).error();
  CHECK(taken.message == "peer down");
}

TEST_CASE("ConfigError is a runtime_error carrying its message") {
  try {
    throw cti::ConfigError("bad key 'pbx'");
  } catch (const std::runtime_error& e) {
    CHECK(std::string_view(e.what()) == "bad key 'pbx'");
  }
}
