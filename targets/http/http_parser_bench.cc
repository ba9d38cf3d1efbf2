// http_parser_bench: parley's request parser against Boost.Beast's request_parser on the same
// reference requests (targets/http/testdata), each parsed whole and fed one byte at a time.
//
//   http_parser_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Both parsers see the bytes the same way: a buffer that grows by one byte per call and starts
// at the first byte not yet consumed. Floor*/bytewise makes the same calls into a scanner that
// only looks for line ends: the least any incremental parser does per call, measured beside
// the parsers so that the cost of a call itself is a figure of the same run. parley's parser is
// reused across requests (Reset), as a server reuses it per connection; Beast's parsers are
// single-use by design, so each iteration constructs one.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "targets/http/body_reader.h"
#include "targets/http/request_parser.h"

namespace {

namespace beast_http = boost::beast::http;
using parley::http::BodyReader;
using parley::http::BodyStatus;
using parley::http::BodyStep;
using parley::http::ParseStatus;
using parley::http::RequestParser;

std::string Load(const char* name) {
  std::ifstream in(std::string(PARLEY_HTTP_TESTDATA_DIR) + "/" + name, std::ios::binary);
  std::string bytes(std::istreambuf_iterator<char>(in), {});
  if (bytes.empty()) {
    std::fprintf(stderr, "http_parser_bench: cannot read testdata/%s\n", name);
    std::exit(1);
  }
  return bytes;
}

const std::string& Firefox() {
  static const std::string bytes = Load("request-firefox-703.http");
  return bytes;
}

const std::string& ChunkedPost() {
  static const std::string bytes = Load("request-chunked-post-520.http");
  return bytes;
}

// Parses the head of `bytes`, offering prefixes that grow by `step` bytes (or all at once when
// step is 0). Returns the head size, or 0 on failure.
std::size_t ParleyHead(RequestParser& parser, std::string_view bytes, std::size_t step) {
  parser.Reset();
  if (step == 0) {
    return parser.Parse(bytes) == ParseStatus::kComplete ? parser.head_size() : 0;
  }
  for (std::size_t end = step; end <= bytes.size(); end += step) {
    const ParseStatus status = parser.Parse(bytes.substr(0, end));
    if (status == ParseStatus::kComplete) return parser.head_size();
    if (status == ParseStatus::kError) return 0;
  }
  return 0;
}

// Reads a body offered `step` bytes at a time (all at once when step is 0); returns the decoded
// size, or -1 unless the body ends exactly at the end of `bytes`.
long ParleyBody(BodyReader& reader, std::string_view bytes, std::size_t step) {
  long decoded = 0;
  std::size_t used = 0;
  while (used < bytes.size()) {
    const std::size_t offered = step == 0 ? bytes.size() - used : step;
    const BodyStep result = reader.Read(bytes.substr(used, offered));
    decoded += static_cast<long>(result.data.size());
    used += result.consumed;
    if (result.status == BodyStatus::kDone) return used == bytes.size() ? decoded : -1;
    if (result.status == BodyStatus::kError) return -1;
  }
  return -1;
}

void ParleyFirefox(benchmark::State& state, std::size_t step) {
  const std::string& bytes = Firefox();
  RequestParser parser;
  for (auto _ : state) {
    const std::size_t head = ParleyHead(parser, bytes, step);
    if (head != bytes.size()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(parser.head().fields.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}

// The Firefox request whole with each field scan (field_scan.h) this CPU runs, side by side.
void ParleyFirefoxWith(benchmark::State& state, parley::http::internal::FieldScanIsa isa) {
  if (parley::http::internal::FieldScanFor(isa) == nullptr) {
    state.SkipWithError("this CPU cannot run it");
    return;
  }
  const std::string& bytes = Firefox();
  RequestParser parser(parley::http::Limits(), isa);
  for (auto _ : state) {
    const std::size_t head = ParleyHead(parser, bytes, 0);
    if (head != bytes.size()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(parser.head().fields.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}

void ParleyChunkedPost(benchmark::State& state, std::size_t step) {
  const std::string_view bytes = ChunkedPost();
  RequestParser parser;
  BodyReader reader;
  for (auto _ : state) {
    const std::size_t head = ParleyHead(parser, bytes, step);
    reader.Reset(parser.head().framing, parser.head().content_length);
    const long body = head == 0 ? -1 : ParleyBody(reader, bytes.substr(head), step);
    if (body != 11) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(body);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}

// Feeds Beast's parser the unconsumed bytes, growing by `step` bytes per call (all at once when
// step is 0), as its documentation asks of callers. Returns whether the message completed.
template <class Parser>
bool BeastParse(Parser& parser, std::string_view bytes, std::size_t step) {
  parser.eager(true);
  const std::size_t grow = step == 0 ? bytes.size() : step;
  std::size_t used = 0;
  std::size_t end = std::min(bytes.size(), grow);
  while (!parser.is_done()) {
    boost::beast::error_code error;
    const std::size_t consumed =
        parser.put(boost::asio::const_buffer(bytes.data() + used, end - used), error);
    used += consumed;
    if (error && error != beast_http::error::need_more) return false;
    if (parser.is_done()) break;
    if (consumed == 0 || used == end) {
      if (end == bytes.size()) return false;
      end = std::min(bytes.size(), end + grow);
    }
  }
  return used == bytes.size();
}

void BeastFirefox(benchmark::State& state, std::size_t step) {
  const std::string& bytes = Firefox();
  for (auto _ : state) {
    beast_http::request_parser<beast_http::empty_body> parser;
    if (!BeastParse(parser, bytes, step)) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(parser.get().target().data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}

void BeastChunkedPost(benchmark::State& state, std::size_t step) {
  const std::string& bytes = ChunkedPost();
  for (auto _ : state) {
    beast_http::request_parser<beast_http::string_body> parser;
    if (!BeastParse(parser, bytes, step) || parser.get().body() != "hello world") {
      state.SkipWithError("parse failed");
    }
    benchmark::DoNotOptimize(parser.get().body().data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}

// The floor for feeding one byte per call: a scanner that keeps nothing but how far it has
// looked and how many line ends it saw. The compiler must not merge the calls into one pass
// over the buffer (a parser's calls cannot be: each comes after a read), so every call sees a
// buffer it cannot predict and leaves its state in memory, as a parser's call does.
class LineEndScanner {
 public:
  void Feed(std::string_view received) {
    const char* data = received.data();
    benchmark::DoNotOptimize(data);
    for (; scanned_ < received.size(); ++scanned_)
      line_ends_ += data[scanned_] == '\n' ? 1 : 0;
    benchmark::ClobberMemory();
  }
  std::size_t line_ends() const { return line_ends_; }

 private:
  std::size_t scanned_ = 0;
  std::size_t line_ends_ = 0;
};

void Floor(benchmark::State& state, const std::string& bytes) {
  for (auto _ : state) {
    LineEndScanner scanner;
    for (std::size_t end = 1; end <= bytes.size(); ++end)
      scanner.Feed(std::string_view(bytes).substr(0, end));
    if (scanner.line_ends() == 0) state.SkipWithError("no line end");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}

void FloorFirefox(benchmark::State& state) {
  Floor(state, Firefox());
}
void FloorChunkedPost(benchmark::State& state) {
  Floor(state, ChunkedPost());
}

BENCHMARK_CAPTURE(ParleyFirefox, whole, 0);
BENCHMARK_CAPTURE(BeastFirefox, whole, 0);
BENCHMARK_CAPTURE(ParleyFirefox, bytewise, 1);
BENCHMARK_CAPTURE(BeastFirefox, bytewise, 1);
BENCHMARK(FloorFirefox)->Name("FloorFirefox/bytewise");
BENCHMARK_CAPTURE(ParleyChunkedPost, whole, 0);
BENCHMARK_CAPTURE(BeastChunkedPost, whole, 0);
BENCHMARK_CAPTURE(ParleyChunkedPost, bytewise, 1);
BENCHMARK_CAPTURE(BeastChunkedPost, bytewise, 1);
BENCHMARK(FloorChunkedPost)->Name("FloorChunkedPost/bytewise");
BENCHMARK_CAPTURE(ParleyFirefoxWith, portable, parley::http::internal::FieldScanIsa::kPortable);
BENCHMARK_CAPTURE(ParleyFirefoxWith, sse2, parley::http::internal::FieldScanIsa::kSse2);
BENCHMARK_CAPTURE(ParleyFirefoxWith, ssse3, parley::http::internal::FieldScanIsa::kSsse3);
BENCHMARK_CAPTURE(ParleyFirefoxWith, avx2, parley::http::internal::FieldScanIsa::kAvx2);

}  // namespace

BENCHMARK_MAIN();
