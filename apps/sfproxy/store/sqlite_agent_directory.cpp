#include "sqlite_agent_directory.hpp"

#include "cti/agent.hpp"
#include "sfmatch/match_settings.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdint>
#include <cstring>
#include <utility>

namespace sfproxy {
namespace kw = Poco::Data::Keywords;

namespace {

// Long enough for `ctictl` and the daemon to wait for each other's short transactions.
constexpr int k_busy_timeout_ms = 5000;
constexpr std::size_t k_max_display_name_bytes = 128;
constexpr std::size_t k_max_seats = 1000000;
constexpr const char* k_seats_key = "licence_seats";
constexpr std::string_view k_wrong_credentials = "wrong extension or password";
#define CTI_SQL_NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

// One entry per schema version; a database is brought from its version to the newest in one
// transaction. Never edit a released entry: add the next one.
struct Migration {
  int version;
  std::array<const char*, 3> statements;
};

constexpr std::array k_migrations = {
    Migration{1,
              {
                  "CREATE TABLE agents ("
                  " extension TEXT PRIMARY KEY NOT NULL,"
                  " display_name TEXT NOT NULL,"
                  " password_hash TEXT NOT NULL,"
                  " caller_id_objects TEXT NOT NULL,"  // comma separated API names
                  " ivr_match TEXT NOT NULL,"
                  " created_at TEXT NOT NULL DEFAULT (" CTI_SQL_NOW "),"
                  " updated_at TEXT NOT NULL DEFAULT (" CTI_SQL_NOW "))",
                  "CREATE TABLE seats ("
                  " extension TEXT PRIMARY KEY NOT NULL"
                  "  REFERENCES agents(extension) ON DELETE CASCADE,"
                  " assigned_at TEXT NOT NULL DEFAULT (" CTI_SQL_NOW "))",
                  "CREATE TABLE settings (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)",
              }},
    // The access journal: a running daemon reads it to end the sessions of agents whose
    // password, existence or seat another process (ctictl) changed.
    Migration{2,
              {
                  "CREATE TABLE access_changes ("
                  " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                  " extension TEXT NOT NULL,"
                  " reason TEXT NOT NULL,"
                  " changed_at TEXT NOT NULL DEFAULT (" CTI_SQL_NOW "))",
                  nullptr,
                  nullptr,
              }},
};
static_assert(k_migrations.back().version == SqliteAgentDirectory::k_schema_version);

void register_connector() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    out += out.empty() ? "" : ",";
    out += item;
  }
  return out;
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    const auto comma = text.find(',');
    items.emplace_back(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return items;
}

cti::Result<void> validate_display_name(std::string_view name) {
  if (name.empty()) {
    return cti::fail(cti::ErrorCode::invalid_input, "the display name is empty");
  }
  if (name.size() > k_max_display_name_bytes) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     "the display name is longer than " +
                         std::to_string(k_max_display_name_bytes) + " bytes");
  }
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return cti::fail(cti::ErrorCode::invalid_input,
                       "the display name contains a control character");
    }
  }
  return {};
}

cti::Unexpected no_agent(std::string_view extension) {
  return cti::fail(cti::ErrorCode::not_found, "no agent with extension " + std::string(extension));
}

cti::Unexpected wrong_credentials() {
  return cti::fail(cti::ErrorCode::unauthorized, std::string(k_wrong_credentials));
}

// Creates the file if missing, readable by its owner only since it holds password hashes
// (SQLite gives its -wal and -shm files the same mode), and checks that it can be opened.
// Done here because Poco's SQLite connector waits out its whole login timeout (a minute)
// when SQLite cannot open the file.
cti::Result<void> prepare_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) {
    fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  }
  if (fd < 0) {
    return cti::fail(cti::ErrorCode::unavailable, std::strerror(errno));
  }
  struct stat info {};
  const bool regular = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  ::close(fd);
  if (!regular) {
    return cti::fail(cti::ErrorCode::unavailable, "not a regular file");
  }
  return {};
}

