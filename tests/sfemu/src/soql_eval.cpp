#include "soql_eval.hpp"

#include "record_id.hpp"
#include "sf_time.hpp"

#include <algorithm>

namespace cti::sfemu {

namespace {

const Value null_value;

// Salesforce lets a query follow up to five parent relationships.
constexpr std::size_t max_relationship_depth = 5;

char32_t fold(char32_t c) { return (c >= U'A' && c <= U'Z') ? c - U'A' + U'a' : c; }

std::string positioned(const Statement& statement, std::size_t offset, std::string_view reason) {
  return positioned_message(statement.text, offset, reason);
}

ApiError no_such_column(const Statement& statement, std::size_t offset, std::string_view field, std::string_view entity) {
  return api_error(400, "INVALID_FIELD",
                   positioned(statement, offset,
                              "No such column '" + std::string(field) + "' on entity '" + std::string(entity) +
                                  "'. If you are attempting to use a custom field, be sure to append the '__c' after "
                                  "the custom field name. Please reference your WSDL or the describe call for the "
                                  "appropriate names."));
}

std::vector<const ObjectDef*> targets_of(const Schema& schema, const FieldDef& reference) {
  std::vector<const ObjectDef*> out;
  for (const std::string& name : reference.reference_to) {
    if (const ObjectDef* target = schema.find(name)) out.push_back(target);
  }
  return out;
}

int compare_text(const std::string& a, const std::string& b) {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    auto x = static_cast<unsigned char>(a[i]);
    auto y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y - 'A' + 'a');
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

template <typename T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

double as_number(const Value& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&value)) return *d;
  return 0;
}

std::int64_t time_of(const Value& value, FieldType type) {
  const auto* text = std::get_if<std::string>(&value);
  if (!text) return 0;
  if (type == FieldType::date) return parse_date(*text).value_or(0) * 86400000;
  return parse_datetime(*text).value_or(0);
}

// Compares a stored, non-null value with a non-null literal of a checked type.
int compare_to_literal(const Value& stored, const Literal& literal, FieldType type) {
  switch (type) {
    case FieldType::id:
    case FieldType::reference: {
      const auto* text = std::get_if<std::string>(&stored);
      std::string lhs = text ? text->substr(0, 15) : std::string();
      std::string rhs = canonical_id15(literal.text).value_or(literal.text);
      return three_way(lhs, rhs);
    }
    case FieldType::boolean: {
      const auto* b = std::get_if<bool>(&stored);
      return three_way(b ? *b : false, literal.boolean);
    }
    case FieldType::integer:
    case FieldType::double_value:
      if (const auto* i = std::get_if<std::int64_t>(&stored); i && literal.integral) return three_way(*i, literal.integer);
      return three_way(as_number(stored), literal.number);
    case FieldType::date:
    case FieldType::datetime:
      return three_way(time_of(stored, type), literal.time_ms);
    default: {
      const auto* text = std::get_if<std::string>(&stored);
      return compare_text(text ? *text : std::string(), literal.text);
    }
  }
}

bool equals_literal(const Value& stored, const Literal& literal, FieldType type) {
  if (literal.kind == Literal::Kind::null) return is_null(stored);
  if (is_null(stored)) return false;
  return compare_to_literal(stored, literal, type) == 0;
}

// Orders two stored values of the same field; nulls are handled by the caller.
int compare_values(const Value& a, const Value& b) {
  if (a.index() != b.index()) {
    if ((std::holds_alternative<std::int64_t>(a) || std::holds_alternative<double>(a)) &&
        (std::holds_alternative<std::int64_t>(b) || std::holds_alternative<double>(b))) {
      return three_way(as_number(a), as_number(b));
    }
    return three_way(a.index(), b.index());
  }
  if (const auto* s = std::get_if<std::string>(&a)) {
    int folded = compare_text(*s, std::get<std::string>(b));
    return folded != 0 ? folded : three_way(*s, std::get<std::string>(b));
  }
  if (const auto* i = std::get_if<std::int64_t>(&a)) return three_way(*i, std::get<std::int64_t>(b));
  if (const auto* d = std::get_if<double>(&a)) return three_way(*d, std::get<double>(b));
  if (const auto* flag = std::get_if<bool>(&a)) return three_way(*flag, std::get<bool>(b));
  return 0;
}

