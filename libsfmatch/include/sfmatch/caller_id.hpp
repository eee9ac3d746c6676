#pragma once
// Caller-ID normalisation: from whatever the PBX passes as ANI to the forms Salesforce
// matching needs (national digits for SOSL, E.164 for display and post-filtering).

#include "cti/dial_plan.hpp"
#include "cti/result.hpp"

#include <string>
#include <string_view>

namespace sfmatch {

enum class CallerIdKind {
  external,  ///< a real outside number: look it up
  internal,  ///< an internal extension: no lookup
  withheld,  ///< anonymous / private / restricted / unknown / empty: no lookup
};

std::string_view to_string(CallerIdKind kind) noexcept;

struct CallerId {
  CallerIdKind kind = CallerIdKind::withheld;
  std::string digits;        ///< the digits as received, formatting stripped
  std::string country_code;  ///< e.g. "1", "44" (external only)
  std::string national;      ///< national significant number, e.g. "2128425500"
  std::string e164;          ///< e.g. "+12128425500" (external only)
  std::string extension;     ///< the extension (internal only)

  bool searchable() const noexcept { return kind == CallerIdKind::external; }

  friend bool operator==(const CallerId&, const CallerId&) = default;
};

/// Strips formatting (spaces, dots, dashes, parentheses, a leading '+'), undoes the PBX's
/// outside / long-distance / international prefixes from `options`, and classifies the
/// result. Withheld markers and an empty ANI are not errors. Junk (letters, more than 20
/// digits, a misplaced '+') is invalid_input with the reason.
cti::Result<CallerId> normalize_caller_id(std::string_view ani, const cti::DialingOptions& options);

}  // namespace sfmatch
