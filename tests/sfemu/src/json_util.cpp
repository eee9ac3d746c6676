#include "json_util.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace cti::sfemu {

JsonObject make_object() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

JsonArray make_array() { return new Poco::JSON::Array(); }

std::string to_json(const Poco::Dynamic::Var& value) {
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(value, out);
  return out.str();
}

JsonArray error_body(const ApiError& error) {
  JsonObject item = make_object();
  item->set("message", error.message);
  item->set("errorCode", error.error_code);
  if (!error.fields.empty()) {
    JsonArray fields = make_array();
    for (const std::string& field : error.fields) fields->add(field);
    item->set("fields", fields);
  }
  JsonArray body = make_array();
  body->add(item);
  return body;
}

namespace {

// Deepest bracket nesting outside string literals; stops counting once over the limit.
std::size_t nesting_depth(std::string_view text) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
      if (depth > deepest) deepest = depth;
      if (deepest > max_json_depth) return deepest;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

ApiResult<Poco::Dynamic::Var> parse_json(std::string_view text) {
  if (nesting_depth(text) > max_json_depth) {
    return api_error(400, "JSON_PARSER_ERROR",
                     "JSON nesting deeper than " + std::to_string(max_json_depth) + " levels");
  }
  try {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    return parser.parse(std::string(text));
  } catch (const Poco::Exception& e) {
    return api_error(400, "JSON_PARSER_ERROR", "Unexpected character in JSON body: " + e.message());
  } catch (const std::exception& e) {
    return api_error(400, "JSON_PARSER_ERROR", std::string("Malformed JSON body: ") + e.what());
  }
}

JsonObject as_object(const Poco::Dynamic::Var& value) {
  if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
    return value.extract<Poco::JSON::Object::Ptr>();
  }
  return nullptr;
}

JsonArray as_array(const Poco::Dynamic::Var& value) {
  if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
    return value.extract<Poco::JSON::Array::Ptr>();
  }
  return nullptr;
}

}  // namespace cti::sfemu
