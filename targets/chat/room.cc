#include "targets/chat/room.h"

#include <initializer_list>

#include "targets/chat/command.h"

namespace parley::chat {
namespace {

SharedLine MakeLine(std::initializer_list<std::string_view> parts) {
  std::size_t size = 1;
  for (std::string_view part : parts)
    size += part.size();
  std::string text;
  text.reserve(size);
  for (std::string_view part : parts)
    text.append(part);
  text.push_back('\n');
  return std::make_shared<const std::string>(std::move(text));
}

}  // namespace

Room::Room(std::size_t max_members) : max_members_(max_members) {}

Room::Batch::Batch(Room& room) : room_(room) {
  room_.batching_ = true;
}

Room::Batch::~Batch() {
  room_.batching_ = false;
  room_.FlushChunk();
  room_.DropSlowMembers();
}

std::optional<MemberId> Room::Join(Outlet& outlet) {
  if (members_.size() >= max_members_) return std::nullopt;
  FlushChunk();  // what was said before the join is not for the newcomer
  const MemberId id = next_id_++;
  std::string nick = NextGuestNick();
  auto [it, inserted] = members_.emplace(id, Member{nick, &outlet});
  roster_stale_ = true;
  nicks_.emplace(nick, id);
  Log(nick + " joined");
  SendTo(id, it->second, MakeLine({"* welcome ", nick}));
  SendTo(id, it->second, OnlineLine());
  Broadcast(MakeLine({"* ", nick, " joined"}), id);
  DropSlowMembers();
  return id;
}

bool Room::Receive(MemberId id, const Frame& frame) {
  auto it = members_.find(id);
  if (it == members_.end()) return false;
  if (frame.error != FrameError::kNone) {
    SendTo(id, it->second, MakeLine({"! error ", ErrorText(frame.error)}));
  } else {
    HandleLine(id, it->second, frame.line);
  }
  DropSlowMembers();
  return members_.contains(id);
}

void Room::Leave(MemberId id, std::string_view reason) {
  Remove(id, reason, std::nullopt);
  DropSlowMembers();
}

void Room::Shutdown() {
  FlushChunk();
  const SharedLine line = MakeLine({"* server shutting down"});
  std::map<MemberId, Member> members;
  members.swap(members_);
  roster_.clear();
  roster_stale_ = false;
  nicks_.clear();
  slow_.clear();
  for (auto& [id, member] : members) {
    const bool delivered = member.outlet->Deliver(line);
    member.outlet->Close(delivered ? CloseMode::kFlush : CloseMode::kAbort);
  }
}

const std::string* Room::nick(MemberId id) const {
  auto it = members_.find(id);
  return it == members_.end() ? nullptr : &it->second.nick;
}

void Room::HandleLine(MemberId id, Member& member, std::string_view line) {
  const Command command = ParseCommand(line);
  switch (command.kind) {
    case CommandKind::kSay:
      Say({"<", member.nick, "> ", command.text}, id);
      return;
    case CommandKind::kNick:
      Rename(id, member, command.name);
      return;
    case CommandKind::kWho:
      SendTo(id, member, OnlineLine());
      return;
    case CommandKind::kMe:
      if (!command.text.empty()) Say({"* ", member.nick, " ", command.text}, id);
      return;
    case CommandKind::kMsg:
      PrivateMessage(id, member, command.name, command.text);
      return;
    case CommandKind::kQuit:
      Remove(id, command.text, CloseMode::kFlush);
      return;
    case CommandKind::kUnknown:
      SendTo(id, member, MakeLine({"! error unknown-command ", command.name}));
      return;
  }
}

void Room::Rename(MemberId id, Member& member, std::string_view name) {
  if (!IsValidNick(name)) {
    SendTo(id, member, MakeLine({"! error bad-nick"}));
    return;
  }
  if (name == member.nick) {
    SendTo(id, member, MakeLine({"* you are now ", name}));
    return;
  }
  if (nicks_.contains(name)) {
    SendTo(id, member, MakeLine({"! error nick-taken ", name}));
    return;
  }
  std::string old = std::move(member.nick);
  nicks_.erase(old);
  member.nick = std::string(name);
  nicks_.emplace(member.nick, id);
  Log(old + " is now " + member.nick);
  SendTo(id, member, MakeLine({"* you are now ", name}));
  Broadcast(MakeLine({"* ", old, " is now ", name}), id);
}

void Room::PrivateMessage(MemberId sender_id, Member& sender, std::string_view name,
                          std::string_view text) {
  if (!IsValidNick(name)) {
    SendTo(sender_id, sender, MakeLine({"! error bad-nick"}));
    return;
  }
  auto target = nicks_.find(name);
  if (target == nicks_.end()) {
    SendTo(sender_id, sender, MakeLine({"! error no-such-nick ", name}));
    return;
  }
  if (text.empty()) return;
  SendTo(target->second, members_.at(target->second), MakeLine({"*", sender.nick, "* ", text}));
}

void Room::Remove(MemberId id, std::string_view reason, std::optional<CloseMode> close) {
  auto it = members_.find(id);
  if (it == members_.end()) return;
  FlushChunk();  // what was said before the departure is still for the one leaving
  const std::string nick = std::move(it->second.nick);
  Outlet* outlet = it->second.outlet;
  nicks_.erase(nick);
  members_.erase(it);
  roster_stale_ = true;
  if (close) outlet->Close(*close);
  const SharedLine line = reason.empty() ? MakeLine({"* ", nick, " left"})
                                         : MakeLine({"* ", nick, " left (", reason, ")"});
  Log(std::string_view(*line).substr(2, line->size() - 3));
  Broadcast(line, std::nullopt);
}

void Room::SendTo(MemberId id, Member& member, const SharedLine& line) {
  FlushChunk();
  if (!member.outlet->Deliver(line)) slow_.push_back(id);
}

void Room::Broadcast(const SharedLine& line, std::optional<MemberId> except) {
  FlushChunk();
  Fanout(line, except);
}

void Room::Say(std::initializer_list<std::string_view> parts, std::optional<MemberId> except) {
  if (!batching_) {
    Broadcast(MakeLine(parts), except);
    return;
  }
  if (!chunk_.empty() && chunk_except_ != except) FlushChunk();
  chunk_except_ = except;
  for (std::string_view part : parts)
    chunk_.append(part);
  chunk_.push_back('\n');
  if (chunk_.size() >= kMaxChunkBytes) FlushChunk();
}

void Room::FlushChunk() {
  if (chunk_.empty()) return;
  const SharedLine chunk = std::make_shared<const std::string>(std::move(chunk_));
  chunk_.clear();  // moved-from: valid, now certainly empty
  Fanout(chunk, chunk_except_);
}

void Room::Fanout(const SharedLine& line, std::optional<MemberId> except) {
  if (roster_stale_) {
    roster_.clear();
    for (auto& [id, member] : members_)
      roster_.emplace_back(id, &member);
    roster_stale_ = false;
  }
  // A refusal only notes the member as slow; none leaves before the loop ends.
  for (auto& [id, member] : roster_) {
    if (id != except && !member->outlet->Deliver(line)) slow_.push_back(id);
  }
}

void Room::DropSlowMembers() {
  // Removing one member tells the others, which can find more slow members: loop until none.
  while (!slow_.empty()) {
    const MemberId id = slow_.back();
    slow_.pop_back();
    Remove(id, "too slow", CloseMode::kAbort);
  }
}

SharedLine Room::OnlineLine() const {
  std::string text = "* online:";
  for (const auto& [nick, id] : nicks_) {
    text.push_back(' ');
    text.append(nick);
  }
  text.push_back('\n');
  return std::make_shared<const std::string>(std::move(text));
}

std::string Room::NextGuestNick() {
  for (;;) {
    std::string nick = "guest" + std::to_string(next_guest_++);
    if (!nicks_.contains(nick)) return nick;
  }
}

void Room::Log(std::string_view event) const {
  if (log_) log_(event);
}

}  // namespace parley::chat
