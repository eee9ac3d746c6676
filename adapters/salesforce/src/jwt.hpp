#pragma once
// The JWT bearer assertion (RFC 7523) Salesforce accepts: RS256 over
// base64url(header).base64url(claims), signed with the connected app's private key.

#include "cti/result.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace cti::adapters::salesforce::detail {

/// base64url without padding (RFC 7515 section 2).
std::string base64url(std::string_view bytes);

struct JwtClaims {
  std::string_view issuer;    ///< iss: the consumer key
  std::string_view subject;   ///< sub: the integration user
  std::string_view audience;  ///< aud: the login URL
  std::chrono::system_clock::time_point expires;  ///< exp
};

/// Holds an RSA private key and signs assertions with it. Copies share the key.
class JwtSigner {
 public:
  /// Loads a PEM private key (PKCS#1 or PKCS#8, unencrypted). The error names the file and
  /// never includes its content.
  static cti::Result<JwtSigner> from_pem_file(const std::string& path);
  static cti::Result<JwtSigner> from_pem(std::string_view pem);

  cti::Result<std::string> assertion(const JwtClaims& claims) const;

 private:
  explicit JwtSigner(std::shared_ptr<void> key) : m_key(std::move(key)) {}

  std::shared_ptr<void> m_key;  ///< EVP_PKEY, freed by its deleter
};

}  // namespace cti::adapters::salesforce::detail
