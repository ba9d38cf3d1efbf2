// What the server sent on one recorded connection, turned into `expect` steps as it arrives:
// one writer per connection, chosen by its protocol.
//
//   http      each complete response becomes `expect: {http: ...}` (status, reason, headers
//             by the HeaderPolicy, the body exact or, when large, its length)
//   lines     each complete line becomes `expect: {line: ...}`
//   bytes     what arrives between two other events becomes one `expect: {bytes: ...}`
//   datagram  (UDP) each datagram becomes `expect: {datagram: ...}`
//
// Volatile values go through the shared Normalizer (normalizer.h). Writers append YAML step
// texts to a StepList; ScenarioWriter orders them with the rest of the scenario.
#ifndef PARLEY_HARNESS_RECORD_STREAM_WRITERS_H_
#define PARLEY_HARNESS_RECORD_STREAM_WRITERS_H_

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/record/normalizer.h"

namespace parley::harness {

// The steps of a scenario as YAML text. A step is written as "key: ..." and may span lines,
// its later lines indented relative to the first.
class StepList {
 public:
  void Add(std::string_view step);
  void Comment(std::string_view text);
  // "  - step\n" for each step, later lines indented under it; comments as "  # text".
  const std::string& text() const { return text_; }
  int steps() const { return steps_; }

 private:
  std::string text_;
  int steps_ = 0;
};

// Which response headers an `http` expectation checks, and how.
struct HeaderPolicy {
  static constexpr std::size_t kExactBody = 8192;  // larger bodies are checked by length
  std::set<std::string> drop;                      // lower-case names: not checked (--drop-header)
  std::set<std::string> keep;  // lower-case names: checked exactly even if volatile
  // Checked for presence only, unless kept: values that change with every response.
  std::set<std::string> present = {"date", "last-modified", "etag", "expires", "age"};
};

enum class StreamProtocol { kHttp, kLines, kBytes, kDatagram };
const char* ProtocolName(StreamProtocol p);

class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Bytes the client sent (HTTP: spots HEAD requests).
  virtual void ClientBytes(std::string_view bytes) { (void)bytes; }
  virtual void ServerBytes(std::string_view bytes, StepList* steps) = 0;
  // Writes what it holds back (bytes mode); called before any other event is written.
  virtual void Flush(StepList* steps) { (void)steps; }
  // The server closed its side, or the recording ended: writes what is left.
  virtual void End(StepList* steps) = 0;
};

// `connection` is the scenario's name for it (c1); `normalizer` and `policy` outlive the writer.
std::unique_ptr<StreamWriter> MakeStreamWriter(StreamProtocol protocol, std::string connection,
                                               Normalizer* normalizer, const HeaderPolicy* policy);

// A text match in YAML: 'exact ${var}' or {regex: '^...$'} (with `prefix` before the ^).
std::string MatchYaml(const Pieces& pieces, std::string_view prefix = "");

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_RECORD_STREAM_WRITERS_H_
