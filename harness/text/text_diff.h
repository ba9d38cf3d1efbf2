// Diffs for failure reports that show every difference, not only the first: a unified diff of
// lines when the texts have several, and a window around each differing stretch of one long
// line. Bytes are shown escaped (EscapeBytes), so a line's end reads `\r\n` or `\n` and a CRLF
// that should have been LF is a visible difference.
#ifndef PARLEY_HARNESS_TEXT_TEXT_DIFF_H_
#define PARLEY_HARNESS_TEXT_TEXT_DIFF_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace parley::harness {

// One step of an edit script between two sequences: `count` elements kept (equal), deleted
// from the first, or inserted from the second.
struct DiffOp {
  enum class Kind { kKeep, kDelete, kInsert };
  Kind kind;
  std::size_t count;
};

// The shortest edit script from `a` to `b` (Myers' O(ND) algorithm), or nothing when it needs
// more than `max_edits` deletions and insertions: the inputs are too different for a useful
// diff, and the work stays bounded (O((N+M) * max_edits) time, O(max_edits^2) memory).
// Consecutive steps of one kind are merged.
std::vector<DiffOp> ShortestEdit(const std::vector<std::string_view>& a,
                                 const std::vector<std::string_view>& b, std::size_t max_edits,
                                 bool* too_different);

// `text` cut after each '\n' (the last line may have none).
std::vector<std::string_view> SplitLines(std::string_view text);

// A unified diff of `expected` against `actual` when either holds more than one line:
//   --- expected
//   +++ actual
//   @@ -3,4 +3,4 @@
//    Content-Type: text/html\r\n
//   -Content-Length: 20\r\n
//   +Content-Length: 21\r\n
// with `context` equal lines around each change and every change shown, each line escaped and
// cut at 200 bytes. For one line each: a RenderDiff window (expected, actual, caret) around each
// differing stretch, up to 10 of them, then "... and N more differences". Inputs past 10,000
// lines, or too different to diff, fall back to the first difference (RenderDiff) with a note.
// Lines are joined by '\n', with no newline after the last. Equal inputs: "(no difference)".
std::string RenderFullDiff(std::string_view expected, std::string_view actual,
                           std::size_t context = 3);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_TEXT_TEXT_DIFF_H_
