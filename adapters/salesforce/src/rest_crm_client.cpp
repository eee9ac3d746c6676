#include "rest_crm_client.hpp"

#include "text.hpp"

#include "sfmatch/api_name.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>

namespace cti::adapters::salesforce::detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::size_t k_composite_query_limit = 5;  // queries per composite request
constexpr std::size_t k_min_secret_length = 6;      // shorter strings are not scrubbed

ChannelLimits limits_of(const Config& config) {
  return {config.connect_timeout, config.request_timeout, config.max_response_bytes};
}

Endpoint endpoint_of(std::string_view url) {
  auto endpoint = parse_https_url(url);
  assert(endpoint && "validate() accepted the URL");
  return std::move(*endpoint);
}

bool same_endpoint(const Config& config) {
  return config.login_url.empty() ||
         endpoint_of(config.login_url).url() == endpoint_of(config.instance_url).url();
}

std::string reference_of(std::size_t index) { return "step" + std::to_string(index); }

bool is_success(int status) { return status >= 200 && status < 300; }

}  // namespace

RestCrmClient::RestCrmClient(const Config& config, Environment environment,
                             std::optional<JwtSigner> signer, Poco::Net::Context::Ptr tls)
    : m_config(config),
      m_runtime(std::move(environment)),
      m_data_prefix("/services/data/v" + config.api_version + "/"),
      m_sender(RetryPolicy{config.retries, config.backoff_base, config.backoff_max}, m_runtime,
               m_retries),
      m_api_channel(endpoint_of(config.instance_url), tls, limits_of(config),
                    [this] { return m_runtime.now(); }),
      m_separate_login_channel(
          same_endpoint(config)
              ? nullptr
              : std::make_unique<HttpsChannel>(endpoint_of(config.login_url), tls, limits_of(config),
                                               [this] { return m_runtime.now(); })),
      m_tokens(m_config, m_runtime, m_sender,
               m_separate_login_channel ? *m_separate_login_channel : m_api_channel,
               std::move(signer), m_token_requests),
      m_cache(config.cache) {}

std::string RestCrmClient::data_path(std::string_view rest) const {
  return m_data_prefix + std::string(rest);
}

// --- Public calls --------------------------------------------------------------------------

cti::Result<std::vector<sfmatch::RecordRef>> RestCrmClient::query(std::string_view soql) {
  return scrubbed(run_query(soql, deadline()));
}

cti::Result<std::vector<sfmatch::RecordRef>> RestCrmClient::search(std::string_view sosl) {
  return scrubbed(run_search(sosl, deadline()));
}

cti::Result<std::string> RestCrmClient::create(
    std::string_view object, const std::vector<std::pair<std::string, std::string>>& fields) {
  if (auto valid = sfmatch::validate_api_name(object); !valid) {
    return cti::fail(ErrorCode::invalid_input, "object: " + valid.error().message);
  }
  std::string body = "{";
  for (const auto& [field, value] : fields) {
    if (auto valid = sfmatch::validate_api_name(field); !valid) {
      return cti::fail(ErrorCode::invalid_input, "field: " + valid.error().message);
    }
    if (body.size() > 1) {
      body += ',';
    }
    append_json_string(body, field);
    body += ':';
    append_json_string(body, value);
  }
  body += '}';
  HttpRequest request;
  request.method = "POST";
  request.target = data_path("sobjects/" + std::string(object));
  request.content_type = "application/json";
  request.body = std::move(body);
  const auto run = [&]() -> cti::Result<std::string> {
    // Not idempotent: after the request went out, a lost answer is not retried (it could
    // create the record twice).
    const Json json = CTI_TRY(call_api_json(std::move(request), deadline(), false));
    auto id = read_created_id(json);
    if (!id) {
      return cti::fail(ErrorCode::unavailable, "Salesforce create: " + id.error().message);
    }
    return id;
  };
  return scrubbed(run());
}

