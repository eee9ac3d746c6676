#include "run_command.hpp"

#include "support/test_tls.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/Node.h>
#include <Poco/Exception.h>
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace {

using ctictl_test::contains;
using ctictl_test::Run;

Run run(const std::vector<std::string>& args) { return ctictl_test::run_command(ctictl::run_callcenter_xml, args); }

constexpr const char* k_base = R"(server:
  listen: "0.0.0.0:8443"
  public_host: pbx.example.com
  tls: {certificate: cert.pem, private_key: key.pem}
database: agents.db
pbx: {adapter: pbx-sim}
)";

/// What a parsed definition holds: sections in order, and every item by "section/item".
struct Parsed {
  std::vector<std::string> sections;
  std::map<std::string, std::string> values;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> sort_orders;
};

std::vector<Poco::XML::Element*> child_elements(const Poco::XML::Node* parent) {
  std::vector<Poco::XML::Element*> children;
  for (Poco::XML::Node* node = parent->firstChild(); node != nullptr; node = node->nextSibling()) {
    if (node->nodeType() == Poco::XML::Node::ELEMENT_NODE) {
      children.push_back(static_cast<Poco::XML::Element*>(node));
    }
  }
  return children;
}

/// Parses with Poco's DOM parser: malformed XML (say, an unescaped '<') fails the test here.
Parsed parse(const std::string& xml) {
  Parsed parsed;
  Poco::XML::DOMParser parser;
  Poco::AutoPtr<Poco::XML::Document> document;
  try {
    document = parser.parseString(xml);
  } catch (const Poco::Exception& error) {
    FAIL("not well-formed XML: " << error.displayText() << "\n" << xml);
  }
  const Poco::XML::Element* root = document->documentElement();
  REQUIRE(root != nullptr);
  CHECK(root->nodeName() == "callCenter");
  for (const auto* section : child_elements(root)) {
    REQUIRE(section->nodeName() == "section");
    const std::string name = section->getAttribute("name");
    CHECK(section->getAttribute("sortOrder") == std::to_string(parsed.sections.size()));
    CHECK_FALSE(section->getAttribute("label").empty());
    parsed.sections.push_back(name);
    int order = 0;
    for (const auto* item : child_elements(section)) {
      REQUIRE(item->nodeName() == "item");
      const std::string key = name + "/" + item->getAttribute("name");
      CHECK_MESSAGE(parsed.values.count(key) == 0, "duplicate item " << key);
      CHECK(item->getAttribute("sortOrder") == std::to_string(order++));
      parsed.values[key] = item->innerText();
      parsed.labels[key] = item->getAttribute("label");
      parsed.sort_orders[key] = item->getAttribute("sortOrder");
      CHECK(child_elements(item).empty());
    }
  }
  return parsed;
}

Run run_with(const cti::testing::TempDir& dir, const std::string& yaml,
             std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--config", dir.write_file("sfproxy.yaml", yaml)};
  args.insert(args.end(), extra.begin(), extra.end());
  return run(args);
}

}  // namespace

TEST_CASE("ctictl callcenter-xml: the definition from a production configuration") {
  cti::testing::TempDir dir;
  const auto result = run_with(dir, std::string(k_base) + R"(dialing:
  outside_prefix: "0"
  long_distance_prefix: ""
  international_prefix: "00"
callcenter:
  internal_name: AcmeCti2
  display_name: Acme phones
  softphone_height: 600
  softphone_width: 320
)");
  REQUIRE_MESSAGE(result.code == ctictl::exit_ok, result.err);
  CHECK(result.err.empty());
  const Parsed parsed = parse(result.out);
  CHECK(parsed.sections == std::vector<std::string>{"reqGeneralInfo", "reqDialingOptions"});
  const std::map<std::string, std::string> expected = {
      {"reqGeneralInfo/reqInternalName", "AcmeCti2"},
      {"reqGeneralInfo/reqDisplayName", "Acme phones"},
      {"reqGeneralInfo/reqAdapterUrl", "https://pbx.example.com:8443/"},
      {"reqGeneralInfo/reqUseApi", "true"},
      {"reqGeneralInfo/reqSoftphoneHeight", "600"},
      {"reqGeneralInfo/reqSoftphoneWidth", "320"},
      {"reqGeneralInfo/reqSalesforceCompatibilityMode", "Classic_and_Lightning"},
      {"reqDialingOptions/reqOutsidePrefix", "0"},
      {"reqDialingOptions/reqLongDistPrefix", ""},
      {"reqDialingOptions/reqInternationalPrefix", "00"},
  };
  CHECK(parsed.values == expected);
  // Salesforce fixes these two positions; only their labels may change.
  CHECK(parsed.sort_orders.at("reqGeneralInfo/reqInternalName") == "0");
  CHECK(parsed.sort_orders.at("reqGeneralInfo/reqDisplayName") == "1");
  CHECK(parsed.labels.at("reqGeneralInfo/reqAdapterUrl") == "CTI Adapter URL");
}

