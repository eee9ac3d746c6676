#include "test_support.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <unistd.h>
#include <sstream>
#include <stdexcept>

namespace cti::sfemu::test {

std::string small_seed_json() {
  return R"({
  "org": {"id": "00D5g000004Xyz1EAC", "name": "Test Org"},
  "users": [
    {"referenceId": "u1", "Username": "api@test.example", "FirstName": "Api", "LastName": "User",
     "password": "secret-pw", "security_token": "TOK"},
    {"referenceId": "u2", "Username": "other@test.example", "LastName": "Other", "password": "other-pw"}
  ],
  "connected_apps": [
    {"client_id": "client-1", "client_secret": "client-secret-1", "run_as": "api@test.example"},
    {"client_id": "client-2", "client_secret": "client-secret-2"}
  ],
  "refresh_tokens": [{"token": "refresh-1", "client_id": "client-1", "username": "other@test.example"}],
  "records": [
    {"attributes": {"type": "Account", "referenceId": "acme"}, "Name": "Acme Corp", "Phone": "(212) 555-0100",
     "NumberOfEmployees": 120, "AnnualRevenue": 2500000.5, "Industry": "Manufacturing"},
    {"attributes": {"type": "Account", "referenceId": "globex"}, "Name": "Globex", "Phone": "+44 20 7946 0018",
     "NumberOfEmployees": 40},
    {"attributes": {"type": "Contact", "referenceId": "c1"}, "AccountId": "@acme", "FirstName": "Jordan",
     "LastName": "Ellis", "Phone": "(212) 842-5500", "Email": "jordan@acme.example", "Title": "VP 100% Sales_Ops"},
    {"attributes": {"type": "Contact", "referenceId": "c2"}, "AccountId": "@acme", "FirstName": "Priya",
     "LastName": "Raman", "Phone": "212-842-5500"},
    {"attributes": {"type": "Contact", "referenceId": "c3"}, "AccountId": "@acme", "FirstName": "Marcus",
     "LastName": "Webb", "Phone": "+1 212 842 5500"},
    {"attributes": {"type": "Contact", "referenceId": "c4"}, "AccountId": "@globex", "FirstName": "Li",
     "LastName": "Wei", "Phone": "212.842.5500 x12"},
    {"attributes": {"type": "Contact", "referenceId": "c5"}, "FirstName": "Grace", "LastName": "O'Neill",
     "Phone": "2128425500", "MobilePhone": "+44 7700 900123"},
    {"attributes": {"type": "Contact", "referenceId": "c6"}, "LastName": "Nophone", "Email": "no@phone.example"},
    {"attributes": {"type": "Lead", "referenceId": "l1"}, "FirstName": "Taylor", "LastName": "Reed",
     "Company": "Fox & Sons", "Phone": "(415) 555-0190"},
    {"attributes": {"type": "Lead", "referenceId": "l2"}, "FirstName": "Ana", "LastName": "Souza",
     "Company": "Globex", "Phone": "415-555-0190", "IsConverted": true, "Status": "Closed - Converted"},
    {"attributes": {"type": "Case", "referenceId": "k1"}, "CaseNumber": "00001234", "ContactId": "@c1",
     "AccountId": "@acme", "Subject": "Invoice charged twice", "Status": "Working"},
    {"attributes": {"type": "Case", "referenceId": "k2"}, "CaseNumber": "00001001", "ContactId": "@c2",
     "AccountId": "@acme", "Subject": "Shipment delayed", "Status": "Closed"}
  ]
})";
}

namespace {

std::int64_t fixed_clock() { return fixed_now_ms; }

SeedData parse(const std::string& text) { return parse_seed(text, ""); }

}  // namespace

OrgFixture::OrgFixture(const std::string& seed_json)
    : store(Schema::standard(), fixed_clock),
      tokens(fixed_clock, parse(seed_json).org_id, {"https://login.salesforce.com", "https://test.salesforce.com"}) {
  tokens.set_instance_url("https://emulated.example");
  load_seed(parse(seed_json), store, tokens);
}

