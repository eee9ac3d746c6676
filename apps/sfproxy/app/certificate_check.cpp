#include "certificate_check.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace sfproxy {
namespace {

using MemoryBio = std::unique_ptr<BIO, decltype(&BIO_free)>;

MemoryBio memory_bio() { return MemoryBio(BIO_new(BIO_s_mem()), &BIO_free); }

std::string text_of(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

std::string name_of(const X509_NAME* name) {
  auto bio = memory_bio();
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
  return text_of(bio.get());
}

}  // namespace

CertificateReport check_certificate(const x509_st& certificate, const std::string& public_host) {
  // OpenSSL's getters take non-const pointers in places; none of them modifies.
  X509* cert = const_cast<X509*>(&certificate);
  CertificateReport report;
  report.subject = name_of(X509_get_subject_name(cert));
  report.issuer = name_of(X509_get_issuer_name(cert));

  int days = 0;
  int seconds = 0;
  if (ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert)) == 1) {
    report.days_left = days;
    if (days < 0 || (days == 0 && seconds < 0)) {
      report.warnings.push_back("the certificate expired " + std::to_string(-days) +
                                " days ago: browsers will refuse the softphone");
    } else if (days < 30) {
      report.warnings.push_back("the certificate expires in " + std::to_string(days) +
                                (days == 1 ? " day" : " days"));
    }
  }
  if (auto bio = memory_bio(); ASN1_TIME_print(bio.get(), X509_get0_notAfter(cert)) == 1) {
    report.not_after = text_of(bio.get());
  }
  report.not_yet_valid = X509_cmp_current_time(X509_get0_notBefore(cert)) > 0;
  if (report.not_yet_valid) {
    report.warnings.push_back("the certificate is not valid yet (check the clock)");
  }
  // Signed by its own key under its own name. (X509_check_issued would also demand the
  // keyCertSign usage, which a self-signed server certificate often lacks.)
  report.self_signed = X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0 &&
                       X509_verify(cert, X509_get0_pubkey(cert)) == 1;
  if (report.self_signed) {
    report.warnings.push_back(
        "the certificate is self-signed: Salesforce frames the softphone only from a host "
        "the agents' browsers trust; use a certificate from a public CA");
  }
  if (public_host.empty()) {
    report.warnings.push_back("server.public_host is not set: cannot check the certificate's host name");
  } else {
    report.host_matches =
        X509_check_host(cert, public_host.c_str(), public_host.size(), 0, nullptr) == 1 ||
        X509_check_ip_asc(cert, public_host.c_str(), 0) == 1;
    if (!report.host_matches) {
      report.warnings.push_back("the certificate does not name '" + public_host +
                                "': browsers will refuse the softphone (CTI adapter URL) at that host");
    }
  }
  return report;
}

cti::Result<CertificateReport> check_certificate_file(const std::string& pem_file,
                                                      const std::string& public_host) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(pem_file.c_str(), "r"), &BIO_free);
  if (!bio) {
    return cti::fail(cti::ErrorCode::invalid_input, "cannot read certificate file '" + pem_file + "'");
  }
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                                   &X509_free);
  if (!cert) {
    return cti::fail(cti::ErrorCode::invalid_input, "'" + pem_file + "' holds no PEM certificate");
  }
  return check_certificate(*cert, public_host);
}

}  // namespace sfproxy
