#include "harness/play/inbox.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace parley::harness {
namespace {

TEST(Inbox, AppendsAndConsumesFromTheFront) {
  Inbox inbox;
  EXPECT_TRUE(inbox.empty());
  inbox.Append("hello ");
  char* room = inbox.Reserve(100);
  std::memcpy(room, "world", 5);
  inbox.Commit(5);
  EXPECT_EQ(inbox.bytes(), "hello world");
  inbox.Consume(6);
  EXPECT_EQ(inbox.bytes(), "world");
  EXPECT_EQ(inbox.consumed(), 6u);
  inbox.Consume(100);  // at most what is there
  EXPECT_TRUE(inbox.empty());
  EXPECT_EQ(inbox.consumed(), 11u);
}

TEST(Inbox, FinishKeepsTheFirstEnd) {
  Inbox inbox;
  EXPECT_TRUE(inbox.open());
  EXPECT_EQ(inbox.DescribeEnd(), "the connection is open");
  inbox.Finish(Inbox::End::kCutOff, "64 MiB");
  inbox.Finish(Inbox::End::kClosed);
  EXPECT_EQ(inbox.end(), Inbox::End::kCutOff);
  EXPECT_EQ(inbox.DescribeEnd(), "the peer sent more than 64 MiB and was cut off");
}

TEST(Inbox, FindsLinesIncrementally) {
  Inbox inbox;
  std::size_t scanned = 0;
  std::string_view line;
  std::size_t next = 0;
  inbox.Append("a\r\r");
  EXPECT_FALSE(inbox.NextLine(0, &scanned, &line, &next));
  EXPECT_EQ(scanned, 3u);  // the next search starts after what was seen
  inbox.Append("\nb");
  ASSERT_TRUE(inbox.NextLine(0, &scanned, &line, &next));
  EXPECT_EQ(line, "a\r");  // one CR before the LF is dropped
  EXPECT_EQ(next, 4u);
  scanned = next;
  EXPECT_FALSE(inbox.NextLine(next, &scanned, &line, &next));
}

TEST(Inbox, DatagramEndsEndLinesAndAreTrackedAcrossConsumption) {
  Inbox inbox(true);
  EXPECT_TRUE(inbox.datagrams());
  EXPECT_EQ(inbox.FirstDatagramEnd(), std::string_view::npos);
  inbox.Append("one");
  inbox.Append("two\nthree\n");
  std::size_t scanned = 0;
  std::string_view line;
  std::size_t next = 0;
  ASSERT_TRUE(inbox.NextLine(0, &scanned, &line, &next));
  EXPECT_EQ(line, "one");
  EXPECT_EQ(next, 3u);
  scanned = next;
  ASSERT_TRUE(inbox.NextLine(next, &scanned, &line, &next));
  EXPECT_EQ(line, "two");
  EXPECT_EQ(inbox.FirstDatagramEnd(), 3u);
  EXPECT_EQ(inbox.DatagramEndAfter(3), 13u);

  inbox.Consume(5);  // "one" and "tw"
  EXPECT_TRUE(inbox.mid_datagram());
  EXPECT_EQ(inbox.FirstDatagramEnd(), 8u);
  inbox.ConsumeDatagram();
  EXPECT_FALSE(inbox.mid_datagram());
  EXPECT_TRUE(inbox.empty());
  EXPECT_EQ(inbox.FirstDatagramEnd(), std::string_view::npos);
}

TEST(Inbox, AnEmptyDatagramIsOneToo) {
  Inbox inbox(true);
  inbox.Append("");
  inbox.Append("x");
  EXPECT_EQ(inbox.FirstDatagramEnd(), 0u);
  inbox.ConsumeDatagram();
  EXPECT_EQ(inbox.FirstDatagramEnd(), 1u);
  inbox.ConsumeDatagram();
  EXPECT_EQ(inbox.FirstDatagramEnd(), std::string_view::npos);
}

}  // namespace
}  // namespace parley::harness