// Rows of one agent query; the columns of kAgentColumns in order.
struct AgentRows {
  std::vector<std::string> extension;
  std::vector<std::string> display_name;
  std::vector<std::string> objects;
  std::vector<std::string> ivr_match;
  std::vector<int> has_seat;

  AgentRecord record(std::size_t i) const {
    AgentRecord record;
    record.extension = extension[i];
    record.display_name = display_name[i];
    record.settings.caller_id_objects = split(objects[i]);
    record.settings.ivr_match = ivr_match[i];
    record.has_seat = has_seat[i] != 0;
    return record;
  }
};

#define CTI_SQL_AGENT_COLUMNS \
  "a.extension, a.display_name, a.caller_id_objects, a.ivr_match, s.extension IS NOT NULL"
#define CTI_SQL_AGENTS_JOIN " FROM agents a LEFT JOIN seats s ON s.extension = a.extension"
constexpr const char* k_select_agents = "SELECT " CTI_SQL_AGENT_COLUMNS CTI_SQL_AGENTS_JOIN;
// Extensions are digit strings: shorter first, then by text, is numeric order.
constexpr const char* k_extension_order = " ORDER BY length(a.extension), a.extension";

bool agent_exists(Poco::Data::Session& session, const std::string& extension) {
  int count = 0;
  session << "SELECT COUNT(*) FROM agents WHERE extension = ?", kw::bind(extension),
      kw::into(count), kw::now;
  return count > 0;
}

/// Journals an access change in the caller's transaction, keeping the newest entries only.
void record_access_change(Poco::Data::Session& session, const std::string& extension,
                          std::string reason) {
  session << "INSERT INTO access_changes (extension, reason) VALUES (?, ?)", kw::bind(extension),
      kw::bind(std::move(reason)), kw::now;
  std::int64_t keep = SqliteAgentDirectory::k_access_journal_size;
  session << "DELETE FROM access_changes WHERE seq <= (SELECT MAX(seq) FROM access_changes) - ?",
      kw::use(keep), kw::now;
}

std::vector<std::string> seat_members(Poco::Data::Session& session) {
  std::vector<std::string> members;
  session << "SELECT extension FROM seats ORDER BY length(extension), extension",
      kw::into(members), kw::now;
  return members;
}

}  // namespace

// The session after it was opened, checked and migrated.
struct SqliteAgentDirectory::Opened {
  std::string path;
  std::unique_ptr<Poco::Data::Session> session;
};

