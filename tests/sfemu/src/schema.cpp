#include "schema.hpp"

namespace cti::sfemu {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string to_lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view soap_type_name(FieldType type) {
  switch (type) {
    case FieldType::id:
    case FieldType::reference: return "id";
    case FieldType::boolean: return "boolean";
    case FieldType::integer: return "int";
    case FieldType::double_value: return "double";
    case FieldType::date: return "date";
    case FieldType::datetime: return "dateTime";
    default: return "string";
  }
}

std::string_view describe_type_name(FieldType type) {
  switch (type) {
    case FieldType::id: return "id";
    case FieldType::reference: return "reference";
    case FieldType::string: return "string";
    case FieldType::textarea: return "textarea";
    case FieldType::phone: return "phone";
    case FieldType::email: return "email";
    case FieldType::url: return "url";
    case FieldType::picklist: return "picklist";
    case FieldType::boolean: return "boolean";
    case FieldType::integer: return "int";
    case FieldType::double_value: return "double";
    case FieldType::date: return "date";
    case FieldType::datetime: return "datetime";
    case FieldType::autonumber: return "string";
  }
  return "string";
}

bool is_text_type(FieldType type) {
  switch (type) {
    case FieldType::string:
    case FieldType::textarea:
    case FieldType::phone:
    case FieldType::email:
    case FieldType::url:
    case FieldType::picklist:
    case FieldType::autonumber:
      return true;
    default:
      return false;
  }
}

std::size_t ObjectDef::field_index(std::string_view field_name) const {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (iequals(fields[i].name, field_name)) return i;
  }
  return npos;
}

const FieldDef* ObjectDef::find_field(std::string_view field_name) const {
  std::size_t index = field_index(field_name);
  return index == npos ? nullptr : &fields[index];
}

const FieldDef* ObjectDef::find_relationship(std::string_view relationship) const {
  for (const FieldDef& field : fields) {
    if (!field.relationship_name.empty() && iequals(field.relationship_name, relationship)) {
      return &field;
    }
  }
  return nullptr;
}