TEST_CASE("ctictl callcenter-xml: defaults, port 443, standby URL and --out") {
  cti::testing::TempDir dir;
  SUBCASE("defaults: the guide's names and North American prefixes") {
    const auto result = run_with(dir, k_base);
    REQUIRE_MESSAGE(result.code == ctictl::exit_ok, result.err);
    const Parsed parsed = parse(result.out);
    CHECK(parsed.values.at("reqGeneralInfo/reqInternalName") == "MaxCSCallCenter");
    CHECK(parsed.values.at("reqGeneralInfo/reqDisplayName") == "MaxCS Call Center");
    CHECK(parsed.values.at("reqGeneralInfo/reqSoftphoneHeight") == "550");
    CHECK(parsed.values.at("reqGeneralInfo/reqSoftphoneWidth") == "400");
    CHECK(parsed.values.at("reqDialingOptions/reqOutsidePrefix") == "9");
    CHECK(parsed.values.at("reqDialingOptions/reqLongDistPrefix") == "1");
    CHECK(parsed.values.at("reqDialingOptions/reqInternationalPrefix") == "011");
    CHECK(parsed.values.count("reqGeneralInfo/reqStandbyUrl") == 0);
    CHECK(parsed.values.count("reqGeneralInfo/reqTimeout") == 0);
  }
  SUBCASE("the default https port is left out of the URL") {
    std::string yaml = k_base;
    yaml.replace(yaml.find("0.0.0.0:8443"), 12, "0.0.0.0:443");
    const auto result = run_with(dir, yaml);
    REQUIRE_MESSAGE(result.code == ctictl::exit_ok, result.err);
    CHECK(parse(result.out).values.at("reqGeneralInfo/reqAdapterUrl") == "https://pbx.example.com/");
  }
  SUBCASE("an IPv6 public host is bracketed") {
    std::string yaml = k_base;
    yaml.replace(yaml.find("pbx.example.com"), 15, "\"2001:db8::5\"");
    const auto result = run_with(dir, yaml);
    REQUIRE_MESSAGE(result.code == ctictl::exit_ok, result.err);
    CHECK(parse(result.out).values.at("reqGeneralInfo/reqAdapterUrl") == "https://[2001:db8::5]:8443/");
  }
  SUBCASE("adapter_url and a standby proxy with its timeout") {
    const auto result = run_with(dir, std::string(k_base) + R"(callcenter:
  adapter_url: https://cti.example.com/softphone/?site=east
  standby_url: https://pbx2.example.com:8443/
  standby_timeout_ms: 15000
)");
    REQUIRE_MESSAGE(result.code == ctictl::exit_ok, result.err);
    const Parsed parsed = parse(result.out);
    CHECK(parsed.values.at("reqGeneralInfo/reqAdapterUrl") == "https://cti.example.com/softphone/?site=east");
    CHECK(parsed.values.at("reqGeneralInfo/reqStandbyUrl") == "https://pbx2.example.com:8443/");
    CHECK(parsed.values.at("reqGeneralInfo/reqTimeout") == "15000");
  }
  SUBCASE("--out writes the file and prints nothing") {
    const std::string out = dir.file("callcenter.xml");
    const auto result = run_with(dir, k_base, {"--out", out});
    REQUIRE_MESSAGE(result.code == ctictl::exit_ok, result.err);
    CHECK(result.out.empty());
    std::ifstream file(out);
    std::stringstream text;
    text << file.rdbuf();
    CHECK(parse(text.str()).values.at("reqGeneralInfo/reqUseApi") == "true");
    CHECK_FALSE(std::filesystem::exists(out + ".tmp"));
  }
  SUBCASE("an --out that cannot be written is a runtime failure") {
    const auto result = run_with(dir, k_base, {"--out", dir.file("no/such/folder/cc.xml")});
    CHECK(result.code == ctictl::exit_failure);
    CHECK(contains(result.err, "ctictl: error: cannot write"));
  }
}

