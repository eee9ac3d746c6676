#pragma once
// ProxyStack: every part of a running sfproxy, built from a configuration, started in order
// and stopped in the reverse order. The daemon runs one; integration tests run one in-process
// with a PBX or agent directory of their own.

#include "sfproxy_config.hpp"

#include "agent_directory.hpp"
#include "log.hpp"
#include "net/http_server.hpp"
#include "proxy_service.hpp"
#include "router.hpp"
#include "workers.hpp"

#include "cti/result.hpp"

#include <cstdint>
#include <memory>

namespace sfproxy {

/// What a caller may supply instead of what the configuration would make.
struct StackParts {
  std::unique_ptr<cti::PbxConnector> pbx;          ///< instead of config.make_pbx
  std::unique_ptr<AgentDirectory> directory;       ///< instead of the SQLite file
  std::shared_ptr<cti::app::Log> log;              ///< default: stderr at the configured level
};

class ProxyStack {
 public:
  /// Builds and starts everything. Configuration-type failures (a bad certificate, an
  /// unusable database, a port in use) come back as errors naming the cause.
  static cti::Result<std::unique_ptr<ProxyStack>> start(SfproxyConfig config, StackParts parts = {});
  ~ProxyStack();
  ProxyStack(const ProxyStack&) = delete;
  ProxyStack& operator=(const ProxyStack&) = delete;

  /// Stops accepting, closes streams, stops the PBX link and finishes pending work.
  void stop();

  std::uint16_t port() const;
  ProxyService& service();
  AgentDirectory& directory();
  cti::PbxConnector& pbx();

 private:
  ProxyStack() = default;
  struct Parts;
  std::unique_ptr<Parts> m_parts;
};

}  // namespace sfproxy
