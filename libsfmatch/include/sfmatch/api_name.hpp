#pragma once
// Salesforce API names (objects and fields). Nothing reaches a query as an identifier
// without passing validate_api_name.

#include "cti/result.hpp"

#include <string_view>

namespace sfmatch {

/// Accepts `Name`, `Custom_Field__c`, `ns__Custom__c` and the other standard suffixes
/// (__c __r __x __e __mdt __b __pc). Rules: starts with a letter; letters, digits and single
/// underscores; no trailing underscore; a double underscore only after a namespace prefix or
/// before the suffix; at most 80 characters in all. The error says what is wrong.
cti::Result<void> validate_api_name(std::string_view name);

inline bool is_valid_api_name(std::string_view name) { return validate_api_name(name).has_value(); }

}  // namespace sfmatch
