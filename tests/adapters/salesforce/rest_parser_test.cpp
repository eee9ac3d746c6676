#include "rest_parser.hpp"

#include <doctest/doctest.h>

#include <string>

namespace sf = cti::adapters::salesforce;
using namespace cti::adapters::salesforce::detail;

namespace {

const std::map<std::string, std::string, std::less<>> k_names{{"Case", "CaseNumber"}};

NameFields names_for(sfmatch::QueryLanguage language, std::string_view query) {
  return NameFields(k_names, Selection::of(language, query));
}

cti::Result<std::vector<sfmatch::RecordRef>> query_records(std::string_view body,
                                                           std::string_view soql) {
  auto json = parse_json(body);
  if (!json) {
    return cti::Unexpected(json.error());
  }
  auto page = read_query_page(*json, names_for(sfmatch::QueryLanguage::soql, soql));
  if (!page) {
    return cti::Unexpected(page.error());
  }
  return page->records;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("selection: the fields a SOQL query selects") {
  const auto selection =
      Selection::of(sfmatch::QueryLanguage::soql,
                    "SELECT Id, CaseNumber, Account.Name FROM Case WHERE Subject = 'FROM x' LIMIT 10");
  const auto* fields = selection.fields_of("case");
  REQUIRE(fields != nullptr);
  CHECK(*fields == std::vector<std::string>{"Id", "CaseNumber", "Account.Name"});
  CHECK(selection.fields_of("Contact") == nullptr);
  CHECK(Selection::of(sfmatch::QueryLanguage::soql, "DELETE everything").fields_of("Case") == nullptr);
}

TEST_CASE("selection: the fields of each RETURNING object in SOSL") {
  const auto selection = Selection::of(
      sfmatch::QueryLanguage::sosl,
      "FIND {RETURNING \\} (x)} IN PHONE FIELDS RETURNING Contact(Id, Name, Phone), "
      "Account(Id, Name WHERE Name != 'a, b' LIMIT 5), Lead(Id, Name WHERE IsConverted = false), "
      "Case LIMIT 20");
  REQUIRE(selection.fields_of("Contact") != nullptr);
  CHECK(*selection.fields_of("Contact") == std::vector<std::string>{"Id", "Name", "Phone"});
  CHECK(*selection.fields_of("Account") == std::vector<std::string>{"Id", "Name"});
  CHECK(*selection.fields_of("Lead") == std::vector<std::string>{"Id", "Name"});
  REQUIRE(selection.fields_of("Case") != nullptr);
  CHECK(selection.fields_of("Case")->empty());
}

TEST_CASE("name fields: the configured field when selected, else the first selected field") {
  const auto case_names = names_for(sfmatch::QueryLanguage::soql, "SELECT Id, CaseNumber FROM Case");
  CHECK(case_names.field_for("Case") == "CaseNumber");
  const auto custom = names_for(sfmatch::QueryLanguage::soql, "SELECT Id, Title__c FROM Thing__c");
  CHECK(custom.field_for("Thing__c") == "Title__c");
  const auto only_id = names_for(sfmatch::QueryLanguage::soql, "SELECT Id FROM Contact");
  CHECK(only_id.field_for("Contact").empty());
  const auto unknown = names_for(sfmatch::QueryLanguage::soql, "garbage");
  CHECK(unknown.field_for("Contact") == "Name");
  CHECK(unknown.field_for("Case") == "CaseNumber");
}

TEST_CASE("query page: records, their name field and paging") {
  const std::string body = R"({"totalSize":3,"done":false,
    "nextRecordsUrl":"/services/data/v59.0/query/01gD0000002HU6KIAW-2000",
    "records":[
      {"attributes":{"type":"Case","url":"/services/data/v59.0/sobjects/Case/500D000000IqhSLIAZ"},
       "Id":"500D000000IqhSLIAZ","CaseNumber":"00001234"},
      {"attributes":{"type":"Case"},"Id":"500D000000Iomaz","casenumber":null}]})";
  auto json = parse_json(body);
  REQUIRE(json);
  auto page = read_query_page(*json, names_for(sfmatch::QueryLanguage::soql,
                                               "SELECT Id, CaseNumber FROM Case"));
  REQUIRE(page);
  REQUIRE(page->records.size() == 2);
  CHECK(page->records[0] == sfmatch::RecordRef{"Case", "500D000000IqhSLIAZ", "00001234"});
  CHECK(page->records[1] == sfmatch::RecordRef{"Case", "500D000000Iomaz", ""});
  CHECK(page->next_records_url == "/services/data/v59.0/query/01gD0000002HU6KIAW-2000");
  CHECK(is_query_locator_path(page->next_records_url, "59.0"));
}

