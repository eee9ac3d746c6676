#include "caller_cache.hpp"

#include <doctest/doctest.h>

using namespace cti::adapters::salesforce::detail;
using std::chrono::seconds;

namespace {

const std::vector<sfmatch::RecordRef> k_ada{{"Contact", "003D000000IqhSLIAZ", "Ada"}};

}  // namespace

TEST_CASE("caller cache: entries expire after their TTL, negative entries sooner") {
  CallerCache cache({seconds(300), seconds(60), 100});
  const CallerCache::TimePoint t0{};
  cache.store("FIND {2128425500}", k_ada, t0);
  cache.store("FIND {2125550000}", {}, t0);

  CHECK(cache.find("FIND {2128425500}", t0 + seconds(59)) == k_ada);
  CHECK(cache.find("FIND {2125550000}", t0 + seconds(59))->empty());
  CHECK_FALSE(cache.find("FIND {2125550000}", t0 + seconds(60)));  // negative TTL over
  CHECK(cache.find("FIND {2128425500}", t0 + seconds(299)) == k_ada);
  CHECK_FALSE(cache.find("FIND {2128425500}", t0 + seconds(300)));
  CHECK(cache.size() == 0);  // expired entries are dropped when seen
  CHECK_FALSE(cache.find("FIND {unknown}", t0));
}

TEST_CASE("caller cache: bounded, the least recently used entry goes first") {
  CallerCache cache({seconds(300), seconds(60), 2});
  const CallerCache::TimePoint t0{};
  cache.store("a", k_ada, t0);
  cache.store("b", k_ada, t0);
  CHECK(cache.find("a", t0));  // a is now the most recent
  cache.store("c", k_ada, t0);
  CHECK(cache.size() == 2);
  CHECK(cache.find("a", t0));
  CHECK_FALSE(cache.find("b", t0));
  CHECK(cache.find("c", t0));
}

TEST_CASE("caller cache: storing again refreshes the entry") {
  CallerCache cache({seconds(10), seconds(5), 10});
  const CallerCache::TimePoint t0{};
  cache.store("a", {}, t0);
  cache.store("a", k_ada, t0 + seconds(4));
  CHECK(cache.size() == 1);
  CHECK(cache.find("a", t0 + seconds(13)) == k_ada);
}

TEST_CASE("caller cache: size 0 or TTL 0 disables it") {
  CallerCache off({seconds(300), seconds(60), 0});
  off.store("a", k_ada, {});
  CHECK_FALSE(off.find("a", {}));
  CallerCache no_negative({seconds(300), seconds(0), 10});
  no_negative.store("a", {}, {});
  CHECK_FALSE(no_negative.find("a", {}));
}
