// fuzz_chat_room: several members of one chat::Room, driven in-process through its public
// interface, against ChatRoomModel (chat_room_model.h), an independent reading of
// targets/chat/PROTOCOL.md. Checks, beside "no crash, no hang":
//   - "every member receives what the protocol says": after every event (a join, a read, an end
//     of input, a timeout, the shutdown) each connection's outlet has received exactly the bytes
//     the model says, in order, and nothing else; the failure shows the events so far and the
//     first differing line;
//   - the room admits a member exactly when the model does, holds the model's members with the
//     model's nicks, and closes an outlet (kFlush) exactly when the model says (after /quit,
//     on shutdown), never twice and never delivering to it afterwards;
//   - every delivery holds whole lines, each ending in LF.
// These comparisons are the oracle "room": with PARLEY_FUZZ_ORACLES_OFF=room the room is still
// driven through the same events (so crashes and sanitizer reports still count) but not judged.
//
// Input encoding. The input is read as lines (split at LF); each line is one event of one of
// nine client slots, chosen by a two-byte prefix:
//   D>TEXT   slot D (1-9) reads TEXT and the LF that ended this input line (if any);
//   D.TEXT   slot D reads TEXT with no LF, then its input ends (EOF or a half-close): the
//            unended line counts, then the member leaves;
//   D!       slot D's connection gives up on it for idle time: Leave(id, "timed out"); the rest
//            of the line is ignored;
//   other    a line without a prefix is more bytes of the read before it (a read by slot 1 at
//            the start or after a "." or "!" line), so one read can carry several lines.
// A slot without a member joins the room at its next event, as a new guest (a client that
// connects, or connects again after /quit, EOF or a timeout). The room holds at most six members
// (kMaxMembers), so with nine slots a client can be refused. At the end of the input the room is
// shut down. What follows the prefixes is exactly what a client sends, so a seed reads like a
// chat transcript, and a raw chat input without prefixes is one client's session. Here member 2's
// read holds two lines, and member 1 quits:
//   1>/nick ana
//   2>hello
//   /msg ana hi
//   1>/quit bye
// A prefix rather than a hash chooses the member, so a seed states who speaks and the engine
// mutates who sends apart from what is sent. Whether each read is framed inside a
// chat::Room::Batch (as the server's connections do) or its frames are received one by one comes
// from a hash of the input (a quarter of the inputs without batches), as the split points of the
// other fuzzers do.
//
// Frames come from one chat::LineFramer per connection; the model frames the bytes itself.
// Left out of the model: members dropped as too slow (which delivery would pass a queue bound
// depends on how the room packs lines into chunks, which the protocol leaves open; the outlets
// here never refuse a line), the idle and UDP timers themselves (a timeout is the Leave the
// connection calls, which is modelled), the server-full line (written by the refused
// connection, not the room) and UDP.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/fuzz/chat_room_model.h"
#include "harness/fuzz/fuzz_support.h"
#include "targets/chat/line_framer.h"
#include "targets/chat/outlet.h"
#include "targets/chat/room.h"

namespace parley::fuzz {
namespace {

constexpr std::size_t kMaxMembers = 6;
constexpr int kSlots = 9;

// An outlet that records what the room delivers and how it closes it.
class RecordingOutlet final : public chat::Outlet {
 public:
  bool Deliver(const chat::SharedLine& line) override {
    if (closes_ > 0) misuse_ += "a line delivered after the close\n";
    if (!line || line->empty() || line->back() != '\n') {
      misuse_ += "a delivery that is not whole lines ending in LF\n";
    }
    if (line) received_ += *line;
    return true;
  }
  void Close(chat::CloseMode mode) override {
    ++closes_;
    mode_ = mode;
  }

  const std::string& received() const { return received_; }
  int closes() const { return closes_; }
  chat::CloseMode mode() const { return mode_; }
  const std::string& misuse() const { return misuse_; }

 private:
  std::string received_;
  int closes_ = 0;
  chat::CloseMode mode_ = chat::CloseMode::kFlush;
  std::string misuse_;
};

// One client connection of the room, and the model's number for it.
struct Connection {
  std::size_t number = 0;
  chat::MemberId id = 0;
  RecordingOutlet outlet;
  chat::LineFramer framer;
  bool member = true;
  std::size_t checked = 0;  // bytes of outlet.received() already found equal to the model's
};

struct Event {
  enum Kind : char { kRead = '>', kEnd = '.', kTimeout = '!', kShutdown = 's' };
  Kind kind;
  int slot;
  std::string bytes;
};

std::string Escaped(std::string_view bytes, std::size_t limit) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == limit) return out + "...(" + std::to_string(bytes.size()) + " bytes)";
    const auto ch = static_cast<unsigned char>(bytes[i]);
    if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\\' || ch == '"') {
      out += '\\', out += static_cast<char>(ch);
    } else if (ch < 0x20 || ch >= 0x7f) {
      out += "\\x", out += kHex[ch >> 4], out += kHex[ch & 15];
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out;
}

