// ctictl tls-check HOST:PORT: connects to a proxy (or any TLS server) the way an agent's
// browser would and reports what it negotiated and what it was shown: protocol, cipher, the
// certificate chain and whether it verifies, whether the certificate names the host, and
// the days left before it expires. The vendor guide's most common set-up failure is a
// certificate the browser refuses; this says why before an agent finds out.

#include "args.hpp"
#include "command.hpp"

#include "certificate_check.hpp"
#include "json_writer.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <charconv>
#include <memory>
#include <optional>
#include <ostream>

namespace ctictl {
namespace {

const std::vector<OptionSpec> k_options = {
    {"servername", "NAME", "the host name to ask for and check (default: HOST)"},
    {"ca", "FILE", "trust this CA certificate (PEM) instead of the system's"},
    {"timeout", "SECONDS", "for connecting and the handshake (default 10)"},
    {"json", "", "print JSON instead of text"},
};

constexpr std::string_view k_usage = "tls-check HOST:PORT [--servername NAME] [--ca FILE] [--json]";
constexpr std::string_view k_summary =
    "Connects with TLS and reports the negotiated protocol and cipher, the certificate\n"
    "chain and whether it verifies against the trusted CAs, whether the certificate names\n"
    "the host, and the days to expiry. Exit status 0 when a browser would accept it, 1 when\n"
    "it would not (or the server cannot be reached), 2 for a usage error. IPv6: [::1]:8443.";

struct Target {
  std::string host;
  std::uint16_t port = 0;
};

cti::Result<Target> parse_target(std::string_view text) {
  const auto bad = [&] {
    return cti::fail(cti::ErrorCode::invalid_input,
                     "'" + std::string(text) + "' is not HOST:PORT (IPv6: [::1]:8443)");
  };
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) {
      return bad();
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return bad();
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || port.empty() || ec != std::errc() || end != port.data() + port.size() ||
      value == 0 || value > 65535) {
    return bad();
  }
  return Target{std::string(host), static_cast<std::uint16_t>(value)};
}

std::string openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    text += text.empty() ? "" : "; ";
    text += buffer;
  }
  return text.empty() ? "the server ended the handshake" : text;
}

/// What the handshake showed.
struct Findings {
  std::string protocol;
  std::string cipher;
  int chain_length = 0;
  long verify_code = X509_V_OK;
  std::string verify_text;
  sfproxy::CertificateReport certificate;

  bool acceptable() const {
    return verify_code == X509_V_OK && certificate.host_matches && certificate.days_left >= 0 &&
           !certificate.not_yet_valid;
  }
};

cti::Result<Findings> handshake(const Target& target, const std::string& server_name,
                                const std::optional<std::string>& ca_file, Poco::Timespan timeout) {
  Poco::Net::StreamSocket socket;
  try {
    socket.connect(Poco::Net::SocketAddress(target.host, target.port), timeout);
    socket.setReceiveTimeout(timeout);
    socket.setSendTimeout(timeout);
  } catch (const Poco::Exception& e) {
    return cti::fail(cti::ErrorCode::unavailable, "cannot connect to " + target.host + ":" +
                                                      std::to_string(target.port) + ": " + e.displayText());
  }
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  if (!context) {
    return cti::fail(cti::ErrorCode::internal, "TLS: " + openssl_errors());
  }
  const bool trust_loaded = ca_file ? SSL_CTX_load_verify_locations(context.get(), ca_file->c_str(), nullptr) == 1
                                    : SSL_CTX_set_default_verify_paths(context.get()) == 1;
  if (!trust_loaded) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     "cannot load trusted CAs" + (ca_file ? " from '" + *ca_file + "'" : std::string()) +
                         ": " + openssl_errors());
  }
  // Verify, but finish the handshake whatever the outcome: the report is the point.
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(context.get()), &SSL_free);
  Poco::Net::IPAddress literal;
  if (!Poco::Net::IPAddress::tryParse(server_name, literal)) {
    // SSL_set_tlsext_host_name() without its macro's C cast.
    SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(server_name.c_str()));
  }
  SSL_set_fd(ssl.get(), socket.impl()->sockfd());
  if (SSL_connect(ssl.get()) != 1) {
    return cti::fail(cti::ErrorCode::unavailable, "TLS handshake with " + target.host + ":" +
                                                      std::to_string(target.port) + " failed: " + openssl_errors());
  }
  Findings findings;
  findings.protocol = SSL_get_version(ssl.get());
  findings.cipher = SSL_get_cipher_name(ssl.get());
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get())) {
    findings.chain_length = sk_X509_num(chain);
  }
  findings.verify_code = SSL_get_verify_result(ssl.get());
  findings.verify_text = X509_verify_cert_error_string(findings.verify_code);
  const X509* leaf = SSL_get0_peer_certificate(ssl.get());
  if (leaf == nullptr) {
    return cti::fail(cti::ErrorCode::unavailable, "the server presented no certificate");
  }
  findings.certificate = sfproxy::check_certificate(*leaf, server_name);
  SSL_shutdown(ssl.get());
  return findings;
}