// A plan of caller-ID steps only (IVR lookups are per call and never cached), all of them
// in the cache: run_plan's results without a request.
std::optional<std::vector<sfmatch::StepResult>> RestCrmClient::run_plan_cached(const sfmatch::MatchPlan& plan) {
  if (m_config.cache.max_entries == 0 || plan.steps.empty()) {
    return std::nullopt;
  }
  std::vector<sfmatch::StepResult> results;
  results.reserve(plan.steps.size());
  const TimePoint now = m_runtime.now();
  for (std::size_t i = 0; i < plan.steps.size(); ++i) {
    if (plan.steps[i].source != sfmatch::StepSource::caller_id) {
      return std::nullopt;
    }
    auto cached = m_cache.find(plan.steps[i].query, now);
    if (!cached) {
      return std::nullopt;  // run_plan counts the misses when it runs
    }
    results.push_back(sfmatch::StepResult{i, std::move(*cached)});
  }
  m_cache_hits.fetch_add(results.size(), std::memory_order_relaxed);
  return results;
}

cti::Result<std::vector<sfmatch::StepResult>> RestCrmClient::run_plan(
    const sfmatch::MatchPlan& plan) {
  // The same results as running the steps one by one (CrmClient::run_plan: stop after the
  // first IVR step with records; a failed step ends the run), for fewer requests: the steps
  // of one kind are fetched together (SOQL steps share composite requests), caller-ID
  // steps come from the cache when they can, and caller ID is not looked up at all when an
  // IVR step found the record. SOSL cannot go into a composite request (Salesforce
  // accepts only sObject, query and queryAll subrequests there), so an IVR miss followed
  // by a new caller costs two requests.
  const TimePoint call_deadline = deadline();
  const std::size_t count = plan.steps.size();
  const bool caching = m_config.cache.max_entries > 0;
  std::vector<sfmatch::StepResult> results;
  results.reserve(count);
  for (std::size_t first = 0; first < count;) {
    const sfmatch::StepSource source = plan.steps[first].source;
    std::size_t end = first;
    while (end < count && plan.steps[end].source == source) {
      ++end;
    }
    std::vector<std::optional<cti::Result<Records>>> outcomes(end - first);
    std::vector<std::size_t> to_fetch;
    for (std::size_t i = first; i < end; ++i) {
      if (caching && source == sfmatch::StepSource::caller_id) {
        if (auto cached = m_cache.find(plan.steps[i].query, m_runtime.now())) {
          m_cache_hits.fetch_add(1, std::memory_order_relaxed);
          outcomes[i - first].emplace(std::move(*cached));
          continue;
        }
        m_cache_misses.fetch_add(1, std::memory_order_relaxed);
      }
      to_fetch.push_back(i);
    }
    if (!to_fetch.empty()) {
      auto fetched = fetch_steps(plan, to_fetch, call_deadline);
      if (!fetched) {
        return scrubbed(cti::Result<std::vector<sfmatch::StepResult>>(
            cti::Unexpected(std::move(fetched).error())));
      }
      for (std::size_t k = 0; k < to_fetch.size(); ++k) {
        const std::size_t i = to_fetch[k];
        if (caching && source == sfmatch::StepSource::caller_id && (*fetched)[k]) {
          m_cache.store(plan.steps[i].query, *(*fetched)[k], m_runtime.now());
        }
        outcomes[i - first].emplace(std::move((*fetched)[k]));
      }
    }
    for (std::size_t i = first; i < end; ++i) {
      cti::Result<Records>& outcome = *outcomes[i - first];
      if (!outcome) {
        return scrubbed(cti::Result<std::vector<sfmatch::StepResult>>(
            cti::Unexpected(std::move(outcome).error())));
      }
      const bool found = !outcome->empty();
      results.push_back(sfmatch::StepResult{i, std::move(*outcome)});
      if (found && source == sfmatch::StepSource::ivr) {
        return results;
      }
    }
    first = end;
  }
  return results;
}

