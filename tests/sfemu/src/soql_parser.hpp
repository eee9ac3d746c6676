#pragma once
// SOQL (and the SOQL parts of SOSL) as text -> syntax tree. Only the subset a CTI connector
// needs; anything else is refused with a clear error rather than misread:
//
//   query     := SELECT (COUNT() | path {, path}) FROM object [WHERE cond]
//                [ORDER BY path [ASC|DESC] [NULLS FIRST|LAST] {, ...}] [LIMIT n] [OFFSET n]
//   cond      := unary {AND unary} | unary {OR unary}     -- mixing AND/OR needs parentheses
//   unary     := NOT unary | '(' cond ')' | path op value | path [NOT] IN '(' value {, value} ')'
//   op        := = != <> < <= > >= LIKE
//   value     := 'string' | number | TRUE | FALSE | NULL | YYYY-MM-DD | YYYY-MM-DDThh:mm:ss[.s](Z|+hh:mm)
//
// Keywords and names are case-insensitive. String escapes follow Salesforce: \' \" \\ \n \r \t
// \b \f (either case) and \uXXXX anywhere; \% and \_ only inside a LIKE pattern; any other
// backslash sequence is an error. Nesting of parentheses and NOT is bounded.

#include "api_error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cti::sfemu {

/// Maximum nesting of parentheses / NOT in a condition.
inline constexpr std::size_t max_condition_depth = 32;
/// Salesforce's limit on the length of a SOQL or SOSL statement.
inline constexpr std::size_t max_statement_length = 100000;

struct Token {
  enum class Kind { identifier, string, number, date, datetime, symbol, end };
  Kind kind = Kind::end;
  std::string text;  ///< as written (string tokens: the raw content between the quotes)
  std::size_t offset = 0;
};

/// A dotted field reference as written, e.g. Account.Name.
struct FieldPath {
  std::vector<std::string> parts;
  std::size_t offset = 0;
  std::string text() const;
};

/// LIKE patterns are code points; these two values stand for the wildcards.
inline constexpr char32_t like_any_sequence = 0x110000;
inline constexpr char32_t like_any_char = 0x110001;

struct Literal {
  enum class Kind { string, number, boolean, null, date, datetime };
  Kind kind = Kind::null;
  std::string text;           ///< decoded string value, or the number/date as written
  bool boolean = false;
  double number = 0;
  bool integral = false;
  std::int64_t integer = 0;
  std::int64_t time_ms = 0;   ///< dates: midnight UTC; datetimes: the instant
  std::u32string like;        ///< the pattern, when this literal is the right side of LIKE
  std::string raw;            ///< the token as written, for error messages
  std::size_t offset = 0;
};

enum class CompareOp { eq, ne, lt, le, gt, ge, like, in, not_in };

struct Condition {
  enum class Kind { compare, all_of, any_of, negate };
  Kind kind = Kind::compare;
  FieldPath field;               ///< compare only
  CompareOp op = CompareOp::eq;  ///< compare only
  std::vector<Literal> values;   ///< compare only (one, or the IN list)
  std::vector<Condition> children;
};

struct OrderItem {
  FieldPath field;
  bool descending = false;
  bool nulls_last = false;
};

struct SoqlQuery {
  bool count_only = false;
  std::vector<FieldPath> fields;
  std::string object;
  std::size_t object_offset = 0;
  std::optional<Condition> where;
  std::vector<OrderItem> order_by;
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> offset;
};

/// "\n<line>\n<caret>\nERROR at Row:r:Column:c\n<reason>", Salesforce's positioned message.
std::string positioned_message(std::string_view statement, std::size_t offset, std::string_view reason);

/// Tokenises from `start`; shared by the SOQL parser and the tail of a SOSL statement.
class Lexer {
 public:
  Lexer(std::string_view statement, std::size_t start, std::string error_code);
  ApiResult<std::vector<Token>> tokenize();

 private:
  std::string_view m_text;
  std::size_t m_pos;
  std::string m_error_code;
};

/// Recursive-descent parser over tokens. Public pieces are reused by the SOSL parser.
class Parser {
 public:
  Parser(std::string_view statement, std::vector<Token> tokens, std::string error_code);

  ApiResult<SoqlQuery> parse_query();

  ApiResult<std::vector<FieldPath>> parse_field_list();
  ApiResult<Condition> parse_condition();
  ApiResult<std::vector<OrderItem>> parse_order_by();  ///< after ORDER BY
  ApiResult<std::int64_t> parse_count(std::string_view clause);  ///< LIMIT / OFFSET value

  const Token& peek(std::size_t ahead = 0) const;
  bool at_keyword(std::string_view keyword, std::size_t ahead = 0) const;
  bool at_symbol(std::string_view symbol, std::size_t ahead = 0) const;
  const Token& advance();
  ApiError unexpected(const Token& token) const;
  ApiError error_at(std::size_t offset, std::string_view reason) const;
  ApiResult<void> expect_keyword(std::string_view keyword);
  ApiResult<void> expect_symbol(std::string_view symbol);

 private:
  ApiResult<FieldPath> parse_path();
  ApiResult<Condition> parse_expression(std::size_t depth);
  ApiResult<Condition> parse_unary(std::size_t depth);
  ApiResult<Condition> parse_comparison();
  ApiResult<Literal> parse_value(bool like);

  std::string_view m_statement;
  std::vector<Token> m_tokens;
  std::size_t m_index = 0;
  std::string m_error_code;
};

/// Parses a complete SOQL statement (errors are MALFORMED_QUERY).
ApiResult<SoqlQuery> parse_soql(std::string_view statement);

/// Decodes the raw content of a string literal. `like` allows \% and \_ and turns unescaped
/// % and _ into wildcards (returned in `pattern`).
ApiResult<std::string> decode_string_literal(std::string_view raw, bool like, std::u32string* pattern,
                                             std::string_view statement, std::size_t offset,
                                             const std::string& error_code);

/// UTF-8 -> code points; invalid bytes become U+FFFD.
std::u32string utf8_to_u32(std::string_view text);

}  // namespace cti::sfemu