namespace {

// Small builders keep the object table below readable.
FieldDef field(std::string name, std::string label, FieldType type, std::size_t length) {
  FieldDef f;
  f.name = std::move(name);
  f.label = std::move(label);
  f.type = type;
  f.length = length;
  return f;
}

FieldDef id_field() {
  FieldDef f = field("Id", "Record ID", FieldType::id, 18);
  f.createable = false;
  f.updateable = false;
  return f;
}

FieldDef text(std::string name, std::string label, std::size_t length, FieldType type = FieldType::string) {
  return field(std::move(name), std::move(label), type, length);
}

FieldDef required(FieldDef f) {
  f.required = true;
  return f;
}

FieldDef named(FieldDef f) {
  f.name_field = true;
  return f;
}

FieldDef with_default(FieldDef f, Value value) {
  f.default_value = std::move(value);
  return f;
}

FieldDef read_only(FieldDef f) {
  f.createable = false;
  f.updateable = false;
  return f;
}

FieldDef reference(std::string name, std::string label, std::vector<std::string> targets,
                   std::string relationship) {
  FieldDef f = field(std::move(name), std::move(label), FieldType::reference, 18);
  f.reference_to = std::move(targets);
  f.relationship_name = std::move(relationship);
  return f;
}

FieldDef typed(std::string name, std::string label, FieldType type) {
  return field(std::move(name), std::move(label), type, 0);
}

// System fields every object carries; filled in by the store.
void add_audit_fields(std::vector<FieldDef>& fields) {
  fields.push_back(reference("OwnerId", "Owner ID", {"User"}, "Owner"));
  fields.push_back(read_only(typed("CreatedDate", "Created Date", FieldType::datetime)));
  fields.push_back(read_only(typed("LastModifiedDate", "Last Modified Date", FieldType::datetime)));
}

ObjectDef account() {
  ObjectDef o{"Account", "Account", "001", true, {}};
  auto& f = o.fields;
  f.push_back(id_field());
  f.push_back(named(required(text("Name", "Account Name", 255))));
  f.push_back(text("AccountNumber", "Account Number", 40));
  f.push_back(text("Phone", "Account Phone", 40, FieldType::phone));
  f.push_back(text("Fax", "Account Fax", 40, FieldType::phone));
  f.push_back(text("Website", "Website", 255, FieldType::url));
  f.push_back(text("Type", "Account Type", 255, FieldType::picklist));
  f.push_back(text("Industry", "Industry", 255, FieldType::picklist));
  f.push_back(text("BillingStreet", "Billing Street", 255));
  f.push_back(text("BillingCity", "Billing City", 40));
  f.push_back(text("BillingState", "Billing State/Province", 80));
  f.push_back(text("BillingPostalCode", "Billing Zip/Postal Code", 20));
  f.push_back(text("BillingCountry", "Billing Country", 80));
  f.push_back(typed("NumberOfEmployees", "Employees", FieldType::integer));
  f.push_back(typed("AnnualRevenue", "Annual Revenue", FieldType::double_value));
  f.push_back(text("Description", "Account Description", 32000, FieldType::textarea));
  add_audit_fields(f);
  return o;
}

ObjectDef contact() {
  ObjectDef o{"Contact", "Contact", "003", true, {}};
  auto& f = o.fields;
  f.push_back(id_field());
  f.push_back(reference("AccountId", "Account ID", {"Account"}, "Account"));
  f.push_back(text("Salutation", "Salutation", 40, FieldType::picklist));
  f.push_back(named(text("FirstName", "First Name", 40)));
  f.push_back(named(required(text("LastName", "Last Name", 80))));
  f.push_back(named(read_only(text("Name", "Full Name", 121))));
  f.push_back(text("Title", "Title", 128));
  f.push_back(text("Department", "Department", 80));
  f.push_back(text("Email", "Email", 80, FieldType::email));
  f.push_back(text("Phone", "Business Phone", 40, FieldType::phone));
  f.push_back(text("MobilePhone", "Mobile Phone", 40, FieldType::phone));
  f.push_back(text("HomePhone", "Home Phone", 40, FieldType::phone));
  f.push_back(text("OtherPhone", "Other Phone", 40, FieldType::phone));
  f.push_back(text("AssistantName", "Assistant's Name", 40));
  f.push_back(text("AssistantPhone", "Asst. Phone", 40, FieldType::phone));
  f.push_back(text("Fax", "Business Fax", 40, FieldType::phone));
  f.push_back(text("MailingCity", "Mailing City", 40));
  f.push_back(text("MailingState", "Mailing State/Province", 80));
  f.push_back(text("MailingCountry", "Mailing Country", 80));
  f.push_back(text("Description", "Contact Description", 32000, FieldType::textarea));
  add_audit_fields(f);
  return o;
}

ObjectDef lead() {
  ObjectDef o{"Lead", "Lead", "00Q", true, {}};
  auto& f = o.fields;
  f.push_back(id_field());
  f.push_back(text("Salutation", "Salutation", 40, FieldType::picklist));
  f.push_back(named(text("FirstName", "First Name", 40)));
  f.push_back(named(required(text("LastName", "Last Name", 80))));
  f.push_back(named(read_only(text("Name", "Full Name", 121))));
  f.push_back(named(required(text("Company", "Company", 255))));
  f.push_back(text("Title", "Title", 128));
  f.push_back(text("Email", "Email", 80, FieldType::email));
  f.push_back(text("Phone", "Phone", 40, FieldType::phone));
  f.push_back(text("MobilePhone", "Mobile Phone", 40, FieldType::phone));
  f.push_back(text("Fax", "Fax", 40, FieldType::phone));
  f.push_back(with_default(text("Status", "Status", 40, FieldType::picklist), std::string("Open - Not Contacted")));
  f.push_back(text("LeadSource", "Lead Source", 40, FieldType::picklist));
  f.push_back(text("Industry", "Industry", 40, FieldType::picklist));
  f.push_back(text("City", "City", 40));
  f.push_back(text("State", "State/Province", 80));
  f.push_back(text("Country", "Country", 80));
  f.push_back(read_only(with_default(typed("IsConverted", "Converted", FieldType::boolean), false)));
  f.push_back(read_only(typed("ConvertedDate", "Converted Date", FieldType::date)));
  f.push_back(read_only(reference("ConvertedAccountId", "Converted Account ID", {"Account"}, "ConvertedAccount")));
  f.push_back(read_only(reference("ConvertedContactId", "Converted Contact ID", {"Contact"}, "ConvertedContact")));
  f.push_back(text("Description", "Description", 32000, FieldType::textarea));
  add_audit_fields(f);
  return o;
}

ObjectDef case_object() {
  ObjectDef o{"Case", "Case", "500", true, {}};
  auto& f = o.fields;
  f.push_back(id_field());
  f.push_back(read_only(text("CaseNumber", "Case Number", 30, FieldType::autonumber)));
  f.push_back(reference("AccountId", "Account ID", {"Account"}, "Account"));
  f.push_back(reference("ContactId", "Contact ID", {"Contact"}, "Contact"));
  f.push_back(named(text("Subject", "Subject", 255)));
  f.push_back(with_default(text("Status", "Status", 40, FieldType::picklist), std::string("New")));
  f.push_back(with_default(text("Priority", "Priority", 40, FieldType::picklist), std::string("Medium")));
  f.push_back(text("Origin", "Case Origin", 40, FieldType::picklist));
  f.push_back(text("Type", "Case Type", 40, FieldType::picklist));
  f.push_back(text("Reason", "Case Reason", 40, FieldType::picklist));
  f.push_back(named(text("SuppliedName", "Web Name", 80)));
  f.push_back(text("SuppliedEmail", "Web Email", 80, FieldType::email));
  f.push_back(text("SuppliedPhone", "Web Phone", 40));
  f.push_back(read_only(with_default(typed("IsClosed", "Closed", FieldType::boolean), false)));
  f.push_back(text("Description", "Description", 32000, FieldType::textarea));
  add_audit_fields(f);
  return o;
}

ObjectDef task() {
  ObjectDef o{"Task", "Task", "00T", true, {}};
  auto& f = o.fields;
  f.push_back(id_field());
  f.push_back(reference("WhoId", "Name ID", {"Contact", "Lead"}, "Who"));
  f.push_back(reference("WhatId", "Related To ID", {"Account", "Case", "Contract"}, "What"));
  f.push_back(named(text("Subject", "Subject", 255)));
  f.push_back(with_default(text("Status", "Status", 40, FieldType::picklist), std::string("Not Started")));
  f.push_back(with_default(text("Priority", "Priority", 40, FieldType::picklist), std::string("Normal")));
  f.push_back(typed("ActivityDate", "Due Date Only", FieldType::date));
  f.push_back(text("TaskSubtype", "Task Subtype", 40, FieldType::picklist));
  f.push_back(text("CallType", "Call Type", 40, FieldType::picklist));
  f.push_back(typed("CallDurationInSeconds", "Call Duration", FieldType::integer));
  f.push_back(text("CallObject", "Call Object Identifier", 255));
  f.push_back(text("CallDisposition", "Call Result", 255));
  f.push_back(read_only(reference("AccountId", "Account ID", {"Account"}, "Account")));
  f.push_back(text("Description", "Comments", 32000, FieldType::textarea));
  add_audit_fields(f);
  return o;
}

ObjectDef contract() {
  ObjectDef o{"Contract", "Contract", "800", true, {}};
  auto& f = o.fields;
  f.push_back(id_field());
  f.push_back(read_only(text("ContractNumber", "Contract Number", 30, FieldType::autonumber)));
  f.push_back(required(reference("AccountId", "Account ID", {"Account"}, "Account")));
  f.push_back(with_default(text("Status", "Status", 40, FieldType::picklist), std::string("Draft")));
  f.push_back(typed("StartDate", "Contract Start Date", FieldType::date));
  f.push_back(typed("ContractTerm", "Contract Term", FieldType::integer));
  f.push_back(text("Description", "Description", 32000, FieldType::textarea));
  add_audit_fields(f);
  return o;
}

ObjectDef user() {
  // Users come from the seed file; the REST API cannot insert them here.
  ObjectDef o{"User", "User", "005", false, {}};
  auto& f = o.fields;
  f.push_back(id_field());
  f.push_back(required(text("Username", "Username", 80)));
  f.push_back(named(text("FirstName", "First Name", 40)));
  f.push_back(named(required(text("LastName", "Last Name", 80))));
  f.push_back(named(read_only(text("Name", "Full Name", 121))));
  f.push_back(text("Email", "Email", 128, FieldType::email));
  f.push_back(text("Alias", "Alias", 8));
  f.push_back(text("Phone", "Phone", 40, FieldType::phone));
  f.push_back(text("Extension", "Extension", 40, FieldType::phone));
  f.push_back(with_default(typed("IsActive", "Active", FieldType::boolean), true));
  f.push_back(read_only(typed("CreatedDate", "Created Date", FieldType::datetime)));
  f.push_back(read_only(typed("LastModifiedDate", "Last Modified Date", FieldType::datetime)));
  return o;
}

}  // namespace

const Schema& Schema::standard() {
  static const Schema schema = [] {
    Schema s;
    s.m_objects = {account(), contact(), lead(), case_object(), task(), contract(), user()};
    return s;
  }();
  return schema;
}

const ObjectDef* Schema::find(std::string_view object_name) const {
  for (const ObjectDef& object : m_objects) {
    if (iequals(object.name, object_name)) return &object;
  }
  return nullptr;
}

const ObjectDef* Schema::by_key_prefix(std::string_view prefix) const {
  for (const ObjectDef& object : m_objects) {
    if (object.key_prefix == prefix) return &object;
  }
  return nullptr;
}

}  // namespace cti::sfemu
