// ChatRoomModel: who in the chat room must receive what, read from targets/chat/PROTOCOL.md alone
// (not from the room's code), as the reference the fuzz_chat_room oracle compares the room with.
//
// The model is a plain, slow reading of the protocol. Connections are numbered 0, 1, ... in the
// order the room admitted them; a connection that leaves keeps its number and its record, and a
// client that comes back is a new connection. For each connection the model frames the bytes it
// sends (section Lines), applies the rules of Joining, Talking, Commands and Leaving, and keeps
// every byte the server must have sent it, in order, and whether the room closed it.
//
// It knows nothing of how the room encodes, batches or queues lines: only what each member
// receives. Left out because the room does not decide them: the outbound queue bound (a member
// dropped as too slow), timers (a timeout reaches the room as Leave with a reason, which is
// modelled), UDP datagrams, and the server-full line (written by the connection the room refused).
#ifndef PARLEY_HARNESS_FUZZ_CHAT_ROOM_MODEL_H_
#define PARLEY_HARNESS_FUZZ_CHAT_ROOM_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::fuzz {

class ChatRoomModel {
 public:
  // PROTOCOL.md's limits, restated here so the model does not take them from the room's headers.
  static constexpr std::size_t kMaxLineBytes = 4096;  // counting the LF
  static constexpr std::size_t kMaxNickBytes = 24;

  explicit ChatRoomModel(std::size_t max_members) : max_members_(max_members) {}

  // A client connects. Returns its connection number, or nullopt when the room is full (the
  // client is then no connection of the room's).
  std::optional<std::size_t> Join();

  // Connection `c` sent `bytes` (any part of its stream). Returns whether it is still a member;
  // bytes sent after it left are ignored.
  bool Receive(std::size_t c, std::string_view bytes);

  // Connection `c`'s input ended (EOF or a half-close): its unended last line counts as if ended
  // by LF, then, unless that line was /quit, it leaves ("* NICK left"). The room does not close
  // it: the connection does.
  void EndOfInput(std::size_t c);

  // The connection dropped connection `c` for `reason` (e.g. "timed out"); empty: no reason.
  void Leave(std::size_t c, std::string_view reason);

  // The server shuts down: every member gets "* server shutting down" and is closed.
  void Shutdown();

  std::size_t connections() const { return connections_.size(); }
  std::size_t size() const;
  // Every byte the server must have sent connection `c` so far.
  const std::string& sent(std::size_t c) const { return connections_[c].sent; }
  bool member(std::size_t c) const { return connections_[c].member; }
  // Whether the room itself closed `c` (after /quit or on shutdown), after writing its queue.
  bool closed(std::size_t c) const { return connections_[c].closed; }
  // The connection's nick (its last one, once it has left).
  const std::string& nick(std::size_t c) const { return connections_[c].nick; }

 private:
  struct Connection {
    std::string nick;
    std::string sent;
    std::string partial;      // bytes of the line being received, before its LF
    bool discarding = false;  // inside a line already answered with line-too-long
    bool member = true;
    bool closed = false;
  };

  void HandleLine(std::size_t c, std::string line);
  void HandleCommand(std::size_t c, std::string_view line);
  void Nick(std::size_t c, std::string_view name);
  void Msg(std::size_t c, std::string_view args);
  void Depart(std::size_t c, std::string_view reason);
  void SendTo(std::size_t c, std::string_view line);
  void SendToOthers(std::size_t c, std::string_view line);
  std::optional<std::size_t> Find(std::string_view nick) const;
  std::string OnlineLine() const;

  std::size_t max_members_;
  std::vector<Connection> connections_;
  std::uint64_t next_guest_ = 1;
};

// PROTOCOL.md's nick rule: 1 to 24 of A-Z a-z 0-9 _ -.
bool ModelValidNick(std::string_view name);

}  // namespace parley::fuzz

#endif  // PARLEY_HARNESS_FUZZ_CHAT_ROOM_MODEL_H_