cti::Result<PingResult> RestCrmClient::ping() {
  const auto run = [&]() -> cti::Result<PingResult> {
    const TimePoint call_deadline = deadline();
    PingResult result;
    result.api_version = m_config.api_version;

    // The versions list needs no session and does not count against the org's limit.
    HttpRequest versions_request;
    versions_request.target = "/services/data/";
    std::atomic<std::uint64_t> uncounted{0};
    const HttpResponse versions =
        CTI_TRY(m_sender.send(m_api_channel, versions_request, call_deadline, true, uncounted));
    if (versions.status != 200) {
      return cti::Unexpected(failure_for(versions.status, read_api_error(versions.body)));
    }
    bool offered = false;
    const Json list = CTI_TRY(parse_json(versions.body));
    if (list.type() == typeid(Poco::JSON::Array::Ptr)) {
      const auto& array = *list.extract<Poco::JSON::Array::Ptr>();
      for (std::size_t i = 0; i < array.size(); ++i) {
        const auto entry = array.getObject(static_cast<unsigned>(i));
        if (entry && entry->get("version").isString()) {
          const std::string version = entry->get("version").extract<std::string>();
          offered = offered || version == m_config.api_version;
          if (result.latest_version.empty() ||
              std::stod(version) > std::stod(result.latest_version)) {
            result.latest_version = printable_excerpt(version, 10);
          }
        }
      }
    }
    if (!offered) {
      return cti::fail(ErrorCode::unavailable,
                       "the org does not offer API version " + m_config.api_version +
                           (result.latest_version.empty() ? std::string()
                                                          : " (latest: " + result.latest_version + ")"));
    }

    // Authenticate first so the round trip below is one API request alone (with the circuit
    // open, call_api below reports why instead).
    if (circuit().state == CircuitState::closed) {
      CTI_TRY(obtain_token(call_deadline));
    }
    HttpRequest request;
    request.target = data_path("limits");
    const TimePoint start = m_runtime.now();
    const HttpResponse response = CTI_TRY(call_api(std::move(request), call_deadline, true));
    result.round_trip =
        std::chrono::duration_cast<std::chrono::microseconds>(m_runtime.now() - start);
    if (!is_success(response.status)) {
      return cti::Unexpected(failure_for(response.status, read_api_error(response.body)));
    }
    result.usage = usage();
    return result;
  };
  try {
    return scrubbed(run());
  } catch (const std::exception& error) {  // std::stod on a strange version string
    return cti::fail(ErrorCode::unavailable,
                     "malformed versions list from Salesforce: " + printable_excerpt(error.what()));
  }
}

ApiUsage RestCrmClient::usage() const {
  return {m_usage_used.load(std::memory_order_relaxed), m_usage_limit.load(std::memory_order_relaxed)};
}

std::uint64_t RestCrmClient::requests_sent() const {
  return m_api_requests.load(std::memory_order_relaxed);
}

ClientStats RestCrmClient::stats() const {
  ClientStats stats;
  stats.api_requests = m_api_requests.load(std::memory_order_relaxed);
  stats.token_requests = m_token_requests.load(std::memory_order_relaxed);
  stats.retries = m_retries.load(std::memory_order_relaxed);
  stats.cache_hits = m_cache_hits.load(std::memory_order_relaxed);
  stats.cache_misses = m_cache_misses.load(std::memory_order_relaxed);
  return stats;
}

CircuitStatus RestCrmClient::circuit() const {
  std::lock_guard lock(m_circuit_mutex);
  CircuitStatus status;
  status.state = m_circuit_state;
  status.reason = m_circuit_reason;
  if (m_circuit_state == CircuitState::open) {
    const auto now = m_runtime.now();
    if (now >= m_circuit_until) {
      status.state = CircuitState::half_open;
    } else {
      status.retry_in = std::chrono::duration_cast<milliseconds>(m_circuit_until - now);
    }
  }
  return status;
}

// --- Requests --------------------------------------------------------------------------------

