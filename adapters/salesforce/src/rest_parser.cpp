#include "rest_parser.hpp"

#include "text.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <charconv>
#include <limits>

namespace cti::adapters::salesforce::detail {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::size_t k_max_json_depth = 32;
constexpr std::size_t k_max_records_per_page = 2000;  // Salesforce's largest batch
constexpr std::size_t k_max_name_bytes = 1024;
constexpr std::size_t k_max_token_bytes = 4096;

bool is_word_char(char c) noexcept { return is_alnum(c) || c == '_'; }

/// Whether `keyword` starts at `at` as a whole word.
bool keyword_at(std::string_view text, std::size_t at, std::string_view keyword) noexcept {
  if (at + keyword.size() > text.size() || !iequals(text.substr(at, keyword.size()), keyword)) {
    return false;
  }
  const bool starts = at == 0 || !is_word_char(text[at - 1]);
  const bool ends = at + keyword.size() == text.size() || !is_word_char(text[at + keyword.size()]);
  return starts && ends;
}

/// Skips a quoted literal starting at `at` (a quote); returns the index after it.
std::size_t skip_quoted(std::string_view text, std::size_t at) noexcept {
  const char quote = text[at];
  for (std::size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      return i + 1;
    }
  }
  return text.size();
}

/// The first index >= `from` where `keyword` appears as a word at nesting depth 0, outside
/// quotes and braces; npos if none.
std::size_t find_top_level(std::string_view text, std::size_t from, std::string_view keyword) {
  int depth = 0;
  for (std::size_t i = from; i < text.size();) {
    const char c = text[i];
    if (c == '\'' || c == '"') {
      i = skip_quoted(text, i);
      continue;
    }
    if (c == '{') {  // a SOSL search term: skip to its unescaped closing brace
      ++i;
      while (i < text.size() && text[i] != '}') {
        i += text[i] == '\\' ? 2u : 1u;
      }
      ++i;
      continue;
    }
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (depth == 0 && keyword_at(text, i, keyword)) {
      return i;
    }
    ++i;
  }
  return std::string_view::npos;
}

/// Splits a select list on top-level commas; drops items that are not plain field paths
/// (functions, subqueries, TYPEOF).
std::vector<std::string> split_fields(std::string_view list) {
  std::vector<std::string> fields;
  int depth = 0;
  std::size_t start = 0;
  const auto take = [&](std::size_t end) {
    const std::string_view item = trim(list.substr(start, end - start));
    bool plain = !item.empty();
    for (const char c : item) {
      plain = plain && (is_word_char(c) || c == '.');
    }
    if (plain) {
      fields.emplace_back(item);
    }
  };
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i] == '(') {
      ++depth;
    } else if (list[i] == ')') {
      --depth;
    } else if (list[i] == ',' && depth == 0) {
      take(i);
      start = i + 1;
    }
  }
  take(list.size());
  return fields;
}

std::string_view read_word(std::string_view text, std::size_t& at) {
  while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r')) {
    ++at;
  }
  const std::size_t start = at;
  while (at < text.size() && is_word_char(text[at])) {
    ++at;
  }
  return text.substr(start, at - start);
}

void skip_space(std::string_view text, std::size_t& at) {
  while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r')) {
    ++at;
  }
}

/// Query errors echo the query with a caret line before the reason ("\nSELECT ...\n   ^\n
/// ERROR at Row:1:Column:30\nNo such column ..."): the last line is the reason.
std::string_view last_line(std::string_view message) {
  message = trim(message);
  const std::size_t newline = message.find_last_of('\n');
  return newline == std::string_view::npos ? message : trim(message.substr(newline + 1));
}

bool is_object(const Json& value) { return value.type() == typeid(Object::Ptr); }
bool is_array(const Json& value) { return value.type() == typeid(Array::Ptr); }

/// A string member, or nullopt when absent or not a string.
std::optional<std::string> string_member(const Object& object, const std::string& key) {
  const Json value = object.get(key);
  if (!value.isString()) {
    return std::nullopt;
  }
  return value.extract<std::string>();
}

/// The member whose key equals `key` ignoring case (the org answers in canonical casing,
/// the query may have used any).
const Json* member_ignoring_case(const Object& object, std::string_view key) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (iequals(it->first, key)) {
      return &it->second;
    }
  }
  return nullptr;
}

