// End-to-end tests: an Emulator on 127.0.0.1:0 driven through Poco's HTTP client.
#include "sfemu/emulator.hpp"

#include "test_support.hpp"

#include "cti/result.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <string>

using namespace cti::sfemu;
using namespace cti::sfemu::test;

namespace {

Poco::JSON::Object::Ptr object_of(const HttpReply& reply) { return reply.json().extract<Poco::JSON::Object::Ptr>(); }
Poco::JSON::Array::Ptr array_of(const HttpReply& reply) { return reply.json().extract<Poco::JSON::Array::Ptr>(); }

// The first error of a Salesforce error array: "CODE: message".
std::string first_error(const HttpReply& reply) {
  auto errors = array_of(reply);
  auto error = errors->getObject(0);
  return error->getValue<std::string>("errorCode") + ": " + error->getValue<std::string>("message");
}

std::string auth(const std::string& token) { return "Bearer " + token; }

HttpReply post_json(const std::string& base, const std::string& token, const std::string& path, const std::string& body) {
  return http(base, "POST", path, body, {{"Authorization", auth(token)}, {"Content-Type", "application/json"}});
}

struct Running {
  explicit Running(Options options = test_options()) : emulator(Emulator::start(std::move(options))) {
    ignore_sigpipe();
    base = emulator->base_url();
    token = password_token(base);
  }
  std::unique_ptr<Emulator> emulator;
  std::string base;
  std::string token;
};

}  // namespace

TEST_CASE("sfemu: versions list, unknown versions, resources and authentication") {
  Running org;
  CHECK(org.base.rfind("http://127.0.0.1:", 0) == 0);
  CHECK(org.emulator->port() != 0);

  HttpReply versions = http(org.base, "GET", "/services/data/");
  REQUIRE(versions.status == 200);
  CHECK(versions.headers.count("Sforce-Limit-Info") == 0);
  CHECK(versions.headers["Content-Type"] == "application/json;charset=UTF-8");
  bool found = false;
  auto list = array_of(versions);
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto entry = list->getObject(static_cast<unsigned>(i));
    if (entry->getValue<std::string>("version") == "59.0") {
      found = true;
      CHECK(entry->getValue<std::string>("label") == "Winter '24");
      CHECK(entry->getValue<std::string>("url") == "/services/data/v59.0");
    }
    if (entry->getValue<std::string>("version") == "66.0") CHECK(entry->getValue<std::string>("label") == "Spring '26");
  }
  CHECK(found);

  HttpReply unknown = http(org.base, "GET", "/services/data/v99.0/query?q=SELECT+Id+FROM+Contact", "", {{"Authorization", auth(org.token)}});
  CHECK(unknown.status == 404);
  CHECK(unknown.body == R"([{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}])");
  CHECK(http(org.base, "GET", "/services/data/v59.0/nothing-here", "", {{"Authorization", auth(org.token)}}).status == 404);
  CHECK(http(org.base, "GET", "/some/other/path").status == 404);

  HttpReply resources = http(org.base, "GET", "/services/data/v59.0", "", {{"Authorization", auth(org.token)}});
  REQUIRE(resources.status == 200);
  CHECK(object_of(resources)->getValue<std::string>("query") == "/services/data/v59.0/query");

  for (const std::string& header : {std::string(), std::string("Bearer not-a-token"), std::string("Basic abc")}) {
    CAPTURE(header);
    std::map<std::string, std::string> headers;
    if (!header.empty()) headers["Authorization"] = header;
    HttpReply denied = http(org.base, "GET", "/services/data/v59.0/query?q=SELECT+Id+FROM+Contact", "", headers);
    CHECK(denied.status == 401);
    CHECK(denied.body == R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])");
    CHECK(denied.headers.count("Sforce-Limit-Info") == 1);
  }
  CHECK(org.emulator->counters().unauthorized == 3);
  // Counted: the authenticated requests (nothing-here and resources); not the unknown version,
  // the versions list or the refused ones.
  CHECK(org.emulator->counters().api_requests == 2);
}

