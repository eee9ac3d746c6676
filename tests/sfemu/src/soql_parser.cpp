#include "soql_parser.hpp"

#include "schema.hpp"
#include "sf_time.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace cti::sfemu {

namespace {

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_char(char c) { return is_letter(c) || is_digit(c) || c == '_'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

unsigned hex_value(char c) {
  if (is_digit(c)) return static_cast<unsigned>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
  return static_cast<unsigned>(c - 'A' + 10);
}

// Words that cannot be field names: seeing one where a field is expected is a syntax error,
// the way Salesforce reports "SELECT FROM Account" as "unexpected token: FROM".
constexpr std::array reserved_words = {"select", "from",   "where", "order", "by",   "limit", "offset", "and",
                                       "or",     "not",    "in",    "like",  "asc",  "desc",  "nulls",  "group",
                                       "having", "includes", "excludes", "with", "null", "true",  "false"};

bool is_reserved(std::string_view word) {
  return std::any_of(reserved_words.begin(), reserved_words.end(),
                     [&](const char* reserved) { return iequals(word, reserved); });
}

// A run of capitals/underscores/digits such as TODAY or LAST_N_DAYS: a SOQL date literal.
bool looks_like_date_literal(std::string_view word) {
  return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || c == '_' || is_digit(c);
  });
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes one UTF-8 sequence at `pos`; invalid input yields U+FFFD and advances one byte.
char32_t decode_utf8(std::string_view text, std::size_t& pos) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(pos);
  std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || pos + length > text.size()) {
    ++pos;
    return 0xFFFD;
  }
  char32_t cp = length == 1 ? lead : length == 2 ? (lead & 0x1FU) : length == 3 ? (lead & 0x0FU) : (lead & 0x07U);
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0U) != 0x80U) {
      ++pos;
      return 0xFFFD;
    }
    cp = (cp << 6) | (byte(pos + i) & 0x3FU);
  }
  pos += length;
  return cp;
}

}  // namespace

std::u32string utf8_to_u32(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) out += decode_utf8(text, pos);
  return out;
}

std::string FieldPath::text() const {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : ".") + part;
  return out;
}