void print_text(const Target& target, const std::string& server_name, const Findings& f,
                std::ostream& out) {
  const auto& cert = f.certificate;
  out << target.host << ":" << target.port << " (server name " << server_name << ")\n";
  out << "  protocol     " << f.protocol << "\n";
  out << "  cipher       " << f.cipher << "\n";
  out << "  certificate  " << cert.subject << "\n";
  out << "  issued by    " << cert.issuer << (cert.self_signed ? " (self-signed)" : "") << "\n";
  out << "  chain        " << f.chain_length << " certificate" << (f.chain_length == 1 ? "" : "s")
      << " sent; " << (f.verify_code == X509_V_OK ? "verified" : "NOT verified: " + f.verify_text) << "\n";
  out << "  host name    " << (cert.host_matches ? "matches " : "does NOT match ") << server_name << "\n";
  out << "  expires      " << cert.not_after << " (";
  if (cert.days_left < 0) {
    out << "expired " << -cert.days_left << " days ago)\n";
  } else {
    out << "in " << cert.days_left << (cert.days_left == 1 ? " day)\n" : " days)\n");
  }
  for (const auto& warning : cert.warnings) {
    out << "warning: " << warning << "\n";
  }
  out << (f.acceptable() ? "result: ok, a browser would accept this server\n"
                         : "result: FAILED, a browser would refuse this server\n");
}

void print_json(const Target& target, const std::string& server_name, const Findings& f,
                std::ostream& out) {
  const auto& cert = f.certificate;
  cti::app::JsonWriter json;
  json.begin_object();
  json.field("host", target.host).field("port", static_cast<std::int64_t>(target.port));
  json.field("server_name", server_name);
  json.field("protocol", f.protocol).field("cipher", f.cipher);
  json.field("subject", cert.subject).field("issuer", cert.issuer);
  json.field("self_signed", cert.self_signed);
  json.field("chain_length", static_cast<std::int64_t>(f.chain_length));
  json.field("chain_verified", f.verify_code == X509_V_OK).field("verify_result", f.verify_text);
  json.field("host_matches", cert.host_matches);
  json.field("not_after", cert.not_after).field("days_left", static_cast<std::int64_t>(cert.days_left));
  json.key("warnings").begin_array();
  for (const auto& warning : cert.warnings) {
    json.value(warning);
  }
  json.end_array();
  json.field("ok", f.acceptable());
  json.end_object();
  out << json.str() << "\n";
}

}  // namespace

int run_tls_check(const std::vector<std::string>& argv, Io& io) {
  Args args;
  if (int code = exit_ok; !begin_command(argv, k_options, k_usage, k_summary, io, args, code, 1)) {
    return code;
  }
  auto target = parse_target(args.positional().front());
  if (!target) {
    return report_error(io, target.error().message, exit_usage);
  }
  long seconds = 10;
  if (auto text = args.value("timeout")) {
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), seconds);
    if (ec != std::errc() || end != text->data() + text->size() || seconds < 1 || seconds > 300) {
      return report_error(io, "--timeout must be a whole number of seconds from 1 to 300", exit_usage);
    }
  }
  const std::string server_name = args.value_or("servername", target->host);
  auto findings = handshake(*target, server_name, args.value("ca"), Poco::Timespan(seconds, 0));
  if (!findings) {
    const int code = findings.error().code == cti::ErrorCode::invalid_input ? exit_usage : exit_failure;
    return report_error(io, findings.error().message, code);
  }
  if (args.flag("json")) {
    print_json(*target, server_name, *findings, io.out);
  } else {
    print_text(*target, server_name, *findings, io.out);
  }
  return findings->acceptable() ? exit_ok : exit_failure;
}

}  // namespace ctictl
