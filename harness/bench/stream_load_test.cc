#include "harness/bench/stream_load.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace parley::bench {
namespace {

TEST(BenchRandomStream, IsTheSameForTheSameSeedAndEndsWithTheTail) {
  const std::string a = RandomStream(3001, "END").Bytes();
  EXPECT_EQ(a.size(), 3004u);
  EXPECT_EQ(a, RandomStream(3001, "END").Bytes());
  EXPECT_NE(a, RandomStream(3001, "END", 2).Bytes());
  EXPECT_TRUE(a.ends_with("END"));
  const StreamContent big = RandomStream(5 << 20, "");
  EXPECT_EQ(big.block.size(), 1u << 20);  // repeated, not held whole
  const std::string http = AsHttpResponse(RandomStream(10, "x")).Bytes();
  EXPECT_TRUE(http.starts_with("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n")) << http;
  EXPECT_EQ(http.size() - http.find("\r\n\r\n") - 4, 11u);
}

// A file holding `bytes`, removed with the object.
class TempFile {
 public:
  explicit TempFile(std::string_view bytes)
      : path_(std::filesystem::temp_directory_path() /
              ("parley-stream-" + std::to_string(::getpid()) + "-" + std::to_string(++count_))) {
    std::ofstream(path_, std::ios::binary) << bytes;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int count_ = 0;
  std::filesystem::path path_;
};

TEST(BenchStreamCheck, EqualSeesEveryDifferenceAndTheLength) {
  TempFile file("abcdef");
  StreamCheck same = StreamCheck::Equal(file.path());
  same.Feed("abc");
  same.Feed("def");
  EXPECT_TRUE(same.passed());
  StreamCheck differs = StreamCheck::Equal(file.path());
  differs.Feed("abx");
  differs.Feed("def");
  EXPECT_FALSE(differs.passed());
  StreamCheck shorter = StreamCheck::Equal(file.path());
  shorter.Feed("abcde");
  EXPECT_FALSE(shorter.passed());
  StreamCheck longer = StreamCheck::Equal(file.path());
  longer.Feed("abcdefg");
  EXPECT_FALSE(longer.passed());
  StreamCheck missing = StreamCheck::Equal(file.path() + ".missing");
  EXPECT_FALSE(missing.passed());
}

TEST(BenchStreamCheck, ContainsFindsAMatchAcrossEverySplit) {
  const std::string stream = "xxxxneedlexx";
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    StreamCheck check = StreamCheck::Contains("needle");
    check.Feed(std::string_view(stream).substr(0, split));
    check.Feed(std::string_view(stream).substr(split));
    EXPECT_TRUE(check.passed()) << split;
  }
  StreamCheck missing = StreamCheck::Contains("needle");
  missing.Feed("needl");
  missing.Feed("x needl");
  EXPECT_FALSE(missing.passed());
}

TEST(BenchStreamSource, SendsItsBytesToTheReader) {
  const StreamContent content = RandomStream(3 << 20, "THE END");
  StreamSource source(content);
  std::thread serving([&] { source.Serve(2); });
  const boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address("127.0.0.1"),
                                          source.port());
  const std::string bytes = content.Bytes();
  TempFile file(bytes);
  StreamCheck equal = StreamCheck::Equal(file.path());
  ReadResult read = ReadStream(at, &equal);
  EXPECT_EQ(read.error, "");
  EXPECT_EQ(read.bytes, bytes.size());
  StreamCheck contains = StreamCheck::Contains("THE END");
  EXPECT_EQ(ReadStream(at, &contains).error, "");
  serving.join();
}

}  // namespace
}  // namespace parley::bench
