#include "harness/play/transcript.h"

#include <gtest/gtest.h>

#include <thread>

namespace parley::harness {
namespace {

// Reads more than a millisecond apart are entries of their own (closer ones merge as they
// arrive).
void ReceiveApart(Transcript* t, const std::string& bytes) {
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  t->Received(bytes);
}

std::size_t Lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Transcript, AFewReadsAreShownOneByOne) {
  Transcript t("c", std::chrono::steady_clock::now());
  t.Sent("hi\n");
  for (const char* line : {"one\n", "two\n", "three\n"})
    ReceiveApart(&t, line);
  const std::string shown = t.Render();
  EXPECT_EQ(Lines(shown), 4u) << shown;
  EXPECT_NE(shown.find("< \"two\\n\""), std::string::npos) << shown;
}

TEST(Transcript, AFloodOfReadsIsOneLineWithItsFirstAndLastBytes) {
  Transcript t("c", std::chrono::steady_clock::now());
  t.Sent("GET /flood\n");
  for (int i = 0; i < 47; ++i)
    ReceiveApart(&t, std::string(1024, static_cast<char>('a' + i % 26)));
  t.Note("the peer closed the connection");
  const std::string shown = t.Render();
  EXPECT_EQ(Lines(shown), 3u) << shown;
  EXPECT_NE(shown.find("< 47 reads, 47.0 KiB in "), std::string::npos) << shown;
  EXPECT_NE(shown.find(": \"aaaa"), std::string::npos) << shown;
  // The 47th read was all 'u' (46 % 26 = 20).
  EXPECT_NE(shown.find("uuuu\"\n"), std::string::npos) << shown;
  EXPECT_NE(shown.find("- the peer closed the connection"), std::string::npos) << shown;
}

TEST(Transcript, TheLastBytesOfAFloodAreShownPastWhatIsKept) {
  Transcript t("c", std::chrono::steady_clock::now());
  for (int i = 0; i < 9; ++i)
    ReceiveApart(&t, std::string(64 * 1024, 'x'));
  ReceiveApart(&t, std::string(64 * 1024, 'y') + "THE END");
  const std::string shown = t.Render();
  EXPECT_EQ(Lines(shown), 1u) << shown;
  EXPECT_NE(shown.find("< 10 reads, 640.0 KiB in "), std::string::npos) << shown;
  EXPECT_NE(shown.find("yyyyTHE END\"\n"), std::string::npos) << shown;
}

TEST(Transcript, ANoteOrAWriteBreaksARun) {
  Transcript t("c", std::chrono::steady_clock::now());
  for (int i = 0; i < 3; ++i)
    ReceiveApart(&t, "a");
  t.Sent("b");
  for (int i = 0; i < 3; ++i)
    ReceiveApart(&t, "c");
  EXPECT_EQ(Lines(t.Render()), 7u) << t.Render();
}

}  // namespace
}  // namespace parley::harness
