// Judging what arrived on a connection against an expectation. Pure functions over the bytes
// received so far: the player calls them each time more bytes arrive (or the peer closes) and
// acts on the verdict, so every rule here is tested without sockets.
#ifndef PARLEY_HARNESS_PLAY_MATCHER_H_
#define PARLEY_HARNESS_PLAY_MATCHER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/scenario.h"
#include "harness/scenario/template.h"
#include "harness/text/response_reader.h"

namespace parley::harness {

// The received bytes of one connection not yet consumed by an expectation, and how the
// receiving side ended, if it has.
struct Inbox {
  enum class End { kOpen, kClosed, kReset, kError, kCutOff };

  std::string_view bytes;
  // UDP: offsets into `bytes` where datagrams end; a datagram end also ends a line.
  const std::vector<std::size_t>* datagram_ends = nullptr;
  // UDP: an expectation consumed the start of the first datagram in `bytes`.
  bool mid_datagram = false;
  End end = End::kOpen;
  std::string end_detail;  // kError: the system's message; kCutOff: the limit
};

struct Verdict {
  enum class Kind { kWait, kPass, kFail };

  Kind kind = Kind::kWait;
  std::size_t consumed = 0;           // kPass: bytes of the inbox the expectation used
  std::vector<std::string> captures;  // kPass: regex groups, in written order
  std::string message;                // kFail: what was expected and what arrived

  static Verdict Wait() { return {}; }
  static Verdict Fail(std::string message) { return {Kind::kFail, 0, {}, std::move(message)}; }
};

// line, lines, bytes, contains, datagram, silence, closed and reset. (http and exit need more
// than the inbox; see CheckResponse and the player.)
Verdict CheckStream(const ExpectStep& expect, const Inbox& inbox, const Variables& vars);

// What to say when the expectation's deadline passed while CheckStream still said kWait.
std::string DescribeTimeout(const ExpectStep& expect, const Inbox& inbox, const Variables& vars,
                            Duration waited);

// Judges one HTTP response; `index` is its 1-based position on the connection and `nth` its
// 0-based position among the `check.count` responses one expectation checks. Lists every
// mismatch, not only the first.
Verdict CheckResponse(const HttpCheck& check, const HttpResponse& response, std::size_t index,
                      std::size_t nth, const Variables& vars);

// Matches `text` against one TextMatch. Appends regex groups to `*groups`. On a failure that is
// not a mismatch (an undefined variable, a bad regex after substitution) sets `*error`.
bool MatchText(const TextMatch& match, std::string_view text, const Variables& vars,
               std::vector<std::string>* groups, std::string* error);

// "exactly "x"", "matching /x/", "containing "x"": for messages.
std::string DescribeMatch(const TextMatch& match, const Variables& vars);

// The next line in the inbox from `offset`: its text without LF (and a CR before it) and the
// offset after it. False when no complete line is there yet.
bool NextLine(const Inbox& inbox, std::size_t offset, std::string_view* line, std::size_t* next);

// How the inbox ended, for messages: "the peer closed the connection", ...
std::string DescribeEnd(const Inbox& inbox);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_MATCHER_H_