cti::Result<sfmatch::RecordRef> read_record(const Json& value, std::size_t index,
                                            const NameFields& names) {
  const auto where = [&] { return "record " + std::to_string(index + 1); };
  if (!is_object(value)) {
    return cti::fail(ErrorCode::unavailable, where() + " is not a JSON object");
  }
  const Object& record = *value.extract<Object::Ptr>();
  const Object::Ptr attributes = record.getObject("attributes");
  const auto type = attributes ? string_member(*attributes, "type") : std::nullopt;
  if (!type || type->empty() || type->size() > 80) {
    return cti::fail(ErrorCode::unavailable, where() + " has no attributes.type");
  }
  for (const char c : *type) {
    if (!is_word_char(c)) {
      return cti::fail(ErrorCode::unavailable,
                       where() + " has an invalid type " + quoted_excerpt(*type, 80));
    }
  }
  const auto id = string_member(record, "Id");
  if (!id || !is_record_id(*id)) {
    return cti::fail(ErrorCode::unavailable, where() + " (" + *type + ") has no valid Id");
  }
  sfmatch::RecordRef ref{*type, *id, {}};
  const std::string_view name_field = names.field_for(*type);
  if (!name_field.empty()) {
    if (const Json* name = member_ignoring_case(record, name_field)) {
      if (name->isString()) {
        ref.name = name->extract<std::string>();
      } else if (name->isNumeric() || name->isBoolean()) {
        ref.name = name->convert<std::string>();
      }
    }
  }
  if (ref.name.size() > k_max_name_bytes) {
    return cti::fail(ErrorCode::unavailable,
                     where() + " has a name longer than " + std::to_string(k_max_name_bytes) +
                         " bytes");
  }
  return ref;
}

cti::Result<std::vector<sfmatch::RecordRef>> read_records(const Array& array,
                                                          const NameFields& names) {
  if (array.size() > k_max_records_per_page) {
    return cti::fail(ErrorCode::unavailable,
                     "Salesforce returned " + std::to_string(array.size()) +
                         " records in one page (at most " +
                         std::to_string(k_max_records_per_page) + " expected)");
  }
  std::vector<sfmatch::RecordRef> records;
  records.reserve(array.size());
  for (std::size_t i = 0; i < array.size(); ++i) {
    records.push_back(CTI_TRY(read_record(array.get(static_cast<unsigned>(i)), i, names)));
  }
  return records;
}

/// Runs a reader, turning a Poco exception (a bad cast on a strange shape) into an error.
template <typename F>
auto guarded(std::string_view what, F&& reader) -> decltype(reader()) {
  try {
    return reader();
  } catch (const Poco::Exception& error) {
    return cti::fail(ErrorCode::unavailable,
                     "malformed " + std::string(what) + ": " + error.displayText());
  } catch (const std::exception& error) {
    return cti::fail(ErrorCode::unavailable, "malformed " + std::string(what) + ": " + error.what());
  }
}

std::optional<std::uint64_t> to_count(std::string_view digits) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

Selection Selection::of(sfmatch::QueryLanguage language, std::string_view query) {
  Selection selection;
  query = trim(query);
  if (language == sfmatch::QueryLanguage::soql) {
    if (!keyword_at(query, 0, "SELECT")) {
      return selection;
    }
    const std::size_t from = find_top_level(query, 6, "FROM");
    if (from == std::string_view::npos) {
      return selection;
    }
    std::size_t at = from + 4;
    const std::string_view object = read_word(query, at);
    if (!object.empty()) {
      selection.m_objects.emplace_back(std::string(object), split_fields(query.substr(6, from - 6)));
    }
    return selection;
  }
  const std::size_t returning = find_top_level(query, 0, "RETURNING");
  if (returning == std::string_view::npos) {
    return selection;
  }
  std::size_t at = returning + 9;
  while (at < query.size()) {
    const std::string_view object = read_word(query, at);
    if (object.empty()) {
      break;
    }
    std::vector<std::string> fields;
    skip_space(query, at);
    if (at < query.size() && query[at] == '(') {
      const std::size_t open = at + 1;
      int depth = 1;
      std::size_t i = open;
      while (i < query.size() && depth > 0) {
        if (query[i] == '\'' || query[i] == '"') {
          i = skip_quoted(query, i);
          continue;
        }
        depth += query[i] == '(' ? 1 : query[i] == ')' ? -1 : 0;
        ++i;
      }
      std::string_view inside = query.substr(open, (depth == 0 ? i - 1 : i) - open);
      std::size_t cut = inside.size();
      for (const std::string_view keyword : {"WHERE", "ORDER", "LIMIT", "OFFSET", "USING", "WITH"}) {
        const std::size_t found = find_top_level(inside, 0, keyword);
        if (found < cut) {
          cut = found;
        }
      }
      fields = split_fields(inside.substr(0, cut));
      at = i;
    }
    selection.m_objects.emplace_back(std::string(object), std::move(fields));
    skip_space(query, at);
    if (at >= query.size() || query[at] != ',') {
      break;
    }
    ++at;
  }
  return selection;
}