TEST_CASE("ctictl callcenter-xml: hostile values are escaped and read back unchanged") {
  cti::testing::TempDir dir;
  const std::string hostile = "A<b>&amp; \"c\" 'd' ]]> </item><item name=\"x\">";
  SUBCASE("from --display-name") {
    const auto result = run_with(dir, k_base, {"--display-name", hostile});
    REQUIRE_MESSAGE(result.code == ctictl::exit_ok, result.err);
    CHECK_FALSE(contains(result.out, "<b>"));
    CHECK(parse(result.out).values.at("reqGeneralInfo/reqDisplayName") == hostile);
  }
  SUBCASE("from the configuration, with UTF-8 kept as it is") {
    const std::string name = "Caf\xC3\xA9 <Support> & \"Sales\"";
    const auto result = run_with(dir, std::string(k_base) + "callcenter:\n  display_name: '" + name + "'\n");
    REQUIRE_MESSAGE(result.code == ctictl::exit_ok, result.err);
    CHECK(parse(result.out).values.at("reqGeneralInfo/reqDisplayName") == name);
  }
  SUBCASE("an ampersand in the adapter URL's query") {
    const std::string url = "https://pbx.example.com:8443/?tenant=a&mode=b";
    const auto result = run_with(dir, std::string(k_base) + "callcenter:\n  adapter_url: '" + url + "'\n");
    REQUIRE_MESSAGE(result.code == ctictl::exit_ok, result.err);
    CHECK(contains(result.out, "tenant=a&amp;mode=b"));
    CHECK(parse(result.out).values.at("reqGeneralInfo/reqAdapterUrl") == url);
  }
}

TEST_CASE("ctictl callcenter-xml: names, URLs and sizes Salesforce would refuse are refused") {
  cti::testing::TempDir dir;
  struct Case {
    std::string name;
    std::string yaml;  // appended to k_base
    std::vector<std::string> args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"internal name with a space", "", {"--internal-name", "Max CS"}, "letters and digits only"},
      {"internal name starting with a digit", "", {"--internal-name", "1Max"}, "starting with a letter"},
      {"internal name of 41 characters", "", {"--internal-name", std::string(41, 'a')}, "1 to 40"},
      {"internal name with an injected tag", "", {"--internal-name", "a<b>"}, "letters and digits only"},
      {"empty display name", "", {"--display-name", ""}, "1 to 1000 characters"},
      {"display name of 1001 characters", "", {"--display-name", std::string(1001, 'x')}, "1 to 1000"},
      {"display name with a control character", "", {"--display-name", std::string("a\x01") + "b"}, "control characters"},
      {"display name that is not UTF-8", "", {"--display-name", "caf\xE9"}, "not valid UTF-8"},
      {"internal name in the file", "callcenter:\n  internal_name: Max-CS\n", {},
       "sfproxy.yaml:8:18: callcenter.internal_name: must be letters and digits only"},
      {"plain http under TLS", "callcenter:\n  adapter_url: http://pbx.example.com:8443/\n", {},
       "callcenter.adapter_url: must be https://"},
      {"not a URL", "callcenter:\n  adapter_url: pbx.example.com\n", {}, "must be an absolute https:// URL"},
      {"no host", "callcenter:\n  adapter_url: https:///softphone\n", {}, "has no host name"},
      {"port out of range", "callcenter:\n  adapter_url: https://pbx.example.com:99999/\n", {}, "invalid port"},
      {"port zero", "callcenter:\n  adapter_url: https://pbx.example.com:0/\n", {}, "invalid port"},
      {"credentials in the URL", "callcenter:\n  adapter_url: https://admin:pw@pbx.example.com/\n", {},
       "user name or password"},
      {"a space in the URL", "callcenter:\n  adapter_url: 'https://pbx.example.com/soft phone'\n", {}, "spaces"},
      {"a quote in the URL", "callcenter:\n  adapter_url: 'https://pbx.example.com/\"onload=x'\n", {},
       "percent-encode"},
      {"a fragment", "callcenter:\n  adapter_url: https://pbx.example.com/#x\n", {}, "fragment"},
      {"standby URL over http", "callcenter:\n  standby_url: http://pbx2.example.com/\n", {},
       "callcenter.standby_url: must be https://"},
      {"timeout without a standby URL", "callcenter:\n  standby_timeout_ms: 5000\n", {},
       "standby_timeout_ms: applies only with standby_url"},
      {"timeout out of range", "callcenter:\n  standby_url: https://b.example.com/\n  standby_timeout_ms: 10\n", {},
       "standby_timeout_ms: must be between 1000 and 120000"},
      {"panel too short", "callcenter:\n  softphone_height: 239\n", {},
       "callcenter.softphone_height: must be between 240 and 2560"},
      {"panel too wide", "callcenter:\n  softphone_width: 1921\n", {},
       "callcenter.softphone_width: must be between 200 and 1920"},
      {"size that is not a number", "callcenter:\n  softphone_width: wide\n", {},
       "callcenter.softphone_width: must be a whole number"},
      {"unknown key", "callcenter:\n  colour: blue\n", {}, "callcenter.colour: unknown key"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const auto result = run_with(dir, std::string(k_base) + c.yaml, c.args);
    CHECK(result.code == ctictl::exit_usage);
    CHECK(result.out.empty());
    CHECK_MESSAGE(contains(result.err, "ctictl: error: "), result.err);
    CHECK_MESSAGE(contains(result.err, c.error), result.err);
  }
}

