#pragma once
// How responses are written on the wire: status line, the headers the server owns
// (Content-Length, Date, Connection), the common headers, and the JSON error bodies of the
// answers the server gives by itself. Pure functions, shared by the reactor and exchanges.

#include "net/http_server.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace sfproxy::net {

/// What the request decided about the response's framing.
struct ResponseFraming {
  bool keep_alive = true;     ///< false adds `Connection: close`
  bool http10 = false;        ///< a kept-alive HTTP/1.0 connection says so explicitly
  bool head_request = false;  ///< HEAD: Content-Length of the body, but no body
};

/// "OK", "Not Found", ...; empty for codes without a registered phrase.
std::string_view reason_phrase(int status) noexcept;

/// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::chrono::system_clock::time_point time);

/// True if the handler asked to close the connection (`Connection: close`).
bool wants_close(const Headers& headers);

/// The full response: status line, headers, body. Header fields with an invalid name or a
/// value holding CR, LF or NUL are dropped (no response splitting); Content-Length,
/// Transfer-Encoding, Date and Connection from the handler are replaced by the server's.
/// A common header is skipped when the handler set one of the same name. Statuses outside
/// 200..599 become 500; 204 and 304 carry no body.
std::string serialize_response(const HttpResponse& response, const ResponseFraming& framing,
                               const Headers& common_headers, std::string_view date);

/// The head of an open-ended streamed response: no Content-Length, `Connection: close`, and
/// `Cache-Control: no-store` unless the handler (or the common headers) set a Cache-Control.
std::string serialize_stream_head(int status, const Headers& headers, const Headers& common_headers,
                                  std::string_view date);

/// An answer the server gives by itself: `{"error":{"code":"...","message":"..."}}` with
/// the code named after cti::ErrorCode (invalid_input, timeout, unavailable, internal).
HttpResponse error_response(int status, std::string_view message);

/// The body alone, for tests and for handlers that want the same shape.
std::string error_body(int status, std::string_view message);

}  // namespace sfproxy::net
