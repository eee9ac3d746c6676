#pragma once
// Reading Salesforce's answers. Every body is untrusted: wrong shapes, missing fields, odd
// types and deep nesting become a clear error, never an exception or a crash.

#include "cti/adapters/salesforce/salesforce_adapter.hpp"

#include "sfmatch/match_plan.hpp"
#include "sfmatch/pop_decision.hpp"

#include "cti/result.hpp"

#include <Poco/Dynamic/Var.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cti::adapters::salesforce::detail {

using Json = Poco::Dynamic::Var;

/// The fields a query selects, per object, in select order, read from the query text:
/// `SELECT Id, CaseNumber FROM Case ...` or `... RETURNING Contact(Id, Name), Lead(Id, Name)`.
class Selection {
 public:
  static Selection of(sfmatch::QueryLanguage language, std::string_view query);

  /// The selected fields of `object` (case-insensitive), or null when the query text did not
  /// say (a shape this reader does not know).
  const std::vector<std::string>* fields_of(std::string_view object) const;

 private:
  std::vector<std::pair<std::string, std::vector<std::string>>> m_objects;
};

/// Chooses which field of a record is its display name: the configured name field of the
/// object (Name by default) when the query selected it, else the first selected field other
/// than Id.
class NameFields {
 public:
  NameFields(const std::map<std::string, std::string, std::less<>>& configured, Selection selection)
      : m_configured(configured), m_selection(std::move(selection)) {}

  std::string_view field_for(std::string_view object) const;

 private:
  const std::map<std::string, std::string, std::less<>>& m_configured;
  Selection m_selection;
};

/// Parses a JSON document (object or array at the top, at most 32 levels deep).
cti::Result<Json> parse_json(std::string_view body);

/// One page of a SOQL query result.
struct QueryPage {
  std::vector<sfmatch::RecordRef> records;
  std::string next_records_url;  ///< empty when done
};

cti::Result<QueryPage> read_query_page(const Json& json, const NameFields& names);
cti::Result<std::vector<sfmatch::RecordRef>> read_search_result(const Json& json,
                                                                const NameFields& names);
/// The id of a record made by POST sobjects (`{"id":"...","success":true,"errors":[]}`).
cti::Result<std::string> read_created_id(const Json& json);

/// A nextRecordsUrl is followed only when it is a query locator path under this version.
bool is_query_locator_path(std::string_view path, std::string_view api_version);

/// A REST error (`[{"errorCode":"...","message":"..."}]`) or an OAuth error
/// (`{"error":"...","error_description":"..."}`), read leniently: any body gives something
/// printable.
struct ApiError {
  std::string code;     ///< errorCode / error; empty when the body had none
  std::string message;  ///< message / error_description, or an excerpt of the body
};

ApiError read_api_error(std::string_view body);

/// "CODE: message" (or just one of them).
std::string describe(const ApiError& error);

/// A successful token response.
struct TokenGrant {
  std::string access_token;
  std::string instance_url;
};

cti::Result<TokenGrant> read_token_grant(std::string_view body);

/// `Sforce-Limit-Info: api-usage=18/5000; per-app-api-usage=17/250(appName=x)` -> 18/5000.
std::optional<ApiUsage> parse_limit_info(std::string_view header);

/// One subrequest's answer inside a composite response.
struct CompositeItem {
  std::string reference_id;
  int status = 0;
  Json body;
};

cti::Result<std::vector<CompositeItem>> read_composite(const Json& json);

/// A subrequest's error body (already parsed), read like read_api_error does.
ApiError api_error_of(const Json& body);

/// 15 or 18 base62 characters.
bool is_record_id(std::string_view id) noexcept;

}  // namespace cti::adapters::salesforce::detail
