#pragma once
// A PBX connector whose call events a test emits by hand, for tests that run the whole proxy.
// It records the numbers dialled and says it can answer, hold and retrieve (not answer: the
// flags match a typical AMI set-up, so 501 paths stay testable).

#include "cti/pbx_connector.hpp"

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cti::testing {

class HandPbx final : public cti::PbxConnector {
 public:
  cti::Result<void> start(cti::CallEventHandler on_event) override {
    std::lock_guard lock(m_mutex);
    m_on_event = std::move(on_event);
    return {};
  }
  void stop() override {
    std::lock_guard lock(m_mutex);
    m_on_event = nullptr;
  }
  /// Delivers the event as the adapter's thread would; dropped before start() or after stop().
  void emit(cti::CallEvent event) {
    std::lock_guard lock(m_mutex);
    if (m_on_event) {
      m_on_event(event);
    }
  }
  cti::Result<std::string> make_call(std::string_view extension, std::string_view digits) override {
    std::lock_guard lock(m_mutex);
    m_dialled.push_back(std::string(extension) + ">" + std::string(digits));
    return std::string("out-1");
  }
  cti::Result<void> answer(std::string_view) override { return {}; }
  cti::Result<void> hangup(std::string_view) override { return {}; }
  cti::Result<void> hold(std::string_view) override { return {}; }
  cti::Result<void> retrieve(std::string_view) override { return {}; }
  cti::PbxCapabilities capabilities() const override { return {true, false, true, true}; }
  cti::PbxHealth health() const override { return {true, "hand-driven"}; }

  /// "<extension>><digits>" per make_call, oldest first.
  std::vector<std::string> dialled() const {
    std::lock_guard lock(m_mutex);
    return m_dialled;
  }

 private:
  mutable std::mutex m_mutex;
  cti::CallEventHandler m_on_event;
  std::vector<std::string> m_dialled;
};

/// A ringing inbound call at extension 137.
inline cti::CallEvent ringing(std::string call_id, std::string ani, std::string ivr) {
  cti::CallEvent event;
  event.type = cti::CallEventType::ringing;
  event.call_id = std::move(call_id);
  event.extension = "137";
  event.ani = std::move(ani);
  event.dnis = "8005550100";
  event.ivr_data = std::move(ivr);
  return event;
}

}  // namespace cti::testing
