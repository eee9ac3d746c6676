#pragma once
// Router: the one table from (method, path) to handler, plus what applies to every route:
// CORS preflight for configured origins, authentication where a route needs a session,
// 404/405, and a last-resort 500 so no exception ever reaches the network layer.

#include "api.hpp"

#include <memory>

namespace sfproxy::http {

class Router {
 public:
  explicit Router(Services services);

  /// The net::Handler entry point.
  void handle(std::shared_ptr<net::Exchange> exchange);

 private:
  Services m_services;
};

}  // namespace sfproxy::http
