#include "cti/adapters/pbx_sim/scenario.hpp"

#include "simulation.hpp"
#include "yaml_reader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace cti::adapters::pbx_sim {
namespace {

using detail::Millis;
using detail::YamlReader;
using detail::k_max_offset_ms;

constexpr std::size_t k_max_load_list = 100000;  // extensions, ANIs or IVR values in a profile

/// The call fields a call sets once and a step may override.
struct CallFields {
  std::string extension;
  std::string ani;
  std::string dnis;
  std::string ivr_data;
  std::string transfer_target;
  CallDirection direction = CallDirection::inbound;
  EndReason end_reason = EndReason::none;
  bool end_reason_set = false;
  bool transfer_target_set = false;
};

bool printable(std::string_view text, bool allow_space) {
  return std::all_of(text.begin(), text.end(), [&](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x80 || (byte > 0x20 && byte < 0x7f) || (allow_space && byte == 0x20);
  });
}

/// Reads a bounded string field shared by calls and steps; returns false when `key` is not
/// a call field.
Result<bool> read_call_field(const YamlReader& reader, const YAML::Node& value,
                             const std::string& key, const std::string& path, CallFields& fields) {
  struct Text {
    std::string_view key;
    std::string* target;
    std::size_t max;
    bool allow_space;
  };
  const Text texts[] = {
      {"extension", &fields.extension, k_max_extension, false},
      {"ani", &fields.ani, k_max_number, true},
      {"dnis", &fields.dnis, k_max_number, true},
      {"ivr_data", &fields.ivr_data, k_max_ivr_data, true},
      {"transfer_target", &fields.transfer_target, k_max_number, true},
  };
  for (const auto& text : texts) {
    if (key != text.key) {
      continue;
    }
    *text.target = CTI_TRY(reader.string(value, path, text.max));
    if (!printable(*text.target, text.allow_space)) {
      return reader.error(value, path,
                          text.allow_space ? "control characters are not allowed"
                                           : "spaces and control characters are not allowed");
    }
    if (key == "transfer_target") {
      fields.transfer_target_set = true;
    }
    return true;
  }
  if (key == "direction") {
    auto direction = parse_call_direction(CTI_TRY(reader.string(value, path, 16)));
    if (!direction) {
      return reader.error(value, path, direction.error().message);
    }
    fields.direction = *direction;
    return true;
  }
  if (key == "end_reason") {
    auto reason = parse_end_reason(CTI_TRY(reader.string(value, path, 32)));
    if (!reason) {
      return reader.error(value, path, reason.error().message);
    }
    fields.end_reason = *reason;
    fields.end_reason_set = true;
    return true;
  }
  return false;
}

Result<void> read_calls(const YamlReader& reader, const YAML::Node& calls, Scenario& scenario) {
  if (!calls.IsSequence()) {
    return reader.error(calls, "calls", "must be a list of calls");
  }
  std::set<std::string, std::less<>> call_ids;
  for (std::size_t c = 0; c < calls.size(); ++c) {
    const YAML::Node call = calls[c];
    const std::string call_path = "calls[" + std::to_string(c) + "]";
    if (!call.IsMap()) {
      return reader.error(call, call_path, "must be a map with call fields and steps");
    }
    CTI_TRY(reader.check_keys(call, call_path));
    std::string call_id = "call-" + std::to_string(c + 1);
    CallFields defaults;
    YAML::Node steps;
    for (auto it = call.begin(); it != call.end(); ++it) {
      const std::string key = it->first.Scalar();
      const std::string path = call_path + "." + key;
      if (key == "call_id") {
        call_id = CTI_TRY(reader.string(it->second, path, k_max_call_id));
        if (call_id.empty() || !printable(call_id, false)) {
          return reader.error(it->second, path, "must be 1 to 128 printable characters, no spaces");
        }
      } else if (key == "steps") {
        steps = it->second;
      } else if (!CTI_TRY(read_call_field(reader, it->second, key, path, defaults))) {
        return reader.error(it->first, path,
                            "unknown key; a call has call_id, extension, ani, dnis, ivr_data, "
                            "direction, end_reason, transfer_target and steps");
      }
    }
    if (!call_ids.insert(call_id).second) {
      return reader.error(call, call_path + ".call_id", "call id '" + call_id + "' is used twice");
    }
    if (!steps || !steps.IsSequence() || steps.size() == 0) {
      return reader.error(steps ? steps : call, call_path + ".steps",
                          "needs a non-empty list of steps");
    }

    std::optional<CallState> state;
    Millis previous{0};
    for (std::size_t s = 0; s < steps.size(); ++s) {
      const YAML::Node step = steps[s];
      const std::string step_path = call_path + ".steps[" + std::to_string(s) + "]";
      if (!step.IsMap()) {
        return reader.error(step, step_path, "must be a map like {at: 0, event: ringing}");
      }
      CTI_TRY(reader.check_keys(step, step_path));
      CallFields fields = defaults;
      fields.end_reason_set = false;
      fields.transfer_target_set = false;
      std::optional<Millis> at;
      std::optional<CallEventType> type;
      YAML::Node event_node;
      for (auto it = step.begin(); it != step.end(); ++it) {
        const std::string key = it->first.Scalar();
        const std::string path = step_path + "." + key;
        if (key == "at") {
          at = Millis(static_cast<Millis::rep>(CTI_TRY(reader.integer(it->second, path, 0, k_max_offset_ms))));
        } else if (key == "event") {
          event_node = it->second;
          auto parsed = parse_call_event_type(CTI_TRY(reader.string(it->second, path, 32)));
          if (!parsed) {
            return reader.error(it->second, path, parsed.error().message);
          }
          type = *parsed;
        } else if (!CTI_TRY(read_call_field(reader, it->second, key, path, fields))) {
          return reader.error(it->first, path,
                              "unknown key; a step has at, event and any call field");
        }
      }
      if (!at) {
        return reader.error(step, step_path + ".at", "missing (milliseconds from the start)");
      }
      if (!type) {
        return reader.error(step, step_path + ".event", "missing");
      }
      if (*at < previous) {
        return reader.error(step, step_path + ".at",
                            "steps of a call must be in time order (" + std::to_string(at->count()) +
                                " comes after " + std::to_string(previous.count()) + ")");
      }
      if (!detail::transition_allowed(state, *type)) {
        return reader.error(event_node, step_path + ".event",
                            std::string(to_string(*type)) + " cannot follow " +
                                (state ? std::string(to_string(*state))
                                       : "the start of a call (a call starts with offering, "
                                         "ringing or dialing)"));
      }
      if (fields.extension.empty()) {
        return reader.error(step, step_path + ".extension", "missing (set it on the call or the step)");
      }
      if (fields.end_reason_set && *type != CallEventType::disconnected) {
        return reader.error(step, step_path + ".end_reason", "only a disconnected step has one");
      }
      if (*type == CallEventType::transferred && fields.transfer_target.empty()) {
        return reader.error(step, step_path + ".transfer_target", "a transferred step needs one");
      }
      if (fields.transfer_target_set && *type != CallEventType::transferred) {
        return reader.error(step, step_path + ".transfer_target",
                            "only a transferred step has one");
      }
      previous = *at;
      state = detail::state_after(*type);

      ScenarioStep out;
      out.at = *at;
      out.event.type = *type;
      out.event.call_id = call_id;
      out.event.extension = fields.extension;
      out.event.ani = fields.ani;
      out.event.dnis = fields.dnis;
      out.event.ivr_data = fields.ivr_data;
      out.event.direction = fields.direction;
      out.event.transfer_target = *type == CallEventType::transferred ? fields.transfer_target : "";
      out.event.end_reason = *type == CallEventType::disconnected ? fields.end_reason : EndReason::none;
      scenario.steps.push_back(std::move(out));
    }
  }
  // Stable: steps at the same moment keep the order of the file.
  std::stable_sort(scenario.steps.begin(), scenario.steps.end(),
                   [](const ScenarioStep& a, const ScenarioStep& b) { return a.at < b.at; });
  return {};
}

Result<std::vector<std::string>> read_list(const YamlReader& reader, const YAML::Node& node,
                                           const std::string& path, std::size_t max_length) {
  if (!node.IsSequence()) {
    return reader.error(node, path, "must be a list");
  }
  if (node.size() > k_max_load_list) {
    return reader.error(node, path, "has more than 100000 entries");
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    std::string value = CTI_TRY(reader.string(node[i], item_path, max_length));
    if (!printable(value, true)) {
      return reader.error(node[i], item_path, "control characters are not allowed");
    }
    out.push_back(std::move(value));
  }
  return out;
}

/// "100-149" -> 100 ... 149, keeping the width of zero-padded numbers ("0100-0149").
Result<std::vector<std::string>> expand_range(const YamlReader& reader, const YAML::Node& node,
                                              const std::string& path) {
  const std::string text = node.Scalar();
  const auto dash = text.find('-');
  auto digits_only = [](std::string_view part) {
    return !part.empty() && part.size() <= 9 &&
           std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (dash == std::string::npos || !digits_only(std::string_view(text).substr(0, dash)) ||
      !digits_only(std::string_view(text).substr(dash + 1))) {
    return reader.error(node, path, "must be a list or a range like \"100-149\", got '" +
                                        text.substr(0, 40) + "'");
  }
  const std::string first_text = text.substr(0, dash);
  const unsigned long first = std::stoul(first_text);
  const unsigned long last = std::stoul(text.substr(dash + 1));
  if (last < first || last - first >= k_max_load_list) {
    return reader.error(node, path, "range must go up and hold at most 100000 extensions");
  }
  const std::size_t width = first_text.size() > 1 && first_text[0] == '0' ? first_text.size() : 0;
  std::vector<std::string> out;
  for (unsigned long n = first; n <= last; ++n) {
    std::string value = std::to_string(n);
    if (value.size() < width) {
      value.insert(0, width - value.size(), '0');
    }
    out.push_back(std::move(value));
  }
  return out;
}

Result<DurationRange> read_duration(const YamlReader& reader, const YAML::Node& node,
                                    const std::string& path) {
  DurationRange range;
  if (node.IsScalar()) {
    range.min = Millis(static_cast<Millis::rep>(CTI_TRY(reader.integer(node, path, 0, k_max_offset_ms))));
    range.max = range.min;
    return range;
  }
  if (!node.IsMap()) {
    return reader.error(node, path, "must be milliseconds or {min: MS, max: MS}");
  }
  CTI_TRY(reader.check_keys(node, path));
  bool have_min = false;
  bool have_max = false;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.Scalar();
    const auto value = Millis(static_cast<Millis::rep>(
        CTI_TRY(reader.integer(it->second, path + "." + key, 0, k_max_offset_ms))));
    if (key == "min") {
      range.min = value;
      have_min = true;
    } else if (key == "max") {
      range.max = value;
      have_max = true;
    } else {
      return reader.error(it->first, path + "." + key, "unknown key; expected min and max");
    }
  }
  if (!have_min || !have_max || range.max < range.min) {
    return reader.error(node, path, "needs min and max with min <= max");
  }
  return range;
}

Result<LoadProfile> read_load(const YamlReader& reader, const YAML::Node& node,
                              std::string_view base_dir) {
  if (!node.IsMap()) {
    return reader.error(node, "load", "must be a map");
  }
  CTI_TRY(reader.check_keys(node, "load"));
  LoadProfile load;
  bool have_rate = false;
  YAML::Node anis_node;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.Scalar();
    const std::string path = "load." + key;
    const YAML::Node value = it->second;
    if (key == "calls_per_second") {
      load.calls_per_second = CTI_TRY(reader.number(value, path, 0.001, 10000.0));
      have_rate = true;
    } else if (key == "calls") {
      load.calls = CTI_TRY(reader.integer(value, path, 0, 100000000));
    } else if (key == "start_at") {
      load.start_at = Millis(static_cast<Millis::rep>(CTI_TRY(reader.integer(value, path, 0, k_max_offset_ms))));
    } else if (key == "extensions") {
      load.extensions = value.IsScalar() ? CTI_TRY(expand_range(reader, value, path))
                                         : CTI_TRY(read_list(reader, value, path, k_max_extension));
      for (const auto& extension : load.extensions) {
        if (extension.empty() || !printable(extension, false)) {
          return reader.error(value, path, "extensions must be non-empty, without spaces");
        }
      }
    } else if (key == "anis") {
      load.anis = CTI_TRY(read_list(reader, value, path, k_max_number));
      anis_node = value;
    } else if (key == "ani_file") {
      std::filesystem::path file(CTI_TRY(reader.string(value, path, 4096)));
      if (file.is_relative()) {
        file = std::filesystem::path(std::string(base_dir)) / file;
      }
      auto numbers = load_number_list(file.string());
      if (!numbers) {
        return reader.error(value, path, numbers.error().message);
      }
      load.anis = std::move(*numbers);
      anis_node = value;
    } else if (key == "ivr_data") {
      load.ivr_data = CTI_TRY(read_list(reader, value, path, k_max_ivr_data));
    } else if (key == "dnis") {
      load.dnis = CTI_TRY(reader.string(value, path, k_max_number));
    } else if (key == "ring_ms") {
      load.ring = CTI_TRY(read_duration(reader, value, path));
    } else if (key == "talk_ms") {
      load.talk = CTI_TRY(read_duration(reader, value, path));
    } else if (key == "seed") {
      load.seed = CTI_TRY(reader.integer(value, path, 0, std::numeric_limits<std::uint64_t>::max()));
    } else if (key == "call_id_prefix") {
      load.call_id_prefix = CTI_TRY(reader.string(value, path, 64));
      if (!printable(load.call_id_prefix, false)) {
        return reader.error(value, path, "no spaces or control characters");
      }
    } else {
      return reader.error(it->first, path,
                          "unknown key; load has calls_per_second, calls, start_at, extensions, "
                          "anis, ani_file, ivr_data, dnis, ring_ms, talk_ms, seed, call_id_prefix");
    }
  }
  if (!have_rate) {
    return reader.error(node, "load.calls_per_second", "missing");
  }
  if (load.extensions.empty()) {
    return reader.error(node, "load.extensions", "missing or empty");
  }
  if (load.anis.empty()) {
    return reader.error(anis_node ? anis_node : node, "load.anis",
                        "missing or empty (give anis or ani_file)");
  }
  return load;
}

}  // namespace

