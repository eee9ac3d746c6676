#pragma once
// Test certificates made at test time with the OpenSSL API, so no key material is checked in
// and nothing expires in the repository. A TestPki is a throwaway certificate authority whose
// PEM files live in a temporary directory removed with it.
//
//   cti::testing::TestPki pki;                    // CA + server certificate for localhost
//   config.tls.certificate_file = pki.server().certificate_file;
//   config.tls.private_key_file = pki.server().private_key_file;
//   client_options.ca_file = pki.ca_file();       // what clients verify against
//
// Failures to create files or certificates throw std::runtime_error: they mean the test
// environment is broken, not that the code under test failed.

#include <memory>
#include <string>
#include <string_view>

namespace cti::testing {

/// A new, empty directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const noexcept { return m_path; }
  /// path() + "/" + name (the file is not created).
  std::string file(std::string_view name) const;
  /// Writes `content` to the named file and returns its path.
  std::string write_file(std::string_view name, std::string_view content) const;

 private:
  std::string m_path;
};

/// PEM files: a certificate followed by its chain (here: just the leaf), and its key.
struct CertificateFiles {
  std::string certificate_file;
  std::string private_key_file;
};

enum class KeyType { ecdsa_p256, rsa_2048 };

/// A test CA and the certificates it issues, in a temporary directory.
class TestPki {
 public:
  explicit TestPki(KeyType key_type = KeyType::ecdsa_p256);
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  /// The CA certificate (PEM), the trust anchor for clients.
  const std::string& ca_file() const noexcept;
  /// Issued by the CA for DNS localhost, IP 127.0.0.1 and IP ::1; valid from an hour ago
  /// for 30 days.
  const CertificateFiles& server() const noexcept;
  /// Issued by the CA for the same names, but expired yesterday.
  CertificateFiles make_expired_server();
  /// Self-signed (not issued by the CA) for `host` only, e.g. "wrong.example".
  CertificateFiles make_self_signed(std::string_view host);
  /// The directory holding every file above.
  const std::string& directory() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace cti::testing
