#include "api.hpp"

#include "json_writer.hpp"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>

namespace sfproxy::http {
namespace {

constexpr std::size_t k_max_json_depth = 16;

bool origin_allowed(const Services& services, const std::string* origin) {
  if (origin == nullptr) {
    return false;
  }
  const auto& allowed = services.policy.cors_origins;
  return std::find(allowed.begin(), allowed.end(), *origin) != allowed.end();
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The value of cookie `name` in a Cookie header, or empty.
std::string_view cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view pair = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return pair.substr(eq + 1);
    }
  }
  return {};
}

}  // namespace

int status_for(cti::ErrorCode code) noexcept {
  switch (code) {
    case cti::ErrorCode::invalid_input: return 400;
    case cti::ErrorCode::unauthorized: return 401;
    case cti::ErrorCode::forbidden: return 403;
    case cti::ErrorCode::not_found: return 404;
    case cti::ErrorCode::conflict: return 409;
    case cti::ErrorCode::rate_limited: return 429;
    case cti::ErrorCode::internal: return 500;
    case cti::ErrorCode::not_supported: return 501;
    case cti::ErrorCode::unavailable: return 503;
    case cti::ErrorCode::timeout: return 504;
  }
  return 500;
}

std::string error_body(std::string_view code, std::string_view message) {
  cti::app::JsonWriter json;
  json.begin_object().key("error").begin_object().field("code", code).field("message", message).end_object().end_object();
  return std::move(json).str();
}

void reply(Context& ctx, int status, std::string json_body, net::Headers extra) {
  net::HttpResponse response;
  response.status = status;
  response.headers = std::move(extra);
  response.headers.emplace_back("Cache-Control", "no-store");
  if (!json_body.empty()) {
    response.headers.emplace_back("Content-Type", "application/json");
  }
  const std::string* origin = ctx.request().header("origin");
  if (origin_allowed(ctx.services, origin)) {
    response.headers.emplace_back("Access-Control-Allow-Origin", *origin);
    response.headers.emplace_back("Vary", "Origin");
  }
  response.body = std::move(json_body);
  ctx.exchange->respond(std::move(response));
}

void reply_error(Context& ctx, const cti::Error& error) {
  reply(ctx, status_for(error.code), error_body(cti::to_string(error.code), error.message));
}

void reply_error(Context& ctx, int status, std::string_view code, std::string_view message) {
  reply(ctx, status, error_body(code, message));
}

void reply_no_content(Context& ctx) { reply(ctx, 204, {}); }

bool authenticate(Context& ctx, bool allow_cookie) {
  std::string_view token;
  if (const std::string* header = ctx.request().header("authorization")) {
    std::string_view value = *header;
    constexpr std::string_view k_bearer = "Bearer ";
    if (value.size() > k_bearer.size() && std::equal(k_bearer.begin(), k_bearer.end(), value.begin(),
                                                     [](char a, char b) {
                                                       return std::tolower(static_cast<unsigned char>(a)) ==
                                                              std::tolower(static_cast<unsigned char>(b));
                                                     })) {
      token = trim(value.substr(k_bearer.size()));
    }
  } else if (allow_cookie) {
    if (const std::string* cookies = ctx.request().header("cookie")) {
      token = cookie_value(*cookies, "cti_session");
    }
  }
  if (token.empty()) {
    reply_error(ctx, 401, "unauthorized", "sign in first: no bearer token");
    return false;
  }
  auto session = ctx.services.proxy.authenticate(token);
  if (!session) {
    reply_error(ctx, session.error());
    return false;
  }
  ctx.extension = session->extension;
  ctx.token = std::string(token);
  return true;
}

Poco::JSON::Object::Ptr read_json_object(Context& ctx) {
  const std::string* type = ctx.request().header("content-type");
  if (type == nullptr || type->rfind("application/json", 0) != 0) {
    reply_error(ctx, 415, "invalid_input", "send the body as application/json");
    return nullptr;
  }
  try {
    Poco::JSON::Parser parser;
    parser.setDepth(k_max_json_depth);
    Poco::Dynamic::Var parsed = parser.parse(ctx.request().body);
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
      reply_error(ctx, 400, "invalid_input", "the body must be a JSON object");
      return nullptr;
    }
    return parsed.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& error) {
    reply_error(ctx, 400, "invalid_input", "the body is not valid JSON: " + error.message());
  } catch (const std::exception& error) {
    reply_error(ctx, 400, "invalid_input", std::string("the body is not valid JSON: ") + error.what());
  }
  return nullptr;
}

cti::Result<std::string> string_member(const Poco::JSON::Object& object, const std::string& name,
                                       std::size_t max_length, bool optional) {
  if (!object.has(name) || object.isNull(name)) {
    if (optional) {
      return std::string();
    }
    return cti::fail(cti::ErrorCode::invalid_input, "'" + name + "' is missing");
  }
  const Poco::Dynamic::Var value = object.get(name);
  if (!value.isString()) {
    return cti::fail(cti::ErrorCode::invalid_input, "'" + name + "' must be a string");
  }
  std::string text = value.extract<std::string>();
  if (text.size() > max_length) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     "'" + name + "' is longer than " + std::to_string(max_length) + " bytes");
  }
  return text;
}

void run_on(Context& ctx, WorkerPool& pool, std::function<void(Context&)> work) {
  const bool queued = pool.submit([ctx, work = std::move(work)]() mutable {
    try {
      work(ctx);
    } catch (const std::exception&) {
      // A bug; the exchange still gets an answer.
      reply_error(ctx, 500, "internal", "internal error");
    }
  });
  if (!queued) {
    reply(ctx, 503, error_body("unavailable", "the server is busy; try again shortly"),
          {{"Retry-After", "2"}});
  }
}

}  // namespace sfproxy::http