Poco::Dynamic::Var HttpReply::json() const {
  Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
  return parser.parse(body);
}

HttpReply http(const std::string& base_url, const std::string& method, const std::string& path_and_query,
               const std::string& body, const std::map<std::string, std::string>& headers) {
  Poco::URI uri(base_url);
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (uri.getScheme() == "https") {
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_NONE);
    session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  }
  session->setTimeout(Poco::Timespan(20, 0));
  Poco::Net::HTTPRequest request(method, path_and_query, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty() || method == "POST" || method == "PATCH") {
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    if (!request.has("Content-Type")) request.setContentType("application/json");
  }
  HttpReply reply;
  try {
    session->sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session->receiveResponse(response);
    std::ostringstream text;
    Poco::StreamCopier::copyStream(in, text);
    reply.status = static_cast<int>(response.getStatus());
    reply.body = text.str();
    for (const auto& [name, value] : response) reply.headers[name] = value;
  } catch (const Poco::Exception&) {
    reply.connection_failed = true;
  }
  return reply;
}

std::string url_encode(const std::string& text) {
  std::string out;
  Poco::URI::encode(text, "!#$&'()*+,/:;=?@[]{}\\\"%<>^`| ", out);
  return out;
}

Options test_options() {
  Options options;
  options.data_json = small_seed_json();
  options.clock_ms = fixed_clock;
  return options;
}

std::string password_token(const std::string& base_url) {
  HttpReply reply = http(base_url, "POST", "/services/oauth2/token",
                         "grant_type=password&client_id=client-1&client_secret=client-secret-1"
                         "&username=api%40test.example&password=secret-pwTOK",
                         {{"Content-Type", "application/x-www-form-urlencoded"}});
  if (reply.status != 200) throw std::runtime_error("token request failed: " + reply.body);
  auto object = reply.json().extract<Poco::JSON::Object::Ptr>();
  return object->getValue<std::string>("access_token");
}

HttpReply get_query(const std::string& base_url, const std::string& token, const std::string& soql, const std::string& version) {
  return http(base_url, "GET", "/services/data/" + version + "/query?q=" + url_encode(soql), "",
              {{"Authorization", "Bearer " + token}});
}

HttpReply get_search(const std::string& base_url, const std::string& token, const std::string& sosl, const std::string& version) {
  return http(base_url, "GET", "/services/data/" + version + "/search?q=" + url_encode(sosl), "",
              {{"Authorization", "Bearer " + token}});
}

namespace {

std::string drain(BIO* bio) {
  std::string out;
  char buffer[4096];
  int n = 0;
  while ((n = BIO_read(bio, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<std::size_t>(n));
  return out;
}

}  // namespace

KeyAndCertificate make_self_signed_certificate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048});
  if (!key) throw std::runtime_error("RSA key generation failed");
  X509* certificate = X509_new();
  X509_set_version(certificate, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate), -3600);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 86400);
  X509_set_pubkey(certificate, key);
  X509_NAME* name = X509_get_subject_name(certificate);
  const unsigned char common_name[] = "127.0.0.1";
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, common_name, -1, -1, 0);
  X509_set_issuer_name(certificate, name);
  X509_sign(certificate, key, EVP_sha256());

  KeyAndCertificate out;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  out.key_pem = drain(bio);
  PEM_write_bio_X509(bio, certificate);
  out.certificate_pem = drain(bio);
  PEM_write_bio_PUBKEY(bio, key);
  out.public_key_pem = drain(bio);
  BIO_free(bio);
  X509_free(certificate);
  EVP_PKEY_free(key);
  return out;
}

std::string write_temp_file(const std::string& name, const std::string& text) {
  std::string path = "/tmp/sfemu-test-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return path;
}

void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

}  // namespace cti::sfemu::test
