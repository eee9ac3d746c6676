#pragma once
// Reading the Salesforce settings for `ctictl sf ping` and `ctictl match`: the `salesforce:`
// section of a YAML file (the same file sfproxy reads; other sections are ignored here).

#include "cti/adapters/salesforce/salesforce_adapter.hpp"

#include <string>

namespace ctictl {

/// Loads `path` and parses its `salesforce:` section; relative paths inside are taken from
/// the file's folder. Throws cti::ConfigError with the file name and the key at fault.
cti::adapters::salesforce::Config load_salesforce_config(const std::string& path);

}  // namespace ctictl
