#include "rest_api.hpp"

#include "soql_eval.hpp"
#include "sosl.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace cti::sfemu {

namespace {

// Salesforce keeps query cursors for a while; the emulator keeps the newest ones only.
constexpr std::size_t max_cursors = 100;
constexpr std::size_t max_composite_subrequests = 25;
constexpr std::size_t max_composite_queries = 5;

ApiResponse not_found() { return error_response(api_error(404, "NOT_FOUND", "The requested resource does not exist")); }

ApiResponse method_not_allowed(std::string_view method, std::string_view allowed) {
  return error_response(api_error(405, "METHOD_NOT_ALLOWED",
                                  "HTTP Method '" + std::string(method) + "' not allowed. Allowed are " + std::string(allowed)));
}

ApiResponse json_response(int status, Poco::Dynamic::Var body) {
  ApiResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) {
      std::string_view raw = path.substr(start, end - start);
      segments.push_back(percent_decode(raw, false).value_or(std::string(raw)));
    }
    start = end + 1;
  }
  return segments;
}

std::string season_label(int version) {
  // v20.0 was Winter '11; three releases a year since: Winter, Spring, Summer.
  static constexpr const char* seasons[] = {"Winter", "Spring", "Summer"};
  int index = version - 20;
  return std::string(seasons[index % 3]) + " '" + std::to_string(11 + index / 3);
}

std::optional<std::size_t> batch_size_option(std::string_view header) {
  // "batchSize=500" (other options may follow, separated by commas).
  std::size_t at = header.find("batchSize=");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view digits = header.substr(at + 10);
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc()) return std::nullopt;
  return std::clamp<std::size_t>(value, 200, 2000);
}

JsonObject describe_object(const ObjectDef& object, std::string_view version, bool with_fields) {
  JsonObject out = make_object();
  out->set("name", object.name);
  out->set("label", object.label);
  out->set("keyPrefix", object.key_prefix);
  out->set("createable", object.createable);
  out->set("updateable", object.createable);
  out->set("deletable", object.createable);
  out->set("queryable", true);
  out->set("searchable", object.createable);
  JsonObject urls = make_object();
  std::string base = "/services/data/" + std::string(version) + "/sobjects/" + object.name;
  urls->set("sobject", base);
  urls->set("describe", base + "/describe");
  urls->set("rowTemplate", base + "/{ID}");
  out->set("urls", urls);
  if (!with_fields) return out;
  JsonArray fields = make_array();
  for (const FieldDef& field : object.fields) {
    JsonObject f = make_object();
    f->set("name", field.name);
    f->set("label", field.label);
    f->set("type", std::string(describe_type_name(field.type)));
    f->set("length", static_cast<Poco::Int64>(field.length));
    f->set("autoNumber", field.type == FieldType::autonumber);
    f->set("nillable", !field.required && field.type != FieldType::boolean && field.type != FieldType::id);
    f->set("createable", field.createable);
    f->set("updateable", field.updateable);
    f->set("filterable", field.type != FieldType::textarea);
    f->set("sortable", field.type != FieldType::textarea);
    f->set("nameField", field.name == "Name" || (object.name == "Case" && field.name == "CaseNumber"));
    JsonArray reference_to = make_array();
    for (const std::string& target : field.reference_to) reference_to->add(target);
    f->set("referenceTo", reference_to);
    f->set("relationshipName", field.relationship_name.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(field.relationship_name));
    fields->add(f);
  }
  out->set("fields", fields);
  return out;
}

// --- Composite references: @{refId.path[0].field} -----------------------------------------

struct ReferenceContext {
  const std::map<std::string, Poco::Dynamic::Var>& results;
};

ApiError bad_reference(const std::string& expression, const std::string& reference) {
  return api_error(400, "PROCESSING_HALTED",
                   "Invalid reference specified. No value for " + expression + " found in " + reference +
                       ". Provided referenceId ('" + reference + "') must match a previously executed, successful "
                       "subrequest.");
}

