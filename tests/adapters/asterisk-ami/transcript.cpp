#include "adapters/asterisk-ami/transcript.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cti::adapters::asterisk_ami {
namespace {

std::string_view trim_line_end(std::string_view line) {
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  return line;
}

Unexpected bad_line(std::size_t line, const std::string& problem) {
  return fail(ErrorCode::invalid_input, "transcript line " + std::to_string(line) + ": " + problem);
}

}  // namespace

Result<std::vector<TranscriptStep>> parse_transcript(std::string_view text) {
  std::vector<TranscriptStep> steps;
  TranscriptStep packet;
  auto flush = [&] {
    if (!packet.headers.empty()) {
      steps.push_back(std::move(packet));
    }
    packet = TranscriptStep{};
  };
  std::size_t number = 0;
  std::size_t from = 0;
  while (from <= text.size()) {
    const std::size_t end = text.find('\n', from);
    const std::string_view raw =
        text.substr(from, end == std::string_view::npos ? std::string_view::npos : end - from);
    from = end == std::string_view::npos ? text.size() + 1 : end + 1;
    ++number;
    const std::string_view line = trim_line_end(raw);
    if (line.starts_with("#")) {
      continue;
    }
    if (line.empty()) {
      flush();
      continue;
    }
    if (line.starts_with("%")) {
      flush();
      TranscriptStep step;
      step.line = number;
      std::istringstream words{std::string(line.substr(1))};
      std::string directive;
      words >> directive;
      if (directive == "expect") {
        step.kind = TranscriptStep::Kind::expect;
        words >> step.text;
        std::string mode;
        words >> mode;
        if (step.text.empty()) {
          return bad_line(number, "%expect needs an action name");
        }
        if (mode == "error") {
          step.reply_error = true;
          std::getline(words >> std::ws, step.reply_message);
        } else if (!mode.empty()) {
          return bad_line(number, "%expect takes `error <message>` or nothing after the action");
        }
      } else if (directive == "garbage") {
        step.kind = TranscriptStep::Kind::garbage;
        const std::size_t at = line.find("garbage");
        step.text = std::string(line.substr(at + 8 <= line.size() ? at + 8 : line.size()));
      } else if (directive == "drop") {
        step.kind = TranscriptStep::Kind::drop;
      } else if (directive == "accept") {
        step.kind = TranscriptStep::Kind::accept;
      } else {
        return bad_line(number, "unknown directive %" + directive);
      }
      steps.push_back(std::move(step));
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return bad_line(number, "expected `Key: Value`, a directive or a blank line");
    }
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') {
      value.remove_prefix(1);
    }
    if (packet.headers.empty()) {
      packet.line = number;
    }
    packet.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  flush();
  return steps;
}

Result<std::vector<TranscriptStep>> load_transcript(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ErrorCode::not_found, "cannot read transcript " + path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  Result<std::vector<TranscriptStep>> steps = parse_transcript(text.str());
  if (!steps) {
    return fail(steps.error().code, path + ": " + steps.error().message);
  }
  return steps;
}

std::string transcript_path(std::string_view name) {
  if (std::filesystem::is_regular_file(std::filesystem::path(name))) {
    return std::string(name);
  }
  return std::string(CTI_AMI_TRANSCRIPT_DIR) + "/" + std::string(name) + ".txt";
}

}  // namespace cti::adapters::asterisk_ami
