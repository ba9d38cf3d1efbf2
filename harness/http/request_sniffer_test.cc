#include "harness/http/request_sniffer.h"

#include <gtest/gtest.h>

namespace parley::harness {
namespace {

TEST(RequestSniffer, FindsRequestLinesAtMessageStarts) {
  RequestSniffer s;
  EXPECT_EQ(s.Feed("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /a HTTP/1.1\r\n\r\n"),
            (std::vector<std::string>{"HEAD", "GET"}));
  // A body line that looks like a request line is not at a message start.
  EXPECT_EQ(s.Feed("POST / HTTP/1.1\r\nContent-Length: 5\r\nX: GET / HTTP/1.1\r\n\r\n"),
            std::vector<std::string>{"POST"});
  EXPECT_TRUE(s.Feed("hello").empty());
}

TEST(RequestSniffer, JoinsRequestLinesSplitAcrossSends) {
  RequestSniffer s;
  EXPECT_TRUE(s.Feed("HE").empty());
  EXPECT_TRUE(s.Feed("AD / HTTP/1").empty());
  EXPECT_EQ(s.Feed(".1\r\n\r\n"), std::vector<std::string>{"HEAD"});
  EXPECT_TRUE(s.Feed("not a request\r\n").empty());
  EXPECT_TRUE(s.Feed("GET / HTTP/1.1\r\n").empty());  // not after an empty line
}

TEST(RequestSniffer, IgnoresWhatIsNotARequestLine) {
  RequestSniffer s;
  EXPECT_TRUE(s.Feed("hola\n").empty());
  RequestSniffer t;
  EXPECT_TRUE(t.Feed("get / HTTP/1.1\r\n").empty());
  RequestSniffer u;
  EXPECT_TRUE(u.Feed("GET /\r\n").empty());
  RequestSniffer v;
  EXPECT_EQ(v.Feed("GET / HTTP/1.0\n\nDELETE /x HTTP/1.1\n"),
            (std::vector<std::string>{"GET", "DELETE"}));
}

}  // namespace
}  // namespace parley::harness
