#include "harness/fuzz/chat_room_model.h"

#include <algorithm>
#include <string>
#include <utility>

#include "harness/fuzz/fuzz_support.h"

namespace parley::fuzz {
namespace {

// "Arguments follow after one or more spaces": the text after the spaces that start `rest`.
std::string_view SkipSpaces(std::string_view rest) {
  const std::size_t start = rest.find_first_not_of(' ');
  return start == std::string_view::npos ? std::string_view() : rest.substr(start);
}

}  // namespace

bool ModelValidNick(std::string_view name) {
  if (name.empty() || name.size() > ChatRoomModel::kMaxNickBytes) return false;
  return std::all_of(name.begin(), name.end(), [](char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-';
  });
}

std::optional<std::size_t> ChatRoomModel::Join() {
  if (size() >= max_members_) return std::nullopt;
  std::string nick = "guest" + std::to_string(next_guest_++);
  while (Find(nick))
    nick = "guest" + std::to_string(next_guest_++);
  const std::size_t c = connections_.size();
  Connection connection;
  connection.nick = nick;
  connections_.push_back(std::move(connection));
  SendTo(c, "* welcome " + nick);
  SendTo(c, OnlineLine());
  SendToOthers(c, "* " + nick + " joined");
  return c;
}

bool ChatRoomModel::Receive(std::size_t c, std::string_view bytes) {
  Connection* from = &connections_[c];
  while (from->member && !bytes.empty()) {
    const std::size_t lf = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, lf);
    bytes.remove_prefix(lf == std::string_view::npos ? bytes.size() : lf + 1);
    if (!from->discarding) from->partial += piece;
    // A line may hold kMaxLineBytes - 1 bytes before its LF; past that it is answered at once.
    if (!from->discarding && from->partial.size() > kMaxLineBytes - 1) {
      from->partial.clear();
      from->discarding = true;
      SendTo(c, "! error line-too-long");
    }
    if (lf == std::string_view::npos) break;
    if (from->discarding) {
      from->discarding = false;
      continue;
    }
    std::string line = std::move(from->partial);
    from->partial.clear();
    HandleLine(c, std::move(line));
    from = &connections_[c];
  }
  return from->member;
}

void ChatRoomModel::EndOfInput(std::size_t c) {
  Connection& from = connections_[c];
  if (!from.member) return;
  std::string last = std::move(from.partial);
  from.partial.clear();
  const bool discarding = from.discarding;
  from.discarding = false;
  if (!discarding) HandleLine(c, std::move(last));
  if (connections_[c].member) Depart(c, {});
}

void ChatRoomModel::Leave(std::size_t c, std::string_view reason) {
  if (connections_[c].member) Depart(c, reason);
}

void ChatRoomModel::Shutdown() {
  for (Connection& connection : connections_) {
    if (!connection.member) continue;
    connection.sent += "* server shutting down\n";
    connection.member = false;
    connection.closed = true;
  }
}

std::size_t ChatRoomModel::size() const {
  return static_cast<std::size_t>(
      std::count_if(connections_.begin(), connections_.end(),
                    [](const Connection& connection) { return connection.member; }));
}

void ChatRoomModel::HandleLine(std::size_t c, std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return;
  if (!ReferenceUtf8(line)) {
    SendTo(c, "! error invalid-utf8");
    return;
  }
  const std::string& nick = connections_[c].nick;
  if (line[0] != '/') {
    SendToOthers(c, "<" + nick + "> " + line);
  } else if (line.size() > 1 && line[1] == '/') {
    SendToOthers(c, "<" + nick + "> " + line.substr(1));
  } else {
    HandleCommand(c, line);
  }
}

void ChatRoomModel::HandleCommand(std::size_t c, std::string_view line) {
  const std::string_view word = line.substr(0, line.find(' '));
  const std::string_view args = SkipSpaces(line.substr(word.size()));
  const std::string nick = connections_[c].nick;
  if (word == "/nick") {
    Nick(c, args.substr(0, args.find_last_not_of(' ') + 1));
  } else if (word == "/who") {
    SendTo(c, OnlineLine());
  } else if (word == "/me") {
    if (!args.empty()) SendToOthers(c, "* " + nick + " " + std::string(args));
  } else if (word == "/msg") {
    Msg(c, args);
  } else if (word == "/quit") {
    connections_[c].closed = true;
    Depart(c, args);
  } else {
    SendTo(c, "! error unknown-command " + std::string(word));
  }
}

void ChatRoomModel::Nick(std::size_t c, std::string_view name) {
  if (!ModelValidNick(name)) {
    SendTo(c, "! error bad-nick");
    return;
  }
  const std::optional<std::size_t> holder = Find(name);
  if (holder && *holder != c) {
    SendTo(c, "! error nick-taken " + std::string(name));
    return;
  }
  SendTo(c, "* you are now " + std::string(name));
  if (holder) return;  // the sender's own nick: nobody else is told
  const std::string old = connections_[c].nick;
  connections_[c].nick = name;
  SendToOthers(c, "* " + old + " is now " + std::string(name));
}

void ChatRoomModel::Msg(std::size_t c, std::string_view args) {
  const std::string_view name = args.substr(0, args.find(' '));
  const std::string_view text = SkipSpaces(args.substr(name.size()));
  if (!ModelValidNick(name)) {
    SendTo(c, "! error bad-nick");
    return;
  }
  const std::optional<std::size_t> to = Find(name);
  if (!to) {
    SendTo(c, "! error no-such-nick " + std::string(name));
    return;
  }
  if (!text.empty()) SendTo(*to, "*" + connections_[c].nick + "* " + std::string(text));
}

void ChatRoomModel::Depart(std::size_t c, std::string_view reason) {
  connections_[c].member = false;
  connections_[c].partial.clear();
  const std::string notice = "* " + connections_[c].nick + " left";
  SendToOthers(c, reason.empty() ? notice : notice + " (" + std::string(reason) + ")");
}

void ChatRoomModel::SendTo(std::size_t c, std::string_view line) {
  std::string& sent = connections_[c].sent;
  sent += line;
  sent += '\n';
}

void ChatRoomModel::SendToOthers(std::size_t c, std::string_view line) {
  for (std::size_t other = 0; other < connections_.size(); ++other) {
    if (other != c && connections_[other].member) SendTo(other, line);
  }
}

std::optional<std::size_t> ChatRoomModel::Find(std::string_view nick) const {
  for (std::size_t c = 0; c < connections_.size(); ++c) {
    if (connections_[c].member && connections_[c].nick == nick) return c;
  }
  return std::nullopt;
}

std::string ChatRoomModel::OnlineLine() const {
  std::vector<std::string> nicks;
  for (const Connection& connection : connections_) {
    if (connection.member) nicks.push_back(connection.nick);
  }
  std::sort(nicks.begin(), nicks.end());  // byte order: nicks are ASCII
  std::string line = "* online:";
  for (const std::string& nick : nicks)
    line += " " + nick;
  return line;
}

}  // namespace parley::fuzz
