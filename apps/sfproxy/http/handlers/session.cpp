// POST /api/v1/session {"extension","password"} -> {"token","agent"}; DELETE signs out.

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
    cti::app::JsonWriter json;
    json.begin_object().field("token", signed_in->token).key("agent").raw(agent_json(signed_in->agent)).end_object();
    net::Headers headers;
    if (slow.services.policy.session_cookie) {
      // For the event stream only (GET); state-changing requests need the bearer header.
      headers.emplace_back("Set-Cookie", "cti_session=" + signed_in->token +
                                             "; Path=/api/v1/events; Secure; HttpOnly; "
                                             "SameSite=None; Partitioned");
    }
    reply(slow, 200, std::move(json).str(), std::move(headers));
  });
}

void handle_sign_out(Context& ctx) {
  const std::string* header = ctx.request().header("authorization");
  if (header != nullptr && header->size() > 7) {
    ctx.services.proxy.sign_out(std::string_view(*header).substr(7));
  }
  reply(ctx, 204, {},
        {{"Set-Cookie", "cti_session=; Path=/api/v1/events; Max-Age=0; Secure; HttpOnly; "
                        "SameSite=None; Partitioned"}});
}

}  // namespace sfproxy::http
