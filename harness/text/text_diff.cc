#include "harness/text/text_diff.h"

#include <algorithm>

#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

constexpr std::size_t kMaxLines = 10000;
constexpr std::size_t kMaxLineEdits = 1000;
constexpr std::size_t kShownLineBytes = 200;
// One long line: the middle part diffed byte by byte, at most this long on each side.
constexpr std::size_t kMaxLineBytes = 4096;
constexpr std::size_t kMaxByteEdits = 200;
// Differing stretches closer than this are shown as one.
constexpr std::size_t kJoinGap = 8;
constexpr std::size_t kShownStretches = 10;
constexpr std::size_t kStretchContext = 20;

void Add(std::vector<DiffOp>* ops, DiffOp::Kind kind, std::size_t count) {
  if (count == 0) return;
  if (!ops->empty() && ops->back().kind == kind) {
    ops->back().count += count;
  } else {
    ops->push_back({kind, count});
  }
}

std::string ShowLine(char mark, std::string_view line) {
  std::string shown = std::string(1, mark) + EscapeBytes(line.substr(0, kShownLineBytes));
  if (line.size() > kShownLineBytes) {
    shown += "... (" + std::to_string(line.size()) + " bytes)";
  }
  return shown;
}

// Every entry of an edit script with where it is in both inputs.
struct Entry {
  DiffOp::Kind kind;
  std::size_t a;  // index in the expected lines (of the line, or of the next one for inserts)
  std::size_t b;  // index in the actual lines
};

std::vector<Entry> Expand(const std::vector<DiffOp>& ops) {
  std::vector<Entry> entries;
  std::size_t a = 0, b = 0;
  for (const DiffOp& op : ops) {
    for (std::size_t i = 0; i < op.count; ++i) {
      entries.push_back({op.kind, a, b});
      if (op.kind != DiffOp::Kind::kInsert) ++a;
      if (op.kind != DiffOp::Kind::kDelete) ++b;
    }
  }
  return entries;
}

// "@@ -3,4 +3,5 @@": 1-based first line and count; a count of 0 names the line before.
std::string HunkHeader(const std::vector<Entry>& entries, std::size_t from, std::size_t to) {
  std::size_t a_count = 0, b_count = 0;
  for (std::size_t i = from; i < to; ++i) {
    if (entries[i].kind != DiffOp::Kind::kInsert) ++a_count;
    if (entries[i].kind != DiffOp::Kind::kDelete) ++b_count;
  }
  const std::size_t a_start = entries[from].a + (a_count > 0 ? 1 : 0);
  const std::size_t b_start = entries[from].b + (b_count > 0 ? 1 : 0);
  return "@@ -" + std::to_string(a_start) + "," + std::to_string(a_count) + " +" +
         std::to_string(b_start) + "," + std::to_string(b_count) + " @@";
}

std::string UnifiedDiff(const std::vector<std::string_view>& expected,
                        const std::vector<std::string_view>& actual, const std::vector<DiffOp>& ops,
                        std::size_t context) {
  const std::vector<Entry> entries = Expand(ops);
  std::string out = "--- expected\n+++ actual";
  std::size_t i = 0;
  while (i < entries.size()) {
    while (i < entries.size() && entries[i].kind == DiffOp::Kind::kKeep)
      ++i;
    if (i == entries.size()) break;
    const std::size_t from = i - std::min(i, context);
    // The hunk runs on while the equal lines between two changes are at most 2 * context.
    std::size_t last_change = i;
    std::size_t j = i;
    while (j < entries.size()) {
      if (entries[j].kind != DiffOp::Kind::kKeep) {
        last_change = j;
      } else if (j - last_change > 2 * context) {
        break;
      }
      ++j;
    }
    const std::size_t to = std::min(entries.size(), last_change + 1 + context);
    out += "\n" + HunkHeader(entries, from, to);
    for (std::size_t k = from; k < to; ++k) {
      const Entry& e = entries[k];
      switch (e.kind) {
        case DiffOp::Kind::kKeep:
          out += "\n" + ShowLine(' ', expected[e.a]);
          break;
        case DiffOp::Kind::kDelete:
          out += "\n" + ShowLine('-', expected[e.a]);
          break;
        case DiffOp::Kind::kInsert:
          out += "\n" + ShowLine('+', actual[e.b]);
          break;
      }
    }
    i = to;
  }
  return out;
}