TEST_CASE("query page: wrong shapes are clear errors") {
  struct Row {
    std::string body;
    std::string reason;
  };
  const Row rows[] = {
      {"not json", "malformed JSON"},
      {"{\"records\":", "malformed JSON"},
      {"42", "malformed JSON"},
      {"[]", "not a JSON object"},
      {"{}", "no records array"},
      {R"({"records":{"a":1}})", "no records array"},
      {R"({"records":[1]})", "record 1 is not a JSON object"},
      {R"({"records":[{"Id":"003D000000IqhSLIAZ"}]})", "no attributes.type"},
      {R"({"records":[{"attributes":{"type":7},"Id":"003D000000IqhSLIAZ"}]})", "no attributes.type"},
      {R"({"records":[{"attributes":{"type":"Con tact"},"Id":"003D000000IqhSLIAZ"}]})", "invalid type"},
      {R"({"records":[{"attributes":{"type":"Contact"}}]})", "no valid Id"},
      {R"({"records":[{"attributes":{"type":"Contact"},"Id":"003/../../x"}]})", "no valid Id"},
      {R"({"records":[{"attributes":{"type":"Contact"},"Id":12345}]})", "no valid Id"},
      {R"({"done":false,"records":[]})", "nextRecordsUrl is missing"},
      {std::string(40, '[') + std::string(40, ']'), "malformed JSON"},
      {std::string(100000, '['), "malformed JSON"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.body.substr(0, 80));
    auto records = query_records(row.body, "SELECT Id, Name FROM Contact");
    REQUIRE_FALSE(records);
    CHECK(records.error().code == cti::ErrorCode::unavailable);
    CHECK(contains(records.error().message, row.reason));
  }
}

TEST_CASE("query page: a name that is a number is shown as text, an overlong one is refused") {
  auto number = query_records(
      R"({"done":true,"records":[{"attributes":{"type":"Thing__c"},"Id":"a00D000000IqhSL","Code__c":42}]})",
      "SELECT Id, Code__c FROM Thing__c");
  REQUIRE(number);
  CHECK(number->at(0).name == "42");
  auto overlong = query_records(R"({"done":true,"records":[{"attributes":{"type":"Contact"},"Id":"003D000000IqhSL","Name":")" +
                                    std::string(2000, 'x') + R"("}]})",
                                "SELECT Id, Name FROM Contact");
  REQUIRE_FALSE(overlong);
  CHECK(contains(overlong.error().message, "name longer than"));
}

TEST_CASE("query locator paths: only our own version's locators are followed") {
  CHECK(is_query_locator_path("/services/data/v59.0/query/01gD0000002HU6KIAW-2000", "59.0"));
  CHECK_FALSE(is_query_locator_path("/services/data/v58.0/query/01gD0000002HU6KIAW-2000", "59.0"));
  CHECK_FALSE(is_query_locator_path("https://evil.example/services/data/v59.0/query/x", "59.0"));
  CHECK_FALSE(is_query_locator_path("/services/data/v59.0/query/../../oauth2/token", "59.0"));
  CHECK_FALSE(is_query_locator_path("/services/data/v59.0/query/", "59.0"));
  CHECK_FALSE(is_query_locator_path("/services/data/v59.0/query/a?b=c", "59.0"));
}

TEST_CASE("search result: searchRecords of several types, or the old bare array") {
  const std::string sosl = "FIND {2128425500} IN PHONE FIELDS RETURNING Contact(Id, Name), Account(Id, Name)";
  auto json = parse_json(R"({"searchRecords":[
      {"attributes":{"type":"Contact"},"Id":"003D000000IqhSLIAZ","Name":"Ada Lovelace"},
      {"attributes":{"type":"Account"},"Id":"001D000000IqhSLIAZ","Name":"Analytical Engines"}]})");
  REQUIRE(json);
  auto records = read_search_result(*json, names_for(sfmatch::QueryLanguage::sosl, sosl));
  REQUIRE(records);
  REQUIRE(records->size() == 2);
  CHECK(records->at(0) == sfmatch::RecordRef{"Contact", "003D000000IqhSLIAZ", "Ada Lovelace"});
  CHECK(records->at(1).object == "Account");

  auto old = parse_json(R"([{"attributes":{"type":"Lead"},"Id":"00QD000000IqhSL","Name":"L"}])");
  REQUIRE(old);
  CHECK(read_search_result(*old, names_for(sfmatch::QueryLanguage::sosl, sosl))->size() == 1);

  auto wrong = parse_json(R"({"records":[]})");
  REQUIRE(wrong);
  auto refused = read_search_result(*wrong, names_for(sfmatch::QueryLanguage::sosl, sosl));
  REQUIRE_FALSE(refused);
  CHECK(contains(refused.error().message, "no searchRecords array"));
}

