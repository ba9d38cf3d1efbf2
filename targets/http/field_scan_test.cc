#include "targets/http/field_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/testing/guarded_buffer.h"
#include "targets/http/char_class.h"

namespace parley::http::internal {
namespace {

constexpr FieldScanIsa kEveryIsa[] = {FieldScanIsa::kPortable, FieldScanIsa::kSse2,
                                      FieldScanIsa::kSsse3, FieldScanIsa::kAvx2};

// What the calls of a scan found, one after the other as the parser makes them: each from where
// the last stopped, until one finds nothing or `capacity` lines are found.
struct Scanned {
  std::vector<FieldSpan> spans;
  std::vector<std::size_t> framing;  // the indexes in `spans` of names that may be framing ones
  std::vector<std::size_t> stops;    // where each call stopped, from the buffer's start
  bool operator==(const Scanned&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Scanned& scanned) {
  out << scanned.spans.size() << " spans, framing";
  for (std::size_t index : scanned.framing)
    out << " " << index;
  out << ", stops at";
  for (std::size_t stop : scanned.stops)
    out << " " << stop;
  return out;
}

Scanned Scan(FieldScanFunction scan, const char* buffer, const char* p, const char* end,
             std::size_t capacity = 64) {
  Scanned scanned;
  scanned.spans.resize(capacity);
  std::size_t count = 0;
  while (count < capacity) {
    const std::size_t room = std::min(capacity - count, kMaxScannedFields);
    const ScannedFields found = scan(buffer, p, end, scanned.spans.data() + count, room);
    if (found.count == 0) {
      EXPECT_EQ(found.next, p);
      EXPECT_EQ(found.framing, 0u);
      break;
    }
    EXPECT_LE(found.count, room);
    if (found.count < 32) {
      EXPECT_EQ(found.framing >> found.count, 0u);
    }
    for (std::size_t i = 0; i < found.count; ++i) {
      if ((found.framing >> i & 1) != 0) scanned.framing.push_back(count + i);
    }
    count += found.count;
    p = found.next;
    scanned.stops.push_back(static_cast<std::size_t>(p - buffer));
  }
  scanned.spans.resize(count);
  return scanned;
}

// Scans `bytes` from `offset` with every implementation this CPU runs: in an exact-size heap
// block (AddressSanitizer reports a read before or after it) and against a guard page (a read
// past the end faults). Every result must equal the portable one, which is returned.
Scanned ScanEveryWay(std::string_view bytes, std::size_t offset = 0, std::size_t capacity = 64) {
  const FieldScanFunction portable = FieldScanFor(FieldScanIsa::kPortable);
  const std::unique_ptr<char[]> heap(new char[bytes.size() + 1]);
  std::copy(bytes.begin(), bytes.end(), heap.get());
  const Scanned expected =
      Scan(portable, heap.get(), heap.get() + offset, heap.get() + bytes.size(), capacity);
  test::GuardedBuffer guarded;
  const std::string_view page = guarded.Assign(bytes);
  for (FieldScanIsa isa : kEveryIsa) {
    const FieldScanFunction scan = FieldScanFor(isa);
    if (scan == nullptr) continue;
    EXPECT_EQ(Scan(scan, heap.get(), heap.get() + offset, heap.get() + bytes.size(), capacity),
              expected)
        << FieldScanIsaName(isa) << " on " << testing::PrintToString(std::string(bytes)) << " from "
        << offset;
    EXPECT_EQ(Scan(scan, page.data(), page.data() + offset, page.data() + page.size(), capacity),
              expected)
        << FieldScanIsaName(isa) << " at a guard page";
  }
  return expected;
}

TEST(FieldScan, TheBestIsaIsOneThisCpuRuns) {
  const FieldScanIsa best = BestFieldScanIsa();
  EXPECT_NE(FieldScanFor(best), nullptr);
  EXPECT_NE(FieldScanFor(FieldScanIsa::kPortable), nullptr);
  EXPECT_EQ(BestFieldScanIsa(), best);
#if defined(__x86_64__)
  EXPECT_NE(FieldScanFor(FieldScanIsa::kSse2), nullptr);  // the x86-64 baseline
  __builtin_cpu_init();
  EXPECT_EQ(FieldScanFor(FieldScanIsa::kAvx2) != nullptr, __builtin_cpu_supports("avx2") != 0);
  EXPECT_EQ(FieldScanFor(FieldScanIsa::kSsse3) != nullptr, __builtin_cpu_supports("ssse3") != 0);
#endif
  std::printf("field scan: %s\n", std::string(FieldScanIsaName(best)).c_str());
}

// The name and value of each span, read from `bytes`.
std::vector<std::pair<std::string_view, std::string_view>> NamesAndValues(
    std::string_view bytes, const std::vector<FieldSpan>& spans) {
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  for (const FieldSpan& span : spans) {
    fields.emplace_back(bytes.substr(span.name_begin, span.name_size),
                        bytes.substr(span.value_begin, span.value_size));
  }
  return fields;
}

TEST(FieldScan, MeasuresEachCleanLine) {
  const std::string head =
      "Host: www.kittyhell.com\r\n"
      "User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) "
      "Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n"
      "Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n"
      "X:\r\n"
      "Upgrade-Insecure-Requests: 1\r\n"
      "Tab:\tv\t\r\n"
      "Obs: caf\xc3\xa9\r\n"
      "Blank: \t \r\n"
      "\r\n";
  const Scanned scanned = ScanEveryWay(head);
  ASSERT_EQ(scanned.spans.size(), 8u);
  EXPECT_EQ(scanned.spans[0], (FieldSpan{0, 4, 6, 17}));
  EXPECT_EQ(scanned.spans[1], (FieldSpan{25, 10, 37, 112}));
  const std::vector<std::pair<std::string_view, std::string_view>> expected = {
      {"Host", "www.kittyhell.com"},
      {"User-Agent",
       "Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 "
       "Firefox/3.6.3 Pathtraq/0.9"},
      {"Accept-Language", "ja,en-us;q=0.7,en;q=0.3"},
      {"X", ""},
      {"Upgrade-Insecure-Requests", "1"},
      {"Tab", "v"},
      {"Obs", "caf\xc3\xa9"},
      {"Blank", ""},
  };
  EXPECT_EQ(NamesAndValues(head, scanned.spans), expected);
  // Host is marked for the parser to look at; the scan stops before the empty line.
  EXPECT_EQ(scanned.framing, (std::vector<std::size_t>{0}));
  EXPECT_EQ(scanned.stops, (std::vector<std::size_t>{head.size() - 2}));
  // The capacity bounds the count; the next call goes on from there.
  EXPECT_EQ(ScanEveryWay(head, 0, 2).spans.size(), 2u);
  EXPECT_EQ(ScanEveryWay(head, 25, 64).spans.size(), 7u);
}

TEST(FieldScan, MarksEachNameThatMayBeAFramingOne) {
  for (const std::string name : {"Host", "HOST", "hxxx", "Expect", "Connection", "content-length",
                                 "Cxxxxxxxxxxxxx", "Transfer-Encoding"}) {
    const Scanned scanned = ScanEveryWay("A: b\r\n" + name + ": v\r\nC: d\r\n\r\n");
    EXPECT_EQ(scanned.spans.size(), 3u) << name;
    EXPECT_EQ(scanned.framing, (std::vector<std::size_t>{1})) << name;
  }
  for (const std::string name : {"Hos", "Hosts", "Keep-Alive", "Accept-Charset", "Cookie", "X"}) {
    const Scanned scanned = ScanEveryWay("A: b\r\n" + name + ": v\r\nC: d\r\n\r\n");
    EXPECT_EQ(scanned.spans.size(), 3u) << name;
    EXPECT_TRUE(scanned.framing.empty()) << name;
  }
  // Past kMaxScannedFields lines, the marks go on in the next call.
  std::string many;
  for (std::size_t i = 0; i < 2 * kMaxScannedFields + 3; ++i)
    many += i % 3 == 0 ? "Host: a\r\n" : "X: y\r\n";
  const Scanned scanned = ScanEveryWay(many + "\r\n", 0, 1000);
  ASSERT_EQ(scanned.spans.size(), 2 * kMaxScannedFields + 3);
  EXPECT_EQ(scanned.framing.size(), (2 * kMaxScannedFields + 3 + 2) / 3);
  for (std::size_t index : scanned.framing)
    EXPECT_EQ(index % 3, 0u);
  EXPECT_EQ(scanned.stops.size(), 3u);
}

TEST(FieldScan, StopsBeforeTheFirstLineThatIsNotClean) {
  const std::string clean = "A: b\r\n";
  const std::vector<std::string> unclean = {
      "\r\n",                        // the end of the head
      " A: b\r\n",                   // obs-fold
      ": b\r\n",                     // no name
      "A : b\r\n",                   // whitespace before the colon
      "A b\r\n",                     // no colon
      "A\r\n",                       // no colon
      "A(: b\r\n",                   // not a token
      "A: b\n",                      // bare LF
      "A: b\rc\r\n",                 // bare CR
      "A: b\x01\r\n",                // a control
      "A: b\x7f\r\n",                // DEL
      std::string("A: b\0\r\n", 7),  // NUL
      "A: b\r",                      // cut off
      "A: b",                        // cut off
      "A:",                          // cut off
      "A",                           // cut off
  };
  for (std::size_t i = 0; i < unclean.size(); ++i) {
    const std::string& line = unclean[i];
    EXPECT_EQ(ScanEveryWay(clean + line).spans.size(), 1u) << testing::PrintToString(line);
    // A line cut off would run on into the next one.
    if (i + 4 < unclean.size()) {
      EXPECT_EQ(ScanEveryWay(line + clean).spans.size(), 0u) << testing::PrintToString(line);
    }
  }
}

TEST(FieldScan, EveryByteInNameAndValueIsJudgedAlike) {
  for (int byte = 0; byte < 256; ++byte) {
    const char c = static_cast<char>(byte);
    // At every position of a 16- and a 32-byte block, and past them (a value's bytes after its
    // first block are searched 32 at a time, then one block at a time).
    for (std::size_t at : {0u, 5u, 15u, 16u, 31u, 32u, 40u, 47u, 48u, 63u, 64u, 79u, 80u, 100u}) {
      ScanEveryWay(std::string(at, 'n') + c + "n: value\r\n");
      ScanEveryWay("Name: " + std::string(at, 'v') + c + "v\r\n");
    }
  }
}

// Random lines from an alphabet that makes every kind of line likely, at every offset of the
// buffer, so that loads near both ends and every block boundary are covered.
TEST(FieldScan, AgreesWithThePortableScanOnRandomLines) {
  std::mt19937 random(20261206);
  const std::string alphabet = "aZ9-!~:  \t\r\n\x01\x7f\x80\xff(\"";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<std::size_t> length(0, 40);
  std::uniform_int_distribution<std::size_t> value_length(0, 120);
  std::uniform_int_distribution<int> kind(0, 9);
  for (int round = 0; round < 3000; ++round) {
    std::string bytes;
    const int lines = kind(random);
    for (int i = 0; i < lines; ++i) {
      bytes += std::string(length(random) % 20 + 1, "abcXYZ-09"[random() % 9]);
      bytes += ':';
      for (std::size_t n = value_length(random); n > 0; --n) {
        bytes += random() % 8 == 0 ? alphabet[pick(random)] : "v x\t"[random() % 4];
      }
      bytes += random() % 12 == 0 ? "\n" : "\r\n";
    }
    if (random() % 3 == 0) bytes.resize(bytes.size() - random() % (bytes.size() + 1));
    const std::size_t offset = bytes.empty() ? 0 : random() % (bytes.size() + 1);
    ScanEveryWay(bytes, random() % 2 == 0 ? 0 : offset);
  }
}

// The first byte of `bytes` from `offset` outside a class, found by every scan `scan_for` gives
// for this CPU, in an exact-size heap block and against a guard page; all must agree with a
// plain loop over `inside`. Returns its offset.
template <class Inside>
std::size_t ClassEndEveryWay(TargetScanFunction (*scan_for)(FieldScanIsa), const Inside& inside,
                             std::string_view bytes, std::size_t offset = 0) {
  std::size_t expected = offset;
  while (expected < bytes.size() && inside(bytes[expected]))
    ++expected;
  const std::unique_ptr<char[]> heap(new char[bytes.size() + 1]);
  std::copy(bytes.begin(), bytes.end(), heap.get());
  test::GuardedBuffer guarded;
  const std::string_view page = guarded.Assign(bytes);
  for (FieldScanIsa isa : kEveryIsa) {
    const TargetScanFunction scan = scan_for(isa);
    if (scan == nullptr) continue;
    EXPECT_EQ(scan(heap.get(), heap.get() + offset, heap.get() + bytes.size()) - heap.get(),
              static_cast<std::ptrdiff_t>(expected))
        << FieldScanIsaName(isa) << " on " << testing::PrintToString(std::string(bytes));
    EXPECT_EQ(scan(page.data(), page.data() + offset, page.data() + page.size()) - page.data(),
              static_cast<std::ptrdiff_t>(expected))
        << FieldScanIsaName(isa) << " at a guard page";
  }
  return expected;
}

std::size_t TargetEndEveryWay(std::string_view bytes, std::size_t offset = 0) {
  return ClassEndEveryWay(
      TargetScanFor, [](char c) { return Is(c, kTarget); }, bytes, offset);
}

std::size_t RegNameEndEveryWay(std::string_view bytes, std::size_t offset = 0) {
  return ClassEndEveryWay(
      PlainRegNameScanFor, [](char c) { return c != '%' && Is(c, kRegName); }, bytes, offset);
}

TEST(TargetScan, TheWidestScansHaveOne) {
  EXPECT_EQ(TargetScanFor(FieldScanIsa::kPortable), nullptr);
  EXPECT_EQ(TargetScanFor(FieldScanIsa::kSse2), nullptr);
  EXPECT_EQ(TargetScanFor(FieldScanIsa::kAvx2) != nullptr,
            FieldScanFor(FieldScanIsa::kAvx2) != nullptr);
  EXPECT_EQ(TargetScanFor(FieldScanIsa::kSsse3) != nullptr,
            FieldScanFor(FieldScanIsa::kSsse3) != nullptr);
}

TEST(TargetScan, StopsAtTheFirstByteNoTargetAllows) {
  const std::string target = "/wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg";
  EXPECT_EQ(TargetEndEveryWay(target + " HTTP/1.1\r\n"), target.size());
  EXPECT_EQ(TargetEndEveryWay(target), target.size());
  EXPECT_EQ(TargetEndEveryWay("/a?b=c&d=%41;e:f@g!$'()*+,~_ "), 28u);
  EXPECT_EQ(TargetEndEveryWay("/[::1]"), 1u);
  EXPECT_EQ(TargetEndEveryWay(""), 0u);
  for (int byte = 0; byte < 256; ++byte) {
    for (std::size_t at : {0u, 5u, 15u, 16u, 31u, 32u, 40u, 70u}) {
      TargetEndEveryWay(std::string(at, 'a') + static_cast<char>(byte) + "/x");
      TargetEndEveryWay(std::string(at, '/') + static_cast<char>(byte));
      TargetEndEveryWay("GET " + std::string(at, '%') + static_cast<char>(byte) + " HTTP/1.1", 4);
    }
  }
}

TEST(RegNameScan, StopsAtTheFirstByteOutsideAPlainRegName) {
  EXPECT_EQ(PlainRegNameScanFor(FieldScanIsa::kSse2), nullptr);
  EXPECT_EQ(RegNameEndEveryWay("www.kittyhell.com"), 17u);
  EXPECT_EQ(RegNameEndEveryWay("www.kittyhell.com:8080"), 17u);
  EXPECT_EQ(RegNameEndEveryWay("a-b_c~d!$&'()*+,;=%41"), 18u);
  EXPECT_EQ(RegNameEndEveryWay("[::1]"), 0u);
  for (int byte = 0; byte < 256; ++byte) {
    for (std::size_t at : {0u, 5u, 15u, 16u, 31u, 32u, 40u}) {
      RegNameEndEveryWay(std::string(at, 'h') + static_cast<char>(byte) + "x");
      RegNameEndEveryWay("Host: " + std::string(at, '.') + static_cast<char>(byte), 6);
    }
  }
}

}  // namespace
}  // namespace parley::http::internal