cti::Result<SqliteAgentDirectory::Opened> SqliteAgentDirectory::open_session(const std::string& path) {
  auto error = [&](const std::string& what) {
    return cti::fail(cti::ErrorCode::unavailable, "agent database " + path + ": " + what);
  };
  if (path.empty()) {
    return cti::fail(cti::ErrorCode::invalid_input, "the agent database path is empty");
  }
  register_connector();
  if (auto prepared = prepare_file(path); !prepared) {
    return error(prepared.error().message);
  }
  try {
    auto session = std::make_unique<Poco::Data::Session>(Poco::Data::SQLite::Connector::KEY, path);
    int timeout = 0;
    *session << "PRAGMA busy_timeout = " + std::to_string(k_busy_timeout_ms), kw::into(timeout),
        kw::now;
    *session << "PRAGMA foreign_keys = ON", kw::now;
    // The first statement that reads the file: a file that is not a database fails here.
    std::string journal_mode;
    *session << "PRAGMA journal_mode = WAL", kw::into(journal_mode), kw::now;
    std::vector<std::string> check;
    *session << "PRAGMA quick_check", kw::into(check), kw::now;
    if (check.size() != 1 || check.front() != "ok") {
      return error("the database is corrupt (" + (check.empty() ? std::string("no answer")
                                                               : check.front()) +
                   "); restore it from a backup");
    }

    *session << "BEGIN IMMEDIATE", kw::now;
    try {
      *session << "CREATE TABLE IF NOT EXISTS schema_version ("
                  " version INTEGER PRIMARY KEY NOT NULL,"
                  " applied_at TEXT NOT NULL DEFAULT (" CTI_SQL_NOW "))",
          kw::now;
      int current = 0;
      *session << "SELECT COALESCE(MAX(version), 0) FROM schema_version", kw::into(current), kw::now;
      if (current > k_schema_version) {
        *session << "ROLLBACK", kw::now;
        return error("schema version " + std::to_string(current) +
                     " was written by a newer release (this one knows up to " +
                     std::to_string(k_schema_version) + ")");
      }
      for (const auto& migration : k_migrations) {
        if (migration.version <= current) {
          continue;
        }
        for (const char* statement : migration.statements) {
          if (statement != nullptr) {
            *session << statement, kw::now;
          }
        }
        int version = migration.version;
        *session << "INSERT INTO schema_version (version) VALUES (?)", kw::use(version), kw::now;
      }
      *session << "COMMIT", kw::now;
    } catch (const Poco::Exception&) {
      try {
        *session << "ROLLBACK", kw::now;
      } catch (const Poco::Exception&) {
        // The original error is the one worth reporting.
      }
      throw;
    }
    return Opened{path, std::move(session)};
  } catch (const Poco::Data::SQLite::CorruptImageException& e) {
    return error("the database is corrupt (" + e.message() + "); restore it from a backup");
  } catch (const Poco::Exception& e) {
    return error(e.displayText());
  }
}

SqliteAgentDirectory::SqliteAgentDirectory(std::string path, std::string licence_name,
                                           std::optional<std::size_t> seats, PasswordHasher hasher)
    : SqliteAgentDirectory(
          [&] {
            auto opened = open_session(path);
            if (!opened) {
              throw cti::ConfigError(opened.error().message);
            }
            return std::move(opened).value();
          }(),
          std::move(licence_name), seats, std::move(hasher)) {}

SqliteAgentDirectory::SqliteAgentDirectory(Opened opened, std::string licence_name,
                                           std::optional<std::size_t> seats, PasswordHasher hasher)
    : m_path(std::move(opened.path)),
      m_licence_name(std::move(licence_name)),
      m_seat_override(seats),
      m_hasher(std::move(hasher)),
      m_session(std::move(opened.session)) {}

SqliteAgentDirectory::~SqliteAgentDirectory() = default;

cti::Result<std::unique_ptr<SqliteAgentDirectory>> SqliteAgentDirectory::open(
    std::string path, std::string licence_name, std::optional<std::size_t> seats,
    PasswordHasher hasher) {
  auto opened = CTI_TRY(open_session(path));
  // The constructor is private, hence no make_unique.
  return std::unique_ptr<SqliteAgentDirectory>(
      new SqliteAgentDirectory(std::move(opened), std::move(licence_name), seats, std::move(hasher)));
}

cti::Error SqliteAgentDirectory::database_error(std::string_view what) const {
  return {cti::ErrorCode::unavailable, "agent database " + m_path + ": " + std::string(what)};
}

template <typename Body>
auto SqliteAgentDirectory::write_transaction(Body&& body) -> decltype(body()) {
  std::lock_guard lock(m_mutex);
  Poco::Data::Session& session = *m_session;
  try {
    // IMMEDIATE takes the write lock now (waiting up to the busy timeout), so what the body
    // reads (e.g. the seats in use) cannot change before it writes, in any process.
    session << "BEGIN IMMEDIATE", kw::now;
  } catch (const Poco::Exception& e) {
    return cti::Unexpected(database_error(e.displayText()));
  }
  auto rollback = [&] {
    try {
      session << "ROLLBACK", kw::now;
    } catch (const Poco::Exception&) {
      // Nothing more to do: SQLite rolls back when the connection closes.
    }
  };
  try {
    auto result = body();
    if (result) {
      session << "COMMIT", kw::now;
    } else {
      rollback();
    }
    return result;
  } catch (const Poco::Exception& e) {
    rollback();
    return cti::Unexpected(database_error(e.displayText()));
  }
}