ApiResult<void> check_literal(const ResolvedPath& path, CompareOp op, const Literal& literal,
                              const Statement& statement) {
  const FieldDef& field = *path.leaf_def;
  auto type_error = [&](bool quoted) {
    return api_error(400, "INVALID_QUERY_FILTER_OPERATOR",
                     positioned(statement, literal.offset,
                                "value of filter criterion for field '" + field.name + "' must be of type " +
                                    std::string(soap_type_name(field.type)) +
                                    (quoted ? " and should be enclosed in quotes" : " and should not be enclosed in quotes")));
  };
  if (op == CompareOp::like && !is_text_type(field.type)) {
    return api_error(400, "INVALID_QUERY_FILTER_OPERATOR",
                     positioned(statement, literal.offset,
                                "invalid operator on field '" + field.name + "': LIKE needs a text field"));
  }
  if (literal.kind == Literal::Kind::null) return {};
  switch (field.type) {
    case FieldType::id:
    case FieldType::reference:
      if (literal.kind != Literal::Kind::string) return type_error(true);
      if (!literal.text.empty() && !canonical_id15(literal.text)) {
        return api_error(400, "INVALID_QUERY_FILTER_OPERATOR",
                         positioned(statement, literal.offset, "invalid ID field: " + literal.text));
      }
      return {};
    case FieldType::boolean:
      if (literal.kind != Literal::Kind::boolean) return type_error(false);
      return {};
    case FieldType::integer:
    case FieldType::double_value:
      if (literal.kind != Literal::Kind::number) return type_error(false);
      return {};
    case FieldType::date:
      if (literal.kind != Literal::Kind::date) return type_error(false);
      return {};
    case FieldType::datetime:
      if (literal.kind != Literal::Kind::datetime) return type_error(false);
      return {};
    default:
      if (literal.kind != Literal::Kind::string) return type_error(true);
      return {};
  }
}

// An empty string compared with an Id field means "no Id", as in Salesforce.
Literal normalise_literal(const FieldDef& field, Literal literal) {
  if ((field.type == FieldType::id || field.type == FieldType::reference) && literal.kind == Literal::Kind::string &&
      literal.text.empty()) {
    literal.kind = Literal::Kind::null;
  }
  return literal;
}

}  // namespace

std::string ResolvedPath::text() const {
  std::string out;
  for (const std::string& r : relationships) out += r + ".";
  return out + leaf;
}

bool wildcard_match(const std::u32string& pattern, const std::u32string& text, char32_t any_sequence,
                    char32_t any_char) {
  // Iterative matcher with single-star backtracking: linear memory, no recursion.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::u32string::npos;
  std::size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == any_sequence) {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && (pattern[p] == any_char || fold(pattern[p]) == fold(text[t]))) {
      ++p;
      ++t;
    } else if (star != std::u32string::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == any_sequence) ++p;
  return p == pattern.size();
}

ApiResult<ResolvedPath> resolve_path(const Schema& schema, const ObjectDef& object, const FieldPath& path,
                                     const Statement& statement) {
  std::vector<std::string> parts = path.parts;
  // "SELECT Contact.Name FROM Contact": the object name may qualify its own fields.
  if (parts.size() > 1 && iequals(parts.front(), object.name) && !object.find_relationship(parts.front())) {
    parts.erase(parts.begin());
  }
  if (parts.size() - 1 > max_relationship_depth) {
    return api_error(400, "INVALID_FIELD",
                     positioned(statement, path.offset, "A query can follow at most 5 levels of parent relationships"));
  }
  ResolvedPath resolved;
  resolved.offset = path.offset;
  std::vector<const ObjectDef*> current = {&object};
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const FieldDef* reference = nullptr;
    for (const ObjectDef* candidate : current) {
      if ((reference = candidate->find_relationship(parts[i]))) break;
    }
    if (!reference) {
      return api_error(400, "INVALID_FIELD",
                       positioned(statement, path.offset,
                                  "Didn't understand relationship '" + parts[i] +
                                      "' in field path. If you are attempting to use a custom relationship, be sure "
                                      "to append the '__r' after the custom relationship name. Please reference your "
                                      "WSDL or the describe call for the appropriate names."));
    }
    resolved.relationships.push_back(reference->relationship_name);
    resolved.hop_fields.push_back(reference->name);
    current = targets_of(schema, *reference);
  }
  for (const ObjectDef* candidate : current) {
    if (const FieldDef* field = candidate->find_field(parts.back())) {
      resolved.leaf = field->name;
      resolved.leaf_def = field;
      return resolved;
    }
  }
  std::string entity = current.size() == 1 ? current.front()->name : "Name";
  return no_such_column(statement, path.offset, parts.back(), entity);
}

