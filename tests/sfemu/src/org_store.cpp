#include "org_store.hpp"

#include "sf_time.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace cti::sfemu {

namespace {

const Value null_value;

// Auto-numbers start here unless the seed data already holds higher numbers.
constexpr std::int64_t auto_number_start = 1000;

std::string label_of(const FieldDef& field) { return field.label; }

ApiError deserialize_error(std::string_view type, const Poco::Dynamic::Var& json) {
  std::string shown;
  try {
    shown = json.convert<std::string>();
  } catch (const Poco::Exception&) {
    shown = "(unprintable)";
  }
  std::string token = json.isString() ? "VALUE_STRING" : (json.isBoolean() ? "VALUE_TRUE" : "VALUE_NUMBER");
  return api_error(400, "JSON_PARSER_ERROR",
                   "Cannot deserialize instance of " + std::string(type) + " from " + token + " value " + shown +
                       " or request may be missing a required field");
}

bool looks_like_email(std::string_view text) {
  std::size_t at = text.find('@');
  if (at == std::string_view::npos || at == 0 || text.find('@', at + 1) != std::string_view::npos) return false;
  std::size_t dot = text.find('.', at);
  if (dot == std::string_view::npos || dot == at + 1 || dot + 1 >= text.size()) return false;
  return std::none_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == ',' || c == ';'; });
}

// Text of a JSON scalar for a string field: Salesforce coerces numbers and booleans.
std::optional<std::string> scalar_text(const Poco::Dynamic::Var& json) {
  if (json.isString()) return json.extract<std::string>();
  if (json.isBoolean()) return json.convert<bool>() ? std::string("true") : std::string("false");
  if (json.isNumeric()) return json.convert<std::string>();
  return std::nullopt;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++count;
  }
  return count;
}

}  // namespace

const Value& Record::get(std::string_view field_name) const {
  std::size_t index = object->field_index(field_name);
  return index == ObjectDef::npos ? null_value : values[index];
}

OrgStore::OrgStore(const Schema& schema, std::function<std::int64_t()> clock_ms)
    : m_schema(schema), m_clock_ms(std::move(clock_ms)) {}

std::vector<std::unique_ptr<Record>>& OrgStore::list_of(const ObjectDef& object) { return m_records[&object]; }

std::vector<const Record*> OrgStore::records(const ObjectDef& object) const {
  std::vector<const Record*> out;
  auto it = m_records.find(&object);
  if (it == m_records.end()) return out;
  out.reserve(it->second.size());
  for (const auto& record : it->second) out.push_back(record.get());
  return out;
}

const Record* OrgStore::find(std::string_view id) const {
  auto id15 = canonical_id15(id);
  if (!id15) return nullptr;
  auto it = m_by_id.find(*id15);
  return it == m_by_id.end() ? nullptr : it->second;
}

std::string OrgStore::next_auto_number(const ObjectDef& object) {
  auto [it, inserted] = m_last_auto_number.try_emplace(&object, auto_number_start - 1);
  ++it->second;
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%08lld", static_cast<long long>(it->second));
  return buffer;
}

