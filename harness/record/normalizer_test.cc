#include "harness/record/normalizer.h"

#include <gtest/gtest.h>

namespace parley::harness {
namespace {

Normalizer Make(std::vector<std::string> patterns = {}) {
  NormalizeOptions o;
  o.addresses = {"127.0.0.1:40000", "localhost:40000"};
  o.address_variable = "server";
  o.patterns = std::move(patterns);
  std::string error;
  return Normalizer(std::move(o), &error);
}

TEST(Normalizer, AddressesBecomeTheServerVariable) {
  Normalizer n = Make();
  Pieces p = n.Sent("Host: localhost:40000\r\n", false);
  EXPECT_FALSE(NeedsRegex(p));
  EXPECT_EQ(TemplateSource(p), "Host: ${server}\\r\\n");
  EXPECT_EQ(TemplateSource(n.Received("at 127.0.0.1:40000.", false, true)), "at ${server}.");
}

TEST(Normalizer, ACounterTheServerSendsFirstIsCapturedThenReused) {
  Normalizer n = Make();
  Pieces welcome = n.Received("* welcome guest7", true, true);
  EXPECT_EQ(RegexSource(welcome), "\\* welcome (guest\\d+)");
  EXPECT_EQ(CaptureNames(welcome), std::vector<std::string>{"guest_1"});
  Pieces online = n.Received("* online: guest7 guest8", true, true);
  EXPECT_EQ(RegexSource(online), "\\* online: ${guest_1} (guest\\d+)");
  EXPECT_EQ(CaptureNames(online), std::vector<std::string>{"guest_2"});
  EXPECT_EQ(TemplateSource(n.Sent("/msg guest8 hi\n", true)), "/msg ${guest_2} hi\\n");
  Pieces relay = n.Received("<guest8> hi", true, true);
  EXPECT_FALSE(NeedsRegex(relay));
  EXPECT_EQ(TemplateSource(relay), "<${guest_2}> hi");
}

TEST(Normalizer, TheSameNewValueTwiceInOneTextIsCapturedOnce) {
  Normalizer n = Make();
  Pieces p = n.Received("guest3 is guest3", true, true);
  EXPECT_EQ(RegexSource(p), "(guest\\d+) is guest\\d+");
}

TEST(Normalizer, ValuesAClientChoseStayLiteral) {
  Normalizer n = Make();
  EXPECT_EQ(TemplateSource(n.Sent("/nick bob2\n", true)), "/nick bob2\\n");
  EXPECT_FALSE(NeedsRegex(n.Received("* you are now bob2", true, true)));
}

TEST(Normalizer, OnlyWholeWordsOfLettersThenDigitsAreCounters) {
  Normalizer n = Make();
  EXPECT_FALSE(NeedsRegex(n.Received("! error invalid-utf8", true, true)));
  EXPECT_FALSE(NeedsRegex(n.Received("HTTP/1.1 x2y 42 _a1", true, true)));
  EXPECT_FALSE(NeedsRegex(n.Received("<h1>hola</h1>", false, true)));  // counters off
}

TEST(Normalizer, WithoutCapturesANewValueIsAWildcard) {
  Normalizer n = Make();
  Pieces p = n.Received("user guest4", true, false);
  EXPECT_EQ(RegexSource(p), "user guest\\d+");
  EXPECT_TRUE(CaptureNames(p).empty());
  EXPECT_EQ(RegexSource(n.Received("user guest4", true, false)), "user guest\\d+");
}

TEST(Normalizer, ThePeerPortMatchesAnyNumber) {
  Normalizer n = Make();
  n.AddPeerPort(51234);
  EXPECT_EQ(RegexSource(n.Received("peer: 127.0.0.1:51234", false, true)),
            "peer: 127\\.0\\.0\\.1:\\d+");
  EXPECT_FALSE(NeedsRegex(n.Received("id 512345", false, true)));
}

TEST(Normalizer, VolatilePatterns) {
  Normalizer n = Make({"[0-9a-f]{8}-[0-9a-f]{4}"});
  Pieces p = n.Received("session deadbeef-0001 ok", false, true);
  EXPECT_EQ(RegexSource(p), "session ((?:[0-9a-f]{8}-[0-9a-f]{4})) ok");
  EXPECT_EQ(CaptureNames(p), std::vector<std::string>{"deadbeef_1"});
  EXPECT_EQ(TemplateSource(n.Sent("resume deadbeef-0001", false)), "resume ${deadbeef_1}");

  std::string error;
  NormalizeOptions bad;
  bad.patterns = {"(x)"};
  EXPECT_FALSE(Normalizer(bad, &error).valid());
  EXPECT_NE(error.find("capture group"), std::string::npos);
  bad.patterns = {"(x"};
  EXPECT_FALSE(Normalizer(bad, &error).valid());
}

TEST(Normalizer, BytesThatAreNotUtf8GetOnlyTheAddress) {
  Normalizer n = Make();
  n.AddPeerPort(51234);
  Pieces p = n.Received("\xff guest1 51234 127.0.0.1:40000", true, true);
  EXPECT_FALSE(NeedsRegex(p));
  EXPECT_EQ(TemplateSource(p), "\\xFF guest1 51234 ${server}");
}

}  // namespace
}  // namespace parley::harness
