// Fuzzes the readers of Salesforce's answers with arbitrary bytes as a response body, a
// Sforce-Limit-Info header and query text. Invariants:
// - nothing crashes, hangs or throws;
// - every record read has a valid Id, a type made of word characters and a bounded name;
// - error descriptions are bounded and free of control characters;
// - a token accepted for the Authorization header is printable ASCII.

#include "rest_parser.hpp"

#include "fuzz/fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace {

using namespace cti::adapters::salesforce::detail;

const std::map<std::string, std::string, std::less<>> k_names{{"Case", "CaseNumber"}};

void check_records(const std::vector<sfmatch::RecordRef>& records) {
  for (const auto& record : records) {
    FUZZ_CHECK(is_record_id(record.id));
    FUZZ_CHECK(!record.object.empty() && record.object.size() <= 80);
    FUZZ_CHECK(record.name.size() <= 1024);
  }
}

void check_printable(std::string_view text, std::size_t max) {
  FUZZ_CHECK(text.size() <= max);
  for (const char c : text) {
    FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const NameFields soql_names(k_names, Selection::of(sfmatch::QueryLanguage::soql, input));
  const NameFields sosl_names(k_names, Selection::of(sfmatch::QueryLanguage::sosl, input));
  (void)soql_names.field_for("Case");
  (void)sosl_names.field_for("Contact");

  if (auto json = parse_json(input)) {
    if (auto page = read_query_page(*json, soql_names)) {
      check_records(page->records);
    }
    if (auto found = read_search_result(*json, sosl_names)) {
      check_records(*found);
    }
    if (auto items = read_composite(*json)) {
      for (const auto& item : *items) {
        FUZZ_CHECK(item.status >= 100 && item.status <= 599);
        (void)read_query_page(item.body, soql_names);
        const ApiError error = api_error_of(item.body);
        check_printable(error.code, 70);
        check_printable(error.message, 310);
      }
    }
    if (auto id = read_created_id(*json)) {
      FUZZ_CHECK(is_record_id(*id));
    }
  }
  const ApiError error = read_api_error(input);
  check_printable(describe(error), 400);
  if (auto grant = read_token_grant(input)) {
    for (const char c : grant->access_token) {
      FUZZ_CHECK(c > ' ' && c < 0x7F);
    }
  }
  if (auto usage = parse_limit_info(input)) {
    FUZZ_CHECK(usage->limit > 0);
  }
  (void)is_query_locator_path(input, "59.0");
  return 0;
}