std::vector<std::string_view> Bytes(std::string_view text) {
  std::vector<std::string_view> bytes;
  bytes.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i)
    bytes.push_back(text.substr(i, 1));
  return bytes;
}

// A differing stretch of one line: [a_from, a_to) in expected, [b_from, b_to) in actual.
struct Stretch {
  std::size_t a_from, a_to, b_from, b_to;
};

std::vector<Stretch> Stretches(const std::vector<DiffOp>& ops, std::size_t base) {
  std::vector<Stretch> stretches;
  std::size_t a = base, b = base;
  for (const DiffOp& op : ops) {
    if (op.kind == DiffOp::Kind::kKeep) {
      a += op.count;
      b += op.count;
      continue;
    }
    const std::size_t a_to = a + (op.kind == DiffOp::Kind::kDelete ? op.count : 0);
    const std::size_t b_to = b + (op.kind == DiffOp::Kind::kInsert ? op.count : 0);
    if (!stretches.empty() && a - stretches.back().a_to < kJoinGap) {
      stretches.back().a_to = a_to;
      stretches.back().b_to = b_to;
    } else {
      stretches.push_back({a, a_to, b, b_to});
    }
    a = a_to;
    b = b_to;
  }
  return stretches;
}

std::string FirstDifferenceOnly(std::string_view expected, std::string_view actual,
                                const std::string& why) {
  return RenderDiff(expected, actual) + "\n(" + why + ": only the first difference is shown)";
}

std::string LineDiff(std::string_view expected, std::string_view actual) {
  std::size_t prefix = 0;
  const std::size_t shorter = std::min(expected.size(), actual.size());
  while (prefix < shorter && expected[prefix] == actual[prefix])
    ++prefix;
  std::size_t suffix = 0;
  while (suffix < shorter - prefix &&
         expected[expected.size() - 1 - suffix] == actual[actual.size() - 1 - suffix])
    ++suffix;
  const std::string_view a = expected.substr(prefix, expected.size() - prefix - suffix);
  const std::string_view b = actual.substr(prefix, actual.size() - prefix - suffix);
  if (a.size() > kMaxLineBytes || b.size() > kMaxLineBytes) {
    return FirstDifferenceOnly(expected, actual, "the texts differ over too long a stretch");
  }
  bool too_different = false;
  const std::vector<DiffOp> ops = ShortestEdit(Bytes(a), Bytes(b), kMaxByteEdits, &too_different);
  if (too_different) return FirstDifferenceOnly(expected, actual, "too many differences");
  const std::vector<Stretch> stretches = Stretches(ops, prefix);
  if (stretches.size() <= 1) return RenderDiff(expected, actual);
  std::string out = std::to_string(stretches.size()) + " differences:";
  std::size_t previous_end = 0;
  for (std::size_t i = 0; i < stretches.size() && i < kShownStretches; ++i) {
    const Stretch& s = stretches[i];
    // The windows start `back` equal bytes before the stretch in both; the caret names the
    // byte by its place in the actual line, under which it stands.
    const std::size_t back = std::min(kStretchContext, s.a_from - previous_end);
    std::string window = RenderDiff(expected.substr(s.a_from - back, s.a_to - s.a_from + back + 20),
                                    actual.substr(s.b_from - back, s.b_to - s.b_from + back + 20),
                                    kStretchContext, s.b_from - back);
    std::size_t at = 0;
    out += "\n";
    while (at != std::string::npos) {
      const std::size_t end = window.find('\n', at);
      out += "\n  " + window.substr(at, end == std::string::npos ? end : end - at);
      at = end == std::string::npos ? end : end + 1;
    }
    previous_end = s.a_to;
  }
  if (stretches.size() > kShownStretches) {
    out += "\n... and " + std::to_string(stretches.size() - kShownStretches) + " more differences";
  }
  return out;
}

}  // namespace

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    const std::size_t next = end == std::string_view::npos ? text.size() : end + 1;
    lines.push_back(text.substr(at, next - at));
    at = next;
  }
  return lines;
}