cti::Result<std::string> RestCrmClient::obtain_token(TimePoint call_deadline) {
  auto token = m_tokens.token(call_deadline);
  if (!token && token.error().code == ErrorCode::unauthorized) {
    open_circuit(token.error().message, m_config.circuit_cooldown, false);
    auto error = std::move(token).error();
    error.message += "; no Salesforce calls for " + std::to_string(m_config.circuit_cooldown.count()) + " s";
    return cti::Unexpected(std::move(error));
  }
  return token;
}

cti::Result<HttpResponse> RestCrmClient::call_api(HttpRequest request, TimePoint call_deadline,
                                                  bool idempotent) {
  const bool trial = CTI_TRY(admit());
  auto response = call_api_admitted(request, call_deadline, idempotent);
  if (trial) {
    settle_trial();
  }
  return response;
}

cti::Result<HttpResponse> RestCrmClient::call_api_admitted(HttpRequest& request,
                                                           TimePoint call_deadline,
                                                           bool idempotent) {
  const std::string token = CTI_TRY(obtain_token(call_deadline));
  request.bearer_token = token;
  HttpResponse response =
      CTI_TRY(m_sender.send(m_api_channel, request, call_deadline, idempotent, m_api_requests));
  note_usage(response.limit_info);

  if (response.status == 401) {
    // The session expired or was revoked: one new token and one more try. A second 401
    // means the user itself is refused (frozen, inactive): stop asking for a while instead
    // of minting tokens in a loop.
    m_tokens.invalidate(token);
    const std::string fresh = CTI_TRY(obtain_token(call_deadline));
    request.bearer_token = fresh;
    response =
        CTI_TRY(m_sender.send(m_api_channel, request, call_deadline, idempotent, m_api_requests));
    note_usage(response.limit_info);
    if (response.status == 401) {
      m_tokens.invalidate(fresh);
      const std::string reason = "Salesforce rejected a freshly issued session (" +
                                 describe(read_api_error(response.body)) +
                                 "); the integration user may be frozen or inactive";
      open_circuit(reason, m_config.circuit_cooldown, false);
      return cti::fail(ErrorCode::unauthorized,
                       reason + "; no Salesforce calls for " +
                           std::to_string(m_config.circuit_cooldown.count()) + " s");
    }
  }
  if (response.status == 403) {
    const ApiError error = read_api_error(response.body);
    if (error.code == "REQUEST_LIMIT_EXCEEDED") {
      return cti::Unexpected(failure_for(response.status, error));
    }
  }
  close_circuit();
  return response;
}

cti::Result<Json> RestCrmClient::call_api_json(HttpRequest request, TimePoint call_deadline,
                                               bool idempotent) {
  const HttpResponse response = CTI_TRY(call_api(std::move(request), call_deadline, idempotent));
  if (!is_success(response.status)) {
    return cti::Unexpected(failure_for(response.status, read_api_error(response.body)));
  }
  auto json = parse_json(response.body);
  if (!json) {
    return cti::fail(ErrorCode::unavailable,
                     "Salesforce sent a malformed response (HTTP " +
                         std::to_string(response.status) + "): " + json.error().message);
  }
  return json;
}

cti::Result<RestCrmClient::Records> RestCrmClient::run_query(std::string_view soql,
                                                             TimePoint call_deadline) {
  HttpRequest request;
  request.target = data_path("query?q=") + percent_encoded(soql);
  const Json json = CTI_TRY(call_api_json(std::move(request), call_deadline, true));
  const NameFields names(m_config.name_fields, Selection::of(sfmatch::QueryLanguage::soql, soql));
  auto page = read_query_page(json, names);
  if (!page) {
    return cti::fail(ErrorCode::unavailable, "Salesforce query: " + page.error().message);
  }
  return follow_pages(std::move(*page), names, call_deadline);
}

