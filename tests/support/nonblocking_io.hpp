#pragma once
// Reading and writing a non-blocking socket, plain or through OpenSSL, for the benchmarks'
// many-connection clients: both answer > 0 bytes moved, 0 would block, < 0 closed or failed.

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>
#include <cstddef>

namespace cti::testing {

/// `ssl` null: plain TCP on `fd`.
inline ssize_t read_some(int fd, SSL* ssl, char* buffer, std::size_t size) {
  if (ssl == nullptr) {
    const ssize_t n = ::recv(fd, buffer, size, 0);
    if (n > 0) return n;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    return -1;
  }
  ERR_clear_error();
  std::size_t read = 0;
  const int result = SSL_read_ex(ssl, buffer, size, &read);
  if (result == 1) return static_cast<ssize_t>(read);
  const int error = SSL_get_error(ssl, result);
  return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

inline ssize_t write_some(int fd, SSL* ssl, const char* data, std::size_t size) {
  if (ssl == nullptr) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n >= 0) return n;
    return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
  }
  ERR_clear_error();
  std::size_t written = 0;
  const int result = SSL_write_ex(ssl, data, size, &written);
  if (result == 1) return static_cast<ssize_t>(written);
  const int error = SSL_get_error(ssl, result);
  return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

}  // namespace cti::testing