template <typename Body>
auto SqliteAgentDirectory::read(Body&& body) -> decltype(body()) {
  std::lock_guard lock(m_mutex);
  try {
    return body();
  } catch (const Poco::Exception& e) {
    return cti::Unexpected(database_error(e.displayText()));
  }
}

cti::Result<std::size_t> SqliteAgentDirectory::effective_seats_locked() {
  if (m_seat_override) {
    return *m_seat_override;
  }
  return recorded_seats_locked();
}

cti::Result<std::size_t> SqliteAgentDirectory::recorded_seats_locked() {
  std::vector<std::string> values;
  *m_session << "SELECT value FROM settings WHERE key = ?", kw::bind(std::string(k_seats_key)),
      kw::into(values), kw::now;
  if (values.empty()) {
    return std::size_t{0};
  }
  std::size_t seats = 0;
  const std::string& text = values.front();
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seats);
  if (ec != std::errc() || end != text.data() + text.size() || seats > k_max_seats) {
    return cti::Unexpected(database_error("the recorded seat count is not a number"));
  }
  return seats;
}

cti::Result<void> SqliteAgentDirectory::add_agent(std::string_view extension,
                                                  std::string_view display_name,
                                                  std::string_view password) {
  CTI_TRY(cti::validate_extension(extension));
  CTI_TRY(validate_display_name(display_name));
  // Slow: hash before taking the database lock.
  std::string hash = CTI_TRY(m_hasher.hash(password));
  const cti::AgentSettings defaults;
  return write_transaction([&]() -> cti::Result<void> {
    std::string ext(extension);
    if (agent_exists(*m_session, ext)) {
      return cti::fail(cti::ErrorCode::conflict,
                       "an agent with extension " + ext + " already exists");
    }
    *m_session << "INSERT INTO agents (extension, display_name, password_hash,"
                  " caller_id_objects, ivr_match) VALUES (?, ?, ?, ?, ?)",
        kw::use(ext), kw::bind(std::string(display_name)), kw::use(hash),
        kw::bind(join(defaults.caller_id_objects)), kw::bind(defaults.ivr_match), kw::now;
    return {};
  });
}

cti::Result<void> SqliteAgentDirectory::set_password(std::string_view extension,
                                                     std::string_view password) {
  CTI_TRY(cti::validate_extension(extension));
  std::string hash = CTI_TRY(m_hasher.hash(password));
  return write_transaction([&]() -> cti::Result<void> {
    std::string ext(extension);
    if (!agent_exists(*m_session, ext)) {
      return no_agent(ext);
    }
    *m_session << "UPDATE agents SET password_hash = ?, updated_at = " CTI_SQL_NOW
                  " WHERE extension = ?",
        kw::use(hash), kw::use(ext), kw::now;
    record_access_change(*m_session, ext, "password");
    return {};
  });
}

cti::Result<void> SqliteAgentDirectory::remove_agent(std::string_view extension) {
  CTI_TRY(cti::validate_extension(extension));
  return write_transaction([&]() -> cti::Result<void> {
    std::string ext(extension);
    if (!agent_exists(*m_session, ext)) {
      return no_agent(ext);
    }
    // The foreign key would cascade; saying it keeps the seat freed even on a database
    // someone opened with foreign keys off.
    *m_session << "DELETE FROM seats WHERE extension = ?", kw::use(ext), kw::now;
    *m_session << "DELETE FROM agents WHERE extension = ?", kw::use(ext), kw::now;
    record_access_change(*m_session, ext, "removed");
    return {};
  });
}

