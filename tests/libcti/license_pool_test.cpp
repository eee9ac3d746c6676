#include "cti/agent.hpp"

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

using cti::ErrorCode;
using cti::LicensePool;

TEST_CASE("a licence pool hands out seats up to its size") {
  LicensePool pool("Salesforce Integration", 2);
  CHECK(pool.name() == "Salesforce Integration");
  CHECK(pool.total() == 2);
  CHECK(pool.assigned() == 0);

  REQUIRE(pool.assign("201").has_value());
  REQUIRE(pool.assign("105").has_value());
  CHECK(pool.assigned() == 2);
  CHECK(pool.is_assigned("201"));
  CHECK_FALSE(pool.is_assigned("300"));
  CHECK(pool.members() == std::vector<std::string>{"105", "201"});

  SUBCASE("past the seat count") {
    const auto r = pool.assign("300");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::conflict);
    CHECK(r.error().message == "licence \"Salesforce Integration\": all 2 seats are assigned");
    CHECK(pool.assigned() == 2);
    CHECK_FALSE(pool.is_assigned("300"));
  }
  SUBCASE("re-assigning a member is a no-op") {
    CHECK(pool.assign("201").has_value());
    CHECK(pool.assigned() == 2);
  }
  SUBCASE("unassign frees a seat") {
    REQUIRE(pool.unassign("201").has_value());
    CHECK_FALSE(pool.is_assigned("201"));
    CHECK(pool.assign("300").has_value());
    CHECK(pool.members() == std::vector<std::string>{"105", "300"});
  }
  SUBCASE("unassign of a non-member") {
    const auto r = pool.unassign("300");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::not_found);
    CHECK(r.error().message.find("300 holds no seat") != std::string::npos);
  }
  SUBCASE("resize below the seats in use is refused") {
    const auto r = pool.resize(1);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::conflict);
    CHECK(r.error().message.find("2 are assigned") != std::string::npos);
    CHECK(pool.total() == 2);
  }
  SUBCASE("resize to the seats in use or more") {
    CHECK(pool.resize(2).has_value());
    REQUIRE(pool.resize(5).has_value());
    CHECK(pool.total() == 5);
    CHECK(pool.assign("300").has_value());
  }
}

TEST_CASE("licence messages for one seat and no seats") {
  LicensePool one("Salesforce Integration", 1);
  REQUIRE(one.assign("201").has_value());
  CHECK(one.assign("202").error().message ==
        "licence \"Salesforce Integration\": its only seat is assigned");

  LicensePool none("Trial", 0);
  const auto r = none.assign("201");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == ErrorCode::conflict);
  CHECK(r.error().message == "licence \"Trial\": it has no seats");
}

TEST_CASE("licence pool validates extensions") {
  LicensePool pool("Salesforce Integration", 10);
  for (const char* bad : {"", "20a", "12345678901234567", "+201"}) {
    SUBCASE(bad) {
      const auto assigned = pool.assign(bad);
      REQUIRE_FALSE(assigned.has_value());
      CHECK(assigned.error().code == ErrorCode::invalid_input);
      const auto unassigned = pool.unassign(bad);
      REQUIRE_FALSE(unassigned.has_value());
      CHECK(unassigned.error().code == ErrorCode::invalid_input);
      CHECK(pool.assigned() == 0);
    }
  }
}

TEST_CASE("concurrent assignment never exceeds the seats") {
  LicensePool pool("Salesforce Integration", 50);
  std::vector<std::thread> workers;
  std::vector<int> granted(4, 0);
  for (std::size_t t = 0; t < granted.size(); ++t) {
    workers.emplace_back([&pool, &granted, t] {
      for (int i = 0; i < 40; ++i) {
        if (pool.assign(std::to_string(1000 + static_cast<int>(t) * 100 + i)).has_value()) {
          ++granted[t];
        }
      }
    });
  }
  for (auto& worker : workers) {
    worker.join();
  }
  CHECK(pool.assigned() == 50);
  CHECK(granted[0] + granted[1] + granted[2] + granted[3] == 50);
}