std::string positioned_message(std::string_view statement, std::size_t offset, std::string_view reason) {
  offset = std::min(offset, statement.size());
  std::size_t row = 1 + static_cast<std::size_t>(std::count(statement.begin(),
                                                            statement.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  std::size_t line_start = statement.rfind('\n', offset == 0 ? 0 : offset - 1);
  line_start = (line_start == std::string_view::npos || line_start >= offset) ? 0 : line_start + 1;
  if (offset > 0 && statement[offset - 1] == '\n') line_start = offset;
  std::size_t line_end = statement.find('\n', offset);
  if (line_end == std::string_view::npos) line_end = statement.size();
  // Long statements are shown as a window around the error, as Salesforce does.
  constexpr std::size_t window = 80;
  std::size_t from = offset - line_start > window ? offset - window : line_start;
  std::size_t to = std::min(line_end, offset + window);
  std::string message = "\n";
  message += statement.substr(from, to - from);
  message += "\n";
  message += std::string(offset - from, ' ');
  message += "^\nERROR at Row:" + std::to_string(row) + ":Column:" + std::to_string(offset - line_start + 1) + "\n";
  message += reason;
  return message;
}

// --- Lexer -------------------------------------------------------------------------------

Lexer::Lexer(std::string_view statement, std::size_t start, std::string error_code)
    : m_text(statement), m_pos(start), m_error_code(std::move(error_code)) {}

ApiResult<std::vector<Token>> Lexer::tokenize() {
  std::vector<Token> tokens;
  const std::size_t n = m_text.size();
  auto fail_at = [&](std::size_t at) -> ApiError {
    std::size_t line_start = m_text.rfind('\n', at == 0 ? 0 : at - 1);
    line_start = (line_start == std::string_view::npos || line_start >= at) ? 0 : line_start + 1;
    std::size_t row = 1 + static_cast<std::size_t>(std::count(m_text.begin(), m_text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    std::string shown(1, m_text[at]);
    return api_error(400, m_error_code,
                     positioned_message(m_text, at, "line " + std::to_string(row) + ":" + std::to_string(at - line_start) +
                                                        " no viable alternative at character '" + shown + "'"));
  };
  while (m_pos < n) {
    char c = m_text[m_pos];
    std::size_t start = m_pos;
    if (is_space(c)) {
      ++m_pos;
      continue;
    }
    if (is_letter(c) || c == '_') {
      while (m_pos < n && is_ident_char(m_text[m_pos])) ++m_pos;
      tokens.push_back({Token::Kind::identifier, std::string(m_text.substr(start, m_pos - start)), start});
      continue;
    }
    if (is_digit(c)) {
      // A date is exactly NNNN-NN-NN; a datetime continues with T and a time and zone.
      bool date = start + 10 <= n && is_digit(m_text[start + 1]) && is_digit(m_text[start + 2]) &&
                  is_digit(m_text[start + 3]) && m_text[start + 4] == '-' && is_digit(m_text[start + 5]) &&
                  is_digit(m_text[start + 6]) && m_text[start + 7] == '-' && is_digit(m_text[start + 8]) &&
                  is_digit(m_text[start + 9]);
      if (date) {
        m_pos = start + 10;
        if (m_pos < n && m_text[m_pos] == 'T') {
          ++m_pos;
          while (m_pos < n && (is_digit(m_text[m_pos]) || m_text[m_pos] == ':' || m_text[m_pos] == '.')) ++m_pos;
          if (m_pos < n && m_text[m_pos] == 'Z') {
            ++m_pos;
          } else if (m_pos < n && (m_text[m_pos] == '+' || m_text[m_pos] == '-')) {
            ++m_pos;
            while (m_pos < n && (is_digit(m_text[m_pos]) || m_text[m_pos] == ':')) ++m_pos;
          }
          std::string text(m_text.substr(start, m_pos - start));
          if (!parse_datetime(text)) return fail_at(start);
          tokens.push_back({Token::Kind::datetime, std::move(text), start});
        } else {
          std::string text(m_text.substr(start, 10));
          if (!parse_date(text)) return fail_at(start);
          tokens.push_back({Token::Kind::date, std::move(text), start});
        }
        continue;
      }
      while (m_pos < n && is_digit(m_text[m_pos])) ++m_pos;
      if (m_pos + 1 < n && m_text[m_pos] == '.' && is_digit(m_text[m_pos + 1])) {
        ++m_pos;
        while (m_pos < n && is_digit(m_text[m_pos])) ++m_pos;
      }
      tokens.push_back({Token::Kind::number, std::string(m_text.substr(start, m_pos - start)), start});
      continue;
    }
    if (c == '\'') {
      ++m_pos;
      bool closed = false;
      while (m_pos < n) {
        if (m_text[m_pos] == '\\') {
          m_pos += 2;
          continue;
        }
        if (m_text[m_pos] == '\'') {
          closed = true;
          break;
        }
        ++m_pos;
      }
      if (!closed) {
        return api_error(400, m_error_code, positioned_message(m_text, start, "unexpected token: <EOF>: unterminated string literal"));
      }
      tokens.push_back({Token::Kind::string, std::string(m_text.substr(start + 1, m_pos - start - 1)), start});
      ++m_pos;
      continue;
    }
    static constexpr std::array two_char = {"!=", "<>", "<=", ">="};
    bool matched = false;
    for (const char* symbol : two_char) {
      if (m_text.substr(m_pos, 2) == symbol) {
        tokens.push_back({Token::Kind::symbol, symbol, start});
        m_pos += 2;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (std::string_view("=<>(),.-+:*").find(c) != std::string_view::npos) {
      tokens.push_back({Token::Kind::symbol, std::string(1, c), start});
      ++m_pos;
      continue;
    }
    return fail_at(start);
  }
  tokens.push_back({Token::Kind::end, "<EOF>", n});
  return tokens;
}

// --- String literals ---------------------------------------------------------------------

ApiResult<std::string> decode_string_literal(std::string_view raw, bool like, std::u32string* pattern,
                                             std::string_view statement, std::size_t offset,
                                             const std::string& error_code) {
  std::string out;
  std::size_t pos = 0;
  auto illegal = [&](std::string_view sequence) {
    return api_error(400, error_code,
                     positioned_message(statement, offset,
                                        "Invalid string literal '" + std::string(raw) + "'. Illegal character sequence '" +
                                            std::string(sequence) + "' in string literal."));
  };
  auto emit = [&](char32_t cp, bool wildcard_allowed) {
    if (pattern) {
      if (wildcard_allowed && cp == U'%') {
        pattern->push_back(like_any_sequence);
      } else if (wildcard_allowed && cp == U'_') {
        pattern->push_back(like_any_char);
      } else {
        pattern->push_back(cp);
      }
    }
    append_utf8(out, cp);
  };
  while (pos < raw.size()) {
    if (raw[pos] != '\\') {
      char32_t cp = decode_utf8(raw, pos);
      emit(cp, like);
      continue;
    }
    if (pos + 1 >= raw.size()) return illegal("\\");
    char e = raw[pos + 1];
    switch (e) {
      case 'n': case 'N': emit(U'\n', false); break;
      case 'r': case 'R': emit(U'\r', false); break;
      case 't': case 'T': emit(U'\t', false); break;
      // The docs call \b "bell"; Salesforce's parser is Java's, where \b is backspace.
      case 'b': case 'B': emit(U'\b', false); break;
      case 'f': case 'F': emit(U'\f', false); break;
      case '"': emit(U'"', false); break;
      case '\'': emit(U'\'', false); break;
      case '\\': emit(U'\\', false); break;
      case '%':
      case '_':
        if (!like) return illegal(raw.substr(pos, 2));
        emit(static_cast<char32_t>(e), false);
        break;
      case 'u':
      case 'U': {
        if (pos + 6 > raw.size() || !std::all_of(raw.begin() + static_cast<std::ptrdiff_t>(pos + 2),
                                                 raw.begin() + static_cast<std::ptrdiff_t>(pos + 6), is_hex)) {
          return illegal(raw.substr(pos, std::min<std::size_t>(6, raw.size() - pos)));
        }
        char32_t cp = 0;
        for (std::size_t i = pos + 2; i < pos + 6; ++i) cp = (cp << 4) | hex_value(raw[i]);
        // A surrogate pair written as two escapes becomes one code point; a lone surrogate
        // cannot be represented in UTF-8 and becomes U+FFFD.
        if (cp >= 0xD800 && cp <= 0xDBFF && pos + 12 <= raw.size() && raw[pos + 6] == '\\' &&
            (raw[pos + 7] == 'u' || raw[pos + 7] == 'U') &&
            std::all_of(raw.begin() + static_cast<std::ptrdiff_t>(pos + 8), raw.begin() + static_cast<std::ptrdiff_t>(pos + 12),
                        is_hex)) {
          char32_t low = 0;
          for (std::size_t i = pos + 8; i < pos + 12; ++i) low = (low << 4) | hex_value(raw[i]);
          if (low >= 0xDC00 && low <= 0xDFFF) {
            emit(0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00), false);
            pos += 12;
            continue;
          }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
        emit(cp, false);
        pos += 6;
        continue;
      }
      default:
        return illegal(raw.substr(pos, 2));
    }
    pos += 2;
  }
  return out;
}

// --- Parser ------------------------------------------------------------------------------

Parser::Parser(std::string_view statement, std::vector<Token> tokens, std::string error_code)
    : m_statement(statement), m_tokens(std::move(tokens)), m_error_code(std::move(error_code)) {}

const Token& Parser::peek(std::size_t ahead) const {
  std::size_t index = std::min(m_index + ahead, m_tokens.size() - 1);
  return m_tokens[index];
}

bool Parser::at_keyword(std::string_view keyword, std::size_t ahead) const {
  const Token& token = peek(ahead);
  return token.kind == Token::Kind::identifier && iequals(token.text, keyword);
}

bool Parser::at_symbol(std::string_view symbol, std::size_t ahead) const {
  const Token& token = peek(ahead);
  return token.kind == Token::Kind::symbol && token.text == symbol;
}

const Token& Parser::advance() {
  const Token& token = peek();
  if (m_index < m_tokens.size() - 1) ++m_index;
  return token;
}

ApiError Parser::error_at(std::size_t offset, std::string_view reason) const {
  return api_error(400, m_error_code, positioned_message(m_statement, offset, reason));
}

ApiError Parser::unexpected(const Token& token) const {
  std::string shown = token.kind == Token::Kind::string ? "'" + token.text + "'" : token.text;
  return error_at(token.offset, "unexpected token: " + shown);
}

ApiResult<void> Parser::expect_keyword(std::string_view keyword) {
  if (!at_keyword(keyword)) return unexpected(peek());
  advance();
  return {};
}

ApiResult<void> Parser::expect_symbol(std::string_view symbol) {
  if (!at_symbol(symbol)) return unexpected(peek());
  advance();
  return {};
}

ApiResult<FieldPath> Parser::parse_path() {
  const Token& first = peek();
  if (first.kind != Token::Kind::identifier || is_reserved(first.text)) return unexpected(first);
  FieldPath path;
  path.offset = first.offset;
  path.parts.push_back(advance().text);
  while (at_symbol(".")) {
    advance();
    const Token& next = peek();
    if (next.kind != Token::Kind::identifier || is_reserved(next.text)) return unexpected(next);
    path.parts.push_back(advance().text);
  }
  return path;
}

ApiResult<std::vector<FieldPath>> Parser::parse_field_list() {
  std::vector<FieldPath> fields;
  while (true) {
    const Token& token = peek();
    if (at_symbol("(")) {
      if (at_keyword("SELECT", 1)) return error_at(token.offset, "relationship subqueries are not supported by this emulator");
      return unexpected(token);
    }
    if (token.kind == Token::Kind::identifier && at_symbol("(", 1)) {
      return error_at(token.offset, "function " + token.text + "() is not supported by this emulator (only SELECT COUNT())");
    }
    if (at_keyword("TYPEOF")) return error_at(token.offset, "TYPEOF is not supported by this emulator");
    fields.push_back(SFEMU_TRY(parse_path()));
    if (!at_symbol(",")) break;
    advance();
  }
  return fields;
}

ApiResult<std::int64_t> Parser::parse_count(std::string_view clause) {
  const Token& token = peek();
  if (token.kind != Token::Kind::number || token.text.find('.') != std::string::npos) return unexpected(token);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(token.text.data(), token.text.data() + token.text.size(), value);
  if (ec != std::errc() || value > 2147483647) {
    return error_at(token.offset, std::string(clause) + " value " + token.text + " is out of range");
  }
  advance();
  return value;
}

ApiResult<std::vector<OrderItem>> Parser::parse_order_by() {
  std::vector<OrderItem> items;
  while (true) {
    OrderItem item;
    item.field = SFEMU_TRY(parse_path());
    if (at_keyword("ASC")) {
      advance();
    } else if (at_keyword("DESC")) {
      advance();
      item.descending = true;
    }
    if (at_keyword("NULLS")) {
      advance();
      if (at_keyword("FIRST")) {
        item.nulls_last = false;
      } else if (at_keyword("LAST")) {
        item.nulls_last = true;
      } else {
        return unexpected(peek());
      }
      advance();
    }
    items.push_back(std::move(item));
    if (!at_symbol(",")) break;
    advance();
  }
  return items;
}

ApiResult<Condition> Parser::parse_condition() { return parse_expression(0); }

ApiResult<Condition> Parser::parse_expression(std::size_t depth) {
  Condition first = SFEMU_TRY(parse_unary(depth));
  std::vector<Condition> children;
  children.push_back(std::move(first));
  std::string joiner;
  while (at_keyword("AND") || at_keyword("OR")) {
    std::string word = at_keyword("AND") ? "AND" : "OR";
    // Salesforce refuses a AND b OR c: operators of different kinds need parentheses.
    if (!joiner.empty() && word != joiner) return unexpected(peek());
    joiner = word;
    advance();
    children.push_back(SFEMU_TRY(parse_unary(depth)));
  }
  if (children.size() == 1) return std::move(children.front());
  Condition combined;
  combined.kind = joiner == "AND" ? Condition::Kind::all_of : Condition::Kind::any_of;
  combined.children = std::move(children);
  return combined;
}

ApiResult<Condition> Parser::parse_unary(std::size_t depth) {
  if (depth >= max_condition_depth) {
    return error_at(peek().offset, "expression nested too deeply (more than " + std::to_string(max_condition_depth) +
                                       " levels of parentheses or NOT)");
  }
  if (at_keyword("NOT")) {
    advance();
    Condition negated;
    negated.kind = Condition::Kind::negate;
    negated.children.push_back(SFEMU_TRY(parse_unary(depth + 1)));
    return negated;
  }
  if (at_symbol("(")) {
    advance();
    Condition inner = SFEMU_TRY(parse_expression(depth + 1));
    SFEMU_TRY_VOID(expect_symbol(")"));
    return inner;
  }
  return parse_comparison();
}

ApiResult<Condition> Parser::parse_comparison() {
  Condition condition;
  condition.field = SFEMU_TRY(parse_path());
  const Token& token = peek();
  static constexpr std::array<std::pair<const char*, CompareOp>, 7> operators = {{{"=", CompareOp::eq},
                                                                                   {"!=", CompareOp::ne},
                                                                                   {"<>", CompareOp::ne},
                                                                                   {"<", CompareOp::lt},
                                                                                   {"<=", CompareOp::le},
                                                                                   {">", CompareOp::gt},
                                                                                   {">=", CompareOp::ge}}};
  if (token.kind == Token::Kind::symbol) {
    for (const auto& [symbol, op] : operators) {
      if (token.text == symbol) {
        advance();
        condition.op = op;
        condition.values.push_back(SFEMU_TRY(parse_value(false)));
        return condition;
      }
    }
    return unexpected(token);
  }
  if (at_keyword("LIKE")) {
    advance();
    condition.op = CompareOp::like;
    if (peek().kind != Token::Kind::string) return unexpected(peek());
    condition.values.push_back(SFEMU_TRY(parse_value(true)));
    return condition;
  }
  bool negated_in = at_keyword("NOT") && at_keyword("IN", 1);
  if (at_keyword("IN") || negated_in) {
    advance();
    if (negated_in) advance();
    condition.op = negated_in ? CompareOp::not_in : CompareOp::in;
    if (at_symbol("(") && at_keyword("SELECT", 1)) {
      return error_at(peek().offset, "semi-join subqueries are not supported by this emulator");
    }
    SFEMU_TRY_VOID(expect_symbol("("));
    while (true) {
      condition.values.push_back(SFEMU_TRY(parse_value(false)));
      if (!at_symbol(",")) break;
      advance();
    }
    SFEMU_TRY_VOID(expect_symbol(")"));
    return condition;
  }
  if (at_keyword("INCLUDES") || at_keyword("EXCLUDES")) {
    return error_at(token.offset, token.text + " is not supported by this emulator");
  }
  return unexpected(token);
}

ApiResult<Literal> Parser::parse_value(bool like) {
  const Token& token = peek();
  Literal literal;
  literal.raw = token.kind == Token::Kind::string ? "'" + token.text + "'" : token.text;
  literal.offset = token.offset;
  switch (token.kind) {
    case Token::Kind::string: {
      literal.kind = Literal::Kind::string;
      literal.text = SFEMU_TRY(decode_string_literal(token.text, like, like ? &literal.like : nullptr, m_statement,
                                                     token.offset, m_error_code));
      advance();
      return literal;
    }
    case Token::Kind::symbol:
    case Token::Kind::number: {
      std::string sign;
      if (token.kind == Token::Kind::symbol) {
        const Token& next = peek(1);
        if ((token.text != "-" && token.text != "+") || next.kind != Token::Kind::number ||
            next.offset != token.offset + 1) {
          return unexpected(token);
        }
        sign = token.text == "-" ? "-" : "";
        advance();
      }
      const Token& number = advance();
      literal.kind = Literal::Kind::number;
      literal.text = sign + number.text;
      literal.raw = (sign.empty() && token.kind == Token::Kind::symbol ? "+" : sign) + number.text;
      const char* begin = literal.text.data();
      const char* end = begin + literal.text.size();
      if (literal.text.find('.') == std::string::npos) {
        auto [ptr, ec] = std::from_chars(begin, end, literal.integer);
        literal.integral = ec == std::errc() && ptr == end;
      }
      auto [ptr, ec] = std::from_chars(begin, end, literal.number);
      if (ec != std::errc()) return error_at(token.offset, "number " + literal.text + " is out of range");
      if (literal.integral) literal.number = static_cast<double>(literal.integer);
      return literal;
    }
    case Token::Kind::date: {
      literal.kind = Literal::Kind::date;
      literal.text = token.text;
      literal.time_ms = parse_date(token.text).value_or(0) * 86400000;
      advance();
      return literal;
    }
    case Token::Kind::datetime: {
      literal.kind = Literal::Kind::datetime;
      literal.text = token.text;
      literal.time_ms = parse_datetime(token.text).value_or(0);
      advance();
      return literal;
    }
    case Token::Kind::identifier: {
      if (iequals(token.text, "true") || iequals(token.text, "false")) {
        literal.kind = Literal::Kind::boolean;
        literal.boolean = iequals(token.text, "true");
        advance();
        return literal;
      }
      if (iequals(token.text, "null")) {
        literal.kind = Literal::Kind::null;
        advance();
        return literal;
      }
      if (looks_like_date_literal(token.text) && !is_reserved(token.text)) {
        return error_at(token.offset, "date literal " + token.text + " is not supported by this emulator");
      }
      return unexpected(token);
    }
    case Token::Kind::end:
      return unexpected(token);
  }
  return unexpected(token);
}

ApiResult<SoqlQuery> Parser::parse_query() {
  SoqlQuery query;
  SFEMU_TRY_VOID(expect_keyword("SELECT"));
  if (at_keyword("COUNT") && at_symbol("(", 1) && at_symbol(")", 2)) {
    advance();
    advance();
    advance();
    query.count_only = true;
  } else {
    query.fields = SFEMU_TRY(parse_field_list());
  }
  SFEMU_TRY_VOID(expect_keyword("FROM"));
  const Token& object = peek();
  if (object.kind != Token::Kind::identifier || is_reserved(object.text)) return unexpected(object);
  query.object = object.text;
  query.object_offset = object.offset;
  advance();
  if (at_keyword("WHERE")) {
    advance();
    query.where = SFEMU_TRY(parse_condition());
  }
  if (at_keyword("ORDER")) {
    advance();
    SFEMU_TRY_VOID(expect_keyword("BY"));
    query.order_by = SFEMU_TRY(parse_order_by());
  }
  if (at_keyword("LIMIT")) {
    advance();
    query.limit = SFEMU_TRY(parse_count("LIMIT"));
  }
  if (at_keyword("OFFSET")) {
    advance();
    query.offset = SFEMU_TRY(parse_count("OFFSET"));
  }
  const Token& rest = peek();
  if (rest.kind != Token::Kind::end) {
    for (const char* clause : {"GROUP", "HAVING", "WITH", "FOR", "USING", "UPDATE"}) {
      if (at_keyword(clause)) return error_at(rest.offset, rest.text + " clauses are not supported by this emulator");
    }
    return unexpected(rest);
  }
  return query;
}

ApiResult<SoqlQuery> parse_soql(std::string_view statement) {
  if (statement.size() > max_statement_length) {
    return api_error(400, "MALFORMED_QUERY", "SOQL statements cannot be longer than 100,000 characters.");
  }
  std::vector<Token> tokens = SFEMU_TRY(Lexer(statement, 0, "MALFORMED_QUERY").tokenize());
  Parser parser(statement, std::move(tokens), "MALFORMED_QUERY");
  return parser.parse_query();
}

}  // namespace cti::sfemu
