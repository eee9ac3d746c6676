// GET|PUT /api/v1/settings {"caller_id_objects":[...],"ivr_match":"starts_with"}

#include "api.hpp"

#include "json_writer.hpp"
#include "match_json.hpp"

#include <Poco/JSON/Array.h>

namespace sfproxy::http {
namespace {

std::string settings_json(const cti::AgentSettings& settings) {
  cti::app::JsonWriter json;
  cti::app::write_agent_settings(json, settings);
  return std::move(json).str();
}

cti::Result<cti::AgentSettings> settings_from(const Poco::JSON::Object& body,
                                              cti::AgentSettings current) {
  if (body.has("caller_id_objects")) {
    if (!body.isArray("caller_id_objects")) {
      return cti::fail(cti::ErrorCode::invalid_input, "'caller_id_objects' must be an array of names");
    }
    auto array = body.getArray("caller_id_objects");
    if (array->size() > 16) {
      return cti::fail(cti::ErrorCode::invalid_input, "'caller_id_objects' lists more than 16 objects");
    }
    current.caller_id_objects.clear();
    for (std::size_t i = 0; i < array->size(); ++i) {
      const auto item = array->get(static_cast<unsigned int>(i));
      if (!item.isString()) {
        return cti::fail(cti::ErrorCode::invalid_input, "'caller_id_objects' must hold strings");
      }
      current.caller_id_objects.push_back(item.extract<std::string>());
    }
  }
  if (body.has("ivr_match")) {
    current.ivr_match = CTI_TRY(string_member(body, "ivr_match", 32));
  }
  return current;
}

}  // namespace

void handle_get_settings(Context& ctx) {
  auto settings = ctx.services.proxy.settings(ctx.extension);
  if (!settings) {
    reply_error(ctx, settings.error());
    return;
  }
  reply(ctx, 200, settings_json(*settings));
}

void handle_put_settings(Context& ctx) {
  auto body = read_json_object(ctx);
  if (!body) {
    return;
  }
  auto current = ctx.services.proxy.settings(ctx.extension);
  if (!current) {
    reply_error(ctx, current.error());
    return;
  }
  auto wanted = settings_from(*body, *current);
  if (!wanted) {
    reply_error(ctx, wanted.error());
    return;
  }
  // Saving touches the database: not on a network thread.
  run_slow(ctx, [wanted = std::move(*wanted)](Context& slow) {
    auto saved = slow.services.proxy.update_settings(slow.extension, wanted);
    if (!saved) {
      reply_error(slow, saved.error());
      return;
    }
    reply(slow, 200, settings_json(*saved));
  });
}

}  // namespace sfproxy::http
