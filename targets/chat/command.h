// ParseCommand: what one chat line asks for (see PROTOCOL.md). Purely syntactic: whether a nick
// is free or a member exists is the room's business.
//
// A line that does not start with '/' is text to relay; "//text" relays "/text". Otherwise the
// command word runs from the '/' to the first space; its arguments follow after one or more
// spaces. The views in a Command point into the parsed line.
#ifndef PARLEY_TARGETS_CHAT_COMMAND_H_
#define PARLEY_TARGETS_CHAT_COMMAND_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace parley::chat {

inline constexpr std::size_t kMaxNickBytes = 24;

enum class CommandKind : std::uint8_t {
  kSay,      // text: the line to relay
  kNick,     // name: the requested nick (trimmed of spaces; may be invalid)
  kWho,      // arguments are ignored
  kMe,       // text: the action (may be empty)
  kMsg,      // name: the recipient (may be empty); text: the message (may be empty)
  kQuit,     // text: the reason (empty when none)
  kUnknown,  // name: the command word with its '/', e.g. "/foo"
};

struct Command {
  CommandKind kind = CommandKind::kSay;
  std::string_view name;
  std::string_view text;
};

// REQUIRES: `line` is one framed line (no LF).
Command ParseCommand(std::string_view line);

// True when `name` is 1 to kMaxNickBytes of A-Z a-z 0-9 _ -.
bool IsValidNick(std::string_view name);

}  // namespace parley::chat

#endif  // PARLEY_TARGETS_CHAT_COMMAND_H_
