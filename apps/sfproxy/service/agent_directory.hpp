#pragma once
// AgentDirectory: the port to where agents, their credentials, their settings and the
// licence seats are kept. The daemon and `ctictl agents|license` both use it; the SQLite
// implementation lives in store/.

#include "cti/agent.hpp"
#include "cti/result.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sfproxy {

struct AgentRecord {
  std::string extension;
  std::string display_name;
  cti::AgentSettings settings;
  bool has_seat = false;  ///< holds a seat of the licence
};

struct LicenceSummary {
  std::string name;  ///< e.g. "Salesforce Integration"
  std::size_t total = 0;
  std::size_t assigned = 0;
  std::vector<std::string> members;  ///< sorted extensions
};

/// Agents whose access changed (password set, agent removed, seat freed) after a point in
/// the directory's change journal. A running daemon polls it to end those agents' sessions,
/// since `ctictl` changes the database from another process.
struct AccessChanges {
  std::uint64_t last = 0;               ///< the journal position to ask from next time
  std::vector<std::string> extensions;  ///< in journal order; may repeat
};

class AgentDirectory {
 public:
  virtual ~AgentDirectory() = default;

  /// conflict if the extension exists; invalid_input for a bad extension, an empty display
  /// name or a password shorter than 8 or longer than 128 bytes.
  virtual cti::Result<void> add_agent(std::string_view extension, std::string_view display_name,
                                      std::string_view password) = 0;
  virtual cti::Result<void> set_password(std::string_view extension, std::string_view password) = 0;
  /// Also frees the agent's seat. not_found if unknown.
  virtual cti::Result<void> remove_agent(std::string_view extension) = 0;
  virtual cti::Result<std::vector<AgentRecord>> list_agents() = 0;
  virtual cti::Result<AgentRecord> find_agent(std::string_view extension) = 0;

  /// Checks a sign-in. An unknown agent and a wrong password give the same error
  /// (unauthorized, "wrong extension or password") after the same amount of work.
  virtual cti::Result<AgentRecord> verify_password(std::string_view extension,
                                                   std::string_view password) = 0;

  /// Validates (libsfmatch rules for objects and mode) and saves.
  virtual cti::Result<void> save_settings(std::string_view extension,
                                          const cti::AgentSettings& settings) = 0;

  virtual cti::Result<LicenceSummary> licence() = 0;
  /// conflict when every seat is taken (the message says so, with the counts); assigning
  /// a holder again is a no-op; not_found for an unknown agent.
  virtual cti::Result<void> assign_seat(std::string_view extension) = 0;
  virtual cti::Result<void> unassign_seat(std::string_view extension) = 0;

  /// Changes recorded after position `after` (at most `limit`, oldest first). Ask with
  /// `after` = 0 and `limit` = 0 for just the current position.
  virtual cti::Result<AccessChanges> access_changes_since(std::uint64_t after,
                                                          std::size_t limit) = 0;
};

}  // namespace sfproxy
