#pragma once
// The versioned REST resources below /services/data/vXX.X: query (with paging), search,
// sObjects (create, read, update, delete, describe), composite, limits. Transport-free: the
// HTTP layer authenticates, counts and applies faults, then hands requests here; composite
// subrequests come back through the same dispatcher.

#include "json_util.hpp"
#include "oauth.hpp"
#include "org_store.hpp"
#include "record_id.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cti::sfemu {

struct ApiRequest {
  std::string method;
  std::string resource;  ///< the path after /services/data/vXX.X/, e.g. "sobjects/Contact"
  std::string query;     ///< the raw query string, without '?'
  std::string body;
  std::string query_options;  ///< the Sforce-Query-Options header
};

struct ApiResponse {
  int status = 200;
  Poco::Dynamic::Var body;  ///< empty: no body (204)
  std::vector<std::pair<std::string, std::string>> headers;
};

ApiResponse error_response(const ApiError& error);

/// Oldest and newest API versions served ("31.0" .. "66.0").
inline constexpr int min_api_version = 31;
inline constexpr int max_api_version = 66;

/// "v59.0" -> true when served.
bool is_supported_version(std::string_view version);
/// The versions list of GET /services/data/.
JsonArray versions_list();

class RestApi {
 public:
  RestApi(OrgStore& store, std::size_t batch_size);

  /// Handles one request for an authenticated session. `usage` and `limit` feed /limits.
  ApiResponse handle(const ApiRequest& request, const Session& session, std::string_view version,
                     std::uint64_t usage, std::uint64_t limit);

  void set_batch_size(std::size_t batch_size) { m_batch_size = batch_size; }
  std::size_t batch_size() const { return m_batch_size; }
  /// Salesforce's composite does not accept /search subrequests; this can allow them.
  void set_composite_allows_search(bool allowed) { m_composite_search = allowed; }

 private:
  struct Cursor {
    std::vector<Poco::Dynamic::Var> records;
    std::size_t batch_size = 0;
  };

  ApiResponse dispatch(const ApiRequest& request, const Session& session, std::string_view version,
                       std::uint64_t usage, std::uint64_t limit, bool in_composite);
  ApiResponse query(const ApiRequest& request, std::string_view version);
  ApiResponse query_more(std::string_view locator, std::string_view version);
  ApiResponse search(const ApiRequest& request, std::string_view version);
  ApiResponse sobjects(const ApiRequest& request, const Session& session, std::string_view version,
                       const std::vector<std::string>& segments);
  ApiResponse composite(const ApiRequest& request, const Session& session, std::uint64_t usage,
                        std::uint64_t limit);
  ApiResponse page(std::string_view version, const std::string& locator, std::size_t offset);

  OrgStore& m_store;
  std::size_t m_batch_size;
  bool m_composite_search = false;
  IdGenerator m_locators;
  std::map<std::string, Cursor> m_cursors;  // by locator
  std::deque<std::string> m_cursor_order;   // oldest first, to bound memory
};

}  // namespace cti::sfemu
