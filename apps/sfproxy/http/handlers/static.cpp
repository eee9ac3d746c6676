// GET / and the softphone's files.

#include "api.hpp"

namespace sfproxy::http {

void handle_static(Context& ctx) {
  const StaticFile* file = ctx.services.web.find(ctx.request().path);
  if (file == nullptr) {
    reply_error(ctx, 404, "not_found", "no such page");
    return;
  }
  net::HttpResponse response;
  response.headers = {{"Content-Type", file->content_type}, {"ETag", file->etag},
                      {"Cache-Control", "no-cache"}};
  const std::string* match = ctx.request().header("if-none-match");
  if (match != nullptr && *match == file->etag) {
    response.status = 304;
  } else {
    response.status = 200;
    response.body = file->body;
  }
  ctx.exchange->respond(std::move(response));
}

}  // namespace sfproxy::http
