// GET /healthz (PBX link, database, Salesforce) and GET /metrics (Prometheus text format).

#include "api.hpp"

#include "json_writer.hpp"

#include <sstream>

namespace sfproxy::http {

void handle_healthz(Context& ctx) {
  const ProxyHealth health = ctx.services.proxy.health();
  bool ok = health.pbx.connected;
  cti::app::JsonWriter json;
  json.begin_object();
  json.key("pbx").begin_object().field("ok", health.pbx.connected).field("detail", health.pbx.detail).end_object();
  if (ctx.services.health_checks) {
    for (const auto& [name, healthy] : ctx.services.health_checks()) {
      json.key(name).begin_object().field("ok", healthy).end_object();
      ok = ok && healthy;
    }
  }
  json.field("status", ok ? "ok" : "degraded");
  json.end_object();
  reply(ctx, ok ? 200 : 503, std::move(json).str());
}

void handle_metrics(Context& ctx) {
  const ProxyMetrics m = ctx.services.proxy.metrics();
  std::ostringstream out;
  auto counter = [&](std::string_view name, std::string_view help, std::uint64_t value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n"
        << name << ' ' << value << '\n';
  };
  auto gauge = [&](std::string_view name, std::string_view help, std::uint64_t value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
        << name << ' ' << value << '\n';
  };
  out << "# HELP sfproxy_pbx_events_total Call events from the PBX by outcome.\n"
         "# TYPE sfproxy_pbx_events_total counter\n";
  out << "sfproxy_pbx_events_total{outcome=\"applied\"} " << m.pbx_events.applied << '\n';
  out << "sfproxy_pbx_events_total{outcome=\"duplicate\"} " << m.pbx_events.duplicate << '\n';
  out << "sfproxy_pbx_events_total{outcome=\"out_of_order\"} " << m.pbx_events.out_of_order << '\n';
  out << "sfproxy_pbx_events_total{outcome=\"unknown_call\"} " << m.pbx_events.unknown_call << '\n';
  out << "sfproxy_pbx_events_total{outcome=\"invalid\"} " << m.pbx_events.invalid << '\n';
  counter("sfproxy_calls_evicted_total", "Active calls ended by the proxy to stay within its call limit (the PBX lost their ends).", m.pbx_events.evicted);
  counter("sfproxy_events_published_total", "Events written to agents' event logs.", m.events_published);
  gauge("sfproxy_event_streams", "Open event streams.", m.streams_open);
  gauge("sfproxy_agents_connected", "Agents with at least one open event stream.", m.agents_connected);
  counter("sfproxy_sign_ins_total", "Successful sign-ins.", m.sign_ins);
  counter("sfproxy_sign_in_failures_total", "Refused sign-ins (wrong extension or password).", m.sign_in_failures);
  counter("sfproxy_sign_ins_throttled_total", "Sign-ins refused by login throttling.", m.sign_ins_throttled);
  counter("sfproxy_sign_ins_without_seat_total", "Sign-ins refused for want of a licence seat.", m.sign_ins_without_seat);
  counter("sfproxy_sessions_revoked_total", "Sessions ended because the agent's password, seat or account changed.", m.sessions_revoked);
  out << "# HELP sfproxy_pops_total Screen pops by outcome.\n# TYPE sfproxy_pops_total counter\n";
  for (const auto& [outcome, count] : m.pops) {
    out << "sfproxy_pops_total{outcome=\"" << outcome << "\"} " << count << '\n';
  }
  out << "# HELP sfproxy_match_latency_ms Server-mode lookup time, call event to decision.\n"
         "# TYPE sfproxy_match_latency_ms histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < m.match_latency_buckets.size(); ++i) {
    cumulative += m.match_latency_buckets[i];
    out << "sfproxy_match_latency_ms_bucket{le=\"";
    if (i < ProxyMetrics::k_latency_bounds_ms.size()) {
      out << ProxyMetrics::k_latency_bounds_ms[i];
    } else {
      out << "+Inf";
    }
    out << "\"} " << cumulative << '\n';
  }
  out << "sfproxy_match_latency_ms_sum " << m.match_latency_sum_ms << '\n';
  out << "sfproxy_match_latency_ms_count " << m.match_latency_count << '\n';
  if (ctx.services.extra_metrics) {
    out << ctx.services.extra_metrics();
  }
  net::HttpResponse response;
  response.status = 200;
  response.headers = {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"},
                      {"Cache-Control", "no-store"}};
  response.body = out.str();
  ctx.exchange->respond(std::move(response));
}

}  // namespace sfproxy::http
