#include "harness/fuzz/chat_room_model.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::fuzz {
namespace {

using Lines = std::vector<std::string>;

// Each expectation below is a sentence of targets/chat/PROTOCOL.md.
class ChatRoomModelTest : public ::testing::Test {
 protected:
  std::size_t Join() {
    const std::optional<std::size_t> c = model_.Join();
    EXPECT_TRUE(c);
    return c.value_or(0);
  }
  // Joins `count` members and forgets what joining sent them.
  std::vector<std::size_t> JoinAll(int count) {
    std::vector<std::size_t> joined;
    for (int i = 0; i < count; ++i)
      joined.push_back(Join());
    for (std::size_t c : joined)
      Take(c);
    return joined;
  }
  // The lines sent to connection `c` since the last call.
  Lines Take(std::size_t c) {
    const std::string& sent = model_.sent(c);
    std::string_view rest = std::string_view(sent).substr(taken_[c]);
    taken_[c] = sent.size();
    Lines lines;
    while (!rest.empty()) {
      const std::size_t lf = rest.find('\n');
      EXPECT_NE(lf, std::string_view::npos) << "every line ends with LF";
      lines.emplace_back(rest.substr(0, lf));
      rest.remove_prefix(lf == std::string_view::npos ? rest.size() : lf + 1);
    }
    return lines;
  }

