#pragma once
// AMI transcripts: what the fake AMI server plays. A transcript is AMI text as Asterisk sends
// it, plus a few directives:
//
//   # comment                       (whole line)
//   Key: Value                      a header; a blank line ends the packet
//   %expect <Action>                wait for the client to send <Action> and answer Success
//   %expect <Action> error <text>   ... and answer `Response: Error` with Message <text>
//   %garbage <text>                 send <text> as a line of its own (not a header)
//   %drop                           close the connection; the packets that follow happen while
//                                   the client is away (the server's channel list follows them)
//   %accept                         wait for the client to reconnect, log in and resync
//
// `${Name}` in a header value is replaced by header Name of the last %expect'ed action, so a
// transcript can answer an Originate with the ActionID and ChannelId the client chose.

#include "cti/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cti::adapters::asterisk_ami {

struct TranscriptStep {
  enum class Kind { packet, garbage, expect, drop, accept };
  Kind kind = Kind::packet;
  std::vector<std::pair<std::string, std::string>> headers;  ///< packet
  std::string text;           ///< garbage line, or the expected action's name
  bool reply_error = false;   ///< expect: answer with an error
  std::string reply_message;  ///< expect: the error's Message
  std::size_t line = 0;       ///< where it starts in the file, for messages
};

Result<std::vector<TranscriptStep>> parse_transcript(std::string_view text);
Result<std::vector<TranscriptStep>> load_transcript(const std::string& path);

/// The checked-in transcript `name` (e.g. "inbound_ivr_hold"), or `name` itself when it is a
/// path to an existing file.
std::string transcript_path(std::string_view name);

}  // namespace cti::adapters::asterisk_ami
