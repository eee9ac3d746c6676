// Fuzz target for the emulator's parsers of untrusted text. The first byte picks the parser:
// 'Q' SOQL (parsed and run), 'S' SOSL (parsed and run), 'J' a JSON request body, 'F' a
// form-encoded token request; the rest is the input. Invariants: no crash, no hang, and
// every refusal is a 4xx error with an errorCode.
#include "fuzz/fuzz_check.hpp"
#include "json_util.hpp"
#include "oauth.hpp"
#include "org_store.hpp"
#include "seed.hpp"
#include "soql_eval.hpp"
#include "sosl.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

constexpr const char* seed_json = R"({
  "users": [{"Username": "u@fuzz.example", "LastName": "User", "password": "pw"}],
  "connected_apps": [{"client_id": "c", "client_secret": "s", "run_as": "u@fuzz.example"}],
  "records": [
    {"attributes": {"type": "Account", "referenceId": "a"}, "Name": "Acme", "Phone": "(212) 555-0100", "NumberOfEmployees": 5},
    {"attributes": {"type": "Contact", "referenceId": "c"}, "AccountId": "@a", "FirstName": "Jo", "LastName": "O'Neill",
     "Phone": "+1 212 842 5500", "Email": "jo@acme.example"},
    {"attributes": {"type": "Lead"}, "LastName": "Reed", "Company": "Fox & Sons", "Phone": "415.555.0190"},
    {"attributes": {"type": "Case"}, "CaseNumber": "00001234", "ContactId": "@c", "Subject": "Invoice"}
  ]})";

std::int64_t fixed_clock() { return 1736942400000; }

struct Org {
  Org() : store(cti::sfemu::Schema::standard(), fixed_clock), tokens(fixed_clock, "00D5g000004Xyz1EAC", {"https://login.salesforce.com"}) {
    cti::sfemu::load_seed(cti::sfemu::parse_seed(seed_json, ""), store, tokens);
  }
  cti::sfemu::OrgStore store;
  cti::sfemu::TokenService tokens;
};

void check_error(const cti::sfemu::ApiError& error) {
  FUZZ_CHECK(error.status >= 400 && error.status < 500);
  FUZZ_CHECK(!error.error_code.empty());
  FUZZ_CHECK(!error.message.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Org org;
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0]) {
    case 'Q': {
      auto outcome = cti::sfemu::run_soql(org.store, input);
      if (!outcome) check_error(outcome.error());
      break;
    }
    case 'S': {
      auto results = cti::sfemu::run_sosl(org.store, input, "v59.0");
      if (!results) check_error(results.error());
      break;
    }
    case 'J': {
      auto parsed = cti::sfemu::parse_json(input);
      if (!parsed) check_error(parsed.error());
      break;
    }
    case 'F': {
      cti::sfemu::OAuthReply reply = org.tokens.token("POST", input, "");
      FUZZ_CHECK(reply.status == 200 || reply.status == 400);
      FUZZ_CHECK(reply.body->has(reply.status == 200 ? "access_token" : "error"));
      break;
    }
    default:
      break;
  }
  return 0;
}