TEST_CASE("sfemu: query over HTTP: records, limit header, paging with nextRecordsUrl") {
  Options options = test_options();
  options.query_batch_size = 2;
  Running org(options);

  HttpReply first = get_query(org.base, org.token, "SELECT Id, Name FROM Contact ORDER BY LastName");
  REQUIRE(first.status == 200);
  CHECK(first.headers["Sforce-Limit-Info"] == "api-usage=1/15000");
  auto page = object_of(first);
  CHECK(page->getValue<int>("totalSize") == 6);
  CHECK_FALSE(page->getValue<bool>("done"));
  std::set<std::string> ids;
  std::vector<std::string> names;
  int pages = 0;
  while (true) {
    ++pages;
    auto records = page->getArray("records");
    CHECK(records->size() <= 2);
    for (std::size_t i = 0; i < records->size(); ++i) {
      auto record = records->getObject(static_cast<unsigned>(i));
      ids.insert(record->getValue<std::string>("Id"));
      names.push_back(record->getValue<std::string>("Name"));
      CHECK(record->getObject("attributes")->getValue<std::string>("type") == "Contact");
    }
    if (page->getValue<bool>("done")) {
      CHECK_FALSE(page->has("nextRecordsUrl"));
      break;
    }
    std::string next = page->getValue<std::string>("nextRecordsUrl");
    CHECK(next.rfind("/services/data/v59.0/query/01g", 0) == 0);
    HttpReply more = http(org.base, "GET", next, "", {{"Authorization", auth(org.token)}});
    REQUIRE(more.status == 200);
    page = object_of(more);
    CHECK(page->getValue<int>("totalSize") == 6);
  }
  CHECK(pages == 3);
  CHECK(ids.size() == 6);
  CHECK(names == std::vector<std::string>{"Jordan Ellis", "Nophone", "Grace O'Neill", "Priya Raman", "Marcus Webb", "Li Wei"});
  CHECK(org.emulator->counters().by_endpoint["query_more"] == 2);

  HttpReply stale = http(org.base, "GET", "/services/data/v59.0/query/01gXXXXXXXXXXXXXXX-2", "", {{"Authorization", auth(org.token)}});
  CHECK(stale.status == 400);
  CHECK(first_error(stale) == "INVALID_QUERY_LOCATOR: invalid query locator");

  HttpReply count = get_query(org.base, org.token, "SELECT COUNT() FROM Contact");
  REQUIRE(count.status == 200);
  CHECK(count.body == R"({"totalSize":6,"done":true,"records":[]})");

  HttpReply malformed = get_query(org.base, org.token, "SELECT Id FROM Contact WHERE LastName = 'x' AND Phone = 'y' OR Email = 'z'");
  CHECK(malformed.status == 400);
  CHECK(first_error(malformed).rfind("MALFORMED_QUERY: \nSELECT Id FROM Contact", 0) == 0);
  HttpReply no_object = get_query(org.base, org.token, "SELECT Id FROM Foo");
  CHECK(no_object.status == 400);
  CHECK(first_error(no_object).find("sObject type 'Foo' is not supported.") != std::string::npos);
  HttpReply missing = http(org.base, "GET", "/services/data/v59.0/query", "", {{"Authorization", auth(org.token)}});
  CHECK(missing.status == 400);
  CHECK(first_error(missing).rfind("MALFORMED_QUERY", 0) == 0);
  HttpReply trailing_slash = http(org.base, "GET", "/services/data/v59.0/query/?q=" + url_encode("SELECT Id FROM Account"), "",
                                  {{"Authorization", auth(org.token)}});
  CHECK(trailing_slash.status == 200);
}

TEST_CASE("sfemu: search over HTTP") {
  Running org;
  HttpReply found = get_search(org.base, org.token, "FIND {2128425500} IN PHONE FIELDS RETURNING Contact(Id, Name, Phone), Account(Name)");
  REQUIRE(found.status == 200);
  auto records = object_of(found)->getArray("searchRecords");
  CHECK(records->size() == 5);
  CHECK(found.headers["Sforce-Limit-Info"] == "api-usage=1/15000");
  HttpReply plus = http(org.base, "GET", "/services/data/v59.0/search/?q=" + url_encode("FIND {\\+12128425500} IN PHONE FIELDS RETURNING Contact"),
                        "", {{"Authorization", auth(org.token)}});
  REQUIRE(plus.status == 200);
  CHECK(object_of(plus)->getArray("searchRecords")->size() == 5);
  HttpReply bad = get_search(org.base, org.token, "FIND {John|jane} RETURNING Contact");
  CHECK(bad.status == 400);
  CHECK(first_error(bad) ==
        "MALFORMED_SEARCH: \nFIND {John|jane} RETURNING Contact\n         ^\nERROR at Row:1:Column:10\nline 1:10 mismatched character '|' expecting '}'");
}