ApiResult<Poco::Dynamic::Var> evaluate_reference(const std::string& expression, const ReferenceContext& context) {
  std::size_t pos = 0;
  auto is_name_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  while (pos < expression.size() && is_name_char(expression[pos])) ++pos;
  std::string reference = expression.substr(0, pos);
  auto found = context.results.find(reference);
  if (reference.empty() || found == context.results.end()) return bad_reference(expression, reference);
  Poco::Dynamic::Var current = found->second;
  while (pos < expression.size()) {
    if (expression[pos] == '.') {
      std::size_t start = ++pos;
      while (pos < expression.size() && is_name_char(expression[pos])) ++pos;
      JsonObject object = as_object(current);
      std::string key = expression.substr(start, pos - start);
      if (!object || key.empty() || !object->has(key)) return bad_reference(expression, reference);
      current = object->get(key);
    } else if (expression[pos] == '[') {
      std::size_t close = expression.find(']', pos);
      if (close == std::string::npos) return bad_reference(expression, reference);
      std::size_t index = 0;
      auto [end, ec] = std::from_chars(expression.data() + pos + 1, expression.data() + close, index);
      JsonArray array = as_array(current);
      if (ec != std::errc() || end != expression.data() + close || !array || index >= array->size()) {
        return bad_reference(expression, reference);
      }
      current = array->get(static_cast<unsigned>(index));
      pos = close + 1;
    } else {
      return bad_reference(expression, reference);
    }
  }
  return current;
}

// Substitutes every @{...} in a string. A string that is exactly one reference takes the
// referenced value with its JSON type.
ApiResult<Poco::Dynamic::Var> substitute_text(const std::string& text, const ReferenceContext& context) {
  std::size_t start = text.find("@{");
  if (start == std::string::npos) return Poco::Dynamic::Var(text);
  std::size_t close = text.find('}', start);
  if (start == 0 && close == text.size() - 1) return evaluate_reference(text.substr(2, close - 2), context);
  std::string out;
  std::size_t pos = 0;
  while ((start = text.find("@{", pos)) != std::string::npos) {
    close = text.find('}', start);
    if (close == std::string::npos) break;
    out += text.substr(pos, start - pos);
    Poco::Dynamic::Var value = SFEMU_TRY(evaluate_reference(text.substr(start + 2, close - start - 2), context));
    out += value.isEmpty() ? std::string() : value.convert<std::string>();
    pos = close + 1;
  }
  out += text.substr(pos);
  return Poco::Dynamic::Var(out);
}

ApiResult<Poco::Dynamic::Var> substitute(const Poco::Dynamic::Var& value, const ReferenceContext& context) {
  if (JsonObject object = as_object(value)) {
    JsonObject out = make_object();
    for (const auto& [key, item] : *object) out->set(key, SFEMU_TRY(substitute(item, context)));
    return Poco::Dynamic::Var(out);
  }
  if (JsonArray array = as_array(value)) {
    JsonArray out = make_array();
    for (std::size_t i = 0; i < array->size(); ++i) out->add(SFEMU_TRY(substitute(array->get(static_cast<unsigned>(i)), context)));
    return Poco::Dynamic::Var(out);
  }
  if (value.isString()) return substitute_text(value.extract<std::string>(), context);
  return value;
}

ApiResponse processing_halted() {
  return error_response(api_error(400, "PROCESSING_HALTED",
                                  "The transaction was rolled back since another operation in the same transaction failed."));
}

}  // namespace

ApiResponse error_response(const ApiError& error) { return json_response(error.status, error_body(error)); }

bool is_supported_version(std::string_view version) {
  if (version.size() < 4 || version.front() != 'v' || version.substr(version.size() - 2) != ".0") return false;
  std::string_view digits = version.substr(1, version.size() - 3);
  int number = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  return ec == std::errc() && end == digits.data() + digits.size() && number >= min_api_version &&
         number <= max_api_version;
}

JsonArray versions_list() {
  JsonArray list = make_array();
  for (int v = min_api_version; v <= max_api_version; ++v) {
    JsonObject entry = make_object();
    std::string number = std::to_string(v) + ".0";
    entry->set("label", season_label(v));
    entry->set("url", "/services/data/v" + number);
    entry->set("version", number);
    list->add(entry);
  }
  return list;
}

