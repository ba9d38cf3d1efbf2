#include "targets/chat/command.h"

#include <algorithm>

namespace parley::chat {
namespace {

std::string_view SkipSpaces(std::string_view s) {
  const std::size_t begin = s.find_first_not_of(' ');
  return begin == std::string_view::npos ? std::string_view() : s.substr(begin);
}

std::string_view TrimSpaces(std::string_view s) {
  s = SkipSpaces(s);
  const std::size_t end = s.find_last_not_of(' ');
  return end == std::string_view::npos ? std::string_view() : s.substr(0, end + 1);
}

// Splits "word rest" at the first space; `rest` starts after the spaces that follow the word.
void SplitWord(std::string_view s, std::string_view& word, std::string_view& rest) {
  const std::size_t space = s.find(' ');
  if (space == std::string_view::npos) {
    word = s;
    rest = {};
    return;
  }
  word = s.substr(0, space);
  rest = SkipSpaces(s.substr(space));
}

bool IsNickChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

}  // namespace

Command ParseCommand(std::string_view line) {
  if (line.empty() || line.front() != '/') return {CommandKind::kSay, {}, line};
  if (line.size() >= 2 && line[1] == '/') return {CommandKind::kSay, {}, line.substr(1)};

  std::string_view word;
  std::string_view args;
  SplitWord(line, word, args);
  if (word == "/nick") return {CommandKind::kNick, TrimSpaces(args), {}};
  if (word == "/who") return {CommandKind::kWho, {}, {}};
  if (word == "/me") return {CommandKind::kMe, {}, args};
  if (word == "/quit") return {CommandKind::kQuit, {}, args};
  if (word == "/msg") {
    Command command{CommandKind::kMsg, {}, {}};
    SplitWord(args, command.name, command.text);
    return command;
  }
  return {CommandKind::kUnknown, word, {}};
}

bool IsValidNick(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNickBytes &&
         std::all_of(name.begin(), name.end(), IsNickChar);
}

}  // namespace parley::chat