TEST_CASE("sfemu: create, read, update, delete; created records are found by query and search") {
  Running org;
  HttpReply created = post_json(org.base, org.token, "/services/data/v59.0/sobjects/Contact",
                                R"({"FirstName":"Nora","LastName":"Newman","Phone":"(646) 555-0123","Email":"nora@new.example"})");
  REQUIRE(created.status == 201);
  auto body = object_of(created);
  std::string id = body->getValue<std::string>("id");
  CHECK(id.size() == 18);
  CHECK(id.rfind("003", 0) == 0);
  CHECK(body->getValue<bool>("success"));
  CHECK(body->getArray("errors")->size() == 0);
  CHECK(created.body == R"({"id":")" + id + R"(","success":true,"errors":[]})");
  CHECK(created.headers["Location"] == "/services/data/v59.0/sobjects/Contact/" + id);

  HttpReply read = http(org.base, "GET", "/services/data/v59.0/sobjects/Contact/" + id, "", {{"Authorization", auth(org.token)}});
  REQUIRE(read.status == 200);
  auto record = object_of(read);
  CHECK(record->getValue<std::string>("Name") == "Nora Newman");
  CHECK(record->getValue<std::string>("CreatedDate") == "2025-01-15T12:00:00.000+0000");
  CHECK(record->getObject("attributes")->getValue<std::string>("url") == "/services/data/v59.0/sobjects/Contact/" + id);
  CHECK(record->isNull("AccountId"));
  HttpReply some = http(org.base, "GET", "/services/data/v59.0/sobjects/Contact/" + id.substr(0, 15) + "?fields=Id,LastName",
                        "", {{"Authorization", auth(org.token)}});
  REQUIRE(some.status == 200);
  CHECK(object_of(some)->size() == 3);
  HttpReply bad_field = http(org.base, "GET", "/services/data/v59.0/sobjects/Contact/" + id + "?fields=Nope", "", {{"Authorization", auth(org.token)}});
  CHECK(bad_field.status == 400);
  CHECK(first_error(bad_field) == "INVALID_FIELD: No such column 'Nope' on sobject of type Contact");

  HttpReply queried = get_query(org.base, org.token, "SELECT Name FROM Contact WHERE Id = '" + id + "'");
  CHECK(object_of(queried)->getValue<int>("totalSize") == 1);
  HttpReply searched = get_search(org.base, org.token, "FIND {16465550123} IN PHONE FIELDS RETURNING Contact(Name)");
  CHECK(object_of(searched)->getArray("searchRecords")->size() == 1);

  HttpReply patched = http(org.base, "PATCH", "/services/data/v59.0/sobjects/Contact/" + id, R"({"Title":"Buyer"})",
                           {{"Authorization", auth(org.token)}});
  CHECK(patched.status == 204);
  CHECK(patched.body.empty());
  CHECK(object_of(get_query(org.base, org.token, "SELECT Name FROM Contact WHERE Title = 'buyer'"))->getValue<int>("totalSize") == 1);

  HttpReply case_created = post_json(org.base, org.token, "/services/data/v59.0/sobjects/Case", R"({"Subject":"New problem"})");
  REQUIRE(case_created.status == 201);
  std::string case_id = object_of(case_created)->getValue<std::string>("id");
  auto case_record = object_of(get_query(org.base, org.token, "SELECT CaseNumber, Status, IsClosed FROM Case WHERE Id = '" + case_id + "'"))
                         ->getArray("records")->getObject(0);
  CHECK(case_record->getValue<std::string>("CaseNumber") == "00001235");  // after the seed's highest, 00001234
  CHECK(case_record->getValue<std::string>("Status") == "New");
  CHECK_FALSE(case_record->getValue<bool>("IsClosed"));
  HttpReply second_case = post_json(org.base, org.token, "/services/data/v59.0/sobjects/Case", R"({"Subject":"Another"})");
  auto second = object_of(get_query(org.base, org.token, "SELECT CaseNumber FROM Case WHERE Id = '" + object_of(second_case)->getValue<std::string>("id") + "'"));
  CHECK(second->getArray("records")->getObject(0)->getValue<std::string>("CaseNumber") == "00001236");

  HttpReply deleted = http(org.base, "DELETE", "/services/data/v59.0/sobjects/Contact/" + id, "", {{"Authorization", auth(org.token)}});
  CHECK(deleted.status == 204);
  HttpReply gone = http(org.base, "GET", "/services/data/v59.0/sobjects/Contact/" + id, "", {{"Authorization", auth(org.token)}});
  CHECK(gone.status == 404);
  CHECK(gone.body == R"([{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}])");
  HttpReply bad_id = http(org.base, "GET", "/services/data/v59.0/sobjects/Contact/xyz", "", {{"Authorization", auth(org.token)}});
  CHECK(bad_id.status == 404);
  CHECK(first_error(bad_id) == "NOT_FOUND: Provided external ID field does not exist or is not accessible: xyz");
}