const std::vector<std::string>* Selection::fields_of(std::string_view object) const {
  for (const auto& [name, fields] : m_objects) {
    if (iequals(name, object)) {
      return &fields;
    }
  }
  return nullptr;
}

std::string_view NameFields::field_for(std::string_view object) const {
  std::string_view configured = "Name";
  for (const auto& [key, field] : m_configured) {
    if (iequals(key, object)) {
      configured = field;
      break;
    }
  }
  const std::vector<std::string>* selected = m_selection.fields_of(object);
  if (selected == nullptr || selected->empty()) {
    return configured;
  }
  for (const auto& field : *selected) {
    if (iequals(field, configured)) {
      return field;
    }
  }
  for (const auto& field : *selected) {
    if (!iequals(field, "Id") && field.find('.') == std::string::npos) {
      return field;
    }
  }
  return {};
}

cti::Result<Json> parse_json(std::string_view body) {
  return guarded("JSON", [&]() -> cti::Result<Json> {
    Poco::JSON::Parser parser;
    parser.setDepth(k_max_json_depth);
    Json json = parser.parse(std::string(body));
    if (!is_object(json) && !is_array(json)) {
      return cti::fail(ErrorCode::unavailable, "malformed JSON: not an object or array");
    }
    return cti::Result<Json>(std::move(json));
  });
}

cti::Result<QueryPage> read_query_page(const Json& json, const NameFields& names) {
  return guarded("query result", [&]() -> cti::Result<QueryPage> {
    if (!is_object(json)) {
      return cti::fail(ErrorCode::unavailable, "malformed query result: not a JSON object");
    }
    const Object& object = *json.extract<Object::Ptr>();
    const Array::Ptr records = object.getArray("records");
    if (!records) {
      return cti::fail(ErrorCode::unavailable, "malformed query result: no records array");
    }
    QueryPage page;
    page.records = CTI_TRY(read_records(*records, names));
    const Json done = object.get("done");
    if (done.isBoolean() && !done.extract<bool>()) {
      auto next = string_member(object, "nextRecordsUrl");
      if (!next || next->empty()) {
        return cti::fail(ErrorCode::unavailable,
                         "malformed query result: done is false but nextRecordsUrl is missing");
      }
      page.next_records_url = std::move(*next);
    }
    return page;
  });
}

cti::Result<std::vector<sfmatch::RecordRef>> read_search_result(const Json& json,
                                                                const NameFields& names) {
  return guarded("search result", [&]() -> cti::Result<std::vector<sfmatch::RecordRef>> {
    if (is_array(json)) {  // API versions before 37 answered with a bare array
      return read_records(*json.extract<Array::Ptr>(), names);
    }
    const Array::Ptr records =
        is_object(json) ? json.extract<Object::Ptr>()->getArray("searchRecords") : nullptr;
    if (!records) {
      return cti::fail(ErrorCode::unavailable, "malformed search result: no searchRecords array");
    }
    return read_records(*records, names);
  });
}

cti::Result<std::string> read_created_id(const Json& json) {
  return guarded("create result", [&]() -> cti::Result<std::string> {
    const Object::Ptr object = is_object(json) ? json.extract<Object::Ptr>() : nullptr;
    const auto id = object ? string_member(*object, "id") : std::nullopt;
    if (!id || !is_record_id(*id)) {
      return cti::fail(ErrorCode::unavailable, "malformed create result: no valid id");
    }
    const Json success = object->get("success");
    if (success.isBoolean() && !success.extract<bool>()) {
      return cti::fail(ErrorCode::unavailable, "Salesforce reported the create as unsuccessful");
    }
    return *id;
  });
}

bool is_query_locator_path(std::string_view path, std::string_view api_version) {
  const std::string prefix = "/services/data/v" + std::string(api_version) + "/query/";
  if (path.size() <= prefix.size() || path.size() > 512 || path.substr(0, prefix.size()) != prefix) {
    return false;
  }
  for (const char c : path.substr(prefix.size())) {
    if (!is_alnum(c) && c != '-') {
      return false;
    }
  }
  return true;
}

ApiError api_error_of(const Json& body) {
  try {
    Object::Ptr object;
    if (is_array(body)) {
      const Array& array = *body.extract<Array::Ptr>();
      if (array.size() > 0 && is_object(array.get(0))) {
        object = array.get(0).extract<Object::Ptr>();
      }
    } else if (is_object(body)) {
      object = body.extract<Object::Ptr>();
    }
    if (!object) {
      return {};
    }
    ApiError error;
    if (auto code = string_member(*object, "errorCode")) {
      error.code = std::move(*code);
      error.message = string_member(*object, "message").value_or("");
    } else if (auto oauth = string_member(*object, "error")) {
      error.code = std::move(*oauth);
      error.message = string_member(*object, "error_description").value_or("");
    }
    // Codes and messages are shown to people and written to logs: keep them short and clean.
    error.code = printable_excerpt(error.code, 64);
    error.message = printable_excerpt(last_line(error.message), 300);
    return error;
  } catch (const Poco::Exception&) {
    return {};
  }
}

