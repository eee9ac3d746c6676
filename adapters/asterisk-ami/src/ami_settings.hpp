#pragma once
// Config -> what the connector and the mapper need at run time (private to the adapter).

#include "ami_event_mapper.hpp"

#include "cti/adapters/asterisk_ami/asterisk_ami_adapter.hpp"
#include "cti/result.hpp"

#include <string>

namespace cti::adapters::asterisk_ami {

/// The secret from whichever of secret / secret_file / secret_env is set.
Result<std::string> resolve_secret(const Config& config);

/// Compiles the channel pattern and copies the agent and IVR settings.
Result<MapperSettings> make_mapper_settings(const Config& config);

}  // namespace cti::adapters::asterisk_ami
