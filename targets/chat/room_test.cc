#include "targets/chat/room.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace parley::chat {
namespace {

using Lines = std::vector<std::string>;

// Records what the room sends; refuses lines once `capacity` bytes are queued.
class FakeOutlet final : public Outlet {
 public:
  explicit FakeOutlet(std::size_t capacity = std::numeric_limits<std::size_t>::max())
      : capacity_(capacity) {}

  bool Deliver(const SharedLine& line) override {
    EXPECT_FALSE(closed_) << "delivery after close: " << *line;
    if (queued_ + line->size() > capacity_) return false;
    queued_ += line->size();
    EXPECT_EQ(line->back(), '\n');
    std::string_view rest = *line;
    while (!rest.empty()) {
      const std::size_t lf = rest.find('\n');
      lines_.emplace_back(rest.substr(0, lf));
      rest.remove_prefix(lf + 1);
    }
    shared_.push_back(line);
    bytes_ += *line;
    return true;
  }
  void Close(CloseMode mode) override {
    EXPECT_FALSE(closed_);
    closed_ = true;
    mode_ = mode;
  }

  // The lines received since the last call.
  Lines Take() {
    Lines out;
    out.swap(lines_);
    return out;
  }
  bool closed() const { return closed_; }
  CloseMode mode() const { return mode_; }
  // Every delivery so far: one line each, or a batch's chunk of several.
  const std::vector<SharedLine>& shared() const { return shared_; }
  // Everything delivered so far, in order.
  const std::string& bytes() const { return bytes_; }

 private:
  std::size_t capacity_;
  std::size_t queued_ = 0;
  Lines lines_;
  std::vector<SharedLine> shared_;
  std::string bytes_;
  bool closed_ = false;
  CloseMode mode_ = CloseMode::kFlush;
};

Frame Line(std::string_view text) {
  return Frame{FrameError::kNone, text};
}

class ChatRoom : public ::testing::Test {
 protected:
  // Joins a new member and clears what the join sent to everyone.
  MemberId Join(FakeOutlet& outlet) {
    std::optional<MemberId> id = room_.Join(outlet);
    EXPECT_TRUE(id);
    for (FakeOutlet* o : outlets_)
      o->Take();
    outlets_.push_back(&outlet);
    outlet.Take();
    return id.value_or(0);
  }

