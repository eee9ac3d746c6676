#include "adapters/asterisk-ami/transcript_runner.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace cti::adapters::asterisk_ami {
namespace {

using namespace std::chrono_literals;

// Waits for `done`, checking every few milliseconds, until `deadline`.
bool eventually(const std::function<bool()>& done, std::chrono::steady_clock::time_point deadline) {
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

Result<TranscriptRun> run(std::vector<TranscriptStep> script, TranscriptRunOptions options) {
  FakeAmiServer server(options.server, std::move(script));
  Config config = std::move(options.config);
  config.host = "127.0.0.1";
  config.port = server.port();
  config.username = options.server.username;
  config.secret = options.server.secret;
  config.secret_file.clear();
  config.secret_env.clear();

  Options adapter_options;
  adapter_options.metrics = std::make_shared<Metrics>();
  adapter_options.now = options.now ? options.now : [] {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1732550000));
  };
  adapter_options.jitter_seed = 1;

  std::mutex mutex;
  std::vector<CallEvent> events;
  const std::unique_ptr<PbxConnector> connector = make_pbx_connector(config, adapter_options);
  CTI_TRY(connector->start([&](const CallEvent& event) {
    std::lock_guard lock(mutex);
    events.push_back(event);
  }));

  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  if (options.drive) {
    if (!eventually([&] { return connector->health().connected; }, deadline)) {
      return fail(ErrorCode::timeout, "the connector did not log in: " + connector->health().detail);
    }
    const std::function<bool(std::size_t)> wait_for_events = [&](std::size_t count) {
      return eventually(
          [&] {
            std::lock_guard lock(mutex);
            return events.size() >= count;
          },
          deadline);
    };
    options.drive(*connector, wait_for_events);
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::max(deadline - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration::zero()));
  if (!server.wait_until_done(left)) {
    return fail(ErrorCode::timeout,
                "the transcript did not finish; connector health: " + connector->health().detail);
  }
  // Everything the server wrote has been parsed and mapped once the connector has counted as
  // many packets (it reads in order, and the server never splits a packet across a drop).
  const std::uint64_t sent = server.packets_sent();
  if (!eventually([&] { return adapter_options.metrics->packets.load() >= sent; }, deadline)) {
    return fail(ErrorCode::timeout, "the connector read " +
                                        std::to_string(adapter_options.metrics->packets.load()) +
                                        " of " + std::to_string(sent) + " packets");
  }
  TranscriptRun result;
  result.health = connector->health();
  connector->stop();
  {
    std::lock_guard lock(mutex);
    result.events = events;
  }
  result.metrics = adapter_options.metrics;
  result.logins = server.logins();
  result.login_attempts = server.login_attempts();
  result.actions = server.actions();
  return result;
}

}  // namespace

Config default_test_config() {
  Config config;
  config.username = "cti";
  config.secret = "s3cret";
  config.reconnect_backoff_min = 1ms;
  config.reconnect_backoff_max = 20ms;
  config.connect_timeout = 2000ms;
  config.action_timeout = 2000ms;
  return config;
}

Result<TranscriptRun> run_transcript_for_test(std::string_view name, TranscriptRunOptions options) {
  std::vector<TranscriptStep> script = CTI_TRY(load_transcript(transcript_path(name)));
  return run(std::move(script), std::move(options));
}

Result<TranscriptRun> run_transcript_text_for_test(std::string_view text, TranscriptRunOptions options) {
  std::vector<TranscriptStep> script = CTI_TRY(parse_transcript(text));
  return run(std::move(script), std::move(options));
}

}  // namespace cti::adapters::asterisk_ami
