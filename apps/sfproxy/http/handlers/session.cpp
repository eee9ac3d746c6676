// POST /api/v1/session {"extension","password"} -> {"token","agent"}; GET (bearer or the
// session cookie) -> the same for a reloaded page; DELETE signs out.

#include "api.hpp"

#include "json_writer.hpp"
#include "match_json.hpp"

namespace sfproxy::http {
namespace {

std::string agent_json(const AgentRecord& agent) {
  cti::app::JsonWriter json;
  json.begin_object();
  json.field("extension", agent.extension);
  json.field("display_name", agent.display_name);
  json.key("settings");
  cti::app::write_agent_settings(json, agent.settings);
  json.end_object();
  return std::move(json).str();
}

// What sign-in and resume answer.
std::string session_json(const std::string& token, const AgentRecord& agent) {
  cti::app::JsonWriter json;
  json.begin_object().field("token", token).key("agent").raw(agent_json(agent)).end_object();
  return std::move(json).str();
}

// The cookie reaches the two routes that accept it (events, resume) and the sign-out that
// clears it; only GET /api/v1/events and GET /api/v1/session let it stand for the header.
constexpr std::string_view k_cookie_attributes = "; Path=/api/v1/; Secure; HttpOnly; SameSite=None; Partitioned";

// Strips the port from "ip:port" / "[v6]:port" so throttling counts per address.
std::string client_address(const std::string& remote) {
  if (!remote.empty() && remote.front() == '[') {
    return remote.substr(1, remote.find(']') - 1);
  }
  return remote.substr(0, remote.rfind(':'));
}

}  // namespace

void handle_sign_in(Context& ctx) {
  auto body = read_json_object(ctx);
  if (!body) {
    return;
  }
  auto extension = string_member(*body, "extension", 16);
  auto password = string_member(*body, "password", 128);
  if (!extension || !password) {
    reply_error(ctx, extension ? password.error() : extension.error());
    return;
  }
  run_on(ctx, ctx.services.sign_ins,
         [extension = std::move(*extension), password = std::move(*password)](Context& slow) {
    auto signed_in = slow.services.proxy.sign_in(extension, password,
                                                  client_address(slow.request().remote_address));
    if (!signed_in) {
      reply_error(slow, signed_in.error());
      return;
    }
    net::Headers headers;
    if (slow.services.policy.session_cookie) {
      // Partitioned (CHIPS): the one browser storage a cross-site frame such as Salesforce's
      // keeps, so a reloaded softphone can resume without the password.
      headers.emplace_back("Set-Cookie", "cti_session=" + signed_in->token + std::string(k_cookie_attributes));
    }
    reply(slow, 200, session_json(signed_in->token, signed_in->agent), std::move(headers));
  });
}

void handle_resume_session(Context& ctx) {
  // Reads the agent directory: not on a network thread. Changes nothing, so a request
  // another site makes a browser send does no harm, and without CORS it cannot read this.
  run_slow(ctx, [](Context& slow) {
    auto agent = slow.services.proxy.agent(slow.extension);
    if (!agent) {
      reply_error(slow, agent.error());
      return;
    }
    reply(slow, 200, session_json(slow.token, *agent));
  });
}

void handle_sign_out(Context& ctx) {
  ctx.services.proxy.sign_out(ctx.token);
  reply(ctx, 204, {}, {{"Set-Cookie", "cti_session=; Max-Age=0" + std::string(k_cookie_attributes)}});
}

}  // namespace sfproxy::http
