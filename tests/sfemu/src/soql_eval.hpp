#pragma once
// Binds a parsed SOQL query to the schema (names -> fields, literal types checked) and runs
// it against the org's records. The SOSL evaluator reuses the binding, filtering, sorting and
// rendering pieces for its RETURNING clauses.

#include "api_error.hpp"
#include "json_util.hpp"
#include "org_store.hpp"
#include "soql_parser.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace cti::sfemu {

/// A field reference resolved against the schema: the reference fields followed, then the
/// field read. Polymorphic hops (Task.Who, Task.What) pick the leaf by name at run time.
struct ResolvedPath {
  std::vector<std::string> relationships;  ///< canonical relationship names, e.g. {"Account"}
  std::vector<std::string> hop_fields;     ///< the reference fields behind them, e.g. {"AccountId"}
  std::string leaf;                        ///< canonical field name
  const FieldDef* leaf_def = nullptr;      ///< used for type checks
  std::size_t offset = 0;
  std::string text() const;
};

struct BoundCondition {
  Condition::Kind kind = Condition::Kind::compare;
  ResolvedPath path;
  CompareOp op = CompareOp::eq;
  std::vector<Literal> values;
  std::vector<BoundCondition> children;
};

struct BoundOrder {
  ResolvedPath path;
  bool descending = false;
  bool nulls_last = false;
};

/// Context for error messages: the statement text and the error code for syntax problems.
struct Statement {
  std::string_view text;
  std::string malformed_code;  ///< MALFORMED_QUERY or MALFORMED_SEARCH
};

ApiResult<ResolvedPath> resolve_path(const Schema& schema, const ObjectDef& object, const FieldPath& path,
                                     const Statement& statement);
ApiResult<std::vector<ResolvedPath>> resolve_select(const Schema& schema, const ObjectDef& object,
                                                    const std::vector<FieldPath>& fields, const Statement& statement);
ApiResult<BoundCondition> bind_condition(const Schema& schema, const ObjectDef& object, const Condition& condition,
                                         const Statement& statement);
ApiResult<std::vector<BoundOrder>> bind_order(const Schema& schema, const ObjectDef& object,
                                              const std::vector<OrderItem>& items, const Statement& statement);

const Value& value_at(const OrgStore& store, const Record& record, const ResolvedPath& path);
bool matches(const OrgStore& store, const Record& record, const BoundCondition& condition);
void sort_records(const OrgStore& store, std::vector<const Record*>& records, const std::vector<BoundOrder>& order);

/// A record as the REST API returns it: attributes first, then the selected fields in order,
/// parent fields nested under their relationship name (null when the parent is absent).
JsonObject render_record(const OrgStore& store, const Record& record, const std::vector<ResolvedPath>& select,
                         std::string_view api_version);
Poco::Dynamic::Var to_json_value(const Value& value);
JsonObject record_attributes(const Record& record, std::string_view api_version);

/// The result of a SOQL query before paging.
struct QueryOutcome {
  bool count_only = false;
  std::size_t total = 0;
  std::vector<const Record*> records;
  std::vector<ResolvedPath> select;
};

/// Parses and runs a SOQL statement. Errors: MALFORMED_QUERY, INVALID_TYPE, INVALID_FIELD,
/// INVALID_QUERY_FILTER_OPERATOR, NUMBER_OUTSIDE_VALID_RANGE.
ApiResult<QueryOutcome> run_soql(const OrgStore& store, std::string_view statement);

/// Salesforce's maximum OFFSET.
inline constexpr std::int64_t max_soql_offset = 2000;

/// ASCII case-insensitive wildcard match over code points (LIKE and SOSL share it).
bool wildcard_match(const std::u32string& pattern, const std::u32string& text, char32_t any_sequence,
                    char32_t any_char);

}  // namespace cti::sfemu
