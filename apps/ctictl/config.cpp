#include "config.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>

namespace ctictl {

cti::adapters::salesforce::Config load_salesforce_config(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw cti::ConfigError(path + ": cannot read the file");
  } catch (const YAML::Exception& error) {
    throw cti::ConfigError(path + ": " + error.what());
  }
  if (!root.IsMap() || !root["salesforce"]) {
    throw cti::ConfigError(path + ": no salesforce: section");
  }
  const std::string base = std::filesystem::absolute(path).parent_path().string();
  auto config = cti::adapters::salesforce::parse_config(root["salesforce"], base);
  if (!config) {
    throw cti::ConfigError(path + ": " + config.error().message);
  }
  return std::move(*config);
}

}  // namespace ctictl
