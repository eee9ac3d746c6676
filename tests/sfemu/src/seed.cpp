#include "seed.hpp"

#include "cti/result.hpp"

#include <fstream>
#include <map>
#include <sstream>

namespace cti::sfemu {

namespace {

[[noreturn]] void seed_error(const std::string& message) { throw cti::ConfigError("seed data: " + message); }

std::string text_of(const JsonObject& object, const std::string& key, const std::string& where) {
  if (!object->has(key)) return {};
  Poco::Dynamic::Var value = object->get(key);
  if (!value.isString()) seed_error(where + ": \"" + key + "\" must be a string");
  return value.extract<std::string>();
}

bool flag_of(const JsonObject& object, const std::string& key, const std::string& where) {
  if (!object->has(key)) return false;
  Poco::Dynamic::Var value = object->get(key);
  if (!value.isBoolean()) seed_error(where + ": \"" + key + "\" must be true or false");
  return value.convert<bool>();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) seed_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Replaces "@ref" strings with the Ids recorded so far; other values pass through.
JsonObject resolve_references(const JsonObject& fields, const std::map<std::string, std::string>& ids,
                              const std::string& where) {
  JsonObject out = make_object();
  for (const auto& [name, value] : *fields) {
    if (name == "attributes") continue;
    if (value.isString()) {
      const std::string& text = value.extract<std::string>();
      if (text.size() > 1 && text.front() == '@') {
        auto it = ids.find(text.substr(1));
        if (it == ids.end()) seed_error(where + ": field " + name + " refers to unknown referenceId " + text);
        out->set(name, it->second);
        continue;
      }
    }
    out->set(name, value);
  }
  return out;
}

}  // namespace

SeedData parse_seed(std::string_view json_text, const std::string& base_dir) {
  auto parsed = parse_json(json_text);
  if (!parsed) seed_error(parsed.error().message);
  JsonObject root = as_object(*parsed);
  if (!root) seed_error("the top level must be a JSON object");

  SeedData seed;
  if (root->has("org")) {
    JsonObject org = as_object(root->get("org"));
    if (!org) seed_error("\"org\" must be an object");
    if (std::string id = text_of(org, "id", "org"); !id.empty()) {
      auto id15 = canonical_id15(id);
      if (!id15 || id15->substr(0, 3) != "00D") seed_error("org.id must be an organization Id (00D...)");
      seed.org_id = to_id18(*id15);
    }
    if (std::string name = text_of(org, "name", "org"); !name.empty()) seed.org_name = name;
    if (org->has("jwt_audiences")) {
      JsonArray list = as_array(org->get("jwt_audiences"));
      if (!list) seed_error("org.jwt_audiences must be an array of strings");
      seed.jwt_audiences.clear();
      for (std::size_t i = 0; i < list->size(); ++i) {
        Poco::Dynamic::Var item = list->get(static_cast<unsigned>(i));
        if (!item.isString()) seed_error("org.jwt_audiences must be an array of strings");
        seed.jwt_audiences.push_back(item.extract<std::string>());
      }
    }
  }
  auto array_of = [&](const std::string& key) -> JsonArray {
    if (!root->has(key)) return make_array();
    JsonArray list = as_array(root->get(key));
    if (!list) seed_error("\"" + key + "\" must be an array");
    return list;
  };
  seed.users = array_of("users");
  seed.records = array_of("records");

  JsonArray apps = array_of("connected_apps");
  for (std::size_t i = 0; i < apps->size(); ++i) {
    std::string where = "connected_apps[" + std::to_string(i) + "]";
    JsonObject entry = as_object(apps->get(static_cast<unsigned>(i)));
    if (!entry) seed_error(where + " must be an object");
    ConnectedApp app;
    app.client_id = text_of(entry, "client_id", where);
    app.client_secret = text_of(entry, "client_secret", where);
    app.certificate_pem = text_of(entry, "certificate_pem", where);
    app.run_as = text_of(entry, "run_as", where);
    if (std::string file = text_of(entry, "certificate_file", where); !file.empty()) {
      app.certificate_pem = read_file(file.front() == '/' || base_dir.empty() ? file : base_dir + "/" + file);
    }
    if (app.client_id.empty()) seed_error(where + ": client_id is required");
    seed.apps.push_back(std::move(app));
  }

  JsonArray grants = array_of("refresh_tokens");
  for (std::size_t i = 0; i < grants->size(); ++i) {
    std::string where = "refresh_tokens[" + std::to_string(i) + "]";
    JsonObject entry = as_object(grants->get(static_cast<unsigned>(i)));
    if (!entry) seed_error(where + " must be an object");
    RefreshGrant grant{text_of(entry, "token", where), text_of(entry, "client_id", where), text_of(entry, "username", where)};
    if (grant.token.empty() || grant.client_id.empty() || grant.username.empty()) {
      seed_error(where + ": token, client_id and username are required");
    }
    seed.refresh_tokens.push_back(std::move(grant));
  }
  return seed;
}

void load_seed(const SeedData& seed, OrgStore& store, TokenService& tokens) {
  const ObjectDef* user_object = store.schema().find("User");
  std::map<std::string, std::string> ids;  // referenceId -> 18-character Id
  // Sign-in attributes live beside the User record's fields in the seed file.
  static const char* const login_keys[] = {"referenceId", "password", "security_token", "frozen", "Id"};

  for (std::size_t i = 0; i < seed.users->size(); ++i) {
    std::string where = "users[" + std::to_string(i) + "]";
    JsonObject entry = as_object(seed.users->get(static_cast<unsigned>(i)));
    if (!entry) seed_error(where + " must be an object");
    JsonObject fields = make_object();
    for (const auto& [name, value] : *entry) {
      bool login_key = false;
      for (const char* key : login_keys) login_key = login_key || name == key;
      if (!login_key) fields->set(name, value);
    }
    std::optional<std::string> explicit_id;
    if (std::string id = text_of(entry, "Id", where); !id.empty()) explicit_id = id;
    auto created = store.create(*user_object, fields, WriteMode::seed, "", explicit_id);
    if (!created) seed_error(where + ": " + created.error().error_code + ": " + created.error().message);
    OrgUser user;
    user.username = text_of(entry, "Username", where);
    user.password = text_of(entry, "password", where);
    user.security_token = text_of(entry, "security_token", where);
    user.frozen = flag_of(entry, "frozen", where);
    user.user_id = *created;
    tokens.add_user(std::move(user));
    if (std::string reference = text_of(entry, "referenceId", where); !reference.empty()) ids[reference] = *created;
  }

  for (const ConnectedApp& app : seed.apps) {
    if (!app.run_as.empty() && !tokens.find_user(app.run_as)) {
      seed_error("connected app " + app.client_id + ": run_as user " + app.run_as + " is not in \"users\"");
    }
    tokens.add_app(app);
  }
  for (const RefreshGrant& grant : seed.refresh_tokens) tokens.add_refresh_token(grant);

  // Records without an owner belong to the first user, as if that user had entered them.
  std::string default_owner;
  if (seed.users->size() > 0) default_owner = store.records(*user_object).front()->id;

  for (std::size_t i = 0; i < seed.records->size(); ++i) {
    std::string where = "records[" + std::to_string(i) + "]";
    JsonObject entry = as_object(seed.records->get(static_cast<unsigned>(i)));
    if (!entry) seed_error(where + " must be an object");
    JsonObject attributes = entry->has("attributes") ? as_object(entry->get("attributes")) : nullptr;
    if (!attributes) seed_error(where + ": \"attributes\" with a \"type\" is required");
    std::string type = text_of(attributes, "type", where);
    const ObjectDef* object = store.schema().find(type);
    if (!object) seed_error(where + ": unknown object type '" + type + "'");
    if (object == user_object) seed_error(where + ": users belong in \"users\"");
    std::string reference = text_of(attributes, "referenceId", where);
    if (!reference.empty()) where += " (" + reference + ")";
    JsonObject fields = resolve_references(entry, ids, where);
    std::optional<std::string> explicit_id;
    if (fields->has("Id")) {
      Poco::Dynamic::Var id = fields->get("Id");
      if (!id.isString()) seed_error(where + ": Id must be a string");
      explicit_id = id.extract<std::string>();
      fields->remove("Id");
    }
    auto created = store.create(*object, fields, WriteMode::seed, default_owner, explicit_id);
    if (!created) seed_error(where + ": " + created.error().error_code + ": " + created.error().message);
    if (!reference.empty()) {
      if (!ids.emplace(reference, *created).second) seed_error(where + ": duplicate referenceId");
    }
  }
}

}  // namespace cti::sfemu
