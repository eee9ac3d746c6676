#pragma once
// Keys and certificates made at test time with the openssl CLI (once per build tree, then
// reused): the JWT signing key with its certificate, and TLS server certificates for
// 127.0.0.1, for 127.0.0.1 but trusted by nobody, and for a wrong host name.

#include <string>

struct TestKeys {
  std::string dir;
  std::string jwt_key_file;     ///< PEM RSA private key (PKCS#8)
  std::string jwt_cert_pem;     ///< its self-signed certificate (for the connected app)
  std::string jwt_public_pem;   ///< its public key
  std::string tls_key_file;     ///< server key for CN/SAN 127.0.0.1
  std::string tls_cert_file;    ///< the matching certificate (also the CA file clients trust)
  std::string other_cert_file;  ///< a certificate for 127.0.0.1 that no client trusts
  std::string other_key_file;
  std::string wrong_host_cert_file;  ///< trusted-looking but for "wrong.example"
  std::string wrong_host_key_file;
};

/// Throws std::runtime_error when openssl fails.
const TestKeys& test_keys();

/// Reads a whole file.
std::string read_file(const std::string& path);
