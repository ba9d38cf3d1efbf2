#include "targets/chat/command.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::chat {
namespace {

TEST(ChatCommand, PlainTextIsSaid) {
  const Command c = ParseCommand("hello there");
  EXPECT_EQ(c.kind, CommandKind::kSay);
  EXPECT_EQ(c.text, "hello there");
}

TEST(ChatCommand, DoubleSlashSaysTheLiteralSlash) {
  EXPECT_EQ(ParseCommand("//text").kind, CommandKind::kSay);
  EXPECT_EQ(ParseCommand("//text").text, "/text");
  EXPECT_EQ(ParseCommand("//").text, "/");
  EXPECT_EQ(ParseCommand("///x").text, "//x");
}

TEST(ChatCommand, SlashInsideTextIsText) {
  EXPECT_EQ(ParseCommand(" /nick bob").kind, CommandKind::kSay);
  EXPECT_EQ(ParseCommand("a/b").kind, CommandKind::kSay);
}

TEST(ChatCommand, Nick) {
  Command c = ParseCommand("/nick bob");
  EXPECT_EQ(c.kind, CommandKind::kNick);
  EXPECT_EQ(c.name, "bob");
  EXPECT_EQ(ParseCommand("/nick   bob  ").name, "bob");
  EXPECT_EQ(ParseCommand("/nick").name, "");
  EXPECT_EQ(ParseCommand("/nick ").name, "");
  EXPECT_EQ(ParseCommand("/nick two words").name, "two words");
}

TEST(ChatCommand, Who) {
  EXPECT_EQ(ParseCommand("/who").kind, CommandKind::kWho);
  EXPECT_EQ(ParseCommand("/who ignored args").kind, CommandKind::kWho);
}

TEST(ChatCommand, Me) {
  const Command c = ParseCommand("/me waves  back ");
  EXPECT_EQ(c.kind, CommandKind::kMe);
  EXPECT_EQ(c.text, "waves  back ");
  EXPECT_EQ(ParseCommand("/me").text, "");
}

TEST(ChatCommand, Msg) {
  Command c = ParseCommand("/msg alice hi  there");
  EXPECT_EQ(c.kind, CommandKind::kMsg);
  EXPECT_EQ(c.name, "alice");
  EXPECT_EQ(c.text, "hi  there");
  c = ParseCommand("/msg   alice   hi");
  EXPECT_EQ(c.name, "alice");
  EXPECT_EQ(c.text, "hi");
  c = ParseCommand("/msg alice");
  EXPECT_EQ(c.name, "alice");
  EXPECT_EQ(c.text, "");
  c = ParseCommand("/msg");
  EXPECT_EQ(c.kind, CommandKind::kMsg);
  EXPECT_EQ(c.name, "");
}

TEST(ChatCommand, Quit) {
  EXPECT_EQ(ParseCommand("/quit").kind, CommandKind::kQuit);
  EXPECT_EQ(ParseCommand("/quit").text, "");
  EXPECT_EQ(ParseCommand("/quit gone fishing").text, "gone fishing");
  EXPECT_EQ(ParseCommand("/quit   ").text, "");
}

TEST(ChatCommand, UnknownCommandsKeepTheirWord) {
  Command c = ParseCommand("/dance wildly");
  EXPECT_EQ(c.kind, CommandKind::kUnknown);
  EXPECT_EQ(c.name, "/dance");
  EXPECT_EQ(ParseCommand("/").name, "/");
  EXPECT_EQ(ParseCommand("/ x").name, "/");
  EXPECT_EQ(ParseCommand("/NICK bob").name, "/NICK");
  EXPECT_EQ(ParseCommand("/nickname").name, "/nickname");
  EXPECT_EQ(ParseCommand("/whois").kind, CommandKind::kUnknown);
  EXPECT_EQ(ParseCommand("/nick\tbob").name, "/nick\tbob");
}

TEST(ChatCommand, ValidNicks) {
  EXPECT_TRUE(IsValidNick("a"));
  EXPECT_TRUE(IsValidNick("Bob_the-2nd"));
  EXPECT_TRUE(IsValidNick(std::string(kMaxNickBytes, 'x')));
  EXPECT_TRUE(IsValidNick("-_-"));
}

TEST(ChatCommand, InvalidNicks) {
  EXPECT_FALSE(IsValidNick(""));
  EXPECT_FALSE(IsValidNick(std::string(kMaxNickBytes + 1, 'x')));
  EXPECT_FALSE(IsValidNick("two words"));
  EXPECT_FALSE(IsValidNick("b.o.b"));
  EXPECT_FALSE(IsValidNick("caf\xC3\xA9"));
  EXPECT_FALSE(IsValidNick("tab\t"));
  EXPECT_FALSE(IsValidNick("*star*"));
}

TEST(ChatCommand, EveryByteOfALineIsSafeToParse) {
  for (int c = 0; c < 256; ++c) {
    const std::string line = std::string("/") + static_cast<char>(c);
    const Command command = ParseCommand(line);
    EXPECT_LE(command.name.size() + command.text.size(), line.size());
  }
}

}  // namespace
}  // namespace parley::chat
