#pragma once
// SqliteAgentDirectory: the AgentDirectory in one SQLite file, shared by the daemon and
// `ctictl agents|license` (WAL mode and a busy timeout let both use it at once).
//
// The licence's seat count is recorded in the database (`ctictl license set-seats N`); a
// configured count (the daemon's configuration, `ctictl --seats N`) overrides it for that
// process without changing what is recorded. When more seats are assigned than the licence
// has (the count was lowered), the assignments are kept and reported by licence(), and new
// ones are refused until enough are freed.

#include "service/agent_directory.hpp"
#include "store/password_hash.hpp"

#include "cti/result.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace Poco::Data {
class Session;
}

namespace sfproxy {

class SqliteAgentDirectory final : public AgentDirectory {
 public:
  /// The schema version this build creates and understands.
  static constexpr int k_schema_version = 2;

  /// Opens (creating if needed) the database at `path` and migrates its schema. `seats`
  /// overrides the recorded seat count when given. Throws cti::ConfigError when the file
  /// cannot be used (unreadable, not a database, corrupt, from a newer version): for the
  /// daemon, where that is a start-up error.
  SqliteAgentDirectory(std::string path, std::string licence_name,
                       std::optional<std::size_t> seats, PasswordHasher hasher = {});

  /// The same as a Result (unavailable, with the path), for callers where a bad file is a
  /// runtime failure rather than a configuration error.
  static cti::Result<std::unique_ptr<SqliteAgentDirectory>> open(
      std::string path, std::string licence_name, std::optional<std::size_t> seats,
      PasswordHasher hasher = {});

  ~SqliteAgentDirectory() override;
  SqliteAgentDirectory(const SqliteAgentDirectory&) = delete;
  SqliteAgentDirectory& operator=(const SqliteAgentDirectory&) = delete;

  cti::Result<void> add_agent(std::string_view extension, std::string_view display_name,
                              std::string_view password) override;
  /// The hash is computed before the database is touched (it is slow).
  cti::Result<void> set_password(std::string_view extension, std::string_view password) override;
  cti::Result<void> remove_agent(std::string_view extension) override;
  cti::Result<std::vector<AgentRecord>> list_agents() override;
  cti::Result<AgentRecord> find_agent(std::string_view extension) override;
  /// Every attempt costs one hash verification, known agent or not; the database lock is
  /// not held meanwhile. A hash made with an older cost is replaced after a success.
  /// A password outside 8..128 bytes cannot belong to anyone and is refused at once.
  cti::Result<AgentRecord> verify_password(std::string_view extension,
                                           std::string_view password) override;
  cti::Result<void> save_settings(std::string_view extension,
                                  const cti::AgentSettings& settings) override;
  cti::Result<LicenceSummary> licence() override;
  cti::Result<void> assign_seat(std::string_view extension) override;
  cti::Result<void> unassign_seat(std::string_view extension) override;
  /// The journal keeps the newest k_access_journal_size changes; a poller that falls
  /// further behind than that misses the oldest ones (it polls every few seconds).
  cti::Result<AccessChanges> access_changes_since(std::uint64_t after, std::size_t limit) override;
  static constexpr std::int64_t k_access_journal_size = 10000;

  /// The seat count recorded in the database (0 until one is recorded).
  cti::Result<std::size_t> recorded_seats();
  /// Records the licence's seat count. Lowering it below the seats in use is allowed: the
  /// assignments are kept and new ones refused (see licence()).
  cti::Result<void> record_seats(std::size_t seats);
  /// The override given at construction, if any.
  std::optional<std::size_t> seat_override() const noexcept { return m_seat_override; }

  const std::string& path() const noexcept { return m_path; }

 private:
  struct Opened;
  SqliteAgentDirectory(Opened opened, std::string licence_name, std::optional<std::size_t> seats,
                       PasswordHasher hasher);
  static cti::Result<Opened> open_session(const std::string& path);

  /// Runs `body` inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK when it fails), under m_mutex,
  /// translating database exceptions to unavailable.
  template <typename Body>
  auto write_transaction(Body&& body) -> decltype(body());
  /// Runs a read under m_mutex, translating database exceptions.
  template <typename Body>
  auto read(Body&& body) -> decltype(body());

  cti::Result<std::size_t> effective_seats_locked();  // the override, else the recorded count
  cti::Result<std::size_t> recorded_seats_locked();
  cti::Error database_error(std::string_view what) const;

  std::string m_path;
  std::string m_licence_name;
  std::optional<std::size_t> m_seat_override;
  PasswordHasher m_hasher;
  std::mutex m_mutex;  // Poco sessions are not thread-safe
  std::unique_ptr<Poco::Data::Session> m_session;
};

}  // namespace sfproxy
