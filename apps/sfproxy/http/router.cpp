#include "router.hpp"

#include <algorithm>
#include <array>

namespace sfproxy::http {
namespace {

// session_or_cookie: also the Partitioned session cookie, which a browser sends with any
// request to us, including one another site makes it send. Only for GETs that change
// nothing and whose answer CORS keeps from other sites; everything else needs the header.
enum class Access { public_route, session, session_or_cookie };

struct Route {
  std::string_view method;
  std::string_view pattern;  // "{}" matches one path segment
  Access access;
  void (*handler)(Context&);
};

// Specific patterns before general ones: the first match wins.
constexpr std::array k_routes = {
    Route{"POST", "/api/v1/session", Access::public_route, &handle_sign_in},
    Route{"GET", "/api/v1/session", Access::session_or_cookie, &handle_resume_session},
    Route{"DELETE", "/api/v1/session", Access::session, &handle_sign_out},
    Route{"GET", "/api/v1/events", Access::session_or_cookie, &handle_events},
    Route{"GET", "/api/v1/settings", Access::session, &handle_get_settings},
    Route{"PUT", "/api/v1/settings", Access::session, &handle_put_settings},
    Route{"GET", "/api/v1/calls", Access::session, &handle_list_calls},
    Route{"POST", "/api/v1/calls", Access::session, &handle_make_call},
    Route{"POST", "/api/v1/calls/{}/popped", Access::session, &handle_popped},
    Route{"POST", "/api/v1/calls/{}/{}", Access::session, &handle_call_action},
    Route{"POST", "/pbx/v1/events", Access::public_route, &handle_pbx_events},  // signed body
    Route{"GET", "/healthz", Access::public_route, &handle_healthz},
    Route{"GET", "/metrics", Access::public_route, &handle_metrics},
};

// Matches `path` against `pattern`, collecting the {} segments.
bool match(std::string_view pattern, std::string_view path, std::vector<std::string>& params) {
  params.clear();
  while (!pattern.empty() && !path.empty()) {
    if (pattern.front() != '/' || path.front() != '/') {
      return false;
    }
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const auto pattern_end = std::min(pattern.find('/'), pattern.size());
    const auto path_end = std::min(path.find('/'), path.size());
    const auto want = pattern.substr(0, pattern_end);
    const auto got = path.substr(0, path_end);
    if (want == "{}") {
      if (got.empty()) {
        return false;
      }
      params.emplace_back(got);
    } else if (want != got) {
      return false;
    }
    pattern.remove_prefix(pattern_end);
    path.remove_prefix(path_end);
  }
  return pattern.empty() && path.empty();
}

void preflight(Context& ctx) {
  const std::string* origin = ctx.request().header("origin");
  const auto& allowed = ctx.services.policy.cors_origins;
  net::HttpResponse response;
  if (origin == nullptr || std::find(allowed.begin(), allowed.end(), *origin) == allowed.end()) {
    response.status = 403;
    response.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}};
    response.body = error_body("forbidden", "this origin may not call the API");
  } else {
    response.status = 204;
    response.headers = {{"Access-Control-Allow-Origin", *origin},
                        {"Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"},
                        {"Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID"},
                        {"Access-Control-Max-Age", "600"},
                        {"Vary", "Origin"}};
  }
  ctx.exchange->respond(std::move(response));
}

}  // namespace

Router::Router(Services services) : m_services(std::move(services)) {}

void Router::handle(std::shared_ptr<net::Exchange> exchange) {
  Context ctx{std::move(exchange), m_services, {}, {}, {}};
  try {
    const auto& request = ctx.request();
    if (request.method == "OPTIONS") {
      preflight(ctx);
      return;
    }
    bool path_known = false;
    for (const auto& route : k_routes) {
      if (!match(route.pattern, request.path, ctx.params)) {
        continue;
      }
      path_known = true;
      if (route.method != request.method) {
        continue;
      }
      if (route.access != Access::public_route &&
          !authenticate(ctx, route.access == Access::session_or_cookie)) {
        return;
      }
      route.handler(ctx);
      return;
    }
    if (path_known) {
      reply_error(ctx, 405, "method_not_allowed", "method " + request.method + " is not allowed here");
      return;
    }
    if (request.method == "GET" && request.path.rfind("/api/", 0) != 0) {
      handle_static(ctx);
      return;
    }
    reply_error(ctx, 404, "not_found", "no such endpoint");
  } catch (const std::exception&) {
    // A bug in a handler: answer, never crash the server or leak details.
    reply_error(ctx, 500, "internal", "internal error");
  }
}

}  // namespace sfproxy::http
