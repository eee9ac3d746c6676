#include "record_id.hpp"

#include <cassert>

namespace cti::sfemu {

namespace {

constexpr std::string_view base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view suffix_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

// 62^9: the number of distinct 9-character record numbers.
constexpr std::uint64_t record_space = 13537086546263552ULL;
// The bijection x -> (x * multiplier + offset) mod 62^9. 62^9 = 2^9 * 31^9, so any odd
// multiplier that is not a multiple of 31 is invertible. The product stays below 2^64
// because x < 2^54 and the multiplier < 2^10.
constexpr std::uint64_t multiplier = 977;
constexpr std::uint64_t offset = 40347721938211ULL;  // gives mixed-case, realistic-looking ids

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

char to_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string record_number(std::uint64_t sequence) {
  std::uint64_t value = (sequence % record_space * multiplier + offset) % record_space;
  std::string digits(9, '0');
  for (std::size_t i = 9; i-- > 0;) {
    digits[i] = base62[value % 62];
    value /= 62;
  }
  return digits;
}

}  // namespace

std::string id_suffix(std::string_view id15) {
  assert(id15.size() == 15);
  std::string suffix;
  for (std::size_t group = 0; group < 3; ++group) {
    std::size_t bits = 0;
    for (std::size_t j = 0; j < 5; ++j) {
      char c = id15[group * 5 + j];
      if (c >= 'A' && c <= 'Z') bits |= std::size_t{1} << j;
    }
    suffix += suffix_alphabet[bits];
  }
  return suffix;
}

std::optional<std::string> canonical_id15(std::string_view id) {
  if (id.size() != 15 && id.size() != 18) return std::nullopt;
  for (char c : id) {
    if (!is_alnum(c)) return std::nullopt;
  }
  std::string id15(id.substr(0, 15));
  if (id.size() == 18) {
    std::string expected = id_suffix(id15);
    for (std::size_t i = 0; i < 3; ++i) {
      if (to_upper(id[15 + i]) != expected[i]) return std::nullopt;
    }
  }
  return id15;
}

std::string to_id18(std::string_view id15) {
  assert(id15.size() == 15);
  return std::string(id15) + id_suffix(id15);
}

std::string IdGenerator::next(std::string_view key_prefix) {
  assert(key_prefix.size() == 3 && m_pod.size() == 2);
  std::string id15;
  do {
    id15 = std::string(key_prefix) + m_pod + "0" + record_number(m_sequence++);
  } while (m_reserved.count(id15) != 0);
  return to_id18(id15);
}

}  // namespace cti::sfemu
