#pragma once
// DialPlan: turns a number as people write it ("(212) 842-5500", "+44 20 7946 0018",
// "212.842.5500 x12", "137") into the digits the PBX must dial, using the dialing options of
// the Salesforce call-centre definition (outside, long-distance and international prefixes).
// The same options tell libsfmatch how to undo those prefixes on caller ID.

#include "cti/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace cti {

/// Dialing options. Defaults are the guide's North American set-up (9 / 1 / 011).
struct DialingOptions {
  std::string outside_prefix = "9";          ///< reqOutsidePrefix: gets an outside line
  std::string long_distance_prefix = "1";    ///< reqLongDistPrefix
  std::string international_prefix = "011";  ///< reqInternationalPrefix
  std::string country_code = "1";            ///< home country calling code, digits
  std::size_t national_number_length = 10;   ///< digits of a full national number at home
  std::size_t min_extension_length = 2;      ///< internal extensions are this long ...
  std::size_t max_extension_length = 6;      ///< ... to this long

  friend bool operator==(const DialingOptions&, const DialingOptions&) = default;
};

/// Checks the options themselves: prefixes are 0-4 digits, the country code 1-3 digits,
/// lengths are ordered and at most 16.
Result<void> validate(const DialingOptions& options);

enum class NumberKind { internal, local, national, international };

std::string_view to_string(NumberKind kind) noexcept;

/// What to dial for one number.
struct DialString {
  std::string digits;     ///< what the PBX dials, prefixes included
  std::string post_dial;  ///< digits to send as DTMF once connected (an "x12" extension)
  NumberKind kind = NumberKind::national;
};

class DialPlan {
 public:
  /// The options must be valid (see validate); create() checks them for you.
  explicit DialPlan(DialingOptions options);
  static Result<DialPlan> create(DialingOptions options);

  const DialingOptions& options() const noexcept { return m_options; }

  /// Rejects (invalid_input, with the reason) empty input, letters other than an extension
  /// marker (x, ext, #), more than 20 digits, and a '+' that is not leading; also input
  /// without digits, longer than 64 characters, or with an extension over 16 digits.
  Result<DialString> dial_string(std::string_view number) const;

 private:
  DialingOptions m_options;
};

}  // namespace cti
