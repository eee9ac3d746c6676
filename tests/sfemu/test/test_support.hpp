#pragma once
// Shared test support for the emulator's tests: a small in-memory org, a fixed clock, and an HTTP
// client for end-to-end tests against an Emulator on 127.0.0.1.

#include "json_util.hpp"
#include "oauth.hpp"
#include "org_store.hpp"
#include "seed.hpp"
#include "sfemu/emulator.hpp"

#include <Poco/Dynamic/Var.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cti::sfemu::test {

/// 2025-01-15T12:00:00Z, the fixed "now" of every test.
inline constexpr std::int64_t fixed_now_ms = 1736942400000;

/// A tiny org: two accounts, contacts with phones in several formats, leads, cases, a user
/// and a connected app.
std::string small_seed_json();

/// An OrgStore and TokenService loaded from seed text, without any network.
struct OrgFixture {
  explicit OrgFixture(const std::string& seed_json = small_seed_json());
  OrgStore store;
  TokenService tokens;
};

struct HttpReply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  bool connection_failed = false;  ///< no response: the connection closed or reset
  Poco::Dynamic::Var json() const;  ///< the parsed body (throws when it is not JSON)
};

/// One HTTP request to `base_url` (http or https; TLS peers are not verified).
HttpReply http(const std::string& base_url, const std::string& method, const std::string& path_and_query,
               const std::string& body = "", const std::map<std::string, std::string>& headers = {});

/// Percent-encodes a query parameter value.
std::string url_encode(const std::string& text);

/// Options for an emulator on port 0 with the small seed and the fixed clock.
Options test_options();

/// A password-flow token for the small seed's user.
std::string password_token(const std::string& base_url);

/// GET .../query?q=... with a bearer token.
HttpReply get_query(const std::string& base_url, const std::string& token, const std::string& soql,
                const std::string& version = "v59.0");
HttpReply get_search(const std::string& base_url, const std::string& token, const std::string& sosl,
                 const std::string& version = "v59.0");

/// A fresh RSA-2048 key and a self-signed certificate for it (CN=127.0.0.1), as PEM.
struct KeyAndCertificate {
  std::string key_pem;
  std::string certificate_pem;
  std::string public_key_pem;
};
KeyAndCertificate make_self_signed_certificate();

/// Writes text to a new file under the system temp directory and returns its path.
std::string write_temp_file(const std::string& name, const std::string& text);

/// Ignores SIGPIPE so that writing to a connection the server dropped cannot kill the test.
void ignore_sigpipe();

}  // namespace cti::sfemu::test
