#pragma once
// The emulated org's data model: the standard objects a CTI connector touches (Account,
// Contact, Lead, Case, Task, Contract, User) with the fields, types, key prefixes and
// relationship names Salesforce uses. Names are matched case-insensitively, as Salesforce does.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cti::sfemu {

/// A stored field value. Dates are kept as "YYYY-MM-DD" and datetimes as
/// "YYYY-MM-DDThh:mm:ss.000+0000" (UTC), the formats the REST API returns.
using Value = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

inline bool is_null(const Value& value) { return std::holds_alternative<std::monostate>(value); }

enum class FieldType {
  id,
  reference,
  string,
  textarea,  ///< long text: cannot be filtered or sorted in SOQL
  phone,
  email,
  url,
  picklist,
  boolean,
  integer,
  double_value,
  date,
  datetime,
  autonumber,
};

/// The SOAP (xsd) type name Salesforce uses in filter error messages ("must be of type ...").
std::string_view soap_type_name(FieldType type);
/// The field type name of a describe result ("phone", "reference", "picklist", ...).
std::string_view describe_type_name(FieldType type);

/// True for the types compared as case-insensitive text.
bool is_text_type(FieldType type);

struct FieldDef {
  std::string name;
  std::string label;
  FieldType type = FieldType::string;
  std::size_t length = 0;          ///< maximum characters for text types (0 = unlimited)
  bool required = false;           ///< must be given on create (no default)
  bool createable = true;          ///< may be set on create
  bool updateable = true;          ///< may be set on update
  bool name_field = false;         ///< searched by SOSL IN NAME FIELDS
  Value default_value;             ///< applied on create when the field is absent
  std::vector<std::string> reference_to;  ///< target objects of a reference field
  std::string relationship_name;          ///< e.g. "Account" for AccountId
};

struct ObjectDef {
  std::string name;
  std::string label;
  std::string key_prefix;
  bool createable = true;
  std::vector<FieldDef> fields;

  /// Index of a field by case-insensitive name, or npos.
  std::size_t field_index(std::string_view field_name) const;
  const FieldDef* find_field(std::string_view field_name) const;
  /// The reference field whose relationship name matches (e.g. "account" -> AccountId).
  const FieldDef* find_relationship(std::string_view relationship) const;

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
};

class Schema {
 public:
  /// Account, Contact, Lead, Case, Task, Contract and User.
  static const Schema& standard();

  const ObjectDef* find(std::string_view object_name) const;
  const ObjectDef* by_key_prefix(std::string_view prefix) const;
  const std::vector<ObjectDef>& objects() const { return m_objects; }

 private:
  std::vector<ObjectDef> m_objects;
};

/// ASCII case-insensitive equality, used for every Salesforce name comparison.
bool iequals(std::string_view a, std::string_view b);
std::string to_lower_ascii(std::string_view text);

}  // namespace cti::sfemu