ApiResult<Value> OrgStore::convert(const FieldDef& field, const Poco::Dynamic::Var& json) const {
  if (json.isEmpty()) return Value{};
  if (as_object(json) || as_array(json)) {
    return api_error(400, "JSON_PARSER_ERROR",
                     "Cannot deserialize instance of " + std::string(soap_type_name(field.type)) +
                         " from START_OBJECT value for field " + field.name);
  }
  switch (field.type) {
    case FieldType::boolean: {
      if (json.isBoolean()) return Value{json.convert<bool>()};
      if (json.isString()) {
        std::string text = to_lower_ascii(json.extract<std::string>());
        if (text == "true") return Value{true};
        if (text == "false") return Value{false};
      }
      return deserialize_error("boolean", json);
    }
    case FieldType::integer: {
      if (json.isInteger()) {
        try {
          return Value{json.convert<std::int64_t>()};
        } catch (const Poco::Exception&) {
          return deserialize_error("int", json);
        }
      }
      if (json.isNumeric()) {
        double number = json.convert<double>();
        if (std::isfinite(number) && std::floor(number) == number && std::fabs(number) < 9.0e15) {
          return Value{static_cast<std::int64_t>(number)};
        }
      }
      return deserialize_error("int", json);
    }
    case FieldType::double_value: {
      if (json.isNumeric()) return Value{json.convert<double>()};
      return deserialize_error("double", json);
    }
    case FieldType::date: {
      if (json.isString() && parse_date(json.extract<std::string>())) return Value{json.extract<std::string>()};
      return deserialize_error("date", json);
    }
    case FieldType::datetime: {
      if (json.isString()) {
        if (auto ms = parse_datetime(json.extract<std::string>())) return Value{format_datetime(*ms)};
      }
      return deserialize_error("datetime", json);
    }
    case FieldType::id:
    case FieldType::reference: {
      auto text = scalar_text(json);
      if (!text || text->empty()) return Value{};
      auto id15 = canonical_id15(*text);
      if (!id15) {
        return api_error(400, "MALFORMED_ID", label_of(field) + ": id value of incorrect type: " + *text, {field.name});
      }
      const ObjectDef* target = m_schema.by_key_prefix(id15->substr(0, 3));
      bool allowed = target && std::any_of(field.reference_to.begin(), field.reference_to.end(),
                                           [&](const std::string& name) { return iequals(name, target->name); });
      if (!allowed) {
        return api_error(400, "FIELD_INTEGRITY_EXCEPTION", label_of(field) + ": id value of incorrect type: " + *text,
                         {field.name});
      }
      if (!find(*id15)) {
        return api_error(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {field.name});
      }
      return Value{to_id18(*id15)};
    }
    default: {
      auto text = scalar_text(json);
      if (!text) return deserialize_error("string", json);
      if (text->empty()) return Value{};  // Salesforce stores an empty string as null
      if (field.length != 0 && utf8_length(*text) > field.length) {
        return api_error(400, "STRING_TOO_LONG",
                         label_of(field) + ": data value too large: " + text->substr(0, 80) +
                             " (max length=" + std::to_string(field.length) + ")",
                         {field.name});
      }
      if (field.type == FieldType::email && !looks_like_email(*text)) {
        return api_error(400, "INVALID_EMAIL_ADDRESS", label_of(field) + ": invalid email address: " + *text,
                         {field.name});
      }
      return Value{std::move(*text)};
    }
  }
}

ApiResult<void> OrgStore::apply(Record& record, const JsonObject& fields, WriteMode mode, bool creating) {
  const ObjectDef& object = *record.object;
  // Unknown fields first, then read-only ones, as Salesforce reports them.
  std::vector<std::pair<std::size_t, const Poco::Dynamic::Var*>> writes;
  std::vector<std::string> read_only;
  for (const auto& [name, value] : *fields) {
    if (name == "attributes") continue;
    std::size_t index = object.field_index(name);
    if (index == ObjectDef::npos) {
      return api_error(400, "INVALID_FIELD", "No such column '" + name + "' on sobject of type " + object.name);
    }
    const FieldDef& field = object.fields[index];
    if (field.type == FieldType::id) {
      return api_error(400, "INVALID_FIELD", "The Id field should not be specified in the sobject data.");
    }
    bool writable = creating ? field.createable : field.updateable;
    bool compound_name = field.name == "Name" && (object.name == "Contact" || object.name == "Lead" || object.name == "User");
    if (mode == WriteMode::seed) writable = !compound_name;
    if (!writable) {
      read_only.push_back(field.name);
      continue;
    }
    writes.emplace_back(index, &value);
  }
  if (!read_only.empty()) {
    std::string list;
    for (const std::string& name : read_only) list += (list.empty() ? "" : ", ") + name;
    return api_error(400, "INVALID_FIELD_FOR_INSERT_UPDATE",
                     "Unable to create/update fields: " + list +
                         ". Please check the security settings of this field and verify that it is read/write for "
                         "your profile or permission set.",
                     read_only);
  }
  for (const auto& [index, json] : writes) {
    record.values[index] = SFEMU_TRY(convert(object.fields[index], *json));
  }
  return {};
}