RestApi::RestApi(OrgStore& store, std::size_t batch_size) : m_store(store), m_batch_size(batch_size) {}

ApiResponse RestApi::handle(const ApiRequest& request, const Session& session, std::string_view version,
                            std::uint64_t usage, std::uint64_t limit) {
  return dispatch(request, session, version, usage, limit, false);
}

ApiResponse RestApi::dispatch(const ApiRequest& request, const Session& session, std::string_view version,
                              std::uint64_t usage, std::uint64_t limit, bool in_composite) {
  std::vector<std::string> segments = split_path(request.resource);
  if (segments.empty()) {
    if (in_composite) return not_found();
    if (request.method != "GET") return method_not_allowed(request.method, "GET,HEAD");
    JsonObject resources = make_object();
    std::string base = "/services/data/" + std::string(version);
    for (const char* name : {"composite", "limits", "query", "search", "sobjects"}) resources->set(name, base + "/" + name);
    return json_response(200, resources);
  }
  const std::string& head = segments.front();
  if (head == "query" || head == "queryAll") {
    if (request.method != "GET") return method_not_allowed(request.method, "GET,HEAD");
    if (segments.size() == 1) return query(request, version);
    if (segments.size() == 2) return query_more(segments[1], version);
    return not_found();
  }
  if (head == "search" && segments.size() == 1 && (!in_composite || m_composite_search)) {
    if (request.method != "GET") return method_not_allowed(request.method, "GET,HEAD");
    return search(request, version);
  }
  if (head == "sobjects") return sobjects(request, session, version, segments);
  if (in_composite) return not_found();
  if (head == "composite" && segments.size() == 1) {
    if (request.method != "POST") return method_not_allowed(request.method, "POST");
    return composite(request, session, usage, limit);
  }
  if (head == "limits" && segments.size() == 1) {
    if (request.method != "GET") return method_not_allowed(request.method, "GET,HEAD");
    JsonObject daily = make_object();
    daily->set("Max", static_cast<Poco::UInt64>(limit));
    daily->set("Remaining", static_cast<Poco::UInt64>(limit > usage ? limit - usage : 0));
    JsonObject limits = make_object();
    limits->set("DailyApiRequests", daily);
    return json_response(200, limits);
  }
  return not_found();
}

ApiResponse RestApi::query(const ApiRequest& request, std::string_view version) {
  auto params = parse_form(request.query);
  if (!params) return error_response(api_error(400, "MALFORMED_QUERY", "The query string is not valid URL encoding"));
  auto q = params->find("q");
  if (q == params->end() || q->second.empty()) {
    return error_response(api_error(400, "MALFORMED_QUERY", "A query string has to be specified"));
  }
  auto outcome = run_soql(m_store, q->second);
  if (!outcome) return error_response(outcome.error());

  JsonObject body = make_object();
  body->set("totalSize", static_cast<Poco::UInt64>(outcome->total));
  if (outcome->count_only) {
    body->set("done", true);
    body->set("records", make_array());
    return json_response(200, body);
  }
  std::size_t batch = m_batch_size;
  if (auto requested = batch_size_option(request.query_options)) batch = std::min(batch, *requested);
  batch = std::max<std::size_t>(batch, 1);

  Cursor cursor;
  cursor.batch_size = batch;
  cursor.records.reserve(outcome->records.size());
  for (const Record* record : outcome->records) {
    cursor.records.emplace_back(render_record(m_store, *record, outcome->select, version));
  }
  if (cursor.records.size() <= batch) {
    JsonArray records = make_array();
    for (const auto& record : cursor.records) records->add(record);
    body->set("done", true);
    body->set("records", records);
    return json_response(200, body);
  }
  std::string locator = m_locators.next("01g");
  m_cursors[locator] = std::move(cursor);
  m_cursor_order.push_back(locator);
  while (m_cursor_order.size() > max_cursors) {
    m_cursors.erase(m_cursor_order.front());
    m_cursor_order.pop_front();
  }
  return page(version, locator, 0);
}

