#include "net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sfproxy::net {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};

cti::Unexpected invalid(std::string message) {
  return cti::fail(cti::ErrorCode::invalid_input, std::move(message));
}

// Opening the file ourselves first gives "does not exist" / "permission denied" in plain
// words instead of an OpenSSL system-library error.
cti::Result<FilePtr> open_pem(const std::string& path, const char* what) {
  if (path.empty()) return invalid(std::string(what) + " file is not configured");
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    const int error = errno;
    if (error == ENOENT) return invalid(std::string(what) + " file '" + path + "' does not exist");
    return invalid(std::string(what) + " file '" + path + "' cannot be read: " + std::strerror(error));
  }
  return file;
}

// A passphrase-protected key must fail, not prompt on the terminal of a daemon.
int refuse_passphrase(char*, int, int, void*) { return 0; }

}  // namespace

void SslContextDeleter::operator()(SSL_CTX* context) const noexcept { SSL_CTX_free(context); }

std::string take_openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text.append("; ");
    text.append(buffer);
  }
  return text.empty() ? std::string("no detail from OpenSSL") : text;
}

cti::Result<SslContextPtr> make_server_tls_context(const TlsConfig& config) {
  ERR_clear_error();
  SslContextPtr context(SSL_CTX_new(TLS_server_method()));
  if (!context) return cti::fail(cti::ErrorCode::internal, "cannot create TLS context: " + take_openssl_errors());
  SSL_CTX* ctx = context.get();

  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_set_cipher_list(ctx, config.ciphers.c_str()) != 1) {
    ERR_clear_error();
    return invalid("no usable TLS 1.2 cipher in '" + config.ciphers + "'");
  }
  // Resumption by tickets only: a server-side session cache would hold up to 20,000
  // sessions of memory for clients that may never come back.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 1);
  if (SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1) {
    return cti::fail(cti::ErrorCode::internal, "cannot set TLS groups: " + take_openssl_errors());
  }

  {
    auto file = open_pem(config.certificate_file, "certificate");
    if (!file) return cti::Unexpected(std::move(file).error());
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, config.certificate_file.c_str()) != 1) {
    return invalid("certificate file '" + config.certificate_file +
                   "' holds no usable PEM certificate: " + take_openssl_errors());
  }

  auto key_file = open_pem(config.private_key_file, "private key");
  if (!key_file) return cti::Unexpected(std::move(key_file).error());
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(
      PEM_read_PrivateKey(key_file->get(), nullptr, refuse_passphrase, nullptr));
  if (!key) {
    return invalid("private key file '" + config.private_key_file +
                   "' holds no usable unencrypted PEM private key: " + take_openssl_errors());
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return invalid("private key '" + config.private_key_file + "' does not match certificate '" +
                   config.certificate_file + "'");
  }
  return context;
}

}  // namespace sfproxy::net
