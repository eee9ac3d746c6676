#pragma once
// Checks the server certificate the way the vendor guide's most common set-up failure
// calls for: expired, not yet valid, self-signed, or not matching the public host name that
// agents' browsers (and Salesforce's CTI adapter URL) use.

#include "cti/result.hpp"

#include <string>
#include <vector>

namespace sfproxy {

struct CertificateReport {
  std::string subject;
  std::string issuer;
  long days_left = 0;  ///< until notAfter; negative when expired
  bool self_signed = false;
  bool host_matches = false;
  std::vector<std::string> warnings;  ///< what a person should fix, one sentence each
};

/// Reads the first certificate of a PEM chain file.
cti::Result<CertificateReport> check_certificate_file(const std::string& pem_file,
                                                      const std::string& public_host);

}  // namespace sfproxy