cti::Result<RestCrmClient::Records> RestCrmClient::follow_pages(QueryPage page,
                                                                const NameFields& names,
                                                                TimePoint call_deadline) {
  Records records = std::move(page.records);
  std::string next = std::move(page.next_records_url);
  for (std::size_t pages = 1; !next.empty(); ++pages) {
    if (pages >= m_config.max_query_pages) {
      m_runtime.log(LogLevel::warning,
                    "Salesforce query has more than " + std::to_string(m_config.max_query_pages) +
                        " pages; using the first " + std::to_string(records.size()) + " records");
      break;
    }
    if (!is_query_locator_path(next, m_config.api_version)) {
      return cti::fail(ErrorCode::unavailable,
                       "Salesforce query: unexpected nextRecordsUrl " + quoted_excerpt(next, 120));
    }
    HttpRequest request;
    request.target = next;
    const Json json = CTI_TRY(call_api_json(std::move(request), call_deadline, true));
    auto more = read_query_page(json, names);
    if (!more) {
      return cti::fail(ErrorCode::unavailable, "Salesforce query: " + more.error().message);
    }
    std::move(more->records.begin(), more->records.end(), std::back_inserter(records));
    next = std::move(more->next_records_url);
  }
  return records;
}

cti::Result<RestCrmClient::Records> RestCrmClient::run_search(std::string_view sosl,
                                                              TimePoint call_deadline) {
  HttpRequest request;
  request.target = data_path("search?q=") + percent_encoded(sosl);
  const Json json = CTI_TRY(call_api_json(std::move(request), call_deadline, true));
  const NameFields names(m_config.name_fields, Selection::of(sfmatch::QueryLanguage::sosl, sosl));
  auto records = read_search_result(json, names);
  if (!records) {
    return cti::fail(ErrorCode::unavailable, "Salesforce search: " + records.error().message);
  }
  return records;
}

cti::Result<RestCrmClient::Records> RestCrmClient::read_step(const sfmatch::MatchStep& step,
                                                             const Json& body,
                                                             TimePoint call_deadline) {
  const NameFields names(m_config.name_fields, Selection::of(step.language, step.query));
  if (step.language == sfmatch::QueryLanguage::sosl) {
    auto records = read_search_result(body, names);
    if (!records) {
      return cti::fail(ErrorCode::unavailable, "Salesforce search: " + records.error().message);
    }
    return records;
  }
  auto page = read_query_page(body, names);
  if (!page) {
    return cti::fail(ErrorCode::unavailable, "Salesforce query: " + page.error().message);
  }
  return follow_pages(std::move(*page), names, call_deadline);
}

cti::Result<std::vector<cti::Result<RestCrmClient::Records>>> RestCrmClient::fetch_steps(
    const sfmatch::MatchPlan& plan, std::span<const std::size_t> indexes,
    TimePoint call_deadline) {
  std::vector<std::optional<cti::Result<Records>>> slots(indexes.size());
  std::vector<std::size_t> composable;  // positions in `indexes` of SOQL steps
  for (std::size_t k = 0; k < indexes.size(); ++k) {
    if (plan.steps[indexes[k]].language == sfmatch::QueryLanguage::soql) {
      composable.push_back(k);
    }
  }
  for (std::size_t start = 0; start < composable.size(); start += k_composite_query_limit) {
    const std::size_t size = std::min(k_composite_query_limit, composable.size() - start);
    if (size == 1) {
      continue;  // a lone query goes as a plain GET below
    }
    // Several queries, one API request: a composite of GET subrequests.
    std::string body = R"({"allOrNone":false,"compositeRequest":[)";
    for (std::size_t n = 0; n < size; ++n) {
      const std::size_t index = indexes[composable[start + n]];
      std::string url = data_path("query?q=");
      append_percent_encoded(url, plan.steps[index].query);
      body += n == 0 ? "{" : ",{";
      body += R"("method":"GET","url":)";
      append_json_string(body, url);
      body += R"(,"referenceId":)";
      append_json_string(body, reference_of(index));
      body += '}';
    }
    body += "]}";
    HttpRequest request;
    request.method = "POST";
    request.target = data_path("composite");
    request.content_type = "application/json";
    request.body = std::move(body);
    const Json json = CTI_TRY(call_api_json(std::move(request), call_deadline, true));
    auto items = read_composite(json);
    if (!items) {
      return cti::fail(ErrorCode::unavailable, "Salesforce composite: " + items.error().message);
    }
    for (std::size_t n = 0; n < size; ++n) {
      const std::size_t k = composable[start + n];
      const std::size_t index = indexes[k];
      const std::string reference = reference_of(index);
      const auto item = std::find_if(items->begin(), items->end(), [&](const CompositeItem& entry) {
        return entry.reference_id == reference;
      });
      if (item == items->end()) {
        slots[k].emplace(cti::fail(ErrorCode::unavailable, "Salesforce composite: no answer for lookup " +
                                                               std::to_string(index + 1)));
      } else if (!is_success(item->status)) {
        slots[k].emplace(cti::Unexpected(failure_for(item->status, api_error_of(item->body))));
      } else {
        slots[k].emplace(read_step(plan.steps[index], item->body, call_deadline));
      }
    }
  }
  std::vector<cti::Result<Records>> results;
  results.reserve(indexes.size());
  for (std::size_t k = 0; k < indexes.size(); ++k) {
    if (slots[k]) {
      results.push_back(std::move(*slots[k]));
      continue;
    }
    const sfmatch::MatchStep& step = plan.steps[indexes[k]];
    results.push_back(step.language == sfmatch::QueryLanguage::soql
                          ? run_query(step.query, call_deadline)
                          : run_search(step.query, call_deadline));
  }
  return results;
}

