#pragma once
// The one place values are escaped for Salesforce's query languages. Every value that goes
// into SOQL or SOSL text passes through exactly one of these.

#include <string>
#include <string_view>

namespace sfmatch {

/// For a SOQL string literal compared with `=` (the caller adds the quotes):
/// \ ' " become \\ \' \", newline, CR, tab, backspace and form feed become \n \r \t \b \f,
/// other control characters become \uXXXX. Other bytes (UTF-8 included) pass unchanged.
void append_soql_literal(std::string& out, std::string_view value);
std::string escape_soql_literal(std::string_view value);

/// As above, and also % and _ become \% and \_ so the value matches literally inside a
/// LIKE pattern (the caller adds its own wildcards).
void append_soql_like(std::string& out, std::string_view value);
std::string escape_soql_like(std::string_view value);

/// For a SOSL FIND {term}: each of ? & | ! { } [ ] ( ) ^ ~ * : \ " ' + - is preceded by a
/// backslash; control characters become spaces (SOSL splits terms on whitespace anyway).
/// Words such as AND / OR keep their meaning inside a term; the caller-ID step only ever
/// searches digits.
void append_sosl_term(std::string& out, std::string_view value);
std::string escape_sosl_term(std::string_view value);

}  // namespace sfmatch