void OrgStore::derive(Record& record) const {
  const ObjectDef& object = *record.object;
  auto set_text = [&](std::string_view field, std::string value) {
    std::size_t index = object.field_index(field);
    if (index != ObjectDef::npos) record.values[index] = value.empty() ? Value{} : Value{std::move(value)};
  };
  auto text_of = [&](std::string_view field) -> std::string {
    const Value& v = record.get(field);
    return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : std::string();
  };
  if (object.name == "Contact" || object.name == "Lead" || object.name == "User") {
    std::string first = text_of("FirstName");
    std::string last = text_of("LastName");
    set_text("Name", first.empty() ? last : first + " " + last);
  }
  if (object.name == "Case") {
    std::size_t index = object.field_index("IsClosed");
    record.values[index] = iequals(text_of("Status"), "Closed");
  }
  if (object.name == "Task") {
    // Task.AccountId is derived: the Account related through WhatId, else the Contact's Account.
    std::string account;
    if (const Record* what = find(text_of("WhatId"))) {
      account = what->object->name == "Account" ? what->id : [&] {
        const Value& v = what->get("AccountId");
        return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : std::string();
      }();
    }
    if (account.empty()) {
      if (const Record* who = find(text_of("WhoId")); who && who->object->name == "Contact") {
        const Value& v = who->get("AccountId");
        if (std::holds_alternative<std::string>(v)) account = std::get<std::string>(v);
      }
    }
    set_text("AccountId", account);
  }
}