TEST_CASE("sfemu: create errors have Salesforce's bodies") {
  Running org;
  struct Row {
    std::string object;
    std::string body;
    int status;
    std::string expected;  // the whole response body
  };
  const std::vector<Row> rows = {
      {"Contact", R"({"FirstName":"No"})", 400,
       R"([{"message":"Required fields are missing: [LastName]","errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName"]}])"},
      {"Lead", R"({"FirstName":"No"})", 400,
       R"([{"message":"Required fields are missing: [LastName, Company]","errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName","Company"]}])"},
      {"Contact", R"({"LastName":"X","Foo":"bar"})", 400,
       R"([{"message":"No such column 'Foo' on sobject of type Contact","errorCode":"INVALID_FIELD"}])"},
      {"Contact", R"({"LastName":"X","Id":"003000000000000AAA"})", 400,
       R"([{"message":"The Id field should not be specified in the sobject data.","errorCode":"INVALID_FIELD"}])"},
      {"Case", R"({"Subject":"X","CaseNumber":"00000001"})", 400,
       R"([{"message":"Unable to create/update fields: CaseNumber. Please check the security settings of this field and verify that it is read/write for your profile or permission set.","errorCode":"INVALID_FIELD_FOR_INSERT_UPDATE","fields":["CaseNumber"]}])"},
      {"Contact", R"({"LastName":"X","Email":"not-an-email"})", 400,
       R"([{"message":"Email: invalid email address: not-an-email","errorCode":"INVALID_EMAIL_ADDRESS","fields":["Email"]}])"},
      {"Contact", R"({"LastName":"X","AccountId":"bogus"})", 400,
       R"([{"message":"Account ID: id value of incorrect type: bogus","errorCode":"MALFORMED_ID","fields":["AccountId"]}])"},
      {"Contact", R"({"LastName":")" + std::string(81, 'x') + R"("})", 400,
       R"([{"message":"Last Name: data value too large: )" + std::string(80, 'x') +
           R"json( (max length=80)","errorCode":"STRING_TOO_LONG","fields":["LastName"]}])json"},
      {"Foo__c", R"({"Name":"X"})", 404, R"([{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}])"},
      {"User", R"({"LastName":"X"})", 400,
       R"([{"message":"entity type cannot be inserted: User","errorCode":"INVALID_TYPE_FOR_OPERATION"}])"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.object);
    CAPTURE(row.body);
    HttpReply reply = post_json(org.base, org.token, "/services/data/v59.0/sobjects/" + row.object, row.body);
    CHECK(reply.status == row.status);
    CHECK(reply.body == row.expected);
  }
  HttpReply not_json = post_json(org.base, org.token, "/services/data/v59.0/sobjects/Contact", "{LastName: oops");
  CHECK(not_json.status == 400);
  CHECK(first_error(not_json).rfind("JSON_PARSER_ERROR", 0) == 0);
  HttpReply wrong_type = post_json(org.base, org.token, "/services/data/v59.0/sobjects/Account", R"({"Name":"X","NumberOfEmployees":"many"})");
  CHECK(wrong_type.status == 400);
  CHECK(first_error(wrong_type).rfind("JSON_PARSER_ERROR", 0) == 0);
  // A Contact's AccountId must name an Account, not another Contact.
  std::string contact_id = object_of(get_query(org.base, org.token, "SELECT Id FROM Contact LIMIT 1"))->getArray("records")->getObject(0)->getValue<std::string>("Id");
  HttpReply wrong_target = post_json(org.base, org.token, "/services/data/v59.0/sobjects/Contact", R"({"LastName":"X","AccountId":")" + contact_id + R"("})");
  CHECK(first_error(wrong_target).rfind("FIELD_INTEGRITY_EXCEPTION", 0) == 0);
  CHECK(object_of(get_query(org.base, org.token, "SELECT COUNT() FROM Contact"))->getValue<int>("totalSize") == 6);  // nothing half-created
}