// The line of `text` around byte `at` (to its LF).
std::string_view LineAt(std::string_view text, std::size_t at) {
  if (at >= text.size()) return "(nothing)";
  const std::size_t start = text.rfind('\n', at == 0 ? 0 : at - 1);
  const std::size_t from = (start == std::string_view::npos || at == 0) ? 0 : start + 1;
  const std::size_t end = text.find('\n', at);
  return text.substr(from, end == std::string_view::npos ? end : end - from + 1);
}

// Splits the input into events (see the header). Bytes of a read are copied, since one read
// may gather several input lines.
std::vector<Event> ParseEvents(std::string_view input) {
  std::vector<Event> events;
  bool reading = false;  // the last event is a read that a line without prefix continues
  while (!input.empty()) {
    const std::size_t lf = input.find('\n');
    const std::size_t length = lf == std::string_view::npos ? input.size() : lf + 1;
    std::string_view line = input.substr(0, length);
    input.remove_prefix(length);
    const bool prefixed = line.size() >= 2 && line[0] >= '1' && line[0] <= '9' &&
                          (line[1] == '>' || line[1] == '.' || line[1] == '!');
    if (!prefixed) {
      if (!reading) events.push_back({Event::kRead, 1, {}});
      events.back().bytes += line;
      reading = true;
      continue;
    }
    const auto kind = static_cast<Event::Kind>(line[1]);
    const int slot = line[0] - '0';
    line.remove_prefix(2);
    if (kind == Event::kEnd && !line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (kind == Event::kTimeout) line = {};
    events.push_back({kind, slot, std::string(line)});
    reading = kind == Event::kRead;
  }
  events.push_back({Event::kShutdown, 0, {}});
  return events;
}

class RoomRun {
 public:
  RoomRun(bool batched, bool judged) : batched_(batched), judged_(judged) {}

  void Play(const std::vector<Event>& events) {
    events_ = &events;
    for (played_ = 0; played_ < events.size(); ++played_) {
      const Event& event = events[played_];
      if (event.kind == Event::kShutdown) {
        room_.Shutdown();
        model_.Shutdown();
        for (auto& connection : connections_)
          connection->member = false;
      } else if (Connection* connection = Member(event.slot)) {
        if (event.kind == Event::kRead) Read(*connection, event.bytes);
        if (event.kind == Event::kEnd) End(*connection, event.bytes);
        if (event.kind == Event::kTimeout) TimeOut(*connection);
      }
      if (judged_) Check();
    }
  }

 private:
  // The slot's member; joins one when the slot has none. nullptr when the room is full.
  Connection* Member(int slot) {
    Connection*& current = slots_[slot - 1];
    if (current != nullptr && current->member) return current;
    current = nullptr;
    auto connection = std::make_unique<Connection>();
    const std::optional<chat::MemberId> id = room_.Join(connection->outlet);
    const std::optional<std::size_t> number = model_.Join();
    if (judged_) {
      PARLEY_FUZZ_CHECK(
          id.has_value() == number.has_value(),
          "the room admits a member exactly when the protocol says",
          History() +
              (id ? "the room admitted a member beyond " : "the room refused a member below ") +
              std::to_string(kMaxMembers));
    }
    if (!id || !number) {
      if (id) room_.Leave(*id);  // with the oracle off: keep the room and the model apart
      return nullptr;
    }
    connection->id = *id;
    connection->number = *number;
    connections_.push_back(std::move(connection));
    current = connections_.back().get();
    return current;
  }

  void Read(Connection& connection, std::string_view bytes) {
    {
      std::optional<chat::Room::Batch> batch;
      if (batched_) batch.emplace(room_);
      std::string_view input = bytes;
      while (connection.member) {
        const std::optional<chat::Frame> frame = connection.framer.Next(input);
        if (!frame) break;
        connection.member = room_.Receive(connection.id, *frame);
      }
    }
    model_.Receive(connection.number, bytes);
  }

  // As the server's connections do: the unended line, then the member leaves, outside a batch.
  void End(Connection& connection, std::string_view bytes) {
    Read(connection, bytes);
    if (connection.member) {
      if (const std::optional<chat::Frame> frame = connection.framer.Finish()) {
        connection.member = room_.Receive(connection.id, *frame);
      }
    }
    if (connection.member) room_.Leave(connection.id);
    connection.member = false;
    model_.EndOfInput(connection.number);
  }

  void TimeOut(Connection& connection) {
    room_.Leave(connection.id, "timed out");
    connection.member = false;
    model_.Leave(connection.number, "timed out");
  }

  void Check() {
    PARLEY_FUZZ_CHECK(room_.size() == model_.size(), "the room holds the members the protocol says",
                      History() + "room size " + std::to_string(room_.size()) + ", expected " +
                          std::to_string(model_.size()));
    for (auto& owned : connections_) {
      Connection& connection = *owned;
      const std::size_t number = connection.number;
      const std::string& received = connection.outlet.received();
      const std::string& expected = model_.sent(number);
      if (received.size() != expected.size() ||
          std::string_view(received).substr(connection.checked) !=
              std::string_view(expected).substr(connection.checked)) {
        PropertyFailed("every member receives what the protocol says",
                       History() + FirstDifference(connection), __FILE__, __LINE__);
      }
      connection.checked = received.size();
      PARLEY_FUZZ_CHECK(connection.outlet.misuse().empty(),
                        "the room delivers whole lines to open outlets only",
                        History() + Name(connection) + ": " + connection.outlet.misuse());
      const bool member = room_.contains(connection.id);
      PARLEY_FUZZ_CHECK(member == model_.member(number) && member == connection.member,
                        "a member leaves exactly when the protocol says",
                        History() + Name(connection) + (member ? " is" : " is not") +
                            " in the room" + (connection.member ? ", its connection" : "") +
                            (model_.member(number) ? ", expected in it" : ", expected gone"));
      const std::string* nick = room_.nick(connection.id);
      PARLEY_FUZZ_CHECK(!member || (nick != nullptr && *nick == model_.nick(number)),
                        "each member has the nick the protocol says",
                        History() + Name(connection) + " is '" +
                            Escaped(nick ? *nick : "(none)", 100) + "' in the room");
      const int closes = connection.outlet.closes();
      const bool closed = model_.closed(number);
      PARLEY_FUZZ_CHECK(
          closes == (closed ? 1 : 0) &&
              (!closed || connection.outlet.mode() == chat::CloseMode::kFlush),
          "the room closes a member's outlet (flushing) exactly when the protocol says",
          History() + Name(connection) + " closed " + std::to_string(closes) + " times" +
              (closes > 0 && connection.outlet.mode() == chat::CloseMode::kAbort ? " (abort)"
                                                                                 : "") +
              ", expected " + (closed ? "once, flushing" : "open"));
    }
  }

  std::string Name(const Connection& connection) const {
    return "connection " + std::to_string(connection.number) + " (" +
           model_.nick(connection.number) + ")";
  }

  // The events up to the one just played (the last 40), one a line.
  std::string History() const {
    std::string text = "events (" + std::string(batched_ ? "reads batched" : "no batches") + "):\n";
    const std::size_t first = played_ >= 40 ? played_ - 39 : 0;
    if (first > 0) text += "  ... " + std::to_string(first) + " earlier events\n";
    for (std::size_t i = first; i <= played_ && i < events_->size(); ++i) {
      const Event& event = (*events_)[i];
      text += "  #" + std::to_string(i) + " ";
      if (event.kind == Event::kShutdown) {
        text += "shutdown\n";
        continue;
      }
      text += std::to_string(event.slot) + static_cast<char>(event.kind) + " \"" +
              Escaped(event.bytes, 160) + "\"\n";
    }
    return text;
  }

  std::string FirstDifference(const Connection& connection) const {
    const std::string_view received = connection.outlet.received();
    const std::string_view expected = model_.sent(connection.number);
    std::size_t at = connection.checked;
    while (at < received.size() && at < expected.size() && received[at] == expected[at])
      ++at;
    return Name(connection) + ": first difference at byte " + std::to_string(at) +
           "\n  expected: \"" + Escaped(LineAt(expected, at), 200) + "\"\n  received: \"" +
           Escaped(LineAt(received, at), 200) + "\"\n  expected since the last event: \"" +
           Escaped(expected.substr(connection.checked), 400) +
           "\"\n  received since the last event: \"" +
           Escaped(received.substr(connection.checked), 400) + "\"";
  }

  bool batched_;
  bool judged_;
  std::vector<std::unique_ptr<Connection>> connections_;  // outlive the room that uses them
  chat::Room room_{kMaxMembers};
  ChatRoomModel model_{kMaxMembers};
  Connection* slots_[kSlots] = {};
  const std::vector<Event>* events_ = nullptr;
  std::size_t played_ = 0;
};

}  // namespace
}  // namespace parley::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley::fuzz;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static const bool judged = OracleEnabled("room");
  RoomRun run(/*batched=*/InputHash(input) % 4 != 0, judged);
  run.Play(ParseEvents(input));
  return 0;
}
