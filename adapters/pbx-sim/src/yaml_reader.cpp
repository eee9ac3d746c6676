#include "yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

namespace cti::adapters::pbx_sim::detail {

Unexpected YamlReader::error(const YAML::Node& node, std::string_view path,
                             std::string_view message) const {
  // Appended piece by piece: g++ 12 at -O3 warns falsely (-Wrestrict) on "x" + to_string(n).
  std::string text = m_source;
  const YAML::Mark mark = node.Mark();
  if (mark.line >= 0) {
    text.append(1, ':').append(std::to_string(mark.line + 1));
    text.append(1, ':').append(std::to_string(mark.column + 1));
  }
  text.append(": ").append(path).append(": ").append(message);
  return Unexpected(ErrorCode::invalid_input, std::move(text));
}

Result<std::string> YamlReader::string(const YAML::Node& node, std::string_view path,
                                       std::size_t max_length) const {
  if (node.IsNull()) {
    return std::string();
  }
  if (!node.IsScalar()) {
    return error(node, path, "must be a single value, not a list or map");
  }
  const std::string& text = node.Scalar();
  if (text.size() > max_length) {
    return error(node, path, "longer than " + std::to_string(max_length) + " characters");
  }
  return text;
}

Result<std::uint64_t> YamlReader::integer(const YAML::Node& node, std::string_view path,
                                          std::uint64_t min, std::uint64_t max) const {
  if (!node.IsScalar()) {
    return error(node, path, "must be a whole number");
  }
  const std::string& text = node.Scalar();
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return error(node, path, "must be a whole number, got '" + text.substr(0, 40) + "'");
  }
  if (value < min || value > max) {
    return error(node, path, "must be between " + std::to_string(min) + " and " +
                                 std::to_string(max) + ", got " + text);
  }
  return value;
}

Result<double> YamlReader::number(const YAML::Node& node, std::string_view path, double min,
                                  double max) const {
  if (!node.IsScalar()) {
    return error(node, path, "must be a number");
  }
  const std::string& text = node.Scalar();
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return error(node, path, "must be a number, got '" + text.substr(0, 40) + "'");
  }
  if (value < min || value > max) {
    return error(node, path, "is out of range, got " + text);
  }
  return value;
}

Result<void> YamlReader::check_keys(const YAML::Node& map, std::string_view path) const {
  std::set<std::string, std::less<>> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) {
      return error(it->first, path, "keys must be plain names");
    }
    if (!seen.insert(it->first.Scalar()).second) {
      return error(it->first, std::string(path) + "." + it->first.Scalar(), "given twice");
    }
  }
  return {};
}

}  // namespace cti::adapters::pbx_sim::detail