ApiResult<std::vector<ResolvedPath>> resolve_select(const Schema& schema, const ObjectDef& object,
                                                    const std::vector<FieldPath>& fields, const Statement& statement) {
  std::vector<ResolvedPath> out;
  for (const FieldPath& field : fields) {
    ResolvedPath path = SFEMU_TRY(resolve_path(schema, object, field, statement));
    bool duplicate = std::any_of(out.begin(), out.end(), [&](const ResolvedPath& seen) { return iequals(seen.text(), path.text()); });
    if (duplicate) {
      return api_error(400, statement.malformed_code,
                       positioned(statement, field.offset, "duplicate field selected: " + path.text()));
    }
    out.push_back(std::move(path));
  }
  return out;
}

ApiResult<BoundCondition> bind_condition(const Schema& schema, const ObjectDef& object, const Condition& condition,
                                         const Statement& statement) {
  BoundCondition bound;
  bound.kind = condition.kind;
  if (condition.kind != Condition::Kind::compare) {
    for (const Condition& child : condition.children) {
      bound.children.push_back(SFEMU_TRY(bind_condition(schema, object, child, statement)));
    }
    return bound;
  }
  bound.path = SFEMU_TRY(resolve_path(schema, object, condition.field, statement));
  bound.op = condition.op;
  if (bound.path.leaf_def->type == FieldType::textarea) {
    return api_error(400, "INVALID_FIELD",
                     positioned(statement, condition.field.offset,
                                "field '" + bound.path.leaf + "' can not be filtered in a query call"));
  }
  for (const Literal& literal : condition.values) {
    Literal normalised = normalise_literal(*bound.path.leaf_def, literal);
    SFEMU_TRY_VOID(check_literal(bound.path, bound.op, normalised, statement));
    bound.values.push_back(std::move(normalised));
  }
  return bound;
}

ApiResult<std::vector<BoundOrder>> bind_order(const Schema& schema, const ObjectDef& object,
                                              const std::vector<OrderItem>& items, const Statement& statement) {
  std::vector<BoundOrder> out;
  for (const OrderItem& item : items) {
    BoundOrder order;
    order.path = SFEMU_TRY(resolve_path(schema, object, item.field, statement));
    if (order.path.leaf_def->type == FieldType::textarea) {
      return api_error(400, "INVALID_FIELD",
                       positioned(statement, item.field.offset,
                                  "field '" + order.path.leaf + "' can not be sorted in a query call"));
    }
    order.descending = item.descending;
    order.nulls_last = item.nulls_last;
    out.push_back(std::move(order));
  }
  return out;
}

const Value& value_at(const OrgStore& store, const Record& record, const ResolvedPath& path) {
  const Record* current = &record;
  for (const std::string& hop : path.hop_fields) {
    const Value& reference = current->get(hop);
    const auto* id = std::get_if<std::string>(&reference);
    if (!id) return null_value;
    current = store.find(*id);
    if (!current) return null_value;
  }
  return current->get(path.leaf);
}

bool matches(const OrgStore& store, const Record& record, const BoundCondition& condition) {
  switch (condition.kind) {
    case Condition::Kind::all_of:
      return std::all_of(condition.children.begin(), condition.children.end(),
                         [&](const BoundCondition& child) { return matches(store, record, child); });
    case Condition::Kind::any_of:
      return std::any_of(condition.children.begin(), condition.children.end(),
                         [&](const BoundCondition& child) { return matches(store, record, child); });
    case Condition::Kind::negate:
      return !matches(store, record, condition.children.front());
    case Condition::Kind::compare:
      break;
  }
  const Value& stored = value_at(store, record, condition.path);
  FieldType type = condition.path.leaf_def->type;
  const Literal& first = condition.values.front();
  switch (condition.op) {
    case CompareOp::eq:
      return equals_literal(stored, first, type);
    // SOQL's != is two-valued: a null field is "not equal" to any non-null value.
    case CompareOp::ne:
      return !equals_literal(stored, first, type);
    case CompareOp::lt:
    case CompareOp::le:
    case CompareOp::gt:
    case CompareOp::ge: {
      if (is_null(stored) || first.kind == Literal::Kind::null) return false;
      int order = compare_to_literal(stored, first, type);
      if (condition.op == CompareOp::lt) return order < 0;
      if (condition.op == CompareOp::le) return order <= 0;
      if (condition.op == CompareOp::gt) return order > 0;
      return order >= 0;
    }
    case CompareOp::like: {
      const auto* text = std::get_if<std::string>(&stored);
      if (!text) return false;
      return wildcard_match(first.like, utf8_to_u32(*text), like_any_sequence, like_any_char);
    }
    case CompareOp::in:
    case CompareOp::not_in: {
      bool found = std::any_of(condition.values.begin(), condition.values.end(),
                               [&](const Literal& literal) { return equals_literal(stored, literal, type); });
      return condition.op == CompareOp::in ? found : !found;
    }
  }
  return false;
}

