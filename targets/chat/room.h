// Room: the chat room's members, nicks and rules (PROTOCOL.md), with no I/O. Connections feed
// it framed lines; it answers by delivering lines to the members' outlets.
//
// Each line the room sends is encoded once and shared by all its recipients. A member whose
// outlet refuses a line (queue over its bound) is removed as too slow: its outlet is closed with
// kAbort and the others get "* NICK left (too slow)", before the call that caused it returns.
//
// Batches: a connection that has read several lines at once frames them inside a Batch. Lines
// said (plain text and /me) in a row to the same recipients are then joined into one shared
// chunk, delivered when the run ends: before any other delivery or membership change, when the
// chunk reaches kMaxChunkBytes, or when the batch ends. Every member still gets the same lines
// in the same order; a hundred listeners cost one queue entry each per read instead of one per
// line. Members found too slow while a chunk is delivered are removed once the frame that
// delivered it is handled, or when the batch ends.
//
// Not thread-safe: one thread drives a room and all its outlets.
#ifndef PARLEY_TARGETS_CHAT_ROOM_H_
#define PARLEY_TARGETS_CHAT_ROOM_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "targets/chat/line_framer.h"
#include "targets/chat/outlet.h"

namespace parley::chat {

using MemberId = std::uint64_t;

// What a connection refused by Join sends before it closes.
inline constexpr std::string_view kServerFullLine = "! error server-full\n";

class Room {
 public:
  explicit Room(std::size_t max_members);
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  // Adds a member named guestN (the lowest N not yet handed out this run and not in use), sends
  // it the welcome and the online list, and tells the others. Returns nullopt when the room is
  // full. REQUIRES: `outlet` stays valid until the member leaves or the room closes it. The
  // outlet may be closed (too slow) before Join returns.
  std::optional<MemberId> Join(Outlet& outlet);

  // Handles one frame from member `id`. Returns whether `id` is still a member afterwards (false
  // after /quit, after being removed as too slow, or if it was not a member).
  bool Receive(MemberId id, const Frame& frame);

  // Opens a batch for the frames of one read; the batch ends (and delivers what it holds) when
  // the object goes out of scope. Batches do not nest.
  class Batch {
   public:
    explicit Batch(Room& room);
    ~Batch();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

   private:
    Room& room_;
  };

  // The largest chunk a batch builds before it delivers it.
  static constexpr std::size_t kMaxChunkBytes = 32 * 1024;

  // The member's connection ended (EOF, error, timeout): others get "* NICK left" or, with a
  // reason, "* NICK left (REASON)". The outlet is not closed; its owner is ending it. A no-op
  // when `id` is not a member.
  void Leave(MemberId id, std::string_view reason = {});

  // Everyone gets "* server shutting down", then every outlet is closed; the room is empty.
  void Shutdown();

  std::size_t size() const { return members_.size(); }
  bool contains(MemberId id) const { return members_.contains(id); }
  // The member's nick, or nullptr; valid until the room next changes.
  const std::string* nick(MemberId id) const;

  // Receives a one-line description of each join, nick change and departure (for logs).
  void set_log(std::function<void(std::string_view)> log) { log_ = std::move(log); }

 private:
  struct Member {
    std::string nick;
    Outlet* outlet;
  };

  void HandleLine(MemberId id, Member& member, std::string_view line);
  void Rename(MemberId id, Member& member, std::string_view name);
  void PrivateMessage(MemberId sender_id, Member& sender, std::string_view name,
                      std::string_view text);
  void Remove(MemberId id, std::string_view reason, std::optional<CloseMode> close);
  void SendTo(MemberId id, Member& member, const SharedLine& line);
  void Broadcast(const SharedLine& line, std::optional<MemberId> except);
  // A line said to everyone but `except`: joined to the batch's chunk when a batch is open.
  void Say(std::initializer_list<std::string_view> parts, std::optional<MemberId> except);
  // Delivers the batch's chunk, if it holds anything.
  void FlushChunk();
  void Fanout(const SharedLine& line, std::optional<MemberId> except);
  void DropSlowMembers();
  SharedLine OnlineLine() const;
  std::string NextGuestNick();
  void Log(std::string_view event) const;

  std::size_t max_members_;
  std::map<MemberId, Member> members_;
  // members_ in order as a flat list, for Broadcast; rebuilt after members_ changes.
  std::vector<std::pair<MemberId, Member*>> roster_;
  bool roster_stale_ = false;
  std::map<std::string, MemberId, std::less<>> nicks_;  // sorted: the online list's order
  std::vector<MemberId> slow_;  // members whose outlet refused a line; removed after each call
  bool batching_ = false;
  std::string chunk_;                     // lines said in a row during a batch, not yet sent
  std::optional<MemberId> chunk_except_;  // whom chunk_ is not for
  MemberId next_id_ = 1;
  std::uint64_t next_guest_ = 1;
  std::function<void(std::string_view)> log_;
};

}  // namespace parley::chat

#endif  // PARLEY_TARGETS_CHAT_ROOM_H_
