#pragma once
// Checks the server certificate the way the vendor guide's most common set-up failure
// calls for: expired, not yet valid, self-signed, or not matching the public host name that
// agents' browsers (and Salesforce's CTI adapter URL) use.

#include "cti/result.hpp"

#include <string>
#include <vector>

struct x509_st;  // OpenSSL's X509

namespace sfproxy {

struct CertificateReport {
  std::string subject;
  std::string issuer;
  long days_left = 0;  ///< until notAfter; negative when expired
  std::string not_after;  ///< e.g. "Dec 24 10:00:00 2026 GMT"
  bool not_yet_valid = false;
  bool self_signed = false;
  bool host_matches = false;
  std::vector<std::string> warnings;  ///< what a person should fix, one sentence each
};

/// The checks on a certificate in memory (e.g. the one a server presented). `public_host`
/// may be a DNS name or an IP address literal.
CertificateReport check_certificate(const x509_st& certificate, const std::string& public_host);

/// Reads the first certificate of a PEM chain file.
cti::Result<CertificateReport> check_certificate_file(const std::string& pem_file,
                                                      const std::string& public_host);

}  // namespace sfproxy