TEST_CASE("API errors: REST arrays, OAuth objects and junk all read as something printable") {
  CHECK(describe(read_api_error(R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])")) ==
        "INVALID_SESSION_ID: Session expired or invalid");
  CHECK(describe(read_api_error(R"({"error":"invalid_grant","error_description":"authentication failure"})")) ==
        "invalid_grant: authentication failure");
  // Query errors: only the reason line is kept, not the echoed query and caret.
  CHECK(describe(read_api_error(
            R"([{"message":"\nSELECT Id FROM Contact WHERE a = 1 OR\n          ^\nERROR at Row:1:Column:34\nunexpected token: OR","errorCode":"MALFORMED_QUERY"}])")) ==
        "MALFORMED_QUERY: unexpected token: OR");
  CHECK(contains(describe(read_api_error("<html>\x01oops</html>")), "unexpected body '<html>?oops</html>'"));
  CHECK(describe(read_api_error("")) == "(empty body)");
  CHECK(read_api_error(std::string(10000, 'x')).message.size() < 200);
}

TEST_CASE("token grant: the token must be usable in a header") {
  auto grant = read_token_grant(
      R"({"access_token":"00D5g000004Xyz1!AQ8AQ.opaque","instance_url":"https://acme.my.salesforce.com","token_type":"Bearer"})");
  REQUIRE(grant);
  CHECK(grant->access_token == "00D5g000004Xyz1!AQ8AQ.opaque");
  CHECK(grant->instance_url == "https://acme.my.salesforce.com");
  CHECK_FALSE(read_token_grant(R"({"access_token":"abc\r\nX-Injected: 1"})"));
  CHECK_FALSE(read_token_grant(R"({"access_token":""})"));
  CHECK_FALSE(read_token_grant(R"({"token":"abc"})"));
  CHECK_FALSE(read_token_grant("<html>"));
}

TEST_CASE("Sforce-Limit-Info: api-usage read leniently") {
  CHECK(parse_limit_info("api-usage=18/5000")->used == 18);
  CHECK(parse_limit_info("api-usage=18/5000")->limit == 5000);
  CHECK(parse_limit_info("per-app-api-usage=17/250(appName=x); api-usage=25/5000")->used == 25);
  CHECK(parse_limit_info("api-usage=10018/100000; api-bursts=1/750")->limit == 100000);
  CHECK_FALSE(parse_limit_info(""));
  CHECK_FALSE(parse_limit_info("api-usage=18"));
  CHECK_FALSE(parse_limit_info("api-usage=x/5000"));
  CHECK_FALSE(parse_limit_info("api-usage=1/0"));
  CHECK_FALSE(parse_limit_info("api-usage=99999999999999999999999/1"));
}

TEST_CASE("composite: subresponses by referenceId") {
  auto json = parse_json(R"({"compositeResponse":[
      {"body":{"done":true,"records":[]},"httpHeaders":{},"httpStatusCode":200,"referenceId":"step0"},
      {"body":[{"errorCode":"INVALID_TYPE","message":"sObject type 'Foo__c' is not supported."}],
       "httpHeaders":{},"httpStatusCode":400,"referenceId":"step1"}]})");
  REQUIRE(json);
  auto items = read_composite(*json);
  REQUIRE(items);
  REQUIRE(items->size() == 2);
  CHECK(items->at(0).reference_id == "step0");
  CHECK(items->at(0).status == 200);
  CHECK(items->at(1).status == 400);
  CHECK(api_error_of(items->at(1).body).code == "INVALID_TYPE");

  for (const std::string body : {R"({"compositeResponse":{}})", R"({"compositeResponse":[{"referenceId":"a"}]})",
                                 R"({"compositeResponse":[{"referenceId":"a","httpStatusCode":7}]})",
                                 R"({"compositeResponse":[{"referenceId":"a","httpStatusCode":"200"}]})"}) {
    CAPTURE(body);
    auto bad = parse_json(body);
    REQUIRE(bad);
    CHECK_FALSE(read_composite(*bad));
  }
}

TEST_CASE("created id") {
  auto ok = parse_json(R"({"id":"00TD000000IqhSLIAZ","success":true,"errors":[]})");
  REQUIRE(ok);
  CHECK(*read_created_id(*ok) == "00TD000000IqhSLIAZ");
  auto failed = parse_json(R"({"id":"00TD000000IqhSLIAZ","success":false,"errors":[]})");
  REQUIRE(failed);
  CHECK_FALSE(read_created_id(*failed));
  auto junk = parse_json(R"({"id":"x"})");
  REQUIRE(junk);
  CHECK_FALSE(read_created_id(*junk));
}