void sort_records(const OrgStore& store, std::vector<const Record*>& records, const std::vector<BoundOrder>& order) {
  if (order.empty()) return;
  std::stable_sort(records.begin(), records.end(), [&](const Record* a, const Record* b) {
    for (const BoundOrder& item : order) {
      const Value& va = value_at(store, *a, item.path);
      const Value& vb = value_at(store, *b, item.path);
      bool na = is_null(va);
      bool nb = is_null(vb);
      if (na || nb) {
        if (na && nb) continue;
        // Nulls sort first unless NULLS LAST, whatever the direction (Salesforce's documented default).
        return item.nulls_last ? nb : na;
      }
      int cmp = compare_values(va, vb);
      if (cmp != 0) return item.descending ? cmp > 0 : cmp < 0;
    }
    return false;
  });
}

Poco::Dynamic::Var to_json_value(const Value& value) {
  if (const auto* b = std::get_if<bool>(&value)) return *b;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return Poco::Int64{*i};
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return Poco::Dynamic::Var();
}

JsonObject record_attributes(const Record& record, std::string_view api_version) {
  JsonObject attributes = make_object();
  attributes->set("type", record.object->name);
  attributes->set("url", "/services/data/" + std::string(api_version) + "/sobjects/" + record.object->name + "/" + record.id);
  return attributes;
}

JsonObject render_record(const OrgStore& store, const Record& record, const std::vector<ResolvedPath>& select,
                         std::string_view api_version) {
  JsonObject out = make_object();
  out->set("attributes", record_attributes(record, api_version));
  for (const ResolvedPath& path : select) {
    JsonObject target = out;
    const Record* current = &record;
    bool absent = false;
    for (std::size_t i = 0; i < path.hop_fields.size(); ++i) {
      const std::string& relationship = path.relationships[i];
      const Value& reference = current->get(path.hop_fields[i]);
      const auto* id = std::get_if<std::string>(&reference);
      const Record* parent = id ? store.find(*id) : nullptr;
      if (target->has(relationship)) {
        JsonObject nested = as_object(target->get(relationship));
        if (!nested) {
          absent = true;
          break;
        }
        target = nested;
      } else if (!parent) {
        target->set(relationship, Poco::Dynamic::Var());
        absent = true;
        break;
      } else {
        JsonObject nested = make_object();
        nested->set("attributes", record_attributes(*parent, api_version));
        target->set(relationship, nested);
        target = nested;
      }
      current = parent;
      if (!current) {
        absent = true;
        break;
      }
    }
    if (absent) continue;
    target->set(path.leaf, to_json_value(current->get(path.leaf)));
  }
  return out;
}

ApiResult<QueryOutcome> run_soql(const OrgStore& store, std::string_view text) {
  SoqlQuery query = SFEMU_TRY(parse_soql(text));
  Statement statement{text, "MALFORMED_QUERY"};
  const ObjectDef* object = store.schema().find(query.object);
  if (!object) {
    return api_error(400, "INVALID_TYPE",
                     positioned(statement, query.object_offset,
                                "sObject type '" + query.object +
                                    "' is not supported. If you are attempting to use a custom object, be sure to "
                                    "append the '__c' after the entity name. Please reference your WSDL or the "
                                    "describe call for the appropriate names."));
  }
  QueryOutcome outcome;
  outcome.count_only = query.count_only;
  outcome.select = SFEMU_TRY(resolve_select(store.schema(), *object, query.fields, statement));
  std::optional<BoundCondition> where;
  if (query.where) where = SFEMU_TRY(bind_condition(store.schema(), *object, *query.where, statement));
  std::vector<BoundOrder> order = SFEMU_TRY(bind_order(store.schema(), *object, query.order_by, statement));
  if (query.offset && *query.offset > max_soql_offset) {
    return api_error(400, "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000");
  }

  std::vector<const Record*> selected;
  for (const Record* record : store.records(*object)) {
    if (!where || matches(store, *record, *where)) selected.push_back(record);
  }
  sort_records(store, selected, order);
  auto skip = static_cast<std::size_t>(query.offset.value_or(0));
  if (skip >= selected.size()) {
    selected.clear();
  } else {
    selected.erase(selected.begin(), selected.begin() + static_cast<std::ptrdiff_t>(skip));
  }
  if (query.limit && selected.size() > static_cast<std::size_t>(*query.limit)) {
    selected.resize(static_cast<std::size_t>(*query.limit));
  }
  outcome.total = selected.size();
  if (!outcome.count_only) outcome.records = std::move(selected);
  return outcome;
}

}  // namespace cti::sfemu
