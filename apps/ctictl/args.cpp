#include "args.hpp"

#include <algorithm>
#include <sstream>

namespace ctictl {
namespace {

const OptionSpec* find_spec(const std::vector<OptionSpec>& specs, std::string_view name) {
  auto it = std::find_if(specs.begin(), specs.end(),
                         [&](const OptionSpec& spec) { return spec.name == name; });
  return it == specs.end() ? nullptr : &*it;
}

}  // namespace

cti::Result<Args> Args::parse(const std::vector<std::string>& argv,
                              const std::vector<OptionSpec>& specs) {
  Args args;
  bool options_done = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      args.m_positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      args.m_help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      return cti::fail(cti::ErrorCode::invalid_input, "unknown option '" + arg + "'");
    }
    std::string_view body = std::string_view(arg).substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = body.find('='); eq != std::string_view::npos) {
      inline_value = std::string(body.substr(eq + 1));
      body = body.substr(0, eq);
    }
    const OptionSpec* spec = find_spec(specs, body);
    if (spec == nullptr) {
      return cti::fail(cti::ErrorCode::invalid_input, "unknown option '--" + std::string(body) + "'");
    }
    if (spec->value.empty()) {
      if (inline_value) {
        return cti::fail(cti::ErrorCode::invalid_input,
                         "option '--" + std::string(body) + "' takes no value");
      }
      args.m_values[std::string(body)] = "";
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argv.size()) {
        return cti::fail(cti::ErrorCode::invalid_input,
                         "option '--" + std::string(body) + "' needs a value (" +
                             std::string(spec->value) + ")");
      }
      inline_value = argv[++i];
    }
    args.m_values[std::string(body)] = std::move(*inline_value);
  }
  return args;
}

bool Args::flag(std::string_view name) const { return m_values.find(name) != m_values.end(); }

std::optional<std::string> Args::value(std::string_view name) const {
  auto it = m_values.find(name);
  if (it == m_values.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::string Args::value_or(std::string_view name, std::string fallback) const {
  auto found = value(name);
  return found ? *found : std::move(fallback);
}

std::string format_help(std::string_view usage, std::string_view summary,
                        const std::vector<OptionSpec>& specs) {
  std::ostringstream out;
  out << "usage: ctictl " << usage << "\n\n" << summary << "\n\noptions:\n";
  std::size_t width = 6;  // "--help"
  for (const auto& spec : specs) {
    width = std::max(width, spec.name.size() + 2 + (spec.value.empty() ? 0 : spec.value.size() + 1));
  }
  auto line = [&](std::string left, std::string_view help) {
    out << "  " << left << std::string(width + 2 - left.size(), ' ') << help << "\n";
  };
  for (const auto& spec : specs) {
    std::string left = "--" + std::string(spec.name);
    if (!spec.value.empty()) {
      left += " " + std::string(spec.value);
    }
    line(std::move(left), spec.help);
  }
  line("--help", "show this help");
  return out.str();
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      items.emplace_back(item);
    }
    start = end + 1;
  }
  return items;
}

}  // namespace ctictl
