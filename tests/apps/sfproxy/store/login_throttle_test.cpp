#include "service/sessions.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace std::chrono_literals;
using sfproxy::LoginThrottle;
using sfproxy::ThrottleConfig;
using store_test::ManualClock;

namespace {

std::string wait_message(const cti::Result<void>& result) {
  return result ? std::string("allowed") : result.error().message;
}

std::string waits(std::int64_t seconds) {
  return "too many failed sign-ins; try again in " + std::to_string(seconds) + " s";
}

}  // namespace

TEST_CASE("the back-off starts after the free failures and doubles up to its cap") {
  ManualClock clock;
  ThrottleConfig config;
  config.free_failures = 3;
  config.max_backoff = 10s;
  LoginThrottle throttle(config, clock.function());

  for (int i = 0; i < 2; ++i) {
    throttle.record_failure("137", "10.0.0.1");
    CHECK(throttle.check("137", "10.0.0.1"));
  }
  // Third failure: 1 s, then 2, 4, 8, and 10 (the cap) from then on.
  for (const std::int64_t expected : {1, 2, 4, 8, 10, 10}) {
    CAPTURE(expected);
    throttle.record_failure("137", "10.0.0.1");
    const auto refused = throttle.check("137", "10.0.0.1");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == cti::ErrorCode::rate_limited);
    CHECK(refused.error().message == waits(expected));
    CHECK(throttle.check("138", "10.0.0.1"));  // other accounts are not held back
    clock.advance(std::chrono::seconds(expected) - 1ms);
    CHECK(wait_message(throttle.check("137", "10.0.0.2")) == waits(1));
    clock.advance(1ms);
    CHECK(throttle.check("137", "10.0.0.2"));
  }

  SUBCASE("a success clears the account's back-off") {
    throttle.record_failure("137", "10.0.0.1");
    CHECK_FALSE(throttle.check("137", "10.0.0.1"));
    throttle.record_success("137");
    CHECK(throttle.check("137", "10.0.0.1"));
    throttle.record_failure("137", "10.0.0.1");  // the first after a success is free again
    CHECK(throttle.check("137", "10.0.0.1"));
  }
  SUBCASE("an hour without failures starts the count over") {
    clock.advance(61min);
    throttle.record_failure("137", "10.0.0.1");
    CHECK(throttle.check("137", "10.0.0.1"));
  }
}

TEST_CASE("at most so many failures an hour per account") {
  ManualClock clock;
  ThrottleConfig config;
  config.free_failures = 1000;  // only the hourly cap here
  config.max_failures_per_account_per_hour = 100;
  LoginThrottle throttle(config, clock.function());

  for (int i = 0; i < 99; ++i) {
    throttle.record_failure("137", "10.0.0." + std::to_string(i));
    clock.advance(10s);
  }
  CHECK(throttle.check("137", "10.0.1.1"));
  throttle.record_failure("137", "10.0.1.1");
  const auto refused = throttle.check("137", "10.0.1.2");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == cti::ErrorCode::rate_limited);

  throttle.record_success("137");  // does not reset the hourly count
  CHECK_FALSE(throttle.check("137", "10.0.1.2"));
  CHECK(throttle.check("138", "10.0.1.2"));

  // The failures were spread over 16.5 minutes; the first five minutes' worth (30) leave
  // the window an hour after they began.
  clock.advance(40min);
  CHECK_FALSE(throttle.check("137", "10.0.1.2"));
  clock.advance(5min);
  CHECK(throttle.check("137", "10.0.1.2"));
}

TEST_CASE("the wait of an hourly cap says when the window frees a slot") {
  ManualClock clock;
  clock.now = std::chrono::steady_clock::time_point(std::chrono::hours(1000));  // slot aligned
  ThrottleConfig config;
  config.free_failures = 1000;
  config.max_failures_per_account_per_hour = 2;
  LoginThrottle throttle(config, clock.function());
  throttle.record_failure("137", "a");
  clock.advance(20min);
  throttle.record_failure("137", "b");
  // The first failure's five-minute slot leaves the window 60 min after it began.
  CHECK(wait_message(throttle.check("137", "c")) == waits(40 * 60));
  clock.advance(40min);
  CHECK(throttle.check("137", "c"));
}

TEST_CASE("at most so many failures an hour per address, across accounts") {
  ManualClock clock;
  ThrottleConfig config;
  config.free_failures = 1000;
  config.max_failures_per_address_per_hour = 10;
  LoginThrottle throttle(config, clock.function());
  for (int i = 0; i < 10; ++i) {
    CHECK(throttle.check(std::to_string(100 + i), "192.0.2.7"));
    throttle.record_failure(std::to_string(100 + i), "192.0.2.7");
  }
  CHECK_FALSE(throttle.check("555", "192.0.2.7"));
  CHECK(throttle.check("555", "192.0.2.8"));
  throttle.record_success("555");  // a success does not clear the address
  CHECK_FALSE(throttle.check("555", "192.0.2.7"));
}

TEST_CASE("the throttle's memory is bounded: the least recent keys are evicted") {
  ManualClock clock;
  ThrottleConfig config;
  config.free_failures = 0;
  config.max_backoff = 900s;
  config.max_tracked_keys = 100;
  LoginThrottle throttle(config, clock.function());
  for (int i = 0; i < 5000; ++i) {
    throttle.record_failure(std::to_string(10000 + i), "198.51.100." + std::to_string(i));
  }
  CHECK(throttle.tracked_keys() == 200);
  CHECK_FALSE(throttle.check("14999", "203.0.113.1"));  // recent: still held back
  CHECK(throttle.check("10000", "203.0.113.1"));        // evicted

  // Hostile, huge keys cost no more than short ones.
  throttle.record_failure(std::string(100000, '9'), std::string(100000, 'x'));
  CHECK(throttle.tracked_keys() == 200);
  CHECK_FALSE(throttle.check(std::string(100000, '9'), "203.0.113.1"));
}
