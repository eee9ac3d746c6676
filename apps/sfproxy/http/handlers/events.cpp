// GET /api/v1/events: the agent's event stream (server-sent events), resumable with
// Last-Event-ID.

#include "api.hpp"

#include <algorithm>
#include <charconv>

namespace sfproxy::http {

void handle_events(Context& ctx) {
  std::optional<std::uint64_t> last_event_id;
  if (const std::string* header = ctx.request().header("last-event-id"); header && !header->empty()) {
    std::uint64_t value = 0;
    const auto* end = header->data() + header->size();
    auto [ptr, ec] = std::from_chars(header->data(), end, value);
    if (ec != std::errc() || ptr != end) {
      reply_error(ctx, 400, "invalid_input", "Last-Event-ID must be a decimal event id");
      return;
    }
    last_event_id = value;
  }

  net::Headers headers{{"Content-Type", "text/event-stream; charset=utf-8"},
                       {"Cache-Control", "no-store"},
                       {"X-Accel-Buffering", "no"}};
  if (const std::string* origin = ctx.request().header("origin")) {
    const auto& allowed = ctx.services.policy.cors_origins;
    if (std::find(allowed.begin(), allowed.end(), *origin) != allowed.end()) {
      headers.emplace_back("Access-Control-Allow-Origin", *origin);
      headers.emplace_back("Vary", "Origin");
    }
  }
  std::shared_ptr<net::Stream> stream = ctx.exchange->start_stream(200, std::move(headers));
  if (!stream->send("retry: 2000\n\n")) {
    return;
  }
  // The sink keeps the stream alive until the service drops it, which on_close ensures.
  auto id = ctx.services.proxy.open_stream(
      ctx.extension, last_event_id, [stream](std::string_view bytes) { return stream->send(bytes); },
      [stream] { stream->close(); });
  if (id == 0) {
    stream->close();
    return;
  }
  ProxyService& proxy = ctx.services.proxy;
  stream->on_close([&proxy, id] { proxy.close_stream(id); });
}

}  // namespace sfproxy::http