// --- Errors, limits, circuit ------------------------------------------------------------------

cti::Error RestCrmClient::failure_for(int status, const ApiError& error) {
  const std::string detail = describe(error);
  if (status == 403 && error.code == "REQUEST_LIMIT_EXCEEDED") {
    const ApiUsage now = usage();
    std::string reason = "the org's Salesforce API request limit is exhausted (" + detail + ")";
    if (now.known()) {
      reason += ", usage " + std::to_string(now.used) + "/" + std::to_string(now.limit);
    }
    open_circuit(reason, m_config.limit_backoff, true);
    return {ErrorCode::forbidden, reason + "; no Salesforce calls for " +
                                      std::to_string(m_config.limit_backoff.count()) + " s"};
  }
  const std::string suffix = " (HTTP " + std::to_string(status) + ", " + detail + ")";
  switch (status) {
    case 400: return {ErrorCode::invalid_input, "Salesforce rejected the request" + suffix};
    case 401: return {ErrorCode::unauthorized, "Salesforce rejected the session" + suffix};
    case 403: return {ErrorCode::forbidden, "Salesforce refused the request" + suffix};
    case 404: return {ErrorCode::not_found, "Salesforce does not know the resource" + suffix};
    default: break;
  }
  if (status >= 500) {
    return {ErrorCode::unavailable, "Salesforce failed to answer" + suffix};
  }
  return {ErrorCode::unavailable, "unexpected answer from Salesforce" + suffix};
}

void RestCrmClient::note_usage(std::string_view limit_info) {
  const auto parsed = parse_limit_info(limit_info);
  if (!parsed) {
    return;
  }
  m_usage_used.store(parsed->used, std::memory_order_relaxed);
  m_usage_limit.store(parsed->limit, std::memory_order_relaxed);
  const bool over = parsed->used * 100 >= parsed->limit * m_config.usage_warn_percent;
  // Warn once when the threshold is crossed, again only after usage fell below it.
  if (over && !m_usage_warned.exchange(true)) {
    m_runtime.log(LogLevel::warning,
                  "Salesforce API usage " + std::to_string(parsed->used) + "/" +
                      std::to_string(parsed->limit) + " has reached " +
                      std::to_string(m_config.usage_warn_percent) + "% of the org's daily limit");
  } else if (!over) {
    m_usage_warned.store(false);
  }
}