TEST_CASE("sfemu: composite: references, one API request, allOrNone rollback") {
  Running org;
  std::uint64_t before = org.emulator->counters().api_requests;
  std::string body = R"({"allOrNone":true,"compositeRequest":[
    {"method":"POST","url":"/services/data/v59.0/sobjects/Account","referenceId":"refAccount","body":{"Name":"Composite Co"}},
    {"method":"POST","url":"/services/data/v59.0/sobjects/Contact","referenceId":"refContact",
     "body":{"LastName":"Linked","AccountId":"@{refAccount.id}"}},
    {"method":"GET","url":"/services/data/v59.0/query?q=SELECT+Name,Account.Name+FROM+Contact+WHERE+AccountId='@{refAccount.id}'","referenceId":"refQuery"},
    {"method":"GET","url":"/services/data/v59.0/sobjects/Contact/@{refQuery.records[0].attributes.url}","referenceId":"refBadGet"}
  ]})";
  // The last subrequest builds a bad URL on purpose: check the whole batch is rolled back.
  HttpReply rolled_back = post_json(org.base, org.token, "/services/data/v59.0/composite", body);
  REQUIRE(rolled_back.status == 200);
  auto items = object_of(rolled_back)->getArray("compositeResponse");
  REQUIRE(items->size() == 4);
  for (unsigned i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(items->getObject(i)->getValue<int>("httpStatusCode") == 400);
    CHECK(items->getObject(i)->getArray("body")->getObject(0)->getValue<std::string>("errorCode") == "PROCESSING_HALTED");
  }
  CHECK(items->getObject(3)->getValue<int>("httpStatusCode") == 404);
  CHECK(object_of(get_query(org.base, org.token, "SELECT COUNT() FROM Account WHERE Name = 'Composite Co'"))->getValue<int>("totalSize") == 0);

  std::string good = R"({"allOrNone":true,"compositeRequest":[
    {"method":"POST","url":"/services/data/v59.0/sobjects/Account","referenceId":"refAccount","body":{"Name":"Composite Co"}},
    {"method":"POST","url":"/services/data/v59.0/sobjects/Contact","referenceId":"refContact",
     "body":{"LastName":"Linked","AccountId":"@{refAccount.id}"}},
    {"method":"GET","url":"/services/data/v59.0/query?q=SELECT+Name,Account.Name+FROM+Contact+WHERE+AccountId='@{refAccount.id}'","referenceId":"refQuery"},
    {"method":"PATCH","url":"/services/data/v59.0/sobjects/Contact/@{refContact.id}","referenceId":"refPatch","body":{"Title":"@{refQuery.records[0].Account.Name}"}}
  ]})";
  std::uint64_t usage_before = org.emulator->counters().api_requests;
  HttpReply ok = post_json(org.base, org.token, "/services/data/v59.0/composite", good);
  REQUIRE(ok.status == 200);
  CHECK(org.emulator->counters().api_requests == usage_before + 1);  // the whole composite is one API request
  CHECK(ok.headers["Sforce-Limit-Info"] == "api-usage=" + std::to_string(usage_before + 1) + "/15000");
  auto responses = object_of(ok)->getArray("compositeResponse");
  REQUIRE(responses->size() == 4);
  auto account = responses->getObject(0);
  CHECK(account->getValue<int>("httpStatusCode") == 201);
  CHECK(account->getValue<std::string>("referenceId") == "refAccount");
  std::string account_id = account->getObject("body")->getValue<std::string>("id");
  CHECK(account->getObject("httpHeaders")->getValue<std::string>("Location") == "/services/data/v59.0/sobjects/Account/" + account_id);
  CHECK(responses->getObject(1)->getValue<int>("httpStatusCode") == 201);
  auto queried = responses->getObject(2);
  CHECK(queried->getValue<int>("httpStatusCode") == 200);
  CHECK(queried->getObject("httpHeaders")->size() == 0);
  CHECK(queried->getObject("body")->getValue<int>("totalSize") == 1);
  CHECK(responses->getObject(3)->getValue<int>("httpStatusCode") == 204);
  CHECK(responses->getObject(3)->isNull("body"));
  CHECK(object_of(get_query(org.base, org.token, "SELECT Title FROM Contact WHERE LastName = 'Linked'"))
            ->getArray("records")->getObject(0)->getValue<std::string>("Title") == "Composite Co");
  CHECK(org.emulator->counters().by_endpoint["composite"] == 2);
  CHECK(org.emulator->counters().api_requests - before == 4);
}

TEST_CASE("sfemu: composite without allOrNone: independent subrequests run, dependent ones halt") {
  Running org;
  std::string body = R"({"compositeRequest":[
    {"method":"POST","url":"/services/data/v59.0/sobjects/Account","referenceId":"a","body":{"Name":"Kept"}},
    {"method":"POST","url":"/services/data/v59.0/sobjects/Contact","referenceId":"b","body":{"FirstName":"NoLastName"}},
    {"method":"POST","url":"/services/data/v59.0/sobjects/Task","referenceId":"c","body":{"Subject":"x","WhoId":"@{b.id}"}},
    {"method":"GET","url":"/services/data/v59.0/search?q=FIND+%7BKept%7D","referenceId":"d"}
  ]})";
  HttpReply reply = post_json(org.base, org.token, "/services/data/v59.0/composite", body);
  REQUIRE(reply.status == 200);
  auto items = object_of(reply)->getArray("compositeResponse");
  CHECK(items->getObject(0)->getValue<int>("httpStatusCode") == 201);
  CHECK(items->getObject(1)->getValue<int>("httpStatusCode") == 400);
  CHECK(items->getObject(1)->getArray("body")->getObject(0)->getValue<std::string>("errorCode") == "REQUIRED_FIELD_MISSING");
  CHECK(items->getObject(2)->getValue<int>("httpStatusCode") == 400);
  CHECK(items->getObject(2)->getArray("body")->getObject(0)->getValue<std::string>("errorCode") == "PROCESSING_HALTED");
  // Salesforce's composite does not run /search subrequests.
  CHECK(items->getObject(3)->getValue<int>("httpStatusCode") == 404);
  CHECK(object_of(get_query(org.base, org.token, "SELECT COUNT() FROM Account WHERE Name = 'Kept'"))->getValue<int>("totalSize") == 1);

  std::string many = R"({"compositeRequest":[)";
  for (int i = 0; i < 26; ++i) {
    many += std::string(i ? "," : "") + R"({"method":"GET","url":"/services/data/v59.0/limits","referenceId":"r)" + std::to_string(i) + R"("})";
  }
  many += "]}";
  HttpReply too_many = post_json(org.base, org.token, "/services/data/v59.0/composite", many);
  CHECK(too_many.status == 400);
  CHECK(first_error(too_many).rfind("LIMIT_EXCEEDED", 0) == 0);
  HttpReply duplicate = post_json(org.base, org.token, "/services/data/v59.0/composite",
                                  R"({"compositeRequest":[{"method":"GET","url":"/services/data/v59.0/limits","referenceId":"x"},
                                                          {"method":"GET","url":"/services/data/v59.0/limits","referenceId":"x"}]})");
  CHECK(duplicate.status == 400);
  HttpReply empty = post_json(org.base, org.token, "/services/data/v59.0/composite", R"({"compositeRequest":[]})");
  CHECK(empty.status == 400);
  HttpReply get = http(org.base, "GET", "/services/data/v59.0/composite", "", {{"Authorization", auth(org.token)}});
  CHECK(get.status == 405);
}