ApiResponse RestApi::page(std::string_view version, const std::string& locator, std::size_t offset) {
  Cursor& cursor = m_cursors.at(locator);
  std::size_t end = std::min(cursor.records.size(), offset + cursor.batch_size);
  JsonObject body = make_object();
  body->set("totalSize", static_cast<Poco::UInt64>(cursor.records.size()));
  bool done = end >= cursor.records.size();
  body->set("done", done);
  if (!done) {
    body->set("nextRecordsUrl", "/services/data/" + std::string(version) + "/query/" + locator + "-" + std::to_string(end));
  }
  JsonArray records = make_array();
  for (std::size_t i = offset; i < end; ++i) records->add(cursor.records[i]);
  body->set("records", records);
  return json_response(200, body);
}

ApiResponse RestApi::query_more(std::string_view locator_text, std::string_view version) {
  auto invalid = [] { return error_response(api_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")); };
  std::size_t dash = locator_text.rfind('-');
  if (dash == std::string_view::npos) return invalid();
  std::string locator(locator_text.substr(0, dash));
  std::string_view digits = locator_text.substr(dash + 1);
  std::size_t offset = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), offset);
  auto it = m_cursors.find(locator);
  if (ec != std::errc() || end != digits.data() + digits.size() || it == m_cursors.end() || offset == 0 ||
      offset >= it->second.records.size()) {
    return invalid();
  }
  return page(version, locator, offset);
}

ApiResponse RestApi::search(const ApiRequest& request, std::string_view version) {
  auto params = parse_form(request.query);
  if (!params) return error_response(api_error(400, "MALFORMED_SEARCH", "The search string is not valid URL encoding"));
  auto q = params->find("q");
  if (q == params->end() || q->second.empty()) {
    return error_response(api_error(400, "MALFORMED_SEARCH", "No search term found. The search term must be enclosed in braces."));
  }
  auto records = run_sosl(m_store, q->second, version);
  if (!records) return error_response(records.error());
  JsonObject body = make_object();
  body->set("searchRecords", *records);
  return json_response(200, body);
}