cti::Result<std::vector<AgentRecord>> SqliteAgentDirectory::list_agents() {
  return read([&]() -> cti::Result<std::vector<AgentRecord>> {
    AgentRows rows;
    *m_session << std::string(k_select_agents) + k_extension_order, kw::into(rows.extension),
        kw::into(rows.display_name), kw::into(rows.objects), kw::into(rows.ivr_match),
        kw::into(rows.has_seat), kw::now;
    std::vector<AgentRecord> records;
    records.reserve(rows.extension.size());
    for (std::size_t i = 0; i < rows.extension.size(); ++i) {
      records.push_back(rows.record(i));
    }
    return records;
  });
}

cti::Result<AgentRecord> SqliteAgentDirectory::find_agent(std::string_view extension) {
  CTI_TRY(cti::validate_extension(extension));
  return read([&]() -> cti::Result<AgentRecord> {
    std::string ext(extension);
    AgentRows rows;
    *m_session << std::string(k_select_agents) + " WHERE a.extension = ?", kw::use(ext),
        kw::into(rows.extension), kw::into(rows.display_name), kw::into(rows.objects),
        kw::into(rows.ivr_match), kw::into(rows.has_seat), kw::now;
    if (rows.extension.empty()) {
      return no_agent(ext);
    }
    return rows.record(0);
  });
}

cti::Result<AgentRecord> SqliteAgentDirectory::verify_password(std::string_view extension,
                                                               std::string_view password) {
  if (!validate_password(password)) {
    return wrong_credentials();
  }
  if (!cti::validate_extension(extension)) {
    m_hasher.verify_dummy(password);
    return wrong_credentials();
  }
  std::string ext(extension);
  struct Found {
    AgentRecord record;
    std::string hash;
  };
  auto found = read([&]() -> cti::Result<std::optional<Found>> {
    AgentRows rows;
    std::vector<std::string> hashes;
    *m_session << "SELECT " CTI_SQL_AGENT_COLUMNS ", a.password_hash" CTI_SQL_AGENTS_JOIN
                  " WHERE a.extension = ?",
        kw::use(ext), kw::into(rows.extension), kw::into(rows.display_name),
        kw::into(rows.objects), kw::into(rows.ivr_match), kw::into(rows.has_seat),
        kw::into(hashes), kw::now;
    if (rows.extension.empty()) {
      return std::optional<Found>();
    }
    return std::optional<Found>(Found{rows.record(0), hashes.front()});
  });
  if (!found) {
    return cti::Unexpected(std::move(found).error());
  }
  if (!*found) {
    m_hasher.verify_dummy(password);
    return wrong_credentials();
  }
  Found& agent = **found;
  if (!m_hasher.verify(agent.hash, password)) {
    return wrong_credentials();
  }
  if (m_hasher.needs_rehash(agent.hash)) {
    // Best effort: a failure leaves the old hash, which still verifies; the next sign-in
    // tries again. Only replaced if nobody changed the password meanwhile.
    if (auto fresh = m_hasher.hash(password)) {
      (void)write_transaction([&]() -> cti::Result<void> {
        *m_session << "UPDATE agents SET password_hash = ?, updated_at = " CTI_SQL_NOW
                      " WHERE extension = ? AND password_hash = ?",
            kw::use(*fresh), kw::use(ext), kw::use(agent.hash), kw::now;
        return {};
      });
    }
  }
  return std::move(agent.record);
}

cti::Result<void> SqliteAgentDirectory::save_settings(std::string_view extension,
                                                      const cti::AgentSettings& settings) {
  CTI_TRY(cti::validate_extension(extension));
  CTI_TRY(sfmatch::with_agent_settings(sfmatch::MatchSettings{}, settings));
  return write_transaction([&]() -> cti::Result<void> {
    std::string ext(extension);
    if (!agent_exists(*m_session, ext)) {
      return no_agent(ext);
    }
    *m_session << "UPDATE agents SET caller_id_objects = ?, ivr_match = ?,"
                  " updated_at = " CTI_SQL_NOW " WHERE extension = ?",
        kw::bind(join(settings.caller_id_objects)), kw::bind(settings.ivr_match),
        kw::use(ext), kw::now;
    return {};
  });
}