TEST_CASE("sfemu: composite can be told to accept search subrequests") {
  Options options = test_options();
  options.composite_allows_search = true;
  Running org(options);
  HttpReply reply = post_json(org.base, org.token, "/services/data/v59.0/composite",
                              R"({"compositeRequest":[{"method":"GET","url":"/services/data/v59.0/search?q=FIND+%7B2128425500%7D+IN+PHONE+FIELDS+RETURNING+Contact","referenceId":"s"}]})");
  REQUIRE(reply.status == 200);
  auto item = object_of(reply)->getArray("compositeResponse")->getObject(0);
  CHECK(item->getValue<int>("httpStatusCode") == 200);
  CHECK(item->getObject("body")->getArray("searchRecords")->size() == 5);
}

TEST_CASE("sfemu: daily API limit: header counts up, then 403 REQUEST_LIMIT_EXCEEDED") {
  Options options = test_options();
  options.daily_limit = 3;
  Running org(options);
  for (int i = 1; i <= 3; ++i) {
    HttpReply reply = get_query(org.base, org.token, "SELECT Id FROM Account");
    CHECK(reply.status == 200);
    CHECK(reply.headers["Sforce-Limit-Info"] == "api-usage=" + std::to_string(i) + "/3");
  }
  HttpReply refused = get_query(org.base, org.token, "SELECT Id FROM Account");
  CHECK(refused.status == 403);
  CHECK(refused.body == R"([{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])");
  CHECK(refused.headers["Sforce-Limit-Info"] == "api-usage=3/3");
  CHECK(org.emulator->counters().limit_exceeded == 1);
  CHECK(password_token(org.base).size() > 20);  // the token endpoint does not count
  org.emulator->set_daily_limit(10);
  HttpReply limits = http(org.base, "GET", "/services/data/v59.0/limits", "", {{"Authorization", auth(org.token)}});
  REQUIRE(limits.status == 200);
  CHECK(limits.body == R"({"DailyApiRequests":{"Max":10,"Remaining":6}})");
  org.emulator->set_api_usage(10);
  CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").status == 403);
}

