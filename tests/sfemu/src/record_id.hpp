#pragma once
// Salesforce record Ids: 15 case-sensitive base62 characters (3-character key prefix, pod,
// reserved '0', 9-character record number) plus a 3-character suffix that makes the 18-character
// form case-insensitive. The API always returns the 18-character form and accepts both.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace cti::sfemu {

/// The case-safe suffix of a 15-character Id: for each group of 5 characters, a bit per
/// uppercase letter (left to right = bit 0..4) indexes "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".
std::string id_suffix(std::string_view id15);

/// The canonical 15-character form of a 15- or 18-character Id, or nullopt when the text is
/// not an Id (wrong length, a character outside [0-9A-Za-z], or an 18-character Id whose
/// suffix does not match its first 15 characters).
std::optional<std::string> canonical_id15(std::string_view id);

/// 15 -> 18 characters. `id15` must be a valid 15-character Id.
std::string to_id18(std::string_view id15);

/// Makes ids for one org: `<prefix><pod>0<9 base62 chars><suffix>`. Sequence numbers map to
/// record numbers through a fixed bijection, so ids are unique, stable across runs for the
/// same load order, and mixed-case (the suffix is then not trivially "AAA").
class IdGenerator {
 public:
  explicit IdGenerator(std::string pod = "5g") : m_pod(std::move(pod)) {}

  /// The next 18-character Id with this 3-character key prefix.
  std::string next(std::string_view key_prefix);

  /// Records that `id15` is in use so next() never returns it (for ids given in seed data).
  void reserve(std::string_view id15) { m_reserved.emplace(id15); }

 private:
  std::string m_pod;
  std::uint64_t m_sequence = 0;
  std::unordered_set<std::string> m_reserved;
};

}  // namespace cti::sfemu