std::vector<DiffOp> ShortestEdit(const std::vector<std::string_view>& a,
                                 const std::vector<std::string_view>& b, std::size_t max_edits,
                                 bool* too_different) {
  *too_different = false;
  const auto n = static_cast<long>(a.size());
  const auto m = static_cast<long>(b.size());
  const long most = std::min(n + m, static_cast<long>(max_edits));
  const long offset = most + 1;
  // v[offset + k]: the furthest x reached on diagonal k = x - y; trace[d]: v before step d.
  std::vector<long> v(static_cast<std::size_t>(2 * most + 3), 0);
  std::vector<std::vector<long>> trace;
  long found = -1;
  for (long d = 0; d <= most && found < 0; ++d) {
    trace.push_back(v);
    for (long k = -d; k <= d; k += 2) {
      long x;
      if (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) {
        x = v[offset + k + 1];
      } else {
        x = v[offset + k - 1] + 1;
      }
      long y = x - k;
      while (x < n && y < m && a[x] == b[y]) {
        ++x;
        ++y;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) {
    *too_different = true;
    return {};
  }
  std::vector<DiffOp> reversed;
  long x = n, y = m;
  for (long d = found; d >= 0; --d) {
    const std::vector<long>& before = trace[d];
    const long k = x - y;
    const long previous_k =
        (k == -d || (k != d && before[offset + k - 1] < before[offset + k + 1])) ? k + 1 : k - 1;
    const long previous_x = before[offset + previous_k];
    const long previous_y = previous_x - previous_k;
    const long snake = std::min(x - previous_x, y - previous_y);
    if (snake > 0) Add(&reversed, DiffOp::Kind::kKeep, static_cast<std::size_t>(snake));
    x -= std::max(0L, snake);
    y -= std::max(0L, snake);
    if (d > 0) Add(&reversed, x == previous_x ? DiffOp::Kind::kInsert : DiffOp::Kind::kDelete, 1);
    x = previous_x;
    y = previous_y;
  }
  std::vector<DiffOp> ops;
  for (auto it = reversed.rbegin(); it != reversed.rend(); ++it)
    Add(&ops, it->kind, it->count);
  return ops;
}

std::string RenderFullDiff(std::string_view expected, std::string_view actual,
                           std::size_t context) {
  if (expected == actual) return "(no difference)";
  const std::vector<std::string_view> a = SplitLines(expected);
  const std::vector<std::string_view> b = SplitLines(actual);
  if (a.size() <= 1 && b.size() <= 1) return LineDiff(expected, actual);
  if (a.size() > kMaxLines || b.size() > kMaxLines) {
    return FirstDifferenceOnly(expected, actual, "more than 10000 lines");
  }
  // Equal lines at both ends are kept out of the search.
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
    ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
    ++suffix;
  const std::vector<std::string_view> a_middle(a.begin() + static_cast<long>(prefix),
                                               a.end() - static_cast<long>(suffix));
  const std::vector<std::string_view> b_middle(b.begin() + static_cast<long>(prefix),
                                               b.end() - static_cast<long>(suffix));
  bool too_different = false;
  std::vector<DiffOp> middle = ShortestEdit(a_middle, b_middle, kMaxLineEdits, &too_different);
  if (too_different) return FirstDifferenceOnly(expected, actual, "too many differing lines");
  std::vector<DiffOp> ops;
  Add(&ops, DiffOp::Kind::kKeep, prefix);
  for (const DiffOp& op : middle)
    Add(&ops, op.kind, op.count);
  Add(&ops, DiffOp::Kind::kKeep, suffix);
  return UnifiedDiff(a, b, ops, context);
}

}  // namespace parley::harness
