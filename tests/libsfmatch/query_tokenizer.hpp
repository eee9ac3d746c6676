#pragma once
// A small SOQL / SOSL tokenizer written from Salesforce's grammar, independent of the
// library's escapers, so tests and fuzzers can check that a value never changes the shape of
// a query and that every literal decodes back to the value that went in.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sfmatch::testing {

enum class TokenKind { keyword, identifier, number, string, punctuation, sosl_term };

struct Token {
  TokenKind kind = TokenKind::identifier;
  std::string text;  ///< keywords upper-cased; strings and SOSL terms decoded
  /// Offsets (in `text`) of unescaped LIKE wildcards (% _) of a string after LIKE, or of
  /// unescaped SOSL operators / wildcards inside a term.
  std::vector<std::size_t> specials;

  friend bool operator==(const Token&, const Token&) = default;
};

struct Tokens {
  std::vector<Token> tokens;
  std::string error;  ///< empty when the text tokenized

  bool ok() const { return error.empty(); }
  /// The structure: every token with the contents of strings and SOSL terms blanked out.
  std::vector<Token> shape() const {
    std::vector<Token> out = tokens;
    for (Token& token : out) {
      if (token.kind == TokenKind::string || token.kind == TokenKind::sosl_term) {
        token.text.clear();
        token.specials.clear();
      }
    }
    return out;
  }
  /// The decoded strings and terms, in order.
  std::vector<const Token*> literals() const {
    std::vector<const Token*> out;
    for (const Token& token : tokens) {
      if (token.kind == TokenKind::string || token.kind == TokenKind::sosl_term) {
        out.push_back(&token);
      }
    }
    return out;
  }
};

namespace detail_tokenizer {

inline bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

inline bool is_keyword(std::string_view word) {
  static constexpr std::string_view k_keywords[] = {
      "SELECT", "FROM", "WHERE", "LIMIT", "LIKE",   "AND",    "OR",     "NOT",  "IN",
      "FIND",   "PHONE", "FIELDS", "RETURNING", "ORDER", "BY", "OFFSET", "NULL", "TRUE", "FALSE"};
  for (const auto keyword : k_keywords) {
    if (word == keyword) {
      return true;
    }
  }
  return false;
}

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Reads a '...' literal starting at text[i] == '\''. Escapes per the SOQL reference; \% and
/// \_ only when `like`.
inline bool read_string(std::string_view text, std::size_t& i, bool like, Token& token,
                        std::string& error) {
  token.kind = TokenKind::string;
  ++i;  // opening quote
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\'') {
      ++i;
      return true;
    }
    if (c != '\\') {
      if (like && (c == '%' || c == '_')) {
        token.specials.push_back(token.text.size());
      }
      token.text += c;
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) {
      error = "backslash at the end";
      return false;
    }
    const char e = text[i + 1];
    i += 2;
    switch (e) {
      case 'n': case 'N': token.text += '\n'; break;
      case 'r': case 'R': token.text += '\r'; break;
      case 't': case 'T': token.text += '\t'; break;
      case 'b': case 'B': token.text += '\b'; break;
      case 'f': case 'F': token.text += '\f'; break;
      case '"': case '\'': case '\\': token.text += e; break;
      case '%': case '_':
        if (!like) {
          error = std::string("\\") + e + " outside LIKE";
          return false;
        }
        token.text += e;
        break;
      case 'u': {
        if (i + 4 > text.size()) {
          error = "short \\u escape";
          return false;
        }
        int code = 0;
        for (std::size_t k = 0; k < 4; ++k) {
          const int digit = hex_value(text[i + k]);
          if (digit < 0) {
            error = "bad \\u escape";
            return false;
          }
          code = code * 16 + digit;
        }
        i += 4;
        if (code >= 0x80) {
          error = "\\u escape beyond ASCII (not produced by the escaper)";
          return false;
        }
        token.text += static_cast<char>(code);
        break;
      }
      default:
        error = std::string("invalid escape \\") + e;
        return false;
    }
  }
  error = "unterminated string";
  return false;
}

/// Reads the term of FIND {...} starting after '{'; stops after the closing '}'.
inline bool read_sosl_term(std::string_view text, std::size_t& i, Token& token, std::string& error) {
  static constexpr std::string_view k_reserved = "?&|!{}[]()^~*:\\\"'+-";
  token.kind = TokenKind::sosl_term;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '}') {
      ++i;
      return true;
    }
    if (c == '\\') {
      if (i + 1 >= text.size() || k_reserved.find(text[i + 1]) == std::string_view::npos) {
        error = "backslash before a character that is not reserved";
        return false;
      }
      token.text += text[i + 1];
      i += 2;
      continue;
    }
    if (k_reserved.find(c) != std::string_view::npos) {
      token.specials.push_back(token.text.size());  // an operator or wildcard, not text
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      error = "control character in a SOSL term";
      return false;
    }
    token.text += c;
    ++i;
  }
  error = "unterminated SOSL term";
  return false;
}

}  // namespace detail_tokenizer

/// Tokenizes SOQL, or SOSL when the text starts with FIND {.
inline Tokens tokenize(std::string_view text) {
  using namespace detail_tokenizer;
  Tokens out;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ') {
      ++i;
      continue;
    }
    Token token;
    if (is_letter(c)) {
      const std::size_t start = i;
      while (i < text.size() && (is_letter(text[i]) || is_digit(text[i]) || text[i] == '_')) {
        ++i;
      }
      std::string word(text.substr(start, i - start));
      std::string upper_word;
      for (const char w : word) {
        upper_word += upper(w);
      }
      if (is_keyword(upper_word)) {
        token.kind = TokenKind::keyword;
        token.text = upper_word;
      } else {
        token.kind = TokenKind::identifier;
        token.text = word;
      }
    } else if (is_digit(c)) {
      const std::size_t start = i;
      while (i < text.size() && is_digit(text[i])) {
        ++i;
      }
      token.kind = TokenKind::number;
      token.text = std::string(text.substr(start, i - start));
    } else if (c == '\'') {
      const bool like = !out.tokens.empty() && out.tokens.back().kind == TokenKind::keyword &&
                        out.tokens.back().text == "LIKE";
      if (!read_string(text, i, like, token, out.error)) {
        return out;
      }
    } else if (c == '{') {
      const bool after_find = !out.tokens.empty() && out.tokens.back().kind == TokenKind::keyword &&
                              out.tokens.back().text == "FIND";
      if (!after_find) {
        out.error = "'{' not after FIND";
        return out;
      }
      ++i;
      if (!read_sosl_term(text, i, token, out.error)) {
        return out;
      }
    } else if (c == '!' || c == '<' || c == '>') {
      token.kind = TokenKind::punctuation;
      token.text = c;
      ++i;
      if (i < text.size() && (text[i] == '=' || (c == '<' && text[i] == '>'))) {
        token.text += text[i];
        ++i;
      }
    } else if (c == '=' || c == ',' || c == '(' || c == ')') {
      token.kind = TokenKind::punctuation;
      token.text = c;
      ++i;
    } else {
      out.error = "unexpected character at " + std::to_string(i);
      return out;
    }
    out.tokens.push_back(std::move(token));
  }
  return out;
}

}  // namespace sfmatch::testing
