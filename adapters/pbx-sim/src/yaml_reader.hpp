#pragma once
// YamlReader: typed reads of yaml-cpp nodes whose errors carry the file, line, column and key
// ("inbound.yaml:7:18: calls[0].steps[1].at: must be a whole number of milliseconds").

#include "cti/result.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace cti::adapters::pbx_sim::detail {

/// Longest offset or duration a scenario or config may give: about eleven days.
inline constexpr std::uint64_t k_max_offset_ms = 1'000'000'000;

class YamlReader {
 public:
  explicit YamlReader(std::string_view source) : m_source(source) {}

  Unexpected error(const YAML::Node& node, std::string_view path, std::string_view message) const;

  /// A scalar (a null reads as ""), at most `max_length` bytes.
  Result<std::string> string(const YAML::Node& node, std::string_view path,
                             std::size_t max_length) const;
  /// A whole number in [min, max].
  Result<std::uint64_t> integer(const YAML::Node& node, std::string_view path, std::uint64_t min,
                                std::uint64_t max) const;
  /// A decimal number in [min, max].
  Result<double> number(const YAML::Node& node, std::string_view path, double min,
                        double max) const;
  /// The keys of a map are plain scalars and none is repeated (yaml-cpp keeps both silently).
  Result<void> check_keys(const YAML::Node& map, std::string_view path) const;

 private:
  std::string m_source;
};

}  // namespace cti::adapters::pbx_sim::detail
