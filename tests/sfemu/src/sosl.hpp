#pragma once
// SOSL subset: FIND {term} [IN ALL|NAME|EMAIL|PHONE|SIDEBAR FIELDS]
//   [RETURNING Object[(fields [WHERE ...] [ORDER BY ...] [LIMIT n] [OFFSET n])] {, ...}] [LIMIT n]
//
// The term is words and "phrases" joined by AND, OR, AND NOT (AND when nothing is written),
// with parentheses. `*` (zero or more characters) and `?` (one character) are wildcards.
// The reserved characters ? & | ! { } [ ] ( ) ^ ~ * : \ " ' + - must be escaped with a
// backslash to be searched literally; an unescaped one that is not syntax is MALFORMED_SEARCH.
//
// Text matching follows Salesforce's tokenisation: stored values are split into tokens at
// spaces, punctuation and letter/digit changes, and the term's tokens must appear
// consecutively, case-insensitively. Phone fields are also matched by digits; the rule is
// phone_matches() below.

#include "api_error.hpp"
#include "json_util.hpp"
#include "org_store.hpp"
#include "soql_eval.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace cti::sfemu {

enum class SearchScope { all, name, email, phone, sidebar };

/// A node of the FIND term.
struct SearchTerm {
  enum class Kind { word, phrase, all_of, any_of, and_not };
  Kind kind = Kind::word;
  std::u32string pattern;  ///< word/phrase text; like_any_sequence / like_any_char mark * and ?
  std::vector<SearchTerm> children;
};

struct ReturningSpec {
  std::string object;
  std::size_t object_offset = 0;
  std::vector<FieldPath> fields;  ///< empty: Id only
  std::optional<Condition> where;
  std::vector<OrderItem> order_by;
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> offset;
};

struct SoslQuery {
  SearchTerm term;
  SearchScope scope = SearchScope::all;
  std::vector<ReturningSpec> returning;  ///< empty: every searchable object, Id only
  std::optional<std::int64_t> limit;
};

ApiResult<SoslQuery> parse_sosl(std::string_view statement);

/// Parses and runs a search; returns the `searchRecords` array, grouped in RETURNING order.
ApiResult<JsonArray> run_sosl(const OrgStore& store, std::string_view statement, std::string_view api_version);

/// Salesforce returns at most this many search results in total.
inline constexpr std::size_t max_search_results = 2000;

/// The phone rule (an explicit assumption, because Salesforce does not document how it
/// normalises phone numbers for search):
///  - the stored value is cut at its first letter (dropping " x12", " ext. 12"), then
///    reduced to its digits;
///  - the search term must consist only of digits, the wildcards * and ?, and the phone
///    punctuation + - ( ) . and space; it is reduced to digits and wildcards;
///  - an 11-digit string starting with 1 (the NANP country code) is reduced to its last 10
///    digits, on either side;
///  - the two match when the reduced strings are equal (with wildcards: when the term
///    pattern matches the stored digits, with or without the leading 1).
/// So "(212) 842-5500", "212-842-5500", "+1 212 842 5500", "212.842.5500" and "2128425500"
/// are all found by 2128425500 and by 12128425500, while a partial number such as 8425500
/// finds none of them (a single group such as 842 still matches as an ordinary token).
bool phone_matches(std::string_view stored, std::string_view term);

}  // namespace cti::sfemu
