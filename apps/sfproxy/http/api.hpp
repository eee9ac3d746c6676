#pragma once
// What every sfproxy handler shares: the request context, JSON replies and errors in the
// product's shape ({"error":{"code","message"}}), bearer-token authentication and strict
// reading of JSON bodies. Handlers translate HTTP to one ProxyService call and back.

#include "net/http_server.hpp"
#include "proxy_service.hpp"
#include "static_files.hpp"
#include "workers.hpp"

#include "cti/pbx_connector.hpp"
#include "cti/result.hpp"

#include <Poco/JSON/Object.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sfproxy::http {

/// The HTTP side of the daemon's configuration.
struct HttpPolicy {
  std::vector<std::string> cors_origins;  ///< exact origins allowed to call the API cross-site
  std::string web_root;                   ///< the softphone's files; empty serves none
  bool session_cookie = true;             ///< also set a Partitioned cookie at sign-in (resume)
};

/// What the server writes to an event stream that has been quiet for
/// k_heartbeat_interval (the softphone reconnects after 60 s of silence).
inline constexpr std::string_view k_heartbeat_event = "event: heartbeat\ndata: {}\n\n";
inline constexpr std::chrono::milliseconds k_heartbeat_interval{25000};

/// Called with a request to /pbx/v1/events when the webhook adapter is configured.
using PbxIngest = std::function<net::HttpResponse(const net::HttpRequest&)>;

/// Long-lived things the handlers use.
struct Services {
  ProxyService& proxy;
  WorkerPool& slow;      ///< PBX commands, settings writes
  WorkerPool& sign_ins;  ///< password hashing: its own pool so a sign-in storm delays nothing else
  HttpPolicy policy;
  PbxIngest pbx_ingest;                       ///< empty without the webhook adapter
  std::function<std::string()> extra_metrics;  ///< appended to /metrics (server, adapters)
  std::function<std::vector<std::pair<std::string, bool>>()> health_checks;  ///< name, ok
  StaticFiles web;  ///< the softphone
};

/// One request on its way through a handler.
struct Context {
  std::shared_ptr<net::Exchange> exchange;
  Services& services;
  std::vector<std::string> params;  ///< the {id} parts of the route, in order
  std::string extension;            ///< set when the route requires a session
  std::string token;                ///< the session's token, set with `extension`

  const net::HttpRequest& request() const { return exchange->request(); }
};

int status_for(cti::ErrorCode code) noexcept;

/// Adds the API headers (no-store, JSON, CORS for allowed origins) and answers.
void reply(Context& ctx, int status, std::string json_body, net::Headers extra = {});
void reply_error(Context& ctx, const cti::Error& error);
void reply_error(Context& ctx, int status, std::string_view code, std::string_view message);
void reply_no_content(Context& ctx);

/// The error body for a status the server decides itself.
std::string error_body(std::string_view code, std::string_view message);

/// Checks `Authorization: Bearer <token>` (or, where `allow_cookie`, the session cookie) and
/// sets ctx.extension and ctx.token. Answers 401 itself and returns false when there is no
/// valid session.
bool authenticate(Context& ctx, bool allow_cookie);

/// Parses the body as one JSON object (Content-Type application/json, depth-limited).
/// Answers 400/415 itself and returns nullptr on failure.
Poco::JSON::Object::Ptr read_json_object(Context& ctx);

/// A string member that must be present (or, with `optional`, may be absent -> empty).
/// invalid_input naming the member when it is missing, not a string, or longer than
/// max_length.
cti::Result<std::string> string_member(const Poco::JSON::Object& object, const std::string& name,
                                       std::size_t max_length, bool optional = false);

/// Runs `work` on `pool` (default: the slow pool); answers 503 when it is saturated.
void run_on(Context& ctx, WorkerPool& pool, std::function<void(Context&)> work);
inline void run_slow(Context& ctx, std::function<void(Context&)> work) {
  run_on(ctx, ctx.services.slow, std::move(work));
}

// Handlers (one file each in handlers/).
void handle_sign_in(Context& ctx);
void handle_sign_out(Context& ctx);
void handle_resume_session(Context& ctx);
void handle_events(Context& ctx);
void handle_get_settings(Context& ctx);
void handle_put_settings(Context& ctx);
void handle_make_call(Context& ctx);
void handle_list_calls(Context& ctx);
void handle_call_action(Context& ctx);
void handle_popped(Context& ctx);
void handle_pbx_events(Context& ctx);
void handle_healthz(Context& ctx);
void handle_metrics(Context& ctx);
void handle_static(Context& ctx);

}  // namespace sfproxy::http