cti::Result<bool> RestCrmClient::admit() {
  std::lock_guard lock(m_circuit_mutex);
  switch (m_circuit_state) {
    case CircuitState::closed:
      return false;
    case CircuitState::open: {
      const auto now = m_runtime.now();
      if (now < m_circuit_until) {
        const auto wait = std::chrono::ceil<seconds>(m_circuit_until - now);
        return cti::fail(m_circuit_for_limit ? ErrorCode::forbidden : ErrorCode::unauthorized,
                         "Salesforce calls paused: " + m_circuit_reason + " (next try in " +
                             std::to_string(wait.count()) + " s)");
      }
      m_circuit_state = CircuitState::half_open;
      m_trial_running = true;
      return true;
    }
    case CircuitState::half_open:
      if (m_trial_running) {
        return cti::fail(m_circuit_for_limit ? ErrorCode::forbidden : ErrorCode::unauthorized,
                         "Salesforce calls paused: " + m_circuit_reason +
                             " (a trial call is under way)");
      }
      m_trial_running = true;
      return true;
  }
  return false;
}

void RestCrmClient::open_circuit(std::string reason, seconds cool_down, bool for_limit) {
  {
    std::lock_guard lock(m_circuit_mutex);
    m_circuit_state = CircuitState::open;
    m_circuit_reason = scrub(std::move(reason));
    m_circuit_for_limit = for_limit;
    m_trial_running = false;
    m_circuit_until = m_runtime.now() + cool_down;
  }
  m_runtime.log(LogLevel::error, "pausing Salesforce calls for " + std::to_string(cool_down.count()) +
                                     " s: " + circuit().reason);
}

void RestCrmClient::close_circuit() {
  bool was_open = false;
  {
    std::lock_guard lock(m_circuit_mutex);
    was_open = m_circuit_state != CircuitState::closed;
    m_circuit_state = CircuitState::closed;
    m_circuit_reason.clear();
    m_trial_running = false;
  }
  if (was_open) {
    m_runtime.log(LogLevel::info, "Salesforce calls resumed");
  }
}

void RestCrmClient::settle_trial() {
  std::lock_guard lock(m_circuit_mutex);
  if (m_circuit_state == CircuitState::half_open && m_trial_running) {
    // The trial ended without a verdict (e.g. a network error): wait another cool-down.
    m_circuit_state = CircuitState::open;
    m_trial_running = false;
    m_circuit_until = m_runtime.now() + (m_circuit_for_limit ? m_config.limit_backoff
                                                             : m_config.circuit_cooldown);
  }
}

std::string RestCrmClient::scrub(std::string text) const {
  std::vector<std::string> secrets = m_tokens.recent_tokens();
  secrets.push_back(m_config.auth.client_secret);
  secrets.push_back(m_config.auth.refresh_token);
  secrets.push_back(m_config.auth.password);
  for (const std::string& secret : secrets) {
    if (secret.size() < k_min_secret_length) {
      continue;
    }
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), "[redacted]");
    }
  }
  return text;
}

template <typename T>
cti::Result<T> RestCrmClient::scrubbed(cti::Result<T> result) const {
  if (result) {
    return result;
  }
  auto error = std::move(result).error();
  error.message = scrub(std::move(error.message));
  return cti::Unexpected(std::move(error));
}

}  // namespace cti::adapters::salesforce::detail

namespace cti::adapters::salesforce {

std::unique_ptr<SalesforceClient> make_salesforce_client(const Config& config,
                                                         Environment environment) {
  if (auto valid = validate(config); !valid) {
    throw cti::ConfigError(valid.error().message);
  }
  std::optional<detail::JwtSigner> signer;
  if (config.auth.method == AuthMethod::jwt_bearer) {
    auto loaded = detail::JwtSigner::from_pem_file(config.auth.private_key_file);
    if (!loaded) {
      throw cti::ConfigError("salesforce.auth.private_key_file: " + loaded.error().message);
    }
    signer = std::move(*loaded);
  }
  Poco::Net::Context::Ptr tls;
  try {
    tls = detail::make_tls_context(config.tls);
  } catch (const Poco::Exception& error) {
    throw cti::ConfigError("salesforce.tls: " + error.displayText());
  }
  return std::make_unique<detail::RestCrmClient>(config, std::move(environment), std::move(signer),
                                                 std::move(tls));
}

}  // namespace cti::adapters::salesforce
