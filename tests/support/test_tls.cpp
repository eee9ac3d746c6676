#include "support/test_tls.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace cti::testing {
namespace {

constexpr long one_hour = 3600;
constexpr long one_day = 24 * one_hour;

[[noreturn]] void fail(const std::string& what) {
  std::string detail;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    detail += std::string("; ") + buffer;
  }
  throw std::runtime_error("test PKI: " + what + detail);
}

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct CertDeleter {
  void operator()(X509* cert) const noexcept { X509_free(cert); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using CertPtr = std::unique_ptr<X509, CertDeleter>;

KeyPtr make_key(KeyType type) {
  EVP_PKEY* key = type == KeyType::rsa_2048 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  if (key == nullptr) fail("cannot generate a key");
  return KeyPtr(key);
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (extension == nullptr) fail(std::string("cannot make extension ") + value);
  const int added = X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
  if (added != 1) fail(std::string("cannot add extension ") + value);
}

struct CertificateSpec {
  std::string common_name;
  std::string subject_alt_names;  // e.g. "DNS:localhost,IP:127.0.0.1"
  long not_before = -one_hour;    // seconds from now
  long not_after = 30 * one_day;
  bool is_ca = false;
};

// Issues a certificate for `key`; self-signed when issuer is null.
CertPtr issue(const CertificateSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  CertPtr cert(X509_new());
  if (!cert) fail("cannot allocate a certificate");
  X509* x = cert.get();
  std::uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1) fail("no random serial");
  serial >>= 1;  // positive
  if (X509_set_version(x, 2) != 1 || ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(x), spec.not_before) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(x), spec.not_after) == nullptr || X509_set_pubkey(x, key) != 1) {
    fail("cannot fill in the certificate");
  }
  X509_NAME* name = X509_get_subject_name(x);
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1,
                                 0) != 1) {
    fail("cannot set the subject");
  }
  X509* signer = issuer != nullptr ? issuer : x;
  if (X509_set_issuer_name(x, X509_get_subject_name(signer)) != 1) fail("cannot set the issuer");
  add_extension(x, signer, NID_subject_key_identifier, "hash");
  add_extension(x, signer, NID_authority_key_identifier, "keyid:always");
  if (spec.is_ca) {
    add_extension(x, signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(x, signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(x, signer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_extension(x, signer, NID_ext_key_usage, "serverAuth");
  }
  if (!spec.subject_alt_names.empty()) {
    add_extension(x, signer, NID_subject_alt_name, spec.subject_alt_names.c_str());
  }
  if (X509_sign(x, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) fail("cannot sign");
  return cert;
}

void write_certificate(const std::string& path, X509* cert) {
  BIO* bio = BIO_new_file(path.c_str(), "w");
  if (bio == nullptr) fail("cannot write " + path);
  const int written = PEM_write_bio_X509(bio, cert);
  BIO_free(bio);
  if (written != 1) fail("cannot write " + path);
}

void write_key(const std::string& path, EVP_PKEY* key) {
  BIO* bio = BIO_new_file(path.c_str(), "w");
  if (bio == nullptr) fail("cannot write " + path);
  const int written = PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  BIO_free(bio);
  if (written != 1) fail("cannot write " + path);
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

constexpr const char* server_names = "DNS:localhost,IP:127.0.0.1,IP:::1";

}  // namespace

// --- TempDir ------------------------------------------------------------------

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/cti-test-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) throw std::runtime_error("cannot create a temporary directory");
  m_path = buffer.data();
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(m_path, ignored);
}

std::string TempDir::file(std::string_view name) const { return m_path + "/" + std::string(name); }

std::string TempDir::write_file(std::string_view name, std::string_view content) const {
  const std::string path = file(name);
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
  return path;
}

// --- TestPki ------------------------------------------------------------------

struct TestPki::Impl {
  KeyType key_type;
  TempDir directory;
  KeyPtr ca_key;
  CertPtr ca_cert;
  std::string ca_file;
  CertificateFiles server;
  int issued = 0;

  CertificateFiles write_pair(const std::string& stem, X509* cert, EVP_PKEY* key) {
    CertificateFiles files{directory.file(stem + ".crt"), directory.file(stem + ".key")};
    write_certificate(files.certificate_file, cert);
    write_key(files.private_key_file, key);
    return files;
  }
};

TestPki::TestPki(KeyType key_type) : m_impl(std::make_unique<Impl>()) {
  Impl& impl = *m_impl;
  impl.key_type = key_type;
  impl.ca_key = make_key(key_type);
  CertificateSpec ca_spec;
  ca_spec.common_name = "sfproxy test CA";
  ca_spec.is_ca = true;
  ca_spec.not_after = 365 * one_day;
  impl.ca_cert = issue(ca_spec, impl.ca_key.get(), nullptr, nullptr);
  impl.ca_file = impl.directory.file("ca.crt");
  write_certificate(impl.ca_file, impl.ca_cert.get());

  const KeyPtr server_key = make_key(key_type);
  CertificateSpec spec;
  spec.common_name = "localhost";
  spec.subject_alt_names = server_names;
  const CertPtr cert = issue(spec, server_key.get(), impl.ca_cert.get(), impl.ca_key.get());
  impl.server = impl.write_pair("server", cert.get(), server_key.get());
}

TestPki::~TestPki() = default;

const std::string& TestPki::ca_file() const noexcept { return m_impl->ca_file; }
const CertificateFiles& TestPki::server() const noexcept { return m_impl->server; }
const std::string& TestPki::directory() const noexcept { return m_impl->directory.path(); }

CertificateFiles TestPki::make_expired_server() {
  const KeyPtr key = make_key(m_impl->key_type);
  CertificateSpec spec;
  spec.common_name = "localhost";
  spec.subject_alt_names = server_names;
  spec.not_before = -30 * one_day;
  spec.not_after = -one_day;
  const CertPtr cert = issue(spec, key.get(), m_impl->ca_cert.get(), m_impl->ca_key.get());
  return m_impl->write_pair("expired-" + std::to_string(++m_impl->issued), cert.get(), key.get());
}

CertificateFiles TestPki::make_self_signed(std::string_view host) {
  const KeyPtr key = make_key(m_impl->key_type);
  CertificateSpec spec;
  spec.common_name = std::string(host);
  spec.subject_alt_names = "DNS:" + std::string(host);
  const CertPtr cert = issue(spec, key.get(), nullptr, nullptr);
  return m_impl->write_pair("self-signed-" + std::to_string(++m_impl->issued), cert.get(), key.get());
}

}  // namespace cti::testing
