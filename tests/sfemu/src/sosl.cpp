#include "sosl.hpp"

#include <algorithm>

namespace cti::sfemu {

namespace {

constexpr std::string_view malformed = "MALFORMED_SEARCH";
constexpr std::string_view reserved_chars = "?&|!{}[]()^~*:\\\"'+-";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_alnum_cp(char32_t c) {
  return (c >= U'0' && c <= U'9') || (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || c >= 0x80;
}
bool is_digit_cp(char32_t c) { return c >= U'0' && c <= U'9'; }
bool is_wildcard(char32_t c) { return c == like_any_sequence || c == like_any_char; }
char32_t fold(char32_t c) { return (c >= U'A' && c <= U'Z') ? c - U'A' + U'a' : c; }

// Splits text into search tokens: runs of letters or of digits; anything else separates.
// Wildcards stay inside the token they touch and never split it.
std::vector<std::u32string> tokenize(const std::u32string& text) {
  std::vector<std::u32string> tokens;
  std::u32string current;
  int current_class = 0;  // 1 letters, 2 digits, 0 none yet (wildcards only)
  for (char32_t c : text) {
    if (is_wildcard(c)) {
      current += c;
      continue;
    }
    if (!is_alnum_cp(c)) {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
      current_class = 0;
      continue;
    }
    int cls = is_digit_cp(c) ? 2 : 1;
    if (current_class != 0 && cls != current_class && !current.empty()) {
      tokens.push_back(std::move(current));
      current.clear();
    }
    current_class = cls;
    current += fold(c);
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

bool token_sequence_matches(const std::vector<std::u32string>& needle, const std::vector<std::u32string>& haystack) {
  if (needle.empty() || needle.size() > haystack.size()) return false;
  for (std::size_t start = 0; start + needle.size() <= haystack.size(); ++start) {
    bool all = true;
    for (std::size_t i = 0; i < needle.size() && all; ++i) {
      all = wildcard_match(needle[i], haystack[start + i], like_any_sequence, like_any_char);
    }
    if (all) return true;
  }
  return false;
}

std::string national_digits(std::string digits) {
  if (digits.size() == 11 && digits.front() == '1') digits.erase(0, 1);
  return digits;
}

// The stored value's digits, cut at the first letter so that extensions do not count.
std::string stored_phone_digits(std::string_view stored) {
  std::string digits;
  for (char c : stored) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) break;
    if (c >= '0' && c <= '9') digits += c;
  }
  return digits;
}

// The term as digits and wildcards ('*', '?'), or nullopt when it is not a phone number.
std::optional<std::u32string> phone_term(const std::u32string& pattern) {
  std::u32string out;
  std::size_t digits = 0;
  for (char32_t c : pattern) {
    if (is_digit_cp(c)) {
      out += c;
      ++digits;
    } else if (is_wildcard(c)) {
      out += c;
    } else if (c != U'+' && c != U'-' && c != U'(' && c != U')' && c != U'.' && c != U' ') {
      return std::nullopt;
    }
  }
  if (digits == 0) return std::nullopt;
  return out;
}

bool phone_pattern_matches(const std::u32string& term, std::string_view stored) {
  std::string digits = stored_phone_digits(stored);
  if (digits.empty()) return false;
  bool wild = std::any_of(term.begin(), term.end(), is_wildcard);
  if (!wild) {
    std::string term_digits;
    for (char32_t c : term) term_digits += static_cast<char>(c);
    return national_digits(term_digits) == national_digits(digits);
  }
  std::u32string full(digits.begin(), digits.end());
  std::string national = national_digits(digits);
  std::u32string national32(national.begin(), national.end());
  return wildcard_match(term, full, like_any_sequence, like_any_char) ||
         wildcard_match(term, national32, like_any_sequence, like_any_char);
}

bool in_scope(const FieldDef& field, SearchScope scope) {
  switch (scope) {
    case SearchScope::all:
      return is_text_type(field.type) && field.type != FieldType::picklist;
    case SearchScope::name:
    case SearchScope::sidebar:
      return field.name_field;
    case SearchScope::email:
      return field.type == FieldType::email;
    case SearchScope::phone:
      return field.type == FieldType::phone;
  }
  return false;
}

bool field_matches(const FieldDef& field, const std::string& value, const SearchTerm& term,
                   const std::vector<std::u32string>& term_tokens) {
  if (field.type == FieldType::phone) {
    if (auto digits = phone_term(term.pattern); digits && phone_pattern_matches(*digits, value)) return true;
  }
  return token_sequence_matches(term_tokens, tokenize(utf8_to_u32(value)));
}

bool record_matches(const Record& record, const SearchTerm& term, SearchScope scope) {
  switch (term.kind) {
    case SearchTerm::Kind::all_of:
      return std::all_of(term.children.begin(), term.children.end(),
                         [&](const SearchTerm& child) { return record_matches(record, child, scope); });
    case SearchTerm::Kind::any_of:
      return std::any_of(term.children.begin(), term.children.end(),
                         [&](const SearchTerm& child) { return record_matches(record, child, scope); });
    case SearchTerm::Kind::and_not:
      return record_matches(record, term.children[0], scope) && !record_matches(record, term.children[1], scope);
    case SearchTerm::Kind::word:
    case SearchTerm::Kind::phrase:
      break;
  }
  // A word of punctuation only (an escaped "&", say) has no tokens and constrains nothing.
  std::vector<std::u32string> term_tokens = tokenize(term.pattern);
  if (term_tokens.empty()) return true;
  const auto& fields = record.object->fields;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (!in_scope(fields[i], scope)) continue;
    const auto* text = std::get_if<std::string>(&record.values[i]);
    if (text && field_matches(fields[i], *text, term, term_tokens)) return true;
  }
  return false;
}

// --- Term parsing ------------------------------------------------------------------------

struct TermItem {
  enum class Kind { word, phrase, open, close };
  Kind kind;
  std::u32string pattern;
  std::string plain;  // the word as ASCII-ish text, to recognise AND / OR / NOT
  std::size_t offset;
};

ApiError mismatched(std::string_view statement, std::size_t at, std::string_view shown, char expecting = '}') {
  // Salesforce puts the caret one character before the offending one (see its
  // "FIND {John|jane}" example: Column:10, "line 1:10").
  std::size_t caret = at == 0 ? 0 : at - 1;
  std::size_t line_start = statement.rfind('\n', caret);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  std::size_t row = 1 + static_cast<std::size_t>(std::count(statement.begin(), statement.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  return api_error(400, std::string(malformed),
                   positioned_message(statement, caret,
                                      "line " + std::to_string(row) + ":" + std::to_string(at - line_start) +
                                          " mismatched character '" + std::string(shown) + "' expecting '" +
                                          std::string(1, expecting) + "'"));
}

ApiError no_term() {
  return api_error(400, std::string(malformed), "No search term found. The search term must be enclosed in braces.");
}

// Scans `{...}` starting after the brace; returns the items and sets `end` to the offset
// just past the closing brace.
ApiResult<std::vector<TermItem>> scan_term(std::string_view statement, std::size_t pos, std::size_t& end) {
  std::vector<TermItem> items;
  TermItem word{TermItem::Kind::word, {}, {}, pos};
  auto flush = [&] {
    if (!word.pattern.empty()) items.push_back(word);
    word = TermItem{TermItem::Kind::word, {}, {}, pos};
  };
  auto append = [](TermItem& item, char32_t cp) {
    item.pattern += cp;
    if (cp < 0x80) item.plain += static_cast<char>(cp);
  };
  // Reads one character of a word or phrase; handles escapes, wildcards and reserved characters.
  auto read_char = [&](TermItem& item, char expecting) -> ApiResult<void> {
    char c = statement[pos];
    if (c == '\\') {
      if (pos + 1 >= statement.size()) return mismatched(statement, pos + 1, "<EOF>", expecting);
      char next = statement[pos + 1];
      if (reserved_chars.find(next) == std::string_view::npos) {
        return api_error(400, std::string(malformed),
                         positioned_message(statement, pos,
                                            std::string("Invalid escape sequence '\\") + next +
                                                "' in search term: only reserved characters may be escaped"));
      }
      append(item, static_cast<char32_t>(next));
      pos += 2;
      return {};
    }
    if (c == '*' || c == '?') {
      item.pattern += c == '*' ? like_any_sequence : like_any_char;
      item.plain += c;
      ++pos;
      return {};
    }
    if (reserved_chars.find(c) != std::string_view::npos) return mismatched(statement, pos, std::string(1, c), expecting);
    std::size_t at = pos;
    // Multi-byte characters: decode the whole sequence.
    std::size_t length = 1;
    auto lead = static_cast<unsigned char>(c);
    if (lead >= 0xF0) {
      length = 4;
    } else if (lead >= 0xE0) {
      length = 3;
    } else if (lead >= 0xC0) {
      length = 2;
    }
    length = std::min(length, statement.size() - at);
    for (char32_t decoded : utf8_to_u32(statement.substr(at, length))) append(item, decoded);
    pos += length;
    return {};
  };

  while (true) {
    if (pos >= statement.size()) return mismatched(statement, pos, "<EOF>");
    char c = statement[pos];
    if (c == '}') {
      flush();
      end = pos + 1;
      return items;
    }
    if (is_space(c)) {
      flush();
      ++pos;
      word.offset = pos;
      continue;
    }
    if (c == '(' || c == ')') {
      flush();
      items.push_back({c == '(' ? TermItem::Kind::open : TermItem::Kind::close, {}, {}, pos});
      ++pos;
      word.offset = pos;
      continue;
    }
    if (c == '"') {
      flush();
      TermItem phrase{TermItem::Kind::phrase, {}, {}, pos};
      ++pos;
      while (true) {
        if (pos >= statement.size()) return mismatched(statement, pos, "<EOF>", '"');
        if (statement[pos] == '"') {
          ++pos;
          break;
        }
        if (is_space(statement[pos])) {
          append(phrase, U' ');
          ++pos;
          continue;
        }
        SFEMU_TRY_VOID(read_char(phrase, '"'));
      }
      items.push_back(std::move(phrase));
      word.offset = pos;
      continue;
    }
    if (word.pattern.empty()) word.offset = pos;
    SFEMU_TRY_VOID(read_char(word, '}'));
  }
}

class TermParser {
 public:
  TermParser(std::string_view statement, std::vector<TermItem> items)
      : m_statement(statement), m_items(std::move(items)) {}

  ApiResult<SearchTerm> parse() {
    if (m_items.empty()) return no_term();
    SearchTerm term = SFEMU_TRY(parse_or(0));
    if (m_index < m_items.size()) return unexpected(m_items[m_index]);
    return term;
  }

 private:
  bool at_operator(std::string_view word) const {
    return m_index < m_items.size() && m_items[m_index].kind == TermItem::Kind::word && iequals(m_items[m_index].plain, word) &&
           m_items[m_index].plain.size() == m_items[m_index].pattern.size();
  }

  ApiError unexpected(const TermItem& item) const {
    std::string shown = item.kind == TermItem::Kind::open ? "(" : item.kind == TermItem::Kind::close ? ")" : item.plain;
    return api_error(400, std::string(malformed),
                     positioned_message(m_statement, item.offset, "unexpected token in search term: " + shown));
  }

  ApiError missing_operand() const {
    std::size_t at = m_index < m_items.size() ? m_items[m_index].offset : m_statement.size();
    return api_error(400, std::string(malformed), positioned_message(m_statement, at, "search term is incomplete"));
  }

  ApiResult<SearchTerm> parse_or(std::size_t depth) {
    SearchTerm first = SFEMU_TRY(parse_and(depth));
    if (!at_operator("OR")) return first;
    SearchTerm any;
    any.kind = SearchTerm::Kind::any_of;
    any.children.push_back(std::move(first));
    while (at_operator("OR")) {
      ++m_index;
      any.children.push_back(SFEMU_TRY(parse_and(depth)));
    }
    return any;
  }

  ApiResult<SearchTerm> parse_and(std::size_t depth) {
    SearchTerm result = SFEMU_TRY(parse_primary(depth));
    while (m_index < m_items.size() && m_items[m_index].kind != TermItem::Kind::close && !at_operator("OR")) {
      bool negate = false;
      if (at_operator("AND")) {
        ++m_index;
        if (at_operator("NOT")) {
          ++m_index;
          negate = true;
        }
      }
      SearchTerm right = SFEMU_TRY(parse_primary(depth));
      SearchTerm combined;
      combined.kind = negate ? SearchTerm::Kind::and_not : SearchTerm::Kind::all_of;
      combined.children.push_back(std::move(result));
      combined.children.push_back(std::move(right));
      result = std::move(combined);
    }
    return result;
  }

  ApiResult<SearchTerm> parse_primary(std::size_t depth) {
    if (m_index >= m_items.size()) return missing_operand();
    const TermItem& item = m_items[m_index];
    if (item.kind == TermItem::Kind::open) {
      if (depth >= max_condition_depth) {
        return api_error(400, std::string(malformed),
                         positioned_message(m_statement, item.offset, "search term nested too deeply"));
      }
      ++m_index;
      SearchTerm inner = SFEMU_TRY(parse_or(depth + 1));
      if (m_index >= m_items.size() || m_items[m_index].kind != TermItem::Kind::close) return missing_operand();
      ++m_index;
      return inner;
    }
    if (item.kind == TermItem::Kind::close || at_operator("AND") || at_operator("OR")) return unexpected(item);
    ++m_index;
    SearchTerm leaf;
    leaf.kind = item.kind == TermItem::Kind::phrase ? SearchTerm::Kind::phrase : SearchTerm::Kind::word;
    leaf.pattern = item.pattern;
    return leaf;
  }

  std::string_view m_statement;
  std::vector<TermItem> m_items;
  std::size_t m_index = 0;
};

}  // namespace

bool phone_matches(std::string_view stored, std::string_view term) {
  std::u32string pattern;
  for (char c : term) {
    pattern += c == '*' ? like_any_sequence : c == '?' ? like_any_char : static_cast<char32_t>(static_cast<unsigned char>(c));
  }
  auto digits = phone_term(pattern);
  return digits && phone_pattern_matches(*digits, stored);
}

ApiResult<SoslQuery> parse_sosl(std::string_view statement) {
  if (statement.size() > max_statement_length) {
    return api_error(400, std::string(malformed), "SOSL statements cannot be longer than 100,000 characters.");
  }
  std::size_t pos = 0;
  while (pos < statement.size() && is_space(statement[pos])) ++pos;
  if (!iequals(statement.substr(pos, 4), "FIND")) return no_term();
  pos += 4;
  while (pos < statement.size() && is_space(statement[pos])) ++pos;
  if (pos >= statement.size() || statement[pos] != '{') return no_term();
  std::size_t end = 0;
  std::vector<TermItem> items = SFEMU_TRY(scan_term(statement, pos + 1, end));

  SoslQuery query;
  query.term = SFEMU_TRY(TermParser(statement, std::move(items)).parse());

  std::vector<Token> tokens = SFEMU_TRY(Lexer(statement, end, std::string(malformed)).tokenize());
  Parser parser(statement, std::move(tokens), std::string(malformed));
  if (parser.at_keyword("IN")) {
    parser.advance();
    static constexpr std::pair<const char*, SearchScope> scopes[] = {{"ALL", SearchScope::all},
                                                                     {"NAME", SearchScope::name},
                                                                     {"EMAIL", SearchScope::email},
                                                                     {"PHONE", SearchScope::phone},
                                                                     {"SIDEBAR", SearchScope::sidebar}};
    bool known = false;
    for (const auto& [word, scope] : scopes) {
      if (parser.at_keyword(word)) {
        query.scope = scope;
        known = true;
        break;
      }
    }
    if (!known) return parser.unexpected(parser.peek());
    parser.advance();
    SFEMU_TRY_VOID(parser.expect_keyword("FIELDS"));
  }
  if (parser.at_keyword("RETURNING")) {
    parser.advance();
    while (true) {
      const Token& object = parser.peek();
      if (object.kind != Token::Kind::identifier || iequals(object.text, "LIMIT") || iequals(object.text, "WITH")) {
        return parser.unexpected(object);
      }
      ReturningSpec spec;
      spec.object = object.text;
      spec.object_offset = object.offset;
      parser.advance();
      if (parser.at_symbol("(")) {
        parser.advance();
        spec.fields = SFEMU_TRY(parser.parse_field_list());
        if (parser.at_keyword("WHERE")) {
          parser.advance();
          spec.where = SFEMU_TRY(parser.parse_condition());
        }
        if (parser.at_keyword("ORDER")) {
          parser.advance();
          SFEMU_TRY_VOID(parser.expect_keyword("BY"));
          spec.order_by = SFEMU_TRY(parser.parse_order_by());
        }
        if (parser.at_keyword("LIMIT")) {
          parser.advance();
          spec.limit = SFEMU_TRY(parser.parse_count("LIMIT"));
        }
        if (parser.at_keyword("OFFSET")) {
          parser.advance();
          spec.offset = SFEMU_TRY(parser.parse_count("OFFSET"));
        }
        SFEMU_TRY_VOID(parser.expect_symbol(")"));
      }
      query.returning.push_back(std::move(spec));
      if (!parser.at_symbol(",")) break;
      parser.advance();
    }
  }
  if (parser.at_keyword("WITH")) {
    return parser.error_at(parser.peek().offset, "WITH clauses are not supported by this emulator");
  }
  if (parser.at_keyword("LIMIT")) {
    parser.advance();
    query.limit = SFEMU_TRY(parser.parse_count("LIMIT"));
  }
  if (parser.peek().kind != Token::Kind::end) return parser.unexpected(parser.peek());
  return query;
}

ApiResult<JsonArray> run_sosl(const OrgStore& store, std::string_view text, std::string_view api_version) {
  SoslQuery query = SFEMU_TRY(parse_sosl(text));
  Statement statement{text, std::string(malformed)};
  const Schema& schema = store.schema();

  struct BoundSpec {
    const ObjectDef* object;
    std::vector<ResolvedPath> select;
    std::optional<BoundCondition> where;
    std::vector<BoundOrder> order;
    std::optional<std::int64_t> limit;
    std::optional<std::int64_t> offset;
  };
  std::vector<BoundSpec> specs;
  FieldPath id_path{{"Id"}, 0};
  if (query.returning.empty()) {
    for (const ObjectDef& object : schema.objects()) {
      if (!object.createable) continue;
      specs.push_back({&object, {SFEMU_TRY(resolve_path(schema, object, id_path, statement))}, {}, {}, {}, {}});
    }
  }
  for (const ReturningSpec& spec : query.returning) {
    const ObjectDef* object = schema.find(spec.object);
    if (!object) {
      return api_error(400, "INVALID_TYPE",
                       positioned_message(text, spec.object_offset,
                                          "sObject type '" + spec.object +
                                              "' is not supported. If you are attempting to use a custom object, be "
                                              "sure to append the '__c' after the entity name. Please reference your "
                                              "WSDL or the describe call for the appropriate names."));
    }
    BoundSpec bound{object, {}, {}, {}, spec.limit, spec.offset};
    bound.select = spec.fields.empty() ? std::vector<ResolvedPath>{SFEMU_TRY(resolve_path(schema, *object, id_path, statement))}
                                       : SFEMU_TRY(resolve_select(schema, *object, spec.fields, statement));
    if (spec.where) bound.where = SFEMU_TRY(bind_condition(schema, *object, *spec.where, statement));
    bound.order = SFEMU_TRY(bind_order(schema, *object, spec.order_by, statement));
    specs.push_back(std::move(bound));
  }

  std::size_t overall = std::min<std::size_t>(max_search_results, static_cast<std::size_t>(query.limit.value_or(
                                                                      static_cast<std::int64_t>(max_search_results))));
  JsonArray results = make_array();
  for (const BoundSpec& spec : specs) {
    if (results->size() >= overall) break;
    std::vector<const Record*> found;
    for (const Record* record : store.records(*spec.object)) {
      if (!record_matches(*record, query.term, query.scope)) continue;
      if (spec.where && !matches(store, *record, *spec.where)) continue;
      found.push_back(record);
    }
    sort_records(store, found, spec.order);
    auto skip = static_cast<std::size_t>(spec.offset.value_or(0));
    std::size_t take = spec.limit ? static_cast<std::size_t>(*spec.limit) : found.size();
    for (std::size_t i = skip; i < found.size() && i - skip < take && results->size() < overall; ++i) {
      results->add(render_record(store, *found[i], spec.select, api_version));
    }
  }
  return results;
}

}  // namespace cti::sfemu
