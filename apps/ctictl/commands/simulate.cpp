// ctictl simulate: plays a scenario file or a single call through the simulated PBX. Without
// --url it prints each CallEvent at once (simulation time runs as fast as it can); with --url
// it signs and posts each event to a proxy's webhook endpoint, as a PBX would.

#include "args.hpp"
#include "command.hpp"

#include "cti/adapters/pbx_sim/pbx_sim_adapter.hpp"
#include "cti/adapters/webhook/webhook_client.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <thread>

namespace ctictl {
namespace {

namespace pbx_sim = cti::adapters::pbx_sim;
namespace webhook = cti::adapters::webhook;
using std::chrono::milliseconds;

const std::vector<OptionSpec> k_options = {
    {"scenario", "FILE", "play a scenario file (see examples/scenarios/README.md)"},
    {"agent", "EXT", "or play one inbound call ringing this extension"},
    {"ani", "NUMBER", "caller ID of that call"},
    {"ivr", "DATA", "IVR data of that call, e.g. \"Case.CaseNumber=1234\""},
    {"dnis", "NUMBER", "number the caller dialled"},
    {"call-id", "ID", "id of that call (default call-1)"},
    {"answer-after", "MS", "answered this long after it rings (default 3000)"},
    {"hold", "", "held and retrieved while connected"},
    {"hangup-after", "MS", "the caller hangs up this long after it rings (default 30000)"},
    {"no-answer", "", "nobody answers; the call ends unanswered at --hangup-after"},
    {"until", "MS", "stop at this simulation time (needed for endless load)"},
    {"json", "", "print each event as a JSON line (the webhook wire format)"},
    {"url", "URL", "post each event to a proxy, e.g. https://host:8443/pbx/v1/events"},
    {"secret-file", "FILE", "with --url: the shared webhook secret, read from FILE"},
    {"secret-env", "VAR", "with --url: the shared webhook secret, read from $VAR"},
    {"ca", "FILE", "with --url: trust this CA certificate (PEM), e.g. a self-signed one"},
    {"insecure", "", "with --url: accept any certificate (development only)"},
    {"timeout", "MS", "with --url: per-request deadline (default 5000)"},
    {"realtime", "", "with --url: post each event at its scheduled time, not at once"},
};

constexpr std::string_view k_usage =
    "simulate (--scenario FILE | --agent EXT [--ani NUMBER] [--ivr DATA] [call options])\n"
    "                       [--json] [--url URL (--secret-file FILE | --secret-env VAR)]";
constexpr std::string_view k_summary =
    "Plays simulated PBX calls and prints each CallEvent. With --url the events are signed\n"
    "(HMAC-SHA256, docs/webhook.md) and posted to a running proxy; each line then ends with\n"
    "the HTTP status. Exit status: 0 ok, 1 an event was refused or the proxy is unreachable,\n"
    "2 usage error (including a bad scenario file or secret).";

cti::Result<milliseconds> millis_option(const Args& args, std::string_view name, milliseconds fallback) {
  const auto text = args.value(name);
  if (!text) {
    return fallback;
  }
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size() ||
      value > 1'000'000'000) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     "--" + std::string(name) + " must be milliseconds, got '" + *text + "'");
  }
  return milliseconds(static_cast<milliseconds::rep>(value));
}

/// The one call described by --agent and its companions.
cti::Result<pbx_sim::Scenario> single_call(const Args& args) {
  const milliseconds answer_after = CTI_TRY(millis_option(args, "answer-after", milliseconds(3000)));
  const bool answered = !args.flag("no-answer");
  const milliseconds hangup_after = CTI_TRY(
      millis_option(args, "hangup-after", answered ? milliseconds(30000) : milliseconds(20000)));
  if (answered && hangup_after <= answer_after) {
    return cti::fail(cti::ErrorCode::invalid_input, "--hangup-after must be later than --answer-after");
  }
  if (!answered && (args.value("answer-after") || args.flag("hold"))) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     "--no-answer cannot be combined with --answer-after or --hold");
  }

  // Written as scenario YAML so a single call gets exactly the checks of a scenario file.
  auto quoted = [](const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
      if (c == '"' || c == '\\') {
        out += '\\';
      }
      out += c;
    }
    return out + "\"";
  };
  std::ostringstream yaml;
  yaml << "calls:\n  - call_id: " << quoted(args.value_or("call-id", "call-1"))
       << "\n    extension: " << quoted(args.value_or("agent", ""))
       << "\n    ani: " << quoted(args.value_or("ani", ""))
       << "\n    dnis: " << quoted(args.value_or("dnis", ""))
       << "\n    ivr_data: " << quoted(args.value_or("ivr", "")) << "\n    steps:\n"
       << "      - {at: 0, event: ringing}\n";
  if (!answered) {
    yaml << "      - {at: " << hangup_after.count() << ", event: disconnected, end_reason: no_answer}\n";
  } else {
    yaml << "      - {at: " << answer_after.count() << ", event: connected}\n";
    if (args.flag("hold")) {
      const auto talk = hangup_after - answer_after;
      yaml << "      - {at: " << (answer_after + talk / 3).count() << ", event: held}\n"
           << "      - {at: " << (answer_after + 2 * talk / 3).count() << ", event: retrieved}\n";
    }
    yaml << "      - {at: " << hangup_after.count()
         << ", event: disconnected, end_reason: remote_hangup}\n";
  }
  auto scenario = pbx_sim::parse_scenario(yaml.str(), "the call options");
  if (!scenario) {
    return cti::fail(cti::ErrorCode::invalid_input, scenario.error().message);
  }
  return scenario;
}