TEST_CASE("ctictl callcenter-xml: what the adapter URL is made from must be there") {
  cti::testing::TempDir dir;
  SUBCASE("no public host") {
    std::string yaml = k_base;
    yaml.erase(yaml.find("  public_host"), std::string("  public_host: pbx.example.com\n").size());
    const auto result = run_with(dir, yaml);
    CHECK(result.code == ctictl::exit_usage);
    CHECK(contains(result.err, "server.public_host is required"));
  }
  SUBCASE("a public host that is not a host name") {
    std::string yaml = k_base;
    yaml.replace(yaml.find("pbx.example.com"), 15, "\"pbx.example.com/<x>\"");
    const auto result = run_with(dir, yaml);
    CHECK(result.code == ctictl::exit_usage);
    CHECK(contains(result.err, "CTI adapter URL"));
  }
  SUBCASE("port 0") {
    std::string yaml = k_base;
    yaml.replace(yaml.find("0.0.0.0:8443"), 12, "0.0.0.0:0");
    const auto result = run_with(dir, yaml);
    CHECK(result.code == ctictl::exit_usage);
    CHECK(contains(result.err, "port 0"));
  }
  SUBCASE("port 0 is fine when adapter_url is given") {
    std::string yaml = k_base;
    yaml.replace(yaml.find("0.0.0.0:8443"), 12, "0.0.0.0:0");
    const auto result = run_with(dir, yaml + "callcenter: {adapter_url: \"https://lb.example.com/\"}\n");
    REQUIRE_MESSAGE(result.code == ctictl::exit_ok, result.err);
    CHECK(parse(result.out).values.at("reqGeneralInfo/reqAdapterUrl") == "https://lb.example.com/");
  }
  SUBCASE("no --config, a missing file, a broken file") {
    const auto none = run({});
    CHECK(none.code == ctictl::exit_usage);
    CHECK(contains(none.err, "--config FILE is required"));
    const auto missing = run({"--config", dir.file("absent.yaml")});
    CHECK(missing.code == ctictl::exit_usage);
    CHECK(contains(missing.err, "cannot read the file"));
    const auto stray = run({"--config", dir.file("absent.yaml"), "extra"});
    CHECK(stray.code == ctictl::exit_usage);
  }
  SUBCASE("--help") {
    const auto help = run({"--help"});
    CHECK(help.code == ctictl::exit_ok);
    CHECK(contains(help.out, "--internal-name"));
  }
}

TEST_CASE("ctictl callcenter-xml: plain http only in development mode, with a warning") {
  cti::testing::TempDir dir;
  const auto result = run_with(dir, R"(server:
  listen: "127.0.0.1:8080"
  public_host: localhost
  development_plain_http: true
database: agents.db
pbx: {adapter: pbx-sim}
)");
  REQUIRE_MESSAGE(result.code == ctictl::exit_ok, result.err);
  CHECK(parse(result.out).values.at("reqGeneralInfo/reqAdapterUrl") == "http://localhost:8080/");
  CHECK(contains(result.err, "ctictl: warning: CTI adapter URL http://localhost:8080/ is plain http"));
}