TEST_CASE("sfemu: fault knobs: latency, 503, dropped connections, malformed JSON, expiring tokens, frozen users") {
  Running org;
  SUBCASE("latency") {
    org.emulator->set_latency(std::chrono::milliseconds(150));
    auto start = std::chrono::steady_clock::now();
    CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").status == 200);
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(150));
    CHECK(org.emulator->faults().latency == std::chrono::milliseconds(150));
  }
  SUBCASE("next requests answer 503") {
    std::uint64_t used = org.emulator->counters().api_requests;
    org.emulator->fail_next(2);
    for (int i = 0; i < 2; ++i) {
      HttpReply reply = get_query(org.base, org.token, "SELECT Id FROM Account");
      CHECK(reply.status == 503);
      CHECK(first_error(reply) == "SERVER_UNAVAILABLE: Server temporarily unavailable. Please try again later.");
    }
    CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").status == 200);
    CHECK(org.emulator->counters().unavailable == 2);
    CHECK(org.emulator->counters().api_requests == used + 1);
  }
  SUBCASE("next requests drop the connection") {
    org.emulator->drop_next(2);
    CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").connection_failed);
    HttpReply token = http(org.base, "POST", "/services/oauth2/token", "grant_type=client_credentials&client_id=client-1&client_secret=client-secret-1");
    CHECK(token.connection_failed);
    CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").status == 200);
    CHECK(org.emulator->counters().dropped == 2);
  }
  SUBCASE("next responses carry malformed JSON") {
    org.emulator->malform_next(1);
    HttpReply reply = get_query(org.base, org.token, "SELECT Id FROM Account");
    CHECK(reply.status == 200);
    CHECK_THROWS(reply.json());
    HttpReply clean = get_query(org.base, org.token, "SELECT Id FROM Account");
    CHECK_NOTHROW(clean.json());
    CHECK(org.emulator->counters().malformed == 1);
  }
  SUBCASE("tokens expire after N requests") {
    org.emulator->expire_tokens_after(2);
    CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").status == 200);
    CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").status == 200);
    CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").status == 401);
    std::string fresh = password_token(org.base);
    CHECK(get_query(org.base, fresh, "SELECT Id FROM Account").status == 200);
  }
  SUBCASE("a frozen user's token stops working and new tokens are refused") {
    REQUIRE(org.emulator->set_user_frozen("api@test.example", true));
    CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").status == 401);
    HttpReply refused = http(org.base, "POST", "/services/oauth2/token",
                             "grant_type=password&client_id=client-1&client_secret=client-secret-1&username=api%40test.example&password=secret-pwTOK");
    CHECK(refused.status == 400);
    CHECK(refused.body == R"({"error":"invalid_grant","error_description":"user is inactive"})");
    REQUIRE(org.emulator->set_user_frozen("api@test.example", false));
    CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").status == 200);
    CHECK_FALSE(org.emulator->set_user_frozen("nobody@test.example", true));
  }
  SUBCASE("revoked tokens") {
    org.emulator->revoke_tokens();
    CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").status == 401);
  }
}

TEST_CASE("sfemu: admin endpoint steers faults from another process, only when enabled") {
  {
    Running closed;
    CHECK(http(closed.base, "POST", "/__emulator/faults", R"({"fail_next":1})").status == 404);
    CHECK(get_query(closed.base, closed.token, "SELECT Id FROM Account").status == 200);
  }
  Options options = test_options();
  options.admin_endpoint = true;
  Running org(options);
  HttpReply set = http(org.base, "POST", "/__emulator/faults", R"({"fail_next":1,"daily_limit":50})");
  REQUIRE(set.status == 200);
  CHECK(object_of(set)->getObject("faults")->getValue<int>("fail_next") == 1);
  CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").status == 503);
  HttpReply state = http(org.base, "GET", "/__emulator/state");
  REQUIRE(state.status == 200);
  CHECK(object_of(state)->getValue<int>("daily_limit") == 50);
  CHECK(object_of(state)->getObject("faults")->getValue<int>("fail_next") == 0);

  HttpReply bad = http(org.base, "POST", "/__emulator/faults", R"({"fail_next":-1,"drop_next":5})");
  CHECK(bad.status == 400);
  HttpReply unknown = http(org.base, "POST", "/__emulator/faults", R"({"drop_next":5,"explode":true})");
  CHECK(unknown.status == 400);
  CHECK(object_of(http(org.base, "GET", "/__emulator/state"))->getObject("faults")->getValue<int>("drop_next") == 0);  // nothing half-applied
  CHECK(http(org.base, "POST", "/__emulator/faults", R"({"freeze":["ghost@test.example"]})").status == 400);
  CHECK(http(org.base, "POST", "/__emulator/faults", R"({"freeze":["api@test.example"]})").status == 200);
  CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").status == 401);
  CHECK(http(org.base, "POST", "/__emulator/faults", R"({"unfreeze":["api@test.example"],"expire_tokens_after":1})").status == 200);
  CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").status == 200);
  CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").status == 401);
  CHECK(org.emulator->counters().by_endpoint["admin"] >= 6);
}

