#pragma once
// FakeCrmClient: answers queries from a table keyed by the exact query text and records
// every call, so tests can see which lookups ran and in what order.

#include "sfmatch/crm_client.hpp"

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sfmatch::testing {

class FakeCrmClient : public CrmClient {
 public:
  /// Records returned for a query or search text; anything else finds nothing.
  std::map<std::string, std::vector<RecordRef>, std::less<>> answers;
  /// Query or search texts that fail with `failure`.
  std::vector<std::string> failing;
  cti::Error failure{cti::ErrorCode::unavailable, "Salesforce answered 503"};
  /// "soql: ..." / "sosl: ..." / "create: Object", in call order.
  std::vector<std::string> calls;

  cti::Result<std::vector<RecordRef>> query(std::string_view soql) override {
    calls.push_back("soql: " + std::string(soql));
    return answer(soql);
  }
  cti::Result<std::vector<RecordRef>> search(std::string_view sosl) override {
    calls.push_back("sosl: " + std::string(sosl));
    return answer(sosl);
  }
  cti::Result<std::string> create(std::string_view object,
                                  const std::vector<std::pair<std::string, std::string>>&) override {
    calls.push_back("create: " + std::string(object));
    return std::string("00T000000000001AAA");
  }

 private:
  cti::Result<std::vector<RecordRef>> answer(std::string_view text) const {
    for (const auto& failing_text : failing) {
      if (failing_text == text) {
        return cti::Unexpected(failure);
      }
    }
    if (const auto it = answers.find(text); it != answers.end()) {
      return it->second;
    }
    return std::vector<RecordRef>{};
  }
};

}  // namespace sfmatch::testing
