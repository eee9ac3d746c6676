#include "net/http_server.hpp"

// Placeholder until the reactor lands, so that code built on the interface links.
namespace sfproxy::net {

const std::string* HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

cti::Result<std::unique_ptr<HttpServer>> make_http_server(ServerConfig, Handler) {
  return cti::fail(cti::ErrorCode::internal, "http server not available yet");
}

}  // namespace sfproxy::net