ApiResult<std::string> OrgStore::create(const ObjectDef& object, const JsonObject& fields, WriteMode mode,
                                        const std::string& owner_id, std::optional<std::string> explicit_id) {
  if (mode == WriteMode::api && !object.createable) {
    return api_error(400, "INVALID_TYPE_FOR_OPERATION", "entity type cannot be inserted: " + object.name);
  }
  auto record = std::make_unique<Record>();
  record->object = &object;
  record->values.resize(object.fields.size());
  for (std::size_t i = 0; i < object.fields.size(); ++i) record->values[i] = object.fields[i].default_value;

  SFEMU_TRY_VOID(apply(*record, fields, mode, true));

  std::vector<std::string> missing;
  for (std::size_t i = 0; i < object.fields.size(); ++i) {
    if (object.fields[i].required && is_null(record->values[i])) missing.push_back(object.fields[i].name);
  }
  if (!missing.empty()) {
    std::string list;
    for (const std::string& name : missing) list += (list.empty() ? "" : ", ") + name;
    return api_error(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [" + list + "]", missing);
  }

  std::string id;
  if (explicit_id) {
    auto id15 = canonical_id15(*explicit_id);
    if (!id15 || id15->substr(0, 3) != object.key_prefix) {
      return api_error(400, "MALFORMED_ID", "Record ID: id value of incorrect type: " + *explicit_id, {"Id"});
    }
    if (m_by_id.count(*id15) != 0) {
      return api_error(400, "DUPLICATE_VALUE", "duplicate value found: Id duplicates value on record with id: " + *explicit_id,
                       {"Id"});
    }
    m_ids.reserve(*id15);
    id = to_id18(*id15);
  } else {
    id = m_ids.next(object.key_prefix);
  }
  record->id = id;
  record->values[0] = id;

  std::string now = format_datetime(m_clock_ms());
  for (std::size_t i = 0; i < object.fields.size(); ++i) {
    const FieldDef& field = object.fields[i];
    if (field.type == FieldType::autonumber) {
      if (is_null(record->values[i])) {
        record->values[i] = next_auto_number(object);
      } else if (const auto* text = std::get_if<std::string>(&record->values[i])) {
        // Seed data may carry numbers; later inserts continue after the highest one.
        char* end = nullptr;
        long long number = std::strtoll(text->c_str(), &end, 10);
        if (end && *end == '\0') {
          auto [it, inserted] = m_last_auto_number.try_emplace(&object, auto_number_start - 1);
          it->second = std::max<std::int64_t>(it->second, number);
        }
      }
    }
    if ((field.name == "CreatedDate" || field.name == "LastModifiedDate") && is_null(record->values[i])) {
      record->values[i] = now;
    }
    if (field.name == "OwnerId" && is_null(record->values[i]) && !owner_id.empty()) {
      record->values[i] = owner_id;
    }
  }
  derive(*record);

  std::string id15 = id.substr(0, 15);
  m_by_id[id15] = record.get();
  list_of(object).push_back(std::move(record));
  if (m_recording) m_undo.push_back(Undo{Undo::Kind::created, id15, {}, 0});
  return id;
}

ApiResult<void> OrgStore::update(const ObjectDef& object, std::string_view id, const JsonObject& fields) {
  auto id15 = canonical_id15(id);
  auto it = id15 ? m_by_id.find(*id15) : m_by_id.end();
  if (it == m_by_id.end() || it->second->object != &object) {
    return api_error(404, "NOT_FOUND", "The requested resource does not exist");
  }
  Record& record = *it->second;
  Record before = record;
  if (auto applied = apply(record, fields, WriteMode::api, false); !applied) {
    record = before;
    return std::move(applied).error();
  }
  std::vector<std::string> missing;
  for (std::size_t i = 0; i < object.fields.size(); ++i) {
    if (object.fields[i].required && is_null(record.values[i])) missing.push_back(object.fields[i].name);
  }
  if (!missing.empty()) {
    record = before;
    std::string list;
    for (const std::string& name : missing) list += (list.empty() ? "" : ", ") + name;
    return api_error(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [" + list + "]", missing);
  }
  std::size_t modified = object.field_index("LastModifiedDate");
  if (modified != ObjectDef::npos) record.values[modified] = format_datetime(m_clock_ms());
  derive(record);
  if (m_recording) m_undo.push_back(Undo{Undo::Kind::updated, *id15, std::move(before), 0});
  return {};
}

ApiResult<void> OrgStore::remove(const ObjectDef& object, std::string_view id) {
  auto id15 = canonical_id15(id);
  auto it = id15 ? m_by_id.find(*id15) : m_by_id.end();
  if (it == m_by_id.end() || it->second->object != &object) {
    return api_error(404, "NOT_FOUND", "The requested resource does not exist");
  }
  auto& list = list_of(object);
  auto pos = std::find_if(list.begin(), list.end(), [&](const auto& r) { return r.get() == it->second; });
  assert(pos != list.end());
  std::size_t position = static_cast<std::size_t>(pos - list.begin());
  Record before = **pos;
  m_by_id.erase(it);
  list.erase(pos);
  if (m_recording) m_undo.push_back(Undo{Undo::Kind::deleted, *id15, std::move(before), position});
  return {};
}

void OrgStore::begin_transaction() {
  assert(!m_recording);
  m_recording = true;
  m_undo.clear();
}

void OrgStore::commit() {
  m_recording = false;
  m_undo.clear();
}

void OrgStore::rollback() {
  m_recording = false;
  for (auto undo = m_undo.rbegin(); undo != m_undo.rend(); ++undo) {
    switch (undo->kind) {
      case Undo::Kind::created: {
        auto it = m_by_id.find(undo->id15);
        if (it == m_by_id.end()) break;
        auto& list = list_of(*it->second->object);
        Record* target = it->second;
        m_by_id.erase(it);
        list.erase(std::remove_if(list.begin(), list.end(), [&](const auto& r) { return r.get() == target; }),
                   list.end());
        break;
      }
      case Undo::Kind::updated: {
        auto it = m_by_id.find(undo->id15);
        if (it != m_by_id.end()) *it->second = std::move(undo->before);
        break;
      }
      case Undo::Kind::deleted: {
        auto& list = list_of(*undo->before.object);
        auto record = std::make_unique<Record>(std::move(undo->before));
        m_by_id[undo->id15] = record.get();
        std::size_t position = std::min(undo->position, list.size());
        list.insert(list.begin() + static_cast<std::ptrdiff_t>(position), std::move(record));
        break;
      }
    }
  }
  m_undo.clear();
}

}  // namespace cti::sfemu
