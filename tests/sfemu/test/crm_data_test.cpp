// The sample CRM data in examples/data/crm.json, checked through the emulator: the facts the
// product demo and the docs rely on must hold.
#include "sfemu/emulator.hpp"

#include "test_support.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <doctest/doctest.h>

#include <map>
#include <string>

using namespace cti::sfemu;
using namespace cti::sfemu::test;

namespace {

Poco::JSON::Object::Ptr object_of(const HttpReply& reply) { return reply.json().extract<Poco::JSON::Object::Ptr>(); }

struct Demo {
  Demo() {
    Options options;
    options.data_file = SFEMU_CRM_JSON;
    emulator = Emulator::start(options);
    base = emulator->base_url();
    HttpReply reply = http(base, "POST", "/services/oauth2/token",
                           "grant_type=password&client_id=3MVG9sfemuDemoConsumerKeyForSfproxy"
                           "&client_secret=sfemu-demo-secret-0001&username=integration%40crm-demo.example"
                           "&password=demo-password-1");
    REQUIRE(reply.status == 200);
    token = object_of(reply)->getValue<std::string>("access_token");
  }
  Poco::JSON::Array::Ptr records(const std::string& soql) {
    HttpReply reply = get_query(base, token, soql);
    REQUIRE(reply.status == 200);
    return object_of(reply)->getArray("records");
  }
  Poco::JSON::Array::Ptr found(const std::string& sosl) {
    HttpReply reply = get_search(base, token, sosl);
    REQUIRE(reply.status == 200);
    return object_of(reply)->getArray("searchRecords");
  }
  std::unique_ptr<Emulator> emulator;
  std::string base;
  std::string token;
};

}  // namespace

TEST_CASE("sfemu: demo data: the documented caller (212) 842-5500 is exactly one Contact") {
  Demo demo;
  for (std::string number : {"2128425500", "12128425500", "\\+12128425500", "\\(212\\) 842\\-5500"}) {
    CAPTURE(number);
    auto hits = demo.found("FIND {" + number + "} IN PHONE FIELDS RETURNING Contact(Id, Name, Phone, AccountId), Account(Id, Name), "
                           "Lead(Id, Name WHERE IsConverted = false)");
    REQUIRE(hits->size() == 1);
    auto contact = hits->getObject(0);
    CHECK(contact->getObject("attributes")->getValue<std::string>("type") == "Contact");
    CHECK(contact->getValue<std::string>("Name") == "Jordan Ellis");
    CHECK(contact->getValue<std::string>("Phone") == "212-842-5500");
  }
  CHECK(demo.found("FIND {2128425500} RETURNING Contact, Account, Lead, Case, Task")->size() == 1);
}

TEST_CASE("sfemu: demo data: Case 00001234 belongs to that Contact") {
  Demo demo;
  auto cases = demo.records("SELECT Id, CaseNumber, Subject, Contact.Name, Contact.Phone, Account.Name FROM Case WHERE CaseNumber = '00001234'");
  REQUIRE(cases->size() == 1);
  auto record = cases->getObject(0);
  CHECK(record->getObject("Contact")->getValue<std::string>("Name") == "Jordan Ellis");
  CHECK(record->getObject("Contact")->getValue<std::string>("Phone") == "212-842-5500");
  CHECK(record->getObject("Account")->getValue<std::string>("Name") == "Acme Corporation");
  // IVR data "Case.CaseNumber=1234" finds it with a zero-padded or an ends-with match.
  CHECK(demo.records("SELECT Id FROM Case WHERE CaseNumber LIKE '%1234'")->size() == 1);
  auto numbers = demo.records("SELECT CaseNumber FROM Case ORDER BY CaseNumber");
  CHECK(numbers->size() >= 10);
  for (std::size_t i = 0; i < numbers->size(); ++i) {
    std::string number = numbers->getObject(static_cast<unsigned>(i))->getValue<std::string>("CaseNumber");
    CHECK(number.size() == 8);
  }
}

TEST_CASE("sfemu: demo data: the mix of phone formats, shared numbers and lead states") {
  Demo demo;
  auto contacts = demo.records("SELECT Name, Phone FROM Contact WHERE Phone != null");
  std::map<std::string, int> formats;
  std::map<std::string, int> by_number;
  for (std::size_t i = 0; i < contacts->size(); ++i) {
    std::string phone = contacts->getObject(static_cast<unsigned>(i))->getValue<std::string>("Phone");
    ++by_number[phone];
    if (phone.rfind("(", 0) == 0) ++formats["(212) 555-0142"];
    if (phone.rfind("+1 ", 0) == 0) ++formats["+1 212 555 0142"];
    if (phone.rfind("+44 ", 0) == 0) ++formats["+44 20 7946 0018"];
    if (phone.find('.') != std::string::npos) ++formats["212.555.0142"];
    if (phone.size() == 12 && phone[3] == '-' && phone[7] == '-') ++formats["212-555-0142"];
    if (phone.size() == 10 && phone.find_first_not_of("0123456789") == std::string::npos) ++formats["2125550142"];
    if (phone.find(" x") != std::string::npos || phone.find(" ext") != std::string::npos) ++formats["extension"];
  }
  for (const char* format : {"(212) 555-0142", "+1 212 555 0142", "+44 20 7946 0018", "212.555.0142", "212-555-0142",
                             "2125550142", "extension"}) {
    CAPTURE(format);
    CHECK(formats[format] >= 1);
  }
  CHECK(by_number["(212) 555-0171"] == 2);  // two contacts share one number
  // The Acme main line is shared by the Account, two Contacts (one with an extension) and a Lead.
  CHECK(demo.found("FIND {2125550100} IN PHONE FIELDS RETURNING Account(Id), Contact(Id), Lead(Id)")->size() == 4);
  CHECK(demo.records("SELECT Id FROM Lead WHERE IsConverted = true")->size() >= 1);
  CHECK(demo.records("SELECT Id FROM Lead WHERE IsConverted = false")->size() >= 1);
  CHECK(demo.records("SELECT Id FROM Contact WHERE LastName = 'O\\'Neill'")->size() == 1);
}

TEST_CASE("sfemu: demo data: the demo client works with every seeded token flow") {
  Demo demo;
  HttpReply cc = http(demo.base, "POST", "/services/oauth2/token",
                      "grant_type=client_credentials&client_id=3MVG9sfemuDemoConsumerKeyForSfproxy&client_secret=sfemu-demo-secret-0001");
  CHECK(cc.status == 200);
  HttpReply refresh = http(demo.base, "POST", "/services/oauth2/token",
                           "grant_type=refresh_token&client_id=3MVG9sfemuDemoConsumerKeyForSfproxy&refresh_token=5Aep861sfemuDemoRefreshToken0001");
  CHECK(refresh.status == 200);
  HttpReply agent = http(demo.base, "POST", "/services/oauth2/token",
                         "grant_type=password&client_id=3MVG9sfemuDemoConsumerKeyForSfproxy&client_secret=sfemu-demo-secret-0001"
                         "&username=agent.1001%40crm-demo.example&password=demo-password-2DemoToken2");
  CHECK(agent.status == 200);
  HttpReply frozen = http(demo.base, "POST", "/services/oauth2/token",
                          "grant_type=password&client_id=3MVG9sfemuDemoConsumerKeyForSfproxy&client_secret=sfemu-demo-secret-0001"
                          "&username=former.agent%40crm-demo.example&password=demo-password-3");
  CHECK(frozen.status == 400);
  CHECK(frozen.body == R"({"error":"invalid_grant","error_description":"user is inactive"})");
}