  ChatRoomModel model_{8};
  std::map<std::size_t, std::size_t> taken_;
};

TEST_F(ChatRoomModelTest, JoiningWelcomesTheNewcomerAndTellsTheOthers) {
  const std::size_t a = Join();
  EXPECT_EQ(Take(a), (Lines{"* welcome guest1", "* online: guest1"}));
  const std::size_t b = Join();
  EXPECT_EQ(Take(b), (Lines{"* welcome guest2", "* online: guest1 guest2"}));
  EXPECT_EQ(Take(a), (Lines{"* guest2 joined"}));
  EXPECT_EQ(model_.size(), 2u);
}

TEST_F(ChatRoomModelTest, TheOnlineListIsSortedByByteValue) {
  const auto m = JoinAll(3);
  model_.Receive(m[0], "/nick alice\n");
  model_.Receive(m[1], "/nick Zed\n");
  const std::size_t d = Join();
  EXPECT_EQ(Take(d), (Lines{"* welcome guest4", "* online: Zed alice guest3 guest4"}));
}

TEST_F(ChatRoomModelTest, GuestNumbersCountUpAndSkipChosenNicks) {
  const auto m = JoinAll(1);
  model_.Receive(m[0], "/nick guest2\n");
  EXPECT_EQ(model_.nick(Join()), "guest3");  // guest2 is somebody's nick
  model_.Leave(m[0], {});
  EXPECT_EQ(model_.nick(Join()), "guest4");  // a number is never handed out twice
}

TEST_F(ChatRoomModelTest, TheRoomRefusesAMemberBeyondItsSize) {
  ChatRoomModel small(2);
  EXPECT_TRUE(small.Join());
  EXPECT_TRUE(small.Join());
  EXPECT_FALSE(small.Join());
  EXPECT_EQ(small.connections(), 2u);
  small.Leave(0, {});
  EXPECT_EQ(small.Join(), 2u);
}

TEST_F(ChatRoomModelTest, TextGoesToEveryoneElseWithoutEcho) {
  const auto m = JoinAll(3);
  EXPECT_TRUE(model_.Receive(m[0], "hola\r\n"));
  EXPECT_EQ(Take(m[0]), Lines{});
  EXPECT_EQ(Take(m[1]), Lines{"<guest1> hola"});
  EXPECT_EQ(Take(m[2]), Lines{"<guest1> hola"});
}

TEST_F(ChatRoomModelTest, ADoubleSlashRelaysTheRestAfterItsFirstSlash) {
  const auto m = JoinAll(2);
  model_.Receive(m[0], "//nick is a command\n");
  EXPECT_EQ(Take(m[1]), Lines{"<guest1> /nick is a command"});
  EXPECT_EQ(model_.nick(m[0]), "guest1");
}

TEST_F(ChatRoomModelTest, LinesAreFramedAsTheProtocolSays) {
  const auto m = JoinAll(2);
  model_.Receive(m[0], "a\rb\n\n\r\n\r\r\nhal");
  EXPECT_EQ(Take(m[1]), (Lines{"<guest1> a\rb", "<guest1> \r"}));
  model_.Receive(m[0], "f\n");  // how bytes are split never matters
  EXPECT_EQ(Take(m[1]), Lines{"<guest1> half"});
  model_.Receive(m[0], std::string("a\0b\n", 4));
  EXPECT_EQ(Take(m[1]), Lines{std::string("<guest1> a\0b", 12)});
}

TEST_F(ChatRoomModelTest, ALineHoldsAtMost4095BytesBeforeItsLf) {
  const auto m = JoinAll(2);
  model_.Receive(m[0], std::string(4095, 'x') + "\n" + std::string(4094, 'y') + "\r\n");
  EXPECT_EQ(Take(m[1]),
            (Lines{"<guest1> " + std::string(4095, 'x'), "<guest1> " + std::string(4094, 'y')}));
  model_.Receive(m[0], std::string(4095, 'z') + "\r\nafter\n");
  EXPECT_EQ(Take(m[0]), Lines{"! error line-too-long"});
  EXPECT_EQ(Take(m[1]), Lines{"<guest1> after"});
}

TEST_F(ChatRoomModelTest, ATooLongLineIsAnsweredOnceAndAtOnce) {
  const auto m = JoinAll(2);
  model_.Receive(m[0], std::string(4096, 'x'));
  EXPECT_EQ(Take(m[0]), Lines{"! error line-too-long"});  // before its LF arrives
  model_.Receive(m[0], std::string(5000, 'x'));
  model_.Receive(m[0], "still the long line\nnext\n");
  EXPECT_EQ(Take(m[0]), Lines{});
  EXPECT_EQ(Take(m[1]), Lines{"<guest1> next"});
  model_.Receive(m[0], std::string(4100, 'x'));
  model_.EndOfInput(m[0]);
  EXPECT_EQ(Take(m[0]), Lines{"! error line-too-long"});
  EXPECT_EQ(Take(m[1]), Lines{"* guest1 left"});
}

TEST_F(ChatRoomModelTest, InvalidUtf8IsAnsweredAndDropped) {
  const auto m = JoinAll(2);
  for (std::string_view bad : {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ok \xe6\x97",
                               "\x80"
                               "abc",
                               "\xff"}) {
    model_.Receive(m[0], std::string(bad) + "\n");
    EXPECT_EQ(Take(m[0]), Lines{"! error invalid-utf8"}) << bad;
  }
  EXPECT_EQ(Take(m[1]), Lines{});
  model_.Receive(m[0], "\xc2\xa1hola! \xf0\x9f\x8e\x89\n");
  EXPECT_EQ(Take(m[1]), Lines{"<guest1> \xc2\xa1hola! \xf0\x9f\x8e\x89"});
}

TEST_F(ChatRoomModelTest, NickAnnouncesTheNewNameToEveryone) {
  const auto m = JoinAll(3);
  model_.Receive(m[0], "/nick   ana  \n");
  EXPECT_EQ(Take(m[0]), Lines{"* you are now ana"});
  EXPECT_EQ(Take(m[1]), Lines{"* guest1 is now ana"});
  EXPECT_EQ(Take(m[2]), Lines{"* guest1 is now ana"});
  model_.Receive(m[0], "hi\n");
  EXPECT_EQ(Take(m[1]), Lines{"<ana> hi"});
}

TEST_F(ChatRoomModelTest, TakingYourOwnNickTellsNobodyElse) {
  const auto m = JoinAll(2);
  model_.Receive(m[0], "/nick guest1\n");
  EXPECT_EQ(Take(m[0]), Lines{"* you are now guest1"});
  EXPECT_EQ(Take(m[1]), Lines{});
}

TEST_F(ChatRoomModelTest, NickRulesAndErrors) {
  const auto m = JoinAll(2);
  model_.Receive(m[1], "/nick Bob\n");
  Take(m[0]);
  Take(m[1]);
  model_.Receive(
      m[0], "/nick Bob\n/nick bad nick!\n/nick\n/nick " + std::string(25, 'x') + "\n/nick a.b\n");
  EXPECT_EQ(Take(m[0]), (Lines{"! error nick-taken Bob", "! error bad-nick", "! error bad-nick",
                               "! error bad-nick", "! error bad-nick"}));
  EXPECT_EQ(Take(m[1]), Lines{});
  model_.Receive(m[0], "/nick bob\n/nick " + std::string(24, 'x') + "\n/nick A-z_09\n");
  EXPECT_EQ(Take(m[0]), (Lines{"* you are now bob", "* you are now " + std::string(24, 'x'),
                               "* you are now A-z_09"}));
  EXPECT_EQ(Take(m[1]), (Lines{"* guest1 is now bob", "* bob is now " + std::string(24, 'x'),
                               "* " + std::string(24, 'x') + " is now A-z_09"}));
}

TEST_F(ChatRoomModelTest, WhoListsEveryoneAndIgnoresArguments) {
  const auto m = JoinAll(3);
  model_.Receive(m[2], "/who\n/who is there\n");
  EXPECT_EQ(Take(m[2]),
            (Lines{"* online: guest1 guest2 guest3", "* online: guest1 guest2 guest3"}));
  EXPECT_EQ(Take(m[0]), Lines{});
}

TEST_F(ChatRoomModelTest, MeGoesToEveryoneElseAndNeedsText) {
  const auto m = JoinAll(2);
  model_.Receive(m[0], "/me waves\n/me\n/me   \n");
  EXPECT_EQ(Take(m[0]), Lines{});
  EXPECT_EQ(Take(m[1]), Lines{"* guest1 waves"});
}

TEST_F(ChatRoomModelTest, MsgReachesOnlyItsAddressee) {
  const auto m = JoinAll(3);
  model_.Receive(m[0], "/msg guest3 hi there\n/msg guest1 note to self\n");
  EXPECT_EQ(Take(m[0]), Lines{"*guest1* note to self"});
  EXPECT_EQ(Take(m[1]), Lines{});
  EXPECT_EQ(Take(m[2]), Lines{"*guest1* hi there"});
}

TEST_F(ChatRoomModelTest, MsgChecksTheNameEvenWithoutText) {
  const auto m = JoinAll(2);
  model_.Receive(m[0], "/msg guest2\n/msg nobody\n/msg\n/msg bad! hi\n/msg Guest2 hi\n");
  EXPECT_EQ(Take(m[0]), (Lines{"! error no-such-nick nobody", "! error bad-nick",
                               "! error bad-nick", "! error no-such-nick Guest2"}));
  EXPECT_EQ(Take(m[1]), Lines{});
}

TEST_F(ChatRoomModelTest, UnknownCommandsAreNamedAsSent) {
  const auto m = JoinAll(2);
  model_.Receive(m[0], "/NICK x\n/\n/foo bar\n/quitnow\n");
  EXPECT_EQ(Take(m[0]),
            (Lines{"! error unknown-command /NICK", "! error unknown-command /",
                   "! error unknown-command /foo", "! error unknown-command /quitnow"}));
  EXPECT_EQ(Take(m[1]), Lines{});
  EXPECT_TRUE(model_.member(m[0]));
}

TEST_F(ChatRoomModelTest, QuitClosesTheSenderAndIgnoresLaterLines) {
  const auto m = JoinAll(3);
  EXPECT_FALSE(model_.Receive(m[0], "/quit gone fishing\nnever relayed\n"));
  EXPECT_TRUE(model_.closed(m[0]));
  EXPECT_FALSE(model_.member(m[0]));
  EXPECT_EQ(Take(m[0]), Lines{});
  EXPECT_EQ(Take(m[1]), Lines{"* guest1 left (gone fishing)"});
  EXPECT_FALSE(model_.Receive(m[0], "still nothing\n"));
  EXPECT_EQ(Take(m[2]), Lines{"* guest1 left (gone fishing)"});
  model_.Receive(m[1], "/quit\n");
  EXPECT_EQ(Take(m[2]), Lines{"* guest2 left"});
  EXPECT_EQ(model_.size(), 1u);
}

TEST_F(ChatRoomModelTest, EndOfInputEndsTheLastLineThenLeaves) {
  const auto m = JoinAll(2);
  model_.Receive(m[0], "last words\r");
  model_.EndOfInput(m[0]);
  EXPECT_EQ(Take(m[1]), (Lines{"<guest1> last words", "* guest1 left"}));
  EXPECT_FALSE(model_.member(m[0]));
  EXPECT_FALSE(model_.closed(m[0]));  // the connection closes itself
}

TEST_F(ChatRoomModelTest, AnUnendedQuitIsAQuit) {
  const auto m = JoinAll(2);
  model_.Receive(m[0], "/quit no newline");
  model_.EndOfInput(m[0]);
  EXPECT_EQ(Take(m[1]), Lines{"* guest1 left (no newline)"});
  EXPECT_TRUE(model_.closed(m[0]));
}

TEST_F(ChatRoomModelTest, LeavingWithAReason) {
  const auto m = JoinAll(2);
  model_.Leave(m[1], "timed out");
  EXPECT_EQ(Take(m[0]), Lines{"* guest2 left (timed out)"});
  model_.Leave(m[1], "again");  // no longer a member
  EXPECT_EQ(Take(m[0]), Lines{});
  model_.Receive(m[0], "/who\n");
  EXPECT_EQ(Take(m[0]), Lines{"* online: guest1"});
}

TEST_F(ChatRoomModelTest, ANickIsFreeOnceItsOwnerLeft) {
  const auto m = JoinAll(2);
  model_.Receive(m[0], "/nick ana\n");
  model_.Receive(m[0], "/quit\n");
  model_.Receive(m[1], "/nick ana\n/msg ana me\n");
  EXPECT_EQ(Take(m[1]),
            (Lines{"* guest1 is now ana", "* ana left", "* you are now ana", "*ana* me"}));
}

TEST_F(ChatRoomModelTest, ShutdownTellsAndClosesEveryMember) {
  const auto m = JoinAll(3);
  model_.Receive(m[1], "/quit\n");
  Take(m[0]);
  model_.Shutdown();
  EXPECT_EQ(Take(m[0]), Lines{"* server shutting down"});
  EXPECT_EQ(Take(m[1]), Lines{});
  EXPECT_TRUE(model_.closed(m[0]) && model_.closed(m[2]));
  EXPECT_EQ(model_.size(), 0u);
}

TEST(ChatRoomModelRules, Nicks) {
  EXPECT_TRUE(ModelValidNick("a"));
  EXPECT_TRUE(ModelValidNick(std::string(24, '-')));
  EXPECT_FALSE(ModelValidNick(""));
  EXPECT_FALSE(ModelValidNick(std::string(25, 'a')));
  EXPECT_FALSE(ModelValidNick("caf\xc3\xa9"));
}

}  // namespace
}  // namespace parley::fuzz