  Room room_{100};
  std::vector<FakeOutlet*> outlets_;
};

TEST_F(ChatRoom, JoinWelcomesAndAnnounces) {
  FakeOutlet a, b;
  ASSERT_EQ(room_.Join(a), std::optional<MemberId>(1));
  EXPECT_EQ(a.Take(), (Lines{"* welcome guest1", "* online: guest1"}));
  ASSERT_TRUE(room_.Join(b));
  EXPECT_EQ(b.Take(), (Lines{"* welcome guest2", "* online: guest1 guest2"}));
  EXPECT_EQ(a.Take(), Lines{"* guest2 joined"});
}

TEST_F(ChatRoom, RelaysToEveryoneButTheSender) {
  FakeOutlet a, b, c;
  const MemberId ida = Join(a);
  Join(b);
  Join(c);
  EXPECT_TRUE(room_.Receive(ida, Line("hello all")));
  EXPECT_EQ(a.Take(), Lines{});
  EXPECT_EQ(b.Take(), Lines{"<guest1> hello all"});
  EXPECT_EQ(c.Take(), Lines{"<guest1> hello all"});
  // Encoded once: both recipients hold the very same bytes.
  EXPECT_EQ(b.shared().back(), c.shared().back());
}

TEST_F(ChatRoom, DoubleSlashRelaysALiteralSlash) {
  FakeOutlet a, b;
  const MemberId ida = Join(a);
  Join(b);
  room_.Receive(ida, Line("//nick is not a command"));
  EXPECT_EQ(b.Take(), Lines{"<guest1> /nick is not a command"});
}

TEST_F(ChatRoom, FrameErrorsGoToTheSenderOnly) {
  FakeOutlet a, b;
  const MemberId ida = Join(a);
  Join(b);
  EXPECT_TRUE(room_.Receive(ida, Frame{FrameError::kLineTooLong, {}}));
  EXPECT_TRUE(room_.Receive(ida, Frame{FrameError::kInvalidUtf8, {}}));
  EXPECT_EQ(a.Take(), (Lines{"! error line-too-long", "! error invalid-utf8"}));
  EXPECT_EQ(b.Take(), Lines{});
}

TEST_F(ChatRoom, NickRenames) {
  FakeOutlet a, b;
  const MemberId ida = Join(a);
  Join(b);
  room_.Receive(ida, Line("/nick alice"));
  EXPECT_EQ(a.Take(), Lines{"* you are now alice"});
  EXPECT_EQ(b.Take(), Lines{"* guest1 is now alice"});
  EXPECT_EQ(*room_.nick(ida), "alice");
  room_.Receive(ida, Line("hi"));
  EXPECT_EQ(b.Take(), Lines{"<alice> hi"});
}

TEST_F(ChatRoom, NickTakenAndBadNick) {
  FakeOutlet a, b;
  const MemberId ida = Join(a);
  const MemberId idb = Join(b);
  room_.Receive(ida, Line("/nick alice"));
  a.Take();
  b.Take();
  room_.Receive(idb, Line("/nick alice"));
  EXPECT_EQ(b.Take(), Lines{"! error nick-taken alice"});
  room_.Receive(idb, Line("/nick"));
  room_.Receive(idb, Line("/nick bad.name"));
  room_.Receive(idb, Line("/nick " + std::string(25, 'x')));
  room_.Receive(idb, Line("/nick two words"));
  EXPECT_EQ(b.Take(), Lines(4, "! error bad-nick"));
  EXPECT_EQ(a.Take(), Lines{});
  // Nicks are case-sensitive.
  room_.Receive(idb, Line("/nick Alice"));
  EXPECT_EQ(b.Take(), Lines{"* you are now Alice"});
}

TEST_F(ChatRoom, NickToItselfTellsOnlyTheSender) {
  FakeOutlet a, b;
  const MemberId ida = Join(a);
  Join(b);
  room_.Receive(ida, Line("/nick guest1"));
  EXPECT_EQ(a.Take(), Lines{"* you are now guest1"});
  EXPECT_EQ(b.Take(), Lines{});
}

TEST_F(ChatRoom, WhoListsSortedNicks) {
  FakeOutlet a, b, c;
  const MemberId ida = Join(a);
  const MemberId idb = Join(b);
  Join(c);
  room_.Receive(idb, Line("/nick Zed"));
  room_.Receive(ida, Line("/nick alice"));
  a.Take();
  room_.Receive(ida, Line("/who"));
  EXPECT_EQ(a.Take(), Lines{"* online: Zed alice guest3"});
}

TEST_F(ChatRoom, MeTellsTheOthers) {
  FakeOutlet a, b;
  const MemberId ida = Join(a);
  Join(b);
  room_.Receive(ida, Line("/me waves"));
  EXPECT_EQ(a.Take(), Lines{});
  EXPECT_EQ(b.Take(), Lines{"* guest1 waves"});
  room_.Receive(ida, Line("/me"));
  EXPECT_EQ(b.Take(), Lines{});
}

TEST_F(ChatRoom, MsgReachesOnlyItsRecipient) {
  FakeOutlet a, b, c;
  const MemberId ida = Join(a);
  const MemberId idb = Join(b);
  Join(c);
  room_.Receive(idb, Line("/nick bob"));
  a.Take();
  b.Take();
  c.Take();
  room_.Receive(ida, Line("/msg bob psst, over here"));
  EXPECT_EQ(a.Take(), Lines{});
  EXPECT_EQ(b.Take(), Lines{"*guest1* psst, over here"});
  EXPECT_EQ(c.Take(), Lines{});
}

TEST_F(ChatRoom, MsgErrors) {
  FakeOutlet a, b;
  const MemberId ida = Join(a);
  Join(b);
  room_.Receive(ida, Line("/msg nobody hello"));
  EXPECT_EQ(a.Take(), Lines{"! error no-such-nick nobody"});
  room_.Receive(ida, Line("/msg"));
  room_.Receive(ida, Line("/msg b.a.d hello"));
  EXPECT_EQ(a.Take(), Lines(2, "! error bad-nick"));
  room_.Receive(ida, Line("/msg guest2"));  // nothing to say
  EXPECT_EQ(a.Take(), Lines{});
  EXPECT_EQ(b.Take(), Lines{});
}

TEST_F(ChatRoom, QuitWithAndWithoutReason) {
  FakeOutlet a, b, c;
  const MemberId ida = Join(a);
  const MemberId idb = Join(b);
  Join(c);
  EXPECT_FALSE(room_.Receive(ida, Line("/quit gone fishing")));
  EXPECT_TRUE(a.closed());
  EXPECT_EQ(a.mode(), CloseMode::kFlush);
  EXPECT_EQ(a.Take(), Lines{});
  EXPECT_EQ(b.Take(), Lines{"* guest1 left (gone fishing)"});
  EXPECT_FALSE(room_.Receive(idb, Line("/quit")));
  EXPECT_EQ(c.Take(), (Lines{"* guest1 left (gone fishing)", "* guest2 left"}));
  EXPECT_EQ(room_.size(), 1U);
  EXPECT_FALSE(room_.Receive(ida, Line("still there?")));
}

TEST_F(ChatRoom, LeaveAnnouncesWithoutClosing) {
  FakeOutlet a, b;
  const MemberId ida = Join(a);
  Join(b);
  room_.Leave(ida);
  EXPECT_FALSE(a.closed());
  EXPECT_EQ(b.Take(), Lines{"* guest1 left"});
  room_.Leave(ida);  // no longer a member: nothing happens
  EXPECT_EQ(b.Take(), Lines{});
}

TEST_F(ChatRoom, UnknownCommand) {
  FakeOutlet a;
  const MemberId ida = Join(a);
  room_.Receive(ida, Line("/dance now"));
  EXPECT_EQ(a.Take(), Lines{"! error unknown-command /dance"});
}

TEST_F(ChatRoom, GuestNumbersCountUpAndSkipTakenNicks) {
  FakeOutlet a, b, c;
  const MemberId ida = Join(a);
  room_.Receive(ida, Line("/nick guest2"));
  ASSERT_TRUE(room_.Join(b));
  EXPECT_EQ(b.Take().front(), "* welcome guest3");  // guest1 is not reused; guest2 is taken
  ASSERT_TRUE(room_.Join(c));
  EXPECT_EQ(c.Take().front(), "* welcome guest4");
}

TEST_F(ChatRoom, ABatchJoinsLinesSaidInARowIntoOneDelivery) {
  FakeOutlet a, b, c;
  const MemberId ida = Join(a);
  Join(b);
  Join(c);
  const std::size_t deliveries = b.shared().size();
  {
    Room::Batch batch(room_);
    EXPECT_TRUE(room_.Receive(ida, Line("one")));
    EXPECT_TRUE(room_.Receive(ida, Line("/me waves")));
    EXPECT_TRUE(room_.Receive(ida, Line("two")));
    EXPECT_EQ(b.Take(), Lines{});  // held until the batch ends
  }
  EXPECT_EQ(b.Take(), (Lines{"<guest1> one", "* guest1 waves", "<guest1> two"}));
  EXPECT_EQ(c.Take(), (Lines{"<guest1> one", "* guest1 waves", "<guest1> two"}));
  EXPECT_EQ(a.Take(), Lines{});
  ASSERT_EQ(b.shared().size(), deliveries + 1);
  EXPECT_EQ(b.shared().back(), c.shared().back());  // one chunk, shared
}

TEST_F(ChatRoom, ABatchKeepsEveryMembersOrder) {
  FakeOutlet a, b;
  const MemberId ida = Join(a);
  const MemberId idb = Join(b);
  {
    Room::Batch batch(room_);
    room_.Receive(ida, Line("one"));
    room_.Receive(ida, Line("/msg guest2 psst"));  // a direct line ends the run
    room_.Receive(ida, Line("/who"));
    room_.Receive(ida, Line("/nick ann"));
    room_.Receive(ida, Line("two"));
    room_.Receive(idb, Line("from b"));  // other recipients: a new run
    room_.Receive(ida, Line("/quit bye"));
  }
  EXPECT_EQ(b.Take(), (Lines{"<guest1> one", "*guest1* psst", "* guest1 is now ann", "<ann> two",
                             "* ann left (bye)"}));
  EXPECT_EQ(a.Take(), (Lines{"* online: guest1 guest2", "* you are now ann", "<guest2> from b"}));
  EXPECT_TRUE(a.closed());
}

TEST_F(ChatRoom, ABatchChunkStaysBounded) {
  FakeOutlet a, b;
  const MemberId ida = Join(a);
  Join(b);
  const std::string text(100, 'x');
  const std::size_t before = b.shared().size();
  {
    Room::Batch batch(room_);
    for (int i = 0; i < 1000; ++i)
      room_.Receive(ida, Line(text));
  }
  EXPECT_EQ(b.Take(), Lines(1000, "<guest1> " + text));
  // 109,000 bytes in chunks that stop growing once they reach kMaxChunkBytes.
  EXPECT_EQ(b.shared().size() - before, 4U);
  for (std::size_t i = before; i < b.shared().size(); ++i)
    EXPECT_LT(b.shared()[i]->size(), Room::kMaxChunkBytes + 109);
}

TEST(ChatRoomBatch, AMemberTooSlowForTheChunkIsDroppedWhenTheBatchEnds) {
  Room room(10);
  FakeOutlet sender, fast, slow(300);
  const MemberId id = *room.Join(sender);
  room.Join(fast);
  const MemberId id_slow = *room.Join(slow);
  fast.Take();
  {
    Room::Batch batch(room);
    for (int i = 0; i < 20; ++i)
      EXPECT_TRUE(room.Receive(id, Line("message number " + std::to_string(i))));
    EXPECT_TRUE(room.contains(id_slow));
  }
  EXPECT_FALSE(room.contains(id_slow));
  EXPECT_TRUE(slow.closed());
  EXPECT_EQ(slow.mode(), CloseMode::kAbort);
  Lines got = fast.Take();
  ASSERT_EQ(got.size(), 21U);
  EXPECT_EQ(got.back(), "* guest3 left (too slow)");
}

TEST(ChatRoomBatch, DeliversTheSameBytesAsNoBatch) {
  // Two rooms get the same random reads; one frames each read inside a batch. Every member must
  // end up with the same bytes and the same fate.
  const std::vector<std::string> pieces = {
      "/nick bob",  "/nick guest1", "/who", "/me ",     "/msg guest2 ", "/msg guest3 hi",
      "/msg zed x", "/quit",        "//",   " ",        "\n",           "\n",
      "\n",         "hello",        "x",    "\xC3\xA9", "\xFF"};
  std::mt19937 random(11);
  for (int round = 0; round < 30; ++round) {
    struct Side {
      Room room{6};
      std::vector<std::unique_ptr<FakeOutlet>> outlets;
      std::vector<MemberId> ids;
      std::vector<std::unique_ptr<LineFramer>> framers;
    };
    Side plain, batched;
    for (Side* side : {&plain, &batched}) {
      for (int i = 0; i < 5; ++i) {
        side->outlets.push_back(std::make_unique<FakeOutlet>());
        side->ids.push_back(side->room.Join(*side->outlets.back()).value_or(0));
        side->framers.push_back(std::make_unique<LineFramer>());
      }
    }
    for (int step = 0; step < 200; ++step) {
      const std::size_t who = random() % 5;
      std::string bytes;
      for (int k = random() % 12; k >= 0; --k)
        bytes += pieces[random() % pieces.size()];
      for (Side* side : {&plain, &batched}) {
        std::optional<Room::Batch> batch;
        if (side == &batched) batch.emplace(side->room);
        std::string_view input = bytes;
        while (std::optional<Frame> frame = side->framers[who]->Next(input)) {
          if (!side->room.Receive(side->ids[who], *frame)) break;
        }
      }
    }
    for (std::size_t i = 0; i < 5; ++i) {
      EXPECT_EQ(plain.outlets[i]->bytes(), batched.outlets[i]->bytes()) << "member " << i;
      EXPECT_EQ(plain.outlets[i]->closed(), batched.outlets[i]->closed()) << "member " << i;
    }
  }
}

TEST(ChatRoomLimits, RefusesMembersBeyondTheMaximum) {
  Room room(2);
  FakeOutlet a, b, c;
  ASSERT_TRUE(room.Join(a));
  ASSERT_TRUE(room.Join(b));
  EXPECT_FALSE(room.Join(c));
  EXPECT_EQ(c.Take(), Lines{});
  EXPECT_EQ(b.Take().size(), 2U);  // nobody heard of c
  EXPECT_EQ(kServerFullLine, "! error server-full\n");
}

TEST(ChatRoomLimits, DropsASlowMemberAndTellsTheOthers) {
  Room room(10);
  FakeOutlet fast, slow(200);
  const MemberId id_fast = *room.Join(fast);
  const MemberId id_slow = *room.Join(slow);
  fast.Take();
  for (int i = 0; i < 20 && room.contains(id_slow); ++i) {
    EXPECT_TRUE(room.Receive(id_fast, Line("message number " + std::to_string(i))));
  }
  EXPECT_FALSE(room.contains(id_slow));
  EXPECT_TRUE(slow.closed());
  EXPECT_EQ(slow.mode(), CloseMode::kAbort);
  EXPECT_EQ(fast.Take(), Lines{"* guest2 left (too slow)"});
  EXPECT_FALSE(room.Receive(id_slow, Line("late")));
}

TEST(ChatRoomLimits, ASenderOverflowingItsOwnQueueIsDropped) {
  Room room(10);
  FakeOutlet other, self(60);
  room.Join(other);
  const MemberId id = *room.Join(self);
  other.Take();
  bool member = true;
  for (int i = 0; i < 10 && member; ++i)
    member = room.Receive(id, Line("/who"));
  EXPECT_FALSE(member);
  EXPECT_TRUE(self.closed());
  EXPECT_EQ(other.Take(), Lines{"* guest2 left (too slow)"});
}

TEST(ChatRoomLimits, SlowDropsCascade) {
  // Each "left (too slow)" notice can push another member over its bound.
  Room room(10);
  FakeOutlet sender;
  std::vector<std::unique_ptr<FakeOutlet>> slow;
  const MemberId id = *room.Join(sender);
  for (int i = 0; i < 5; ++i) {
    slow.push_back(std::make_unique<FakeOutlet>(static_cast<std::size_t>(400 + 30 * i)));
    ASSERT_TRUE(room.Join(*slow.back()));
  }
  for (int i = 0; i < 40 && room.size() > 1; ++i)
    room.Receive(id, Line("0123456789"));
  EXPECT_EQ(room.size(), 1U);
  for (auto& outlet : slow)
    EXPECT_TRUE(outlet->closed());
}

TEST(ChatRoomLimits, AJoinerThatCannotTakeItsWelcomeIsDropped) {
  Room room(10);
  FakeOutlet a, tiny(10);
  room.Join(a);
  a.Take();
  room.Join(tiny);
  EXPECT_TRUE(tiny.closed());
  EXPECT_EQ(room.size(), 1U);
  EXPECT_EQ(a.Take(), (Lines{"* guest2 joined", "* guest2 left (too slow)"}));
}

TEST(ChatRoomShutdown, TellsEveryoneAndClosesEveryOutlet) {
  Room room(10);
  FakeOutlet a, b;
  room.Join(a);
  room.Join(b);
  a.Take();
  b.Take();
  room.Shutdown();
  EXPECT_EQ(a.Take(), Lines{"* server shutting down"});
  EXPECT_EQ(b.Take(), Lines{"* server shutting down"});
  EXPECT_TRUE(a.closed());
  EXPECT_EQ(a.mode(), CloseMode::kFlush);
  EXPECT_EQ(room.size(), 0U);
}

TEST(ChatRoomLog, DescribesJoinsRenamesAndDepartures) {
  Room room(10);
  Lines log;
  room.set_log([&log](std::string_view event) { log.emplace_back(event); });
  FakeOutlet a;
  const MemberId id = *room.Join(a);
  room.Receive(id, Line("/nick ann"));
  room.Receive(id, Line("/quit bye"));
  EXPECT_EQ(log, (Lines{"guest1 joined", "guest1 is now ann", "ann left (bye)"}));
}

TEST(ChatRoomRobustness, RandomBytesThroughTheFramerNeverBreakTheRoom) {
  // Lines built from pieces that reach every branch, split at random, from random members.
  const std::vector<std::string> pieces = {"/nick ",
                                           "/who",
                                           "/me ",
                                           "/msg ",
                                           "/quit",
                                           "//",
                                           "/",
                                           " ",
                                           "\n",
                                           "\r\n",
                                           "guest1",
                                           "guest2",
                                           "bob",
                                           "x",
                                           "\xC3\xA9",
                                           "\xC3",
                                           "\xED\xA0\x80",
                                           "\xFF",
                                           std::string(3000, 'a')};
  std::mt19937 random(7);
  for (int round = 0; round < 50; ++round) {
    Room room(4);
    std::vector<std::unique_ptr<FakeOutlet>> outlets;
    std::vector<MemberId> ids;
    std::vector<std::unique_ptr<LineFramer>> framers;
    for (int i = 0; i < 4; ++i) {
      outlets.push_back(std::make_unique<FakeOutlet>(static_cast<std::size_t>(2000 + 3000 * i)));
      ids.push_back(room.Join(*outlets.back()).value_or(0));
      framers.push_back(std::make_unique<LineFramer>());
    }
    for (int step = 0; step < 300; ++step) {
      const std::size_t who = random() % ids.size();
      std::string bytes;
      for (int k = random() % 6; k >= 0; --k)
        bytes += pieces[random() % pieces.size()];
      std::optional<Room::Batch> batch;
      if (round % 2 == 1) batch.emplace(room);
      std::string_view input = bytes;
      while (std::optional<Frame> frame = framers[who]->Next(input)) {
        if (!room.Receive(ids[who], *frame)) break;
      }
      batch.reset();
      ASSERT_LE(room.size(), 4U);
    }
    for (const auto& outlet : outlets) {
      for (const SharedLine& line : outlet->shared()) {
        ASSERT_FALSE(line->empty());
        ASSERT_EQ(line->back(), '\n') << *line;
        if (round % 2 == 0) {
          ASSERT_EQ(line->find('\n'), line->size() - 1) << *line;  // one line per delivery
        }
        ASSERT_EQ(line->find("\n\n"), std::string::npos) << *line;  // no empty line
      }
    }
  }
}

}  // namespace
}  // namespace parley::chat
