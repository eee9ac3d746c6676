#pragma once
// The seed file: the org's identity, its users and connected apps (for the token flows),
// issued refresh tokens, and the CRM records, in Salesforce's sObject-tree style:
//
//   {"org": {"id": "00D...", "name": "...", "jwt_audiences": ["https://login.salesforce.com"]},
//    "users": [{"referenceId": "u1", "Username": "...", "LastName": "...", "password": "...",
//               "security_token": "", "frozen": false}],
//    "connected_apps": [{"client_id": "...", "client_secret": "...", "certificate_file": "x.crt",
//                        "run_as": "<username>"}],
//    "refresh_tokens": [{"token": "...", "client_id": "...", "username": "..."}],
//    "records": [{"attributes": {"type": "Account", "referenceId": "acme"}, "Name": "..."},
//                {"attributes": {"type": "Contact", "referenceId": "c1"}, "AccountId": "@acme"}]}
//
// A string value "@ref" stands for the Id of the earlier record (or user) with that
// referenceId. Read-only fields such as Case.CaseNumber or Lead.IsConverted may be given,
// as data exported from an org would carry them. Every problem is a cti::ConfigError.

#include "json_util.hpp"
#include "oauth.hpp"
#include "org_store.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace cti::sfemu {

struct SeedData {
  std::string org_id = "00D5g000004Xyz1EAC";
  std::string org_name = "Emulated Org";
  std::vector<std::string> jwt_audiences = {"https://login.salesforce.com", "https://test.salesforce.com"};
  JsonArray users = make_array();
  std::vector<ConnectedApp> apps;
  std::vector<RefreshGrant> refresh_tokens;
  JsonArray records = make_array();
};

/// Parses the seed text. `base_dir` resolves relative certificate_file paths.
SeedData parse_seed(std::string_view json_text, const std::string& base_dir);

/// Inserts users (as User records and sign-in accounts), apps, refresh tokens and records.
void load_seed(const SeedData& seed, OrgStore& store, TokenService& tokens);

}  // namespace cti::sfemu