cti::Result<std::string> read_secret(const Args& args) {
  const auto file = args.value("secret-file");
  const auto env = args.value("secret-env");
  if (file.has_value() == env.has_value()) {
    return cti::fail(cti::ErrorCode::invalid_input, "--url needs one of --secret-file or --secret-env");
  }
  std::string secret;
  if (file) {
    std::ifstream in(*file, std::ios::binary);
    if (!in) {
      return cti::fail(cti::ErrorCode::invalid_input, "cannot read the secret file '" + *file + "'");
    }
    std::ostringstream content;
    content << in.rdbuf();
    secret = content.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
      secret.pop_back();
    }
  } else {
    const char* value = std::getenv(env->c_str());
    if (value == nullptr) {
      return cti::fail(cti::ErrorCode::invalid_input, "the environment variable " + *env + " is not set");
    }
    secret = value;
  }
  if (secret.size() < 16) {
    return cti::fail(cti::ErrorCode::invalid_input, "the webhook secret must be at least 16 bytes");
  }
  return secret;
}

std::string describe(const cti::CallEvent& event, milliseconds at) {
  std::ostringstream line;
  line << "+" << at.count() / 1000 << "." << std::setw(3) << std::setfill('0') << at.count() % 1000
       << "s " << cti::to_string(event.type) << " " << event.call_id << " ext=" << event.extension;
  if (!event.ani.empty()) {
    line << " ani=" << event.ani;
  }
  if (!event.dnis.empty()) {
    line << " dnis=" << event.dnis;
  }
  line << " " << cti::to_string(event.direction);
  if (!event.ivr_data.empty()) {
    line << " ivr=\"" << event.ivr_data << "\"";
  }
  if (!event.transfer_target.empty()) {
    line << " to=" << event.transfer_target;
  }
  if (event.end_reason != cti::EndReason::none) {
    line << " reason=" << cti::to_string(event.end_reason);
  }
  return line.str();
}

}  // namespace

