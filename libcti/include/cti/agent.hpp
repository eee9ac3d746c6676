#pragma once
// Agent: a person signed in at an extension, with the screen-pop settings the guide's
// softphone exposes. LicensePool: the named seat licence agents need to sign in.

#include "cti/result.hpp"

#include <cstddef>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cti {

enum class AgentState { signed_out, available, on_call, away };

std::string_view to_string(AgentState state) noexcept;
Result<AgentState> parse_agent_state(std::string_view text);

/// The agent's own matching preferences (the guide's settings panel). Values are kept as
/// names here; libsfmatch validates and interprets them.
struct AgentSettings {
  std::vector<std::string> caller_id_objects{"Contact", "Account", "Lead"};
  std::string ivr_match = "exact";  ///< exact | starts_with | ends_with | contains

  friend bool operator==(const AgentSettings&, const AgentSettings&) = default;
};

struct Agent {
  std::string extension;
  std::string display_name;
  AgentState state = AgentState::signed_out;
  AgentSettings settings;
};

/// An extension is 1 to 16 digits (the PBX's own numbering plan decides the real length).
Result<void> validate_extension(std::string_view extension);

/// A named licence with a fixed number of seats and the extensions holding them.
/// Thread-safe. Assigning past the seat count fails with ErrorCode::conflict.
class LicensePool {
 public:
  LicensePool(std::string name, std::size_t seats);

  const std::string& name() const noexcept { return m_name; }
  std::size_t total() const;
  std::size_t assigned() const;
  bool is_assigned(std::string_view extension) const;
  std::vector<std::string> members() const;  ///< sorted

  /// Gives a seat to the extension. Assigning an extension that already holds one is a no-op.
  Result<void> assign(std::string_view extension);
  /// Frees the extension's seat; not_found when it holds none.
  Result<void> unassign(std::string_view extension);
  /// Changes the seat count; refused (conflict) when fewer than the seats in use.
  Result<void> resize(std::size_t seats);

 private:
  std::string m_name;
  mutable std::mutex m_mutex;
  std::size_t m_seats;
  std::set<std::string, std::less<>> m_members;
};

}  // namespace cti