ApiResponse RestApi::sobjects(const ApiRequest& request, const Session& session, std::string_view version,
                              const std::vector<std::string>& segments) {
  const Schema& schema = m_store.schema();
  if (segments.size() == 1) {
    if (request.method != "GET") return method_not_allowed(request.method, "GET,HEAD");
    JsonObject body = make_object();
    body->set("encoding", "UTF-8");
    body->set("maxBatchSize", 200);
    JsonArray list = make_array();
    for (const ObjectDef& object : schema.objects()) list->add(describe_object(object, version, false));
    body->set("sobjects", list);
    return json_response(200, body);
  }
  const ObjectDef* object = schema.find(segments[1]);
  if (!object) return not_found();

  if (segments.size() == 2) {
    if (request.method == "GET") {
      JsonObject body = make_object();
      body->set("objectDescribe", describe_object(*object, version, false));
      body->set("recentItems", make_array());
      return json_response(200, body);
    }
    if (request.method != "POST") return method_not_allowed(request.method, "GET,HEAD,POST");
    auto parsed = parse_json(request.body);
    if (!parsed) return error_response(parsed.error());
    JsonObject fields = as_object(*parsed);
    if (!fields) {
      return error_response(api_error(400, "JSON_PARSER_ERROR",
                                      "Cannot deserialize instance of " + object->name + " from START_ARRAY value"));
    }
    auto created = m_store.create(*object, fields, WriteMode::api, session.user_id);
    if (!created) return error_response(created.error());
    JsonObject body = make_object();
    body->set("id", *created);
    body->set("success", true);
    body->set("errors", make_array());
    ApiResponse response = json_response(201, body);
    response.headers.emplace_back("Location", "/services/data/" + std::string(version) + "/sobjects/" + object->name + "/" + *created);
    return response;
  }

  if (segments.size() == 3 && segments[2] == "describe") {
    if (request.method != "GET") return method_not_allowed(request.method, "GET,HEAD");
    return json_response(200, describe_object(*object, version, true));
  }
  if (segments.size() != 3) {
    // sobjects/Type/ExternalIdField/value: the emulated objects have no external id fields.
    return error_response(api_error(404, "NOT_FOUND",
                                    "Provided external ID field does not exist or is not accessible: " + segments[2]));
  }
  const std::string& id = segments[2];
  if (!canonical_id15(id)) {
    return error_response(api_error(404, "NOT_FOUND",
                                    "Provided external ID field does not exist or is not accessible: " + id));
  }
  if (request.method == "GET") {
    const Record* record = m_store.find(id);
    if (!record || record->object != object) return not_found();
    std::vector<ResolvedPath> select;
    auto params = parse_form(request.query).value_or(std::map<std::string, std::string>{});
    auto add = [&](const FieldDef& field) {
      ResolvedPath path;
      path.leaf = field.name;
      path.leaf_def = &field;
      select.push_back(std::move(path));
    };
    if (auto fields = params.find("fields"); fields != params.end()) {
      std::size_t start = 0;
      const std::string& list = fields->second;
      while (start <= list.size()) {
        std::size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        std::string name = list.substr(start, comma - start);
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        if (!name.empty()) {
          const FieldDef* field = object->find_field(name);
          if (!field) {
            return error_response(api_error(400, "INVALID_FIELD", "No such column '" + name + "' on sobject of type " + object->name));
          }
          add(*field);
        }
        start = comma + 1;
      }
    } else {
      for (const FieldDef& field : object->fields) add(field);
    }
    return json_response(200, render_record(m_store, *record, select, version));
  }
  if (request.method == "PATCH") {
    auto parsed = parse_json(request.body);
    if (!parsed) return error_response(parsed.error());
    JsonObject fields = as_object(*parsed);
    if (!fields) {
      return error_response(api_error(400, "JSON_PARSER_ERROR",
                                      "Cannot deserialize instance of " + object->name + " from START_ARRAY value"));
    }
    auto updated = m_store.update(*object, id, fields);
    if (!updated) return error_response(updated.error());
    return json_response(204, Poco::Dynamic::Var());
  }
  if (request.method == "DELETE") {
    auto removed = m_store.remove(*object, id);
    if (!removed) return error_response(removed.error());
    return json_response(204, Poco::Dynamic::Var());
  }
  return method_not_allowed(request.method, "GET,HEAD,PATCH,DELETE");
}