ApiError read_api_error(std::string_view body) {
  auto json = parse_json(body);
  ApiError error = json ? api_error_of(*json) : ApiError{};
  if (error.code.empty() && error.message.empty()) {
    error.message = body.empty() ? "(empty body)" : "unexpected body " + quoted_excerpt(body, 120);
  }
  return error;
}

std::string describe(const ApiError& error) {
  if (error.code.empty()) {
    return error.message;
  }
  if (error.message.empty()) {
    return error.code;
  }
  return error.code + ": " + error.message;
}

cti::Result<TokenGrant> read_token_grant(std::string_view body) {
  const Json json = CTI_TRY(parse_json(body));
  return guarded("token response", [&]() -> cti::Result<TokenGrant> {
    const Object::Ptr object = is_object(json) ? json.extract<Object::Ptr>() : nullptr;
    auto token = object ? string_member(*object, "access_token") : std::nullopt;
    if (!token || token->empty()) {
      return cti::fail(ErrorCode::unavailable, "malformed token response: no access_token");
    }
    // The token goes into a header: printable ASCII only, so it cannot smuggle a header in.
    bool clean = token->size() <= k_max_token_bytes;
    for (const char c : *token) {
      clean = clean && c > ' ' && c < 0x7F;
    }
    if (!clean) {
      return cti::fail(ErrorCode::unavailable, "malformed token response: unusable access_token");
    }
    TokenGrant grant;
    grant.access_token = std::move(*token);
    grant.instance_url = string_member(*object, "instance_url").value_or("");
    return grant;
  });
}

std::optional<ApiUsage> parse_limit_info(std::string_view header) {
  while (!header.empty()) {
    const std::size_t end = header.find_first_of(";,");
    const std::string_view item = trim(header.substr(0, end));
    header = end == std::string_view::npos ? std::string_view{} : header.substr(end + 1);
    const std::size_t equals = item.find('=');
    if (equals == std::string_view::npos || !iequals(trim(item.substr(0, equals)), "api-usage")) {
      continue;
    }
    const std::string_view value = trim(item.substr(equals + 1));
    const std::size_t slash = value.find('/');
    if (slash == std::string_view::npos) {
      return std::nullopt;
    }
    const auto used = to_count(value.substr(0, slash));
    const auto limit = to_count(value.substr(slash + 1));
    if (!used || !limit || *limit == 0) {
      return std::nullopt;
    }
    return ApiUsage{*used, *limit};
  }
  return std::nullopt;
}

cti::Result<std::vector<CompositeItem>> read_composite(const Json& json) {
  return guarded("composite response", [&]() -> cti::Result<std::vector<CompositeItem>> {
    const Object::Ptr object = is_object(json) ? json.extract<Object::Ptr>() : nullptr;
    const Array::Ptr responses = object ? object->getArray("compositeResponse") : nullptr;
    if (!responses) {
      return cti::fail(ErrorCode::unavailable,
                       "malformed composite response: no compositeResponse array");
    }
    std::vector<CompositeItem> items;
    items.reserve(responses->size());
    for (std::size_t i = 0; i < responses->size(); ++i) {
      const Json entry = responses->get(static_cast<unsigned>(i));
      const Object::Ptr item = is_object(entry) ? entry.extract<Object::Ptr>() : nullptr;
      const auto reference = item ? string_member(*item, "referenceId") : std::nullopt;
      const Json status = item ? item->get("httpStatusCode") : Json();
      if (!reference || !status.isInteger()) {
        return cti::fail(ErrorCode::unavailable, "malformed composite response: subresponse " +
                                                     std::to_string(i + 1) +
                                                     " lacks referenceId or httpStatusCode");
      }
      const auto code = status.convert<long long>();
      if (code < 100 || code > 599) {
        return cti::fail(ErrorCode::unavailable,
                         "malformed composite response: status " + std::to_string(code));
      }
      items.push_back(CompositeItem{*reference, static_cast<int>(code), item->get("body")});
    }
    return items;
  });
}

bool is_record_id(std::string_view id) noexcept {
  if (id.size() != 15 && id.size() != 18) {
    return false;
  }
  for (const char c : id) {
    if (!is_alnum(c)) {
      return false;
    }
  }
  return true;
}

}  // namespace cti::adapters::salesforce::detail
