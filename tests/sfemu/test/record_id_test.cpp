#include "record_id.hpp"

#include "schema.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace cti::sfemu;

namespace {

// An independent check of the case-safe suffix: decode each suffix character back into
// five bits and compare them with the case of the corresponding five Id characters.
bool suffix_decodes(const std::string& id18) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  if (id18.size() != 18) return false;
  for (std::size_t group = 0; group < 3; ++group) {
    std::size_t bits = alphabet.find(id18[15 + group]);
    if (bits == std::string::npos) return false;
    for (std::size_t j = 0; j < 5; ++j) {
      char c = id18[group * 5 + j];
      bool upper = c >= 'A' && c <= 'Z';
      if (upper != (((bits >> j) & 1U) == 1U)) return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("sfemu: id_suffix matches the documented examples") {
  struct Row {
    const char* id15;
    const char* suffix;
  };
  const Row rows[] = {{"001D000000IqhSL", "IAZ"}, {"001D000000Iomaz", "IAB"}, {"003RO0000035WQg", "YAM"},
                      {"0031U00000Jajao", "QAB"}, {"0013600000LVqLc", "AAL"}, {"01gD0000002HU6K", "IAW"}};
  for (const Row& row : rows) {
    CAPTURE(row.id15);
    CHECK(id_suffix(row.id15) == row.suffix);
    CHECK(suffix_decodes(std::string(row.id15) + row.suffix));
  }
}

TEST_CASE("sfemu: canonical_id15 accepts 15 and 18 characters and rejects the rest") {
  CHECK(canonical_id15("001D000000IqhSL") == "001D000000IqhSL");
  CHECK(canonical_id15("001D000000IqhSLIAZ") == "001D000000IqhSL");
  CHECK(canonical_id15("001D000000IqhSLiaz") == "001D000000IqhSL");  // the suffix is case-insensitive
  CHECK_FALSE(canonical_id15("001D000000IqhSLIAA"));                 // wrong suffix
  CHECK_FALSE(canonical_id15("001D000000IqhS"));                     // 14 characters
  CHECK_FALSE(canonical_id15("001D000000IqhSL-AZ"));                 // not base62
  CHECK_FALSE(canonical_id15(""));
  CHECK_FALSE(canonical_id15("001D000000IqhSL IAZ"));
}

TEST_CASE("sfemu: IdGenerator makes unique 18-character ids with the right prefix and a valid suffix") {
  const Schema& schema = Schema::standard();
  const std::pair<const char*, const char*> prefixes[] = {{"Account", "001"}, {"Contact", "003"}, {"Lead", "00Q"},
                                                          {"Case", "500"},    {"Task", "00T"},    {"Contract", "800"},
                                                          {"User", "005"}};
  IdGenerator ids;
  std::set<std::string> seen;
  bool saw_mixed_case = false;
  for (const auto& [object, prefix] : prefixes) {
    REQUIRE(schema.find(object) != nullptr);
    CHECK(schema.find(object)->key_prefix == prefix);
    for (int i = 0; i < 500; ++i) {
      std::string id = ids.next(prefix);
      CAPTURE(id);
      REQUIRE(id.size() == 18);
      CHECK(id.substr(0, 3) == prefix);
      CHECK(id[5] == '0');  // the reserved character
      CHECK(suffix_decodes(id));
      CHECK(canonical_id15(id) == id.substr(0, 15));
      CHECK(seen.insert(id.substr(0, 15)).second);
      bool lower = false;
      bool upper = false;
      for (char c : id.substr(6, 9)) {
        lower = lower || (c >= 'a' && c <= 'z');
        upper = upper || (c >= 'A' && c <= 'Z');
      }
      saw_mixed_case = saw_mixed_case || (lower && upper);
    }
  }
  CHECK(saw_mixed_case);
}

TEST_CASE("sfemu: IdGenerator skips reserved ids") {
  IdGenerator probe;
  std::string first = probe.next("003");
  IdGenerator ids;
  ids.reserve(first.substr(0, 15));
  CHECK(ids.next("003") != first);
}
