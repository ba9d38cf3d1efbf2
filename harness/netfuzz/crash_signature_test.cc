#include "harness/netfuzz/crash_signature.h"

#include <gtest/gtest.h>

namespace parley::harness {
namespace {

constexpr const char* kAsan = R"(=================================================================
==1234==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000011
READ of size 1 at 0x602000000011 thread T0
    #0 0x55d1 in memcpy (/usr/bin/http-server+0x1234)
    #1 0x55d2 in parley::http::RequestParser::ParseField(std::basic_string_view<char>) /src/targets/http/parser/request_parser.cc:120:5
    #2 0x55d3 in parley::http::RequestParser::Parse(char const*, unsigned long) /src/targets/http/parser/request_parser.cc:80:3
    #3 0x55d4 in std::function<void ()>::operator()() const /usr/include/c++/12/bits/std_function.h:591:9
    #4 0x55d5 in parley::http::Session::OnRead() /src/targets/http/server/session.cc:40:7
    #5 0x55d6 in main /src/targets/http/server/main.cc:10:3

0x602000000011 is located 0 bytes to the right of 1-byte region
    #0 0x55e1 in malloc
    #1 0x55e2 in parley::Other() /src/x.cc:1:1
)";

TEST(CrashSignature, ASanReportsAreNamedByTypeAndTopFrames) {
  CrashReport r = ClassifyCrash(kAsan, "exit code 1");
  EXPECT_EQ(r.kind, "asan: heap-buffer-overflow");
  EXPECT_EQ(r.Signature(),
            "asan: heap-buffer-overflow | parley::http::RequestParser::ParseField < "
            "parley::http::RequestParser::Parse < parley::http::Session::OnRead");
  EXPECT_TRUE(r.head.starts_with("==1234==ERROR: AddressSanitizer")) << r.head;
}

TEST(CrashSignature, OtherKindsAndTheEnding) {
  EXPECT_EQ(ClassifyCrash("x.cc:3:9: runtime error: signed integer overflow: 2147483647 + 1",
                          "exit code 1")
                .kind,
            "ubsan: signed integer overflow: N + N");
  EXPECT_EQ(ClassifyCrash("terminate called after throwing an instance of 'std::out_of_range'\n",
                          "killed by signal 6 (SIGABRT)")
                .kind,
            "uncaught exception: std::out_of_range");
  EXPECT_EQ(ClassifyCrash("srv: a.cc:9: int f(): Assertion `n > 0' failed.\n", "").kind,
            "assertion: n > 0");
  CrashReport plain = ClassifyCrash("fake-target: bye\n", "killed by signal 6 (SIGABRT)");
  EXPECT_EQ(plain.Signature(), "killed by signal 6 (SIGABRT)");
  EXPECT_EQ(ClassifyCrash("", "").kind, "unknown");
}

TEST(CrashSignature, FunctionNamesLoseParametersFilesAndModules) {
  EXPECT_EQ(FunctionName("parley::Foo::Bar(int) const /src/x.cc:12:3"), "parley::Foo::Bar");
  EXPECT_EQ(FunctionName("f<std::pair<int, int> >(int) (/bin/x+0x12)"), "f<std::pair<int, int> >");
  EXPECT_EQ(FunctionName("(anonymous namespace)::Helper() /a.cc:1"),
            "(anonymous namespace)::Helper");
}

}  // namespace
}  // namespace parley::harness