Result<Scenario> parse_scenario(std::string_view yaml_text, std::string_view source_name,
                                std::string_view base_dir) {
  const YamlReader reader(source_name);
  try {
    const YAML::Node root = YAML::Load(std::string(yaml_text));
    if (!root || root.IsNull()) {
      return fail(ErrorCode::invalid_input, std::string(source_name) + ": the scenario is empty");
    }
    if (!root.IsMap()) {
      return reader.error(root, "scenario", "must be a map with `calls` and/or `load`");
    }
    CTI_TRY(reader.check_keys(root, "scenario"));
    Scenario scenario;
    bool have_calls = false;
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (key == "calls") {
        CTI_TRY(read_calls(reader, it->second, scenario));
        have_calls = true;
      } else if (key == "load") {
        scenario.load = CTI_TRY(read_load(reader, it->second, base_dir));
      } else {
        return reader.error(it->first, key, "unknown key; a scenario has calls and load");
      }
    }
    if (!have_calls && !scenario.load) {
      return reader.error(root, "scenario", "has neither calls nor load");
    }
    return scenario;
  } catch (const YAML::Exception& error) {
    return fail(ErrorCode::invalid_input, std::string(source_name) + ":" +
                                              std::to_string(error.mark.line + 1) + ":" +
                                              std::to_string(error.mark.column + 1) +
                                              ": not valid YAML: " + error.msg);
  }
}

Result<Scenario> load_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ErrorCode::not_found, "cannot read scenario file '" + path + "'");
  }
  std::ostringstream text;
  text << in.rdbuf();
  const std::string base = std::filesystem::path(path).parent_path().string();
  return parse_scenario(text.str(), path, base.empty() ? "." : base);
}

Result<std::vector<std::string>> load_number_list(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return fail(ErrorCode::not_found, "cannot read number list '" + path + "'");
  }
  std::vector<std::string> numbers;
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') {
      continue;
    }
    const auto last = line.find_last_not_of(" \t");
    std::string number = line.substr(first, last - first + 1);
    if (number.size() > k_max_number || !printable(number, true)) {
      return fail(ErrorCode::invalid_input, path + ":" + std::to_string(line_number) +
                                                ": not a number of at most 64 printable characters");
    }
    if (numbers.size() >= k_max_load_list) {
      return fail(ErrorCode::invalid_input, path + ": more than 100000 numbers");
    }
    numbers.push_back(std::move(number));
  }
  return numbers;
}

}  // namespace cti::adapters::pbx_sim