ApiResponse RestApi::composite(const ApiRequest& request, const Session& session, std::uint64_t usage,
                               std::uint64_t limit) {
  auto parsed = parse_json(request.body);
  if (!parsed) return error_response(parsed.error());
  JsonObject root = as_object(*parsed);
  JsonArray subrequests = root && root->has("compositeRequest") ? as_array(root->get("compositeRequest")) : nullptr;
  if (!subrequests || subrequests->size() == 0) {
    return error_response(api_error(400, "JSON_PARSER_ERROR", "compositeRequest must be a non-empty array of subrequests"));
  }
  if (subrequests->size() > max_composite_subrequests) {
    return error_response(api_error(400, "LIMIT_EXCEEDED",
                                    "A composite request can hold at most 25 subrequests; it has " +
                                        std::to_string(subrequests->size())));
  }
  bool all_or_none = false;
  if (root->has("allOrNone")) {
    Poco::Dynamic::Var flag = root->get("allOrNone");
    if (!flag.isBoolean()) return error_response(api_error(400, "JSON_PARSER_ERROR", "allOrNone must be true or false"));
    all_or_none = flag.convert<bool>();
  }

  struct Sub {
    std::string method;
    std::string url;
    std::string reference_id;
    Poco::Dynamic::Var body;
  };
  std::vector<Sub> subs;
  std::set<std::string> reference_ids;
  std::size_t queries = 0;
  for (std::size_t i = 0; i < subrequests->size(); ++i) {
    JsonObject item = as_object(subrequests->get(static_cast<unsigned>(i)));
    auto text = [&](const char* key) -> std::optional<std::string> {
      if (!item || !item->has(key) || !item->get(key).isString()) return std::nullopt;
      return item->get(key).extract<std::string>();
    };
    auto method = text("method");
    auto url = text("url");
    auto reference_id = text("referenceId");
    std::string where = "compositeRequest[" + std::to_string(i) + "]";
    if (!method || !url || !reference_id) {
      return error_response(api_error(400, "JSON_PARSER_ERROR", where + " needs method, url and referenceId strings"));
    }
    bool valid_reference = !reference_id->empty() && std::all_of(reference_id->begin(), reference_id->end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!valid_reference) {
      return error_response(api_error(400, "JSON_PARSER_ERROR", where + ": referenceId may hold only letters, digits and underscores"));
    }
    if (!reference_ids.insert(*reference_id).second) {
      return error_response(api_error(400, "JSON_PARSER_ERROR", where + ": duplicate referenceId " + *reference_id));
    }
    static const std::set<std::string> methods = {"GET", "POST", "PATCH", "PUT", "DELETE"};
    if (methods.count(*method) == 0) {
      return error_response(api_error(400, "JSON_PARSER_ERROR", where + ": unsupported method " + *method));
    }
    if (url->find("/query") != std::string::npos || url->find("/queryAll") != std::string::npos) ++queries;
    subs.push_back({*method, *url, *reference_id, item->has("body") ? item->get("body") : Poco::Dynamic::Var()});
  }
  if (queries > max_composite_queries) {
    return error_response(api_error(400, "LIMIT_EXCEEDED", "A composite request can hold at most 5 query subrequests"));
  }

  std::map<std::string, Poco::Dynamic::Var> results;
  ReferenceContext context{results};
  std::vector<ApiResponse> responses(subs.size());
  std::optional<std::size_t> failed;
  if (all_or_none) m_store.begin_transaction();

  for (std::size_t i = 0; i < subs.size(); ++i) {
    const Sub& sub = subs[i];
    auto run = [&]() -> ApiResponse {
      auto url = substitute_text(sub.url, context);
      if (!url) return error_response(url.error());
      std::string target = url->convert<std::string>();
      std::string_view path = target;
      std::string query;
      if (std::size_t q = path.find('?'); q != std::string_view::npos) {
        query = std::string(path.substr(q + 1));
        path = path.substr(0, q);
      }
      static constexpr std::string_view prefix = "/services/data/";
      if (path.substr(0, prefix.size()) != prefix) return not_found();
      std::string_view rest = path.substr(prefix.size());
      std::size_t slash = rest.find('/');
      std::string sub_version(rest.substr(0, slash));
      if (!is_supported_version(sub_version)) return not_found();
      ApiRequest inner;
      inner.method = sub.method == "PUT" ? "PATCH" : sub.method;
      inner.resource = slash == std::string_view::npos ? std::string() : std::string(rest.substr(slash + 1));
      inner.query = std::move(query);
      if (!sub.body.isEmpty()) {
        auto body = substitute(sub.body, context);
        if (!body) return error_response(body.error());
        inner.body = to_json(*body);
      }
      return dispatch(inner, session, sub_version, usage, limit, true);
    };
    responses[i] = run();
    if (responses[i].status < 400) {
      results[sub.reference_id] = responses[i].body;
    } else if (all_or_none) {
      failed = i;
      break;
    }
  }

  if (all_or_none) {
    if (failed) {
      m_store.rollback();
      for (std::size_t i = 0; i < subs.size(); ++i) {
        if (i != *failed) responses[i] = processing_halted();
      }
    } else {
      m_store.commit();
    }
  }

  JsonArray items = make_array();
  for (std::size_t i = 0; i < subs.size(); ++i) {
    JsonObject item = make_object();
    item->set("body", responses[i].body);
    JsonObject headers = make_object();
    for (const auto& [name, value] : responses[i].headers) headers->set(name, value);
    item->set("httpHeaders", headers);
    item->set("httpStatusCode", responses[i].status);
    item->set("referenceId", subs[i].reference_id);
    items->add(item);
  }
  JsonObject body = make_object();
  body->set("compositeResponse", items);
  return json_response(200, body);
}

}  // namespace cti::sfemu
