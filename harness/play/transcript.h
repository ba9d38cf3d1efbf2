// What happened on one connection, in order, with times: bytes sent and received, opens,
// closes and errors. Shown with a failing scenario and, with --verbose, for every scenario.
// Bounded: past kMaxBytes of recorded data, entries keep their sizes but not their bytes.
#ifndef PARLEY_HARNESS_PLAY_TRANSCRIPT_H_
#define PARLEY_HARNESS_PLAY_TRANSCRIPT_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace parley::harness {

class Transcript {
 public:
  enum class Kind { kSent, kReceived, kNote };

  struct Entry {
    std::chrono::steady_clock::duration at;  // since the scenario started
    Kind kind;
    std::string bytes;     // kept bytes (or the note's text)
    std::size_t size = 0;  // bytes sent or received, kept or not
    std::string tail;      // when not all were kept: the last kTailBytes of them
    std::chrono::steady_clock::duration last_at{};  // the last read or write merged in
  };

  static constexpr std::size_t kMaxBytes = 256 * 1024;
  static constexpr std::size_t kTailBytes = 64;
  // Render shows a run of more consecutive reads (or writes) than this as one line.
  static constexpr std::size_t kCoalesceAfter = 3;
  // Room made at once: a connection that opens, sends, receives and closes needs four.
  static constexpr std::size_t kTypicalEntries = 8;

  Transcript(std::string name, std::chrono::steady_clock::time_point origin)
      : name_(std::move(name)), origin_(origin) {
    entries_.reserve(kTypicalEntries);
  }

  void Sent(std::string_view bytes) { Add(Kind::kSent, bytes); }
  void Received(std::string_view bytes) { Add(Kind::kReceived, bytes); }
  void Note(std::string text);

  const std::string& name() const { return name_; }
  const std::vector<Entry>& entries() const { return entries_; }

  // One line per entry, e.g.
  //   +1.2ms  > "GET / HTTP/1.1\r\n..."        (sent)
  //   +3.4ms  < "HTTP/1.1 200 OK\r\n..."       (received)
  //   +3.5ms  - the peer closed the connection
  // Each entry's bytes are escaped and cut at `max_entry` bytes. A run of more than
  // kCoalesceAfter reads (or writes) with nothing between them is one line, with the first
  // and the last bytes of the run:
  //   +4.0ms  < 47 reads, 64.0 MiB in 812.3ms: "aaaa"... ..."zzzz"
  std::string Render(std::size_t max_entry = 512) const;

 private:
  void Add(Kind kind, std::string_view bytes);
  // Keeps the last kTailBytes of what `entry` carried, `bytes` being the latest.
  static void KeepTail(Entry* entry, std::string_view bytes);

  std::string name_;
  std::chrono::steady_clock::time_point origin_;
  std::vector<Entry> entries_;
  std::size_t kept_ = 0;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_TRANSCRIPT_H_
