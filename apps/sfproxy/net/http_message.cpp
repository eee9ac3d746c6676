#include "net/http_message.hpp"

#include "net/http_syntax.hpp"

#include "cti/result.hpp"

#include <array>
#include <cstdio>
#include <ctime>

namespace sfproxy::net {
namespace {

bool is_server_owned(std::string_view name) {
  return equals_ignore_case(name, "content-length") || equals_ignore_case(name, "transfer-encoding") ||
         equals_ignore_case(name, "date") || equals_ignore_case(name, "connection");
}

bool has_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (equals_ignore_case(key, name)) return true;
  }
  return false;
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  if (!is_token(name) || !is_field_value(value)) return;
  out.append(name).append(": ").append(value).append("\r\n");
}

void append_status_line(std::string& out, int status) {
  out.append("HTTP/1.1 ").append(std::to_string(status)).push_back(' ');
  out.append(reason_phrase(status)).append("\r\n");
}

// Handler headers first (minus the ones the server owns), then the common headers the
// handler did not override.
void append_headers(std::string& out, const Headers& headers, const Headers& common_headers) {
  for (const auto& [name, value] : headers) {
    if (!is_server_owned(name)) append_header(out, name, value);
  }
  for (const auto& [name, value] : common_headers) {
    if (!is_server_owned(name) && !has_header(headers, name)) append_header(out, name, value);
  }
}

std::string json_escape(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20) {
      out.append("\\u00");
      out.push_back(hex[byte >> 4]);
      out.push_back(hex[byte & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

cti::ErrorCode error_code_for(int status) {
  switch (status) {
    case 408: return cti::ErrorCode::timeout;
    case 503: return cti::ErrorCode::unavailable;
    default: return status >= 500 ? cti::ErrorCode::internal : cti::ErrorCode::invalid_input;
  }
}

}  // namespace

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

std::string http_date(std::chrono::system_clock::time_point time) {
  static constexpr std::array<const char*, 7> days = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  const int length = std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                                   days.at(static_cast<std::size_t>(tm.tm_wday)), tm.tm_mday,
                                   months.at(static_cast<std::size_t>(tm.tm_mon)), tm.tm_year + 1900,
                                   tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(text, length > 0 ? static_cast<std::size_t>(length) : 0);
}

bool wants_close(const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (!equals_ignore_case(name, "connection")) continue;
    std::string_view list = value;
    while (!list.empty()) {
      const std::size_t comma = list.find(',');
      if (equals_ignore_case(trim_ows(list.substr(0, comma)), "close")) return true;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return false;
}

std::string serialize_response(const HttpResponse& response, const ResponseFraming& framing,
                               const Headers& common_headers, std::string_view date) {
  const int status = response.status >= 200 && response.status <= 599 ? response.status : 500;
  const bool bodiless = status == 204 || status == 304;
  std::string out;
  out.reserve(256 + response.body.size());
  append_status_line(out, status);
  append_header(out, "Date", date);
  if (!bodiless) append_header(out, "Content-Length", std::to_string(response.body.size()));
  if (!framing.keep_alive) {
    append_header(out, "Connection", "close");
  } else if (framing.http10) {
    append_header(out, "Connection", "keep-alive");
  }
  append_headers(out, response.headers, common_headers);
  out.append("\r\n");
  if (!bodiless && !framing.head_request) out.append(response.body);
  return out;
}

std::string serialize_stream_head(int status, const Headers& headers, const Headers& common_headers,
                                  std::string_view date) {
  if (status < 200 || status > 599) status = 500;
  std::string out;
  out.reserve(256);
  append_status_line(out, status);
  append_header(out, "Date", date);
  append_header(out, "Connection", "close");
  if (!has_header(headers, "cache-control") && !has_header(common_headers, "cache-control")) {
    append_header(out, "Cache-Control", "no-store");
  }
  append_headers(out, headers, common_headers);
  out.append("\r\n");
  return out;
}

std::string error_body(int status, std::string_view message) {
  std::string body = R"({"error":{"code":")";
  body.append(cti::to_string(error_code_for(status)));
  body.append(R"(","message":")").append(json_escape(message)).append("\"}}");
  return body;
}

HttpResponse error_response(int status, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = error_body(status, message);
  return response;
}

}  // namespace sfproxy::net
