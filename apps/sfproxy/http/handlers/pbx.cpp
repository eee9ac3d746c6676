// POST /pbx/v1/events: signed CallEvents from a PBX, handed to the webhook adapter.

#include "api.hpp"

namespace sfproxy::http {

void handle_pbx_events(Context& ctx) {
  if (!ctx.services.pbx_ingest) {
    reply_error(ctx, 404, "not_found", "this proxy does not take PBX events over HTTP (pbx adapter is not webhook)");
    return;
  }
  ctx.exchange->respond(ctx.services.pbx_ingest(ctx.request()));
}

}  // namespace sfproxy::http