cti::Result<LicenceSummary> SqliteAgentDirectory::licence() {
  return read([&]() -> cti::Result<LicenceSummary> {
    LicenceSummary summary;
    summary.name = m_licence_name;
    summary.total = CTI_TRY(effective_seats_locked());
    summary.members = seat_members(*m_session);
    summary.assigned = summary.members.size();
    return summary;
  });
}

cti::Result<void> SqliteAgentDirectory::assign_seat(std::string_view extension) {
  CTI_TRY(cti::validate_extension(extension));
  return write_transaction([&]() -> cti::Result<void> {
    std::string ext(extension);
    if (!agent_exists(*m_session, ext)) {
      return no_agent(ext);
    }
    // The pool does the counting and words the refusal. Holders beyond the seat count (the
    // count was lowered) simply do not fit: they keep their seats, the newcomer is refused.
    cti::LicensePool pool(m_licence_name, CTI_TRY(effective_seats_locked()));
    bool holder = false;
    for (const auto& member : seat_members(*m_session)) {
      holder = holder || member == ext;
      (void)pool.assign(member);
    }
    if (holder) {
      return {};
    }
    CTI_TRY(pool.assign(ext));
    *m_session << "INSERT INTO seats (extension) VALUES (?)", kw::use(ext), kw::now;
    return {};
  });
}

cti::Result<void> SqliteAgentDirectory::unassign_seat(std::string_view extension) {
  CTI_TRY(cti::validate_extension(extension));
  return write_transaction([&]() -> cti::Result<void> {
    std::string ext(extension);
    if (!agent_exists(*m_session, ext)) {
      return no_agent(ext);
    }
    const auto members = seat_members(*m_session);
    cti::LicensePool pool(m_licence_name, members.size());
    for (const auto& member : members) {
      (void)pool.assign(member);
    }
    CTI_TRY(pool.unassign(ext));
    *m_session << "DELETE FROM seats WHERE extension = ?", kw::use(ext), kw::now;
    record_access_change(*m_session, ext, "seat");
    return {};
  });
}

cti::Result<AccessChanges> SqliteAgentDirectory::access_changes_since(std::uint64_t after,
                                                                      std::size_t limit) {
  return read([&]() -> cti::Result<AccessChanges> {
    AccessChanges changes;
    if (limit == 0) {
      std::int64_t last = 0;
      *m_session << "SELECT COALESCE(MAX(seq), 0) FROM access_changes", kw::into(last), kw::now;
      changes.last = static_cast<std::uint64_t>(last);
      return changes;
    }
    // Both fit SQLite's signed 64-bit integers: seq comes from AUTOINCREMENT.
    auto from = static_cast<std::int64_t>(std::min<std::uint64_t>(after, INT64_MAX));
    auto count = static_cast<std::int64_t>(std::min<std::size_t>(limit, INT32_MAX));
    std::vector<std::int64_t> seqs;
    *m_session << "SELECT seq, extension FROM access_changes WHERE seq > ? ORDER BY seq LIMIT ?",
        kw::use(from), kw::use(count), kw::into(seqs), kw::into(changes.extensions), kw::now;
    changes.last = seqs.empty() ? after : static_cast<std::uint64_t>(seqs.back());
    return changes;
  });
}

cti::Result<std::size_t> SqliteAgentDirectory::recorded_seats() {
  return read([&] { return recorded_seats_locked(); });
}

cti::Result<void> SqliteAgentDirectory::record_seats(std::size_t seats) {
  if (seats > k_max_seats) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     "a licence has at most " + std::to_string(k_max_seats) + " seats");
  }
  return write_transaction([&]() -> cti::Result<void> {
    *m_session << "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
        kw::bind(std::string(k_seats_key)), kw::bind(std::to_string(seats)), kw::now;
    return {};
  });
}

}  // namespace sfproxy
