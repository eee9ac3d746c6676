#pragma once
// cti::sfemu::Emulator: a Salesforce REST API emulator for tests and demos. It listens on
// 127.0.0.1 (HTTP, or HTTPS with a certificate), answers the OAuth token endpoint, query,
// search, sObjects, composite and limits the way Salesforce does on the wire, counts API
// requests against a daily allocation, and can inject faults (latency, 503s, dropped
// connections, malformed JSON, expiring tokens) at run time.
//
//   auto emulator = cti::sfemu::Emulator::start({.data_file = "examples/data/crm.json"});
//   // ... point a client at emulator->base_url() ...
//   emulator->fail_next(2);   // the next two requests answer 503

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace cti::sfemu {

/// Faults applied to every request except the admin endpoint. Counters count down as
/// requests consume them.
struct Faults {
  std::chrono::milliseconds latency{0};  ///< added before each request is answered
  std::uint64_t expire_tokens_after = 0;  ///< a token stops working after N more data requests (0: never)
  std::uint64_t fail_next = 0;            ///< answer 503 SERVER_UNAVAILABLE to the next N requests
  std::uint64_t drop_next = 0;            ///< close the connection without answering the next N requests
  std::uint64_t malformed_next = 0;       ///< corrupt the JSON body of the next N responses that have one
};

struct Options {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;       ///< 0: any free port (see Emulator::port())
  std::string data_file;        ///< the seed file (examples/data/crm.json); empty: an empty org
  std::string data_json;        ///< seed text, used when data_file is empty (handy in tests)
  std::string tls_cert_file;    ///< PEM certificate; with tls_key_file, serve HTTPS (TLS 1.2+)
  std::string tls_key_file;
  std::uint64_t daily_limit = 15000;     ///< API requests per day (Developer Edition's allocation)
  std::size_t query_batch_size = 2000;   ///< records per query page
  std::size_t max_body_bytes = 1 << 20;  ///< larger request bodies are refused with 413
  std::int64_t session_timeout_ms = 2 * 60 * 60 * 1000;
  bool admin_endpoint = false;   ///< serve /__emulator/... so another process can steer faults
  bool composite_allows_search = false;  ///< Salesforce refuses /search inside composite
  int max_threads = 16;
  Faults faults;
  /// Wall clock in epoch milliseconds (token issue times, JWT expiry, CreatedDate).
  /// Tests inject a fixed clock; empty means the system clock.
  std::function<std::int64_t()> clock_ms;
};

/// Snapshot of what the emulator has served.
struct Counters {
  std::uint64_t api_requests = 0;   ///< requests counted against the daily allocation
  std::uint64_t http_requests = 0;  ///< every request received, including faulted ones
  std::uint64_t dropped = 0;        ///< connections closed by the drop_next fault
  std::uint64_t unavailable = 0;    ///< 503s sent by the fail_next fault
  std::uint64_t malformed = 0;      ///< bodies corrupted by the malformed_next fault
  std::uint64_t limit_exceeded = 0; ///< 403 REQUEST_LIMIT_EXCEEDED answers
  std::uint64_t unauthorized = 0;   ///< 401 INVALID_SESSION_ID answers
  /// Requests per endpoint: token, versions, resources, limits, query, query_more, search,
  /// sobject_create, sobject_read, sobject_update, sobject_delete, describe, composite,
  /// admin, unknown. A composite counts once, not per subrequest; requests answered by a
  /// fault (503, dropped, 413) are not counted here.
  std::map<std::string, std::uint64_t> by_endpoint;
};

class Emulator {
 public:
  /// Loads the seed data, binds and starts serving. Throws cti::ConfigError when the seed
  /// file, the TLS files or the address are unusable.
  static std::unique_ptr<Emulator> start(Options options);

  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  std::uint16_t port() const;
  /// e.g. "http://127.0.0.1:41234" (https when TLS is on); also the instance_url.
  std::string base_url() const;
  /// Stops serving and waits for in-flight requests. Idempotent; the destructor calls it.
  void stop();

  Counters counters() const;
  void reset_counters();

  Faults faults() const;
  void set_faults(const Faults& faults);
  void set_latency(std::chrono::milliseconds latency);
  void expire_tokens_after(std::uint64_t requests);
  void fail_next(std::uint64_t requests);
  void drop_next(std::uint64_t requests);
  void malform_next(std::uint64_t responses);

  void set_daily_limit(std::uint64_t limit);
  /// Sets the number of API requests already used today (e.g. to test the limit quickly).
  void set_api_usage(std::uint64_t used);
  void set_query_batch_size(std::size_t batch_size);
  /// Freezes or unfreezes a user; false when the username is unknown.
  bool set_user_frozen(std::string_view username, bool frozen);
  /// Invalidates every access token issued so far.
  void revoke_tokens();

  class Impl;

 private:
  explicit Emulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace cti::sfemu
