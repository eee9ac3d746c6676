#pragma once
// The emulated org's records: create, read, update, delete with Salesforce's validation and
// error bodies, auto-numbers (CaseNumber, ContractNumber), the compound Name of people, and an
// undo log so a composite request with allOrNone can be rolled back.

#include "api_error.hpp"
#include "json_util.hpp"
#include "record_id.hpp"
#include "schema.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cti::sfemu {

struct Record {
  const ObjectDef* object = nullptr;
  std::string id;             ///< 18 characters
  std::vector<Value> values;  ///< parallel to object->fields

  const Value& get(std::size_t field_index) const { return values[field_index]; }
  /// The value of a field by name; a null Value for an unknown name.
  const Value& get(std::string_view field_name) const;
};

/// Who writes: the API (read-only fields refused) or the seed loader (every field but Id
/// and the compound Name may be given, as data exported from a real org would have them).
enum class WriteMode { api, seed };

class OrgStore {
 public:
  OrgStore(const Schema& schema, std::function<std::int64_t()> clock_ms);

  const Schema& schema() const { return m_schema; }

  /// Validates `fields` and inserts a record. Returns the new 18-character Id.
  /// `explicit_id` (seed mode only) keeps an Id given in the seed file.
  ApiResult<std::string> create(const ObjectDef& object, const JsonObject& fields, WriteMode mode,
                                const std::string& owner_id, std::optional<std::string> explicit_id = {});

  ApiResult<void> update(const ObjectDef& object, std::string_view id, const JsonObject& fields);
  ApiResult<void> remove(const ObjectDef& object, std::string_view id);

  /// The record with this 15- or 18-character Id, of any type.
  const Record* find(std::string_view id) const;
  /// Records of one object in insertion order.
  std::vector<const Record*> records(const ObjectDef& object) const;
  std::size_t size() const { return m_by_id.size(); }

  /// Starts recording changes so that rollback() can undo them. Not nested.
  void begin_transaction();
  void commit();
  void rollback();

  /// Next zero-padded 8-digit number for an auto-number field.
  std::string next_auto_number(const ObjectDef& object);

 private:
  struct Undo {
    enum class Kind { created, updated, deleted } kind;
    std::string id15;
    Record before;           ///< for updated / deleted
    std::size_t position = 0;  ///< index in its object's list, for deleted
  };

  ApiResult<Value> convert(const FieldDef& field, const Poco::Dynamic::Var& json) const;
  ApiResult<void> apply(Record& record, const JsonObject& fields, WriteMode mode, bool creating);
  void derive(Record& record) const;
  std::vector<std::unique_ptr<Record>>& list_of(const ObjectDef& object);

  const Schema& m_schema;
  std::function<std::int64_t()> m_clock_ms;
  IdGenerator m_ids;
  std::map<const ObjectDef*, std::vector<std::unique_ptr<Record>>> m_records;
  std::unordered_map<std::string, Record*> m_by_id;  // keyed by 15-character Id
  std::map<const ObjectDef*, std::int64_t> m_last_auto_number;
  bool m_recording = false;
  std::vector<Undo> m_undo;
};

}  // namespace cti::sfemu
