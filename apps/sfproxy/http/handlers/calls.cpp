// POST /api/v1/calls {"number"} (click-to-dial), GET /api/v1/calls (the agent's live calls),
// POST /api/v1/calls/{id}/answer|hangup|hold|retrieve, POST /api/v1/calls/{id}/popped.

#include "api.hpp"

#include "json_writer.hpp"

namespace sfproxy::http {

void handle_make_call(Context& ctx) {
  auto body = read_json_object(ctx);
  if (!body) {
    return;
  }
  auto number = string_member(*body, "number", 64);
  if (!number) {
    reply_error(ctx, number.error());
    return;
  }
  run_slow(ctx, [number = std::move(*number)](Context& slow) {
    auto call_id = slow.services.proxy.make_call(slow.extension, number);
    if (!call_id) {
      reply_error(slow, call_id.error());
      return;
    }
    cti::app::JsonWriter json;
    json.begin_object().field("call_id", *call_id).end_object();
    reply(slow, 201, std::move(json).str());
  });
}

void handle_list_calls(Context& ctx) {
  cti::app::JsonWriter json;
  json.begin_object().key("calls").begin_array();
  for (const auto& call : ctx.services.proxy.active_calls(ctx.extension)) {
    json.begin_object();
    json.field("call_id", call.id);
    json.field("state", cti::to_string(call.state));
    json.field("direction", cti::to_string(call.direction));
    json.field("ani", call.ani);
    json.field("dnis", call.dnis);
    json.field("ivr_data", call.ivr_data);
    json.end_object();
  }
  json.end_array().end_object();
  reply(ctx, 200, std::move(json).str());
}

void handle_call_action(Context& ctx) {
  const std::string& verb = ctx.params.at(1);
  ProxyService::CallAction action;
  if (verb == "answer") {
    action = ProxyService::CallAction::answer;
  } else if (verb == "hangup") {
    action = ProxyService::CallAction::hangup;
  } else if (verb == "hold") {
    action = ProxyService::CallAction::hold;
  } else if (verb == "retrieve") {
    action = ProxyService::CallAction::retrieve;
  } else {
    reply_error(ctx, 404, "not_found", "no such call action '" + verb + "'");
    return;
  }
  run_slow(ctx, [action](Context& slow) {
    auto done = slow.services.proxy.call_action(slow.extension, slow.params.at(0), action);
    if (!done) {
      reply_error(slow, done.error());
      return;
    }
    reply_no_content(slow);
  });
}

void handle_popped(Context& ctx) {
  auto marked = ctx.services.proxy.mark_popped(ctx.extension, ctx.params.at(0));
  if (!marked) {
    reply_error(ctx, marked.error());
    return;
  }
  reply_no_content(ctx);
}

}  // namespace sfproxy::http
