#pragma once
// The server's OpenSSL context, built once from the TLS settings and checked up front, so a
// missing file, an unreadable key or a key that does not belong to the certificate is a
// start-up error that names the file rather than a failed handshake later.

#include "net/http_server.hpp"

#include <memory>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;

namespace sfproxy::net {

struct SslContextDeleter {
  void operator()(SSL_CTX* context) const noexcept;
};
using SslContextPtr = std::unique_ptr<SSL_CTX, SslContextDeleter>;

/// TLS 1.2 minimum, the configured TLS 1.2 ciphers in the server's order of preference,
/// ECDHE groups X25519/P-256/P-384, no compression, no renegotiation, resumption by session
/// tickets only (no server-side cache),
/// OpenSSL's buffers released while a connection is idle, partial and moving writes allowed
/// (the reactor retries with a buffer that may have moved). Errors are invalid_input.
cti::Result<SslContextPtr> make_server_tls_context(const TlsConfig& config);

/// The OpenSSL error queue of this thread as one line (and the queue cleared).
std::string take_openssl_errors();

}  // namespace sfproxy::net
