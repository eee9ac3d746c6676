#pragma once
// JSON utilities over Poco::JSON: ordered objects (Salesforce emits fields in a stable order),
// compact output, error bodies, and a bounded parser for untrusted request bodies.

#include "api_error.hpp"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace cti::sfemu {

using JsonObject = Poco::JSON::Object::Ptr;
using JsonArray = Poco::JSON::Array::Ptr;

/// An empty object that keeps insertion order.
JsonObject make_object();
JsonArray make_array();

/// Compact JSON text of a value (object, array or scalar).
std::string to_json(const Poco::Dynamic::Var& value);

/// `[{"message":...,"errorCode":...[,"fields":[...]]}]`
JsonArray error_body(const ApiError& error);

/// Nesting allowed in request bodies. Deeper documents are refused before parsing, so a
/// hostile body cannot exhaust the stack of the parser or of the value's destructor.
inline constexpr std::size_t max_json_depth = 64;

/// Parses a request body. Malformed or too deeply nested input is JSON_PARSER_ERROR (400).
ApiResult<Poco::Dynamic::Var> parse_json(std::string_view text);

/// The object inside a Var, or nullptr when it holds something else.
JsonObject as_object(const Poco::Dynamic::Var& value);
JsonArray as_array(const Poco::Dynamic::Var& value);

}  // namespace cti::sfemu