TEST_CASE("sfemu: hostile input gets a clear error and the emulator keeps serving") {
  Options options = test_options();
  options.max_body_bytes = 64 * 1024;
  Running org(options);
  HttpReply big = post_json(org.base, org.token, "/services/data/v59.0/sobjects/Contact", std::string(200 * 1024, 'x'));
  CHECK((big.status == 413 || big.connection_failed));
  if (big.status == 413) CHECK(first_error(big).rfind("REQUEST_ENTITY_TOO_LARGE", 0) == 0);

  HttpReply broken = http(org.base, "GET", "/services/data/v59.0/query?q=SELECT%zzId", "", {{"Authorization", auth(org.token)}});
  CHECK(broken.status == 400);
  CHECK(first_error(broken).rfind("MALFORMED_QUERY", 0) == 0);
  HttpReply broken_search = http(org.base, "GET", "/services/data/v59.0/search?q=%", "", {{"Authorization", auth(org.token)}});
  CHECK(broken_search.status == 400);
  CHECK(first_error(broken_search).rfind("MALFORMED_SEARCH", 0) == 0);

  std::string deep = "SELECT Id FROM Contact WHERE " + std::string(1000, '(') + "LastName = 'x'" + std::string(1000, ')');
  HttpReply nested = get_query(org.base, org.token, deep);
  CHECK(nested.status == 400);
  CHECK(first_error(nested).rfind("MALFORMED_QUERY", 0) == 0);

  std::string deep_json = std::string(20000, '[') + std::string(20000, ']');
  HttpReply json_bomb = post_json(org.base, org.token, "/services/data/v59.0/composite", deep_json);
  CHECK(json_bomb.status == 400);
  CHECK(first_error(json_bomb).rfind("JSON_PARSER_ERROR", 0) == 0);
  CHECK(post_json(org.base, org.token, "/services/data/v59.0/composite", "not json").status == 400);
  CHECK(post_json(org.base, org.token, "/services/data/v59.0/composite", R"({"compositeRequest":[{"method":"GET"}]})").status == 400);

  HttpReply bad_method = http(org.base, "PUT", "/services/data/v59.0/query?q=SELECT+Id+FROM+Account", "", {{"Authorization", auth(org.token)}});
  CHECK(bad_method.status == 405);
  CHECK(first_error(bad_method).rfind("METHOD_NOT_ALLOWED", 0) == 0);

  // Not HTTP at all.
  {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", org.emulator->port()));
    std::string garbage = "\x16\x03\x01 hello?\r\n\r\n";
    socket.sendBytes(garbage.data(), static_cast<int>(garbage.size()));
    char buffer[512];
    socket.setReceiveTimeout(Poco::Timespan(5, 0));
    try {
      socket.receiveBytes(buffer, sizeof buffer);
    } catch (const Poco::Exception&) {
    }
  }
  CHECK(get_query(org.base, org.token, "SELECT Id FROM Account").status == 200);
}

TEST_CASE("sfemu: HTTPS with a certificate") {
  auto pair = make_self_signed_certificate();
  Options options = test_options();
  options.tls_cert_file = write_temp_file("cert.pem", pair.certificate_pem);
  options.tls_key_file = write_temp_file("key.pem", pair.key_pem);
  Running org(options);
  CHECK(org.base.rfind("https://127.0.0.1:", 0) == 0);
  HttpReply reply = get_query(org.base, org.token, "SELECT Name FROM Account ORDER BY Name");
  REQUIRE(reply.status == 200);
  CHECK(object_of(reply)->getValue<int>("totalSize") == 2);
  CHECK(http("http://127.0.0.1:" + std::to_string(org.emulator->port()), "GET", "/services/data/").status != 200);
  std::remove(options.tls_cert_file.c_str());
  std::remove(options.tls_key_file.c_str());
}

TEST_CASE("sfemu: an emulator without seed data serves an empty org") {
  auto emulator = Emulator::start(Options{});
  HttpReply versions = http(emulator->base_url(), "GET", "/services/data/");
  CHECK(versions.status == 200);
  HttpReply token = http(emulator->base_url(), "POST", "/services/oauth2/token", "grant_type=client_credentials&client_id=x&client_secret=y");
  CHECK(token.status == 400);
  CHECK(token.body == R"({"error":"invalid_client_id","error_description":"client identifier invalid"})");
}

TEST_CASE("sfemu: start-up errors are configuration errors; stop() ends serving") {
  Options bad_seed = test_options();
  bad_seed.data_json = R"({"records":[{"attributes":{"type":"Contact"},"FirstName":"No last name"}]})";
  CHECK_THROWS_AS(Emulator::start(bad_seed), cti::ConfigError);
  Options unknown_ref = test_options();
  unknown_ref.data_json = R"({"records":[{"attributes":{"type":"Contact"},"LastName":"X","AccountId":"@nowhere"}]})";
  CHECK_THROWS_AS(Emulator::start(unknown_ref), cti::ConfigError);
  Options missing_file = test_options();
  missing_file.data_file = "/nonexistent/crm.json";
  CHECK_THROWS_AS(Emulator::start(missing_file), cti::ConfigError);
  Options half_tls = test_options();
  half_tls.tls_cert_file = "/nonexistent/cert.pem";
  CHECK_THROWS_AS(Emulator::start(half_tls), cti::ConfigError);
  Options bad_tls = test_options();
  bad_tls.tls_cert_file = "/nonexistent/cert.pem";
  bad_tls.tls_key_file = "/nonexistent/key.pem";
  CHECK_THROWS_AS(Emulator::start(bad_tls), cti::ConfigError);

  Running org;
  Options same_port = test_options();
  same_port.port = org.emulator->port();
  CHECK_THROWS_AS(Emulator::start(same_port), cti::ConfigError);

  std::string base = org.base;
  org.emulator->stop();
  org.emulator->stop();  // idempotent
  CHECK(http(base, "GET", "/services/data/").connection_failed);
}
