#pragma once
// Salesforce date and datetime text: dates "2024-03-05", datetimes on the wire
// "2024-03-05T14:07:00.000+0000". Parsing accepts the ISO 8601 forms SOQL literals and JSON
// bodies use (Z, +hh:mm or +hhmm offsets, optional fractional seconds).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cti::sfemu {

/// Epoch milliseconds -> "YYYY-MM-DDThh:mm:ss.mmm+0000".
std::string format_datetime(std::int64_t epoch_ms);

/// "YYYY-MM-DD" -> days since 1970-01-01 (the text must be exactly a valid date).
std::optional<std::int64_t> parse_date(std::string_view text);

/// ISO datetime with a mandatory zone -> epoch milliseconds.
std::optional<std::int64_t> parse_datetime(std::string_view text);

}  // namespace cti::sfemu
