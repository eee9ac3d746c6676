#pragma once
// PbxConnector: the port every PBX adapter implements (simulator, webhook, Asterisk AMI).
// Events flow up through the handler given to start(); commands flow down.

#include "cti/call_event.hpp"
#include "cti/result.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace cti {

using CallEventHandler = std::function<void(const CallEvent&)>;

/// What the connected PBX can do; the softphone hides the buttons it cannot.
struct PbxCapabilities {
  bool make_call = false;
  bool answer = false;
  bool hangup = false;
  bool hold = false;
};

struct PbxHealth {
  bool connected = false;
  std::string detail;  ///< e.g. "logged in to 127.0.0.1:5038", "reconnecting in 4 s"
};

class PbxConnector {
 public:
  virtual ~PbxConnector() = default;

  /// Begins delivering events to `on_event` (from the adapter's own thread). Returns an
  /// error if the adapter cannot start at all; a peer that is merely down is retried.
  virtual Result<void> start(CallEventHandler on_event) = 0;
  /// Stops delivering events; returns once no handler call is running.
  virtual void stop() = 0;

  /// Places a call from the agent's extension to already prepared dial digits
  /// (see DialPlan). Returns the PBX's call id.
  virtual Result<std::string> make_call(std::string_view extension, std::string_view digits) = 0;
  virtual Result<void> answer(std::string_view call_id) = 0;
  virtual Result<void> hangup(std::string_view call_id) = 0;
  virtual Result<void> hold(std::string_view call_id) = 0;
  virtual Result<void> retrieve(std::string_view call_id) = 0;

  virtual PbxCapabilities capabilities() const = 0;
  virtual PbxHealth health() const = 0;
};

}  // namespace cti