int run_simulate(const std::vector<std::string>& argv, Io& io) {
  Args args;
  if (int code = exit_ok; !begin_command(argv, k_options, k_usage, k_summary, io, args, code)) {
    return code;
  }
  const bool from_file = args.value("scenario").has_value();
  if (from_file == args.value("agent").has_value()) {
    return report_error(io, "give either --scenario FILE or --agent EXT", exit_usage);
  }
  for (const char* call_option : {"ani", "ivr", "dnis", "call-id", "answer-after", "hold",
                                  "hangup-after", "no-answer"}) {
    if (from_file && args.value(call_option)) {
      return report_error(io, "--" + std::string(call_option) + " describes a single call; it "
                                  "cannot be combined with --scenario", exit_usage);
    }
  }
  const auto url = args.value("url");
  if (!url) {
    for (const char* post_option : {"secret-file", "secret-env", "ca", "insecure", "timeout", "realtime"}) {
      if (args.value(post_option)) {
        return report_error(io, "--" + std::string(post_option) + " only applies with --url", exit_usage);
      }
    }
  }

  auto scenario = from_file ? pbx_sim::load_scenario_file(*args.value("scenario")) : single_call(args);
  if (!scenario) {
    return report_error(io, scenario.error().message, exit_usage);
  }
  auto until = millis_option(args, "until", milliseconds::max());
  if (!until) {
    return report_error(io, until.error().message, exit_usage);
  }
  if (scenario->load && scenario->load->calls == 0 && !args.value("until")) {
    return report_error(io, "the scenario's load never ends (calls: 0); give --until MS", exit_usage);
  }
  std::string secret;
  webhook::PostOptions post_options;
  if (url) {
    auto read = read_secret(args);
    if (!read) {
      return report_error(io, read.error().message, exit_usage);
    }
    secret = std::move(*read);
    auto timeout = millis_option(args, "timeout", milliseconds(5000));
    if (!timeout || timeout->count() == 0) {
      return report_error(io, timeout ? "--timeout must be at least 1 ms" : timeout.error().message,
                          exit_usage);
    }
    post_options.timeout = *timeout;
    post_options.insecure_tls = args.flag("insecure");
    post_options.ca_file = args.value_or("ca", "");
  }

  pbx_sim::Config config;
  config.scenario = std::move(*scenario);
  const auto epoch = std::chrono::system_clock::now();
  const auto started_steady = std::chrono::steady_clock::now();
  auto pbx = pbx_sim::make_stepped_pbx(config, epoch);
  const bool json = args.flag("json");
  const bool realtime = args.flag("realtime");
  int status = exit_ok;

  auto started = pbx->start([&](const cti::CallEvent& event) {
    if (status != exit_ok) {
      return;
    }
    const auto at = std::chrono::duration_cast<milliseconds>(event.occurred_at - epoch);
    const std::string body = webhook::to_json(event);
    if (!url) {
      io.out << (json ? body : describe(event, at)) << "\n";
      return;
    }
    if (realtime) {
      std::this_thread::sleep_until(started_steady + at);
    }
    auto reply = webhook::post_signed(*url, secret, body, post_options, std::chrono::system_clock::now());
    const int http_status = reply ? reply->status : 0;
    // JSON lines carry the status beside the event; text lines end with it.
    if (json) {
      io.out << "{\"status\":" << http_status << ",\"event\":" << body << "}\n";
    } else {
      io.out << describe(event, at) << " -> " << (reply ? std::to_string(http_status) : "failed") << "\n";
    }
    if (!reply) {
      status = report_error(io, reply.error().message, exit_failure);
    } else if (http_status < 200 || http_status > 299) {
      status = report_error(io, "the proxy refused the event with HTTP " + std::to_string(http_status) +
                                    ": " + webhook::describe_error_body(reply->body),
                            exit_failure);
    }
    if (status != exit_ok) {
      pbx->stop();
    }
  });
  if (!started) {
    return report_error(io, started.error().message, exit_failure);
  }
  pbx->run_until_idle(*until);
  io.out.flush();
  return status;
}

}  // namespace ctictl
