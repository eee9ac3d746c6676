#pragma once
// Runs a transcript through the real adapter: a FakeAmiServer plays it over loopback TCP to a
// connector built by make_pbx_connector, and the CallEvents the connector delivers are
// returned. Shared by this adapter's tests and the cross-adapter contract test.

#include "adapters/asterisk-ami/fake_ami_server.hpp"

#include "cti/adapters/asterisk_ami/asterisk_ami_adapter.hpp"
#include "cti/call_event.hpp"
#include "cti/pbx_connector.hpp"
#include "cti/result.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace cti::adapters::asterisk_ami {

/// Adapter settings for tests: the fake server's credentials, a short reconnect backoff.
Config default_test_config();

struct TranscriptRunOptions {
  /// Adapter settings; host, port and credentials are pointed at the fake server whatever
  /// they say here.
  Config config = default_test_config();
  FakeAmiOptions server;
  /// Stamps events (transcripts carry no Timestamp); null: a fixed instant, so runs compare.
  std::function<std::chrono::system_clock::time_point()> now;
  /// Runs on the test thread once the connector is logged in, e.g. to call make_call.
  /// `wait_for_events(n)` waits until n CallEvents have arrived (false on timeout).
  std::function<void(PbxConnector&, const std::function<bool(std::size_t)>& wait_for_events)> drive;
  std::chrono::milliseconds timeout{5000};
};

struct TranscriptRun {
  std::vector<CallEvent> events;
  std::shared_ptr<Metrics> metrics;
  PbxHealth health;  ///< at the end of the run
  int logins = 0;
  int login_attempts = 0;
  std::vector<AmiPacket> actions;  ///< what the connector sent
};

/// Plays `name` (a file under transcripts/, without ".txt", or a path).
Result<TranscriptRun> run_transcript_for_test(std::string_view name, TranscriptRunOptions options = {});

/// Plays transcript text given inline.
Result<TranscriptRun> run_transcript_text_for_test(std::string_view text,
                                                   TranscriptRunOptions options = {});

}  // namespace cti::adapters::asterisk_ami
