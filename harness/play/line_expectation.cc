#include <functional>
#include <string>
#include <vector>

#include "harness/play/bound_match.h"
#include "harness/play/expectation_kinds.h"
#include "harness/text/bytes_text.h"
#include "harness/text/text_diff.h"

namespace parley::harness {
namespace {

// Pairs each of `wanted` expected lines with its own received line; matches[i][j]: line i
// matches expectation j. Returns line_of[j], or an empty vector when no pairing exists.
// Augmenting paths: the lists are short.
std::vector<int> PairUp(const std::vector<std::vector<bool>>& matches, std::size_t wanted) {
  std::vector<int> line_of(wanted, -1);
  std::function<bool(std::size_t, std::vector<bool>&)> assign = [&](std::size_t i,
                                                                    std::vector<bool>& seen) {
    for (std::size_t j = 0; j < wanted; ++j) {
      if (!matches[i][j] || seen[j]) continue;
      seen[j] = true;
      if (line_of[j] < 0 || assign(static_cast<std::size_t>(line_of[j]), seen)) {
        line_of[j] = static_cast<int>(i);
        return true;
      }
    }
    return false;
  };
  for (std::size_t i = 0; i < wanted; ++i) {
    std::vector<bool> seen(wanted);
    if (!assign(i, seen)) return {};
  }
  return line_of;
}

class LineExpectation : public Expectation {
 public:
  LineExpectation(const ExpectStep& expect, std::vector<BoundMatch> matches)
      : kind_(expect.kind),
        any_order_(expect.any_order),
        skip_(expect.skip),
        matches_(std::move(matches)) {}

  Verdict Judge(Inbox& inbox, HttpExchange&) override {
    std::string_view line;
    std::size_t next = 0;
    while (lines_.size() < matches_.size() && inbox.NextLine(offset_, &scanned_, &line, &next)) {
      if (skip_ > 0 && !matches_[0].Matches(line)) {
        if (skipped_ == skip_) {
          return Verdict::Fail("no line " + matches_[0].Describe() + " among " +
                               std::to_string(skip_) + " skipped lines and the next" +
                               SkippedLines() + "\n  next: " + ShowBytes(line));
        }
        Skip(line);
        offset_ = next;
        continue;
      }
      std::string failure = any_order_ ? Tally(line) : Compare(line);
      if (!failure.empty()) {
        if (!any_order_ && matches_.size() > 1 && AllExactText()) {
          failure = LinesDiff(inbox, lines_.size());
        }
        return Verdict::Fail(failure + SkippedLines());
      }
      lines_.push_back({static_cast<std::size_t>(line.data() - inbox.bytes().data()), line.size()});
      offset_ = next;
    }
    if (lines_.size() == matches_.size()) return Finish(inbox);
    if (inbox.open()) return Verdict::Wait();
    const std::size_t wanted = matches_.size();
    std::string message = inbox.DescribeEnd() + " after " + std::to_string(lines_.size()) + " of " +
                          std::to_string(wanted) + " expected line" + (wanted == 1 ? "" : "s");
    std::string_view rest = inbox.bytes().substr(offset_);
    if (!rest.empty()) message += "; an unfinished line arrived: " + ShowBytes(rest);
    if (wanted == 1 && !rest.empty() && matches_[0].kind() == TextMatch::Kind::kExact) {
      message += "\n" + matches_[0].ExplainMismatch(rest);
    }
    return Verdict::Fail(message + SkippedLines());
  }

  std::string DescribeTimeout(const Inbox& inbox, const HttpExchange&,
                              Duration waited) const override {
    const std::string within = " within " + FormatDuration(waited);
    const std::string_view rest = inbox.bytes().substr(offset_);
    std::string message;
    if (skipped_ > 0) {
      message = "no line " + matches_[0].Describe() + " arrived" + within;
    } else if (kind_ == ExpectStep::Kind::kLines) {
      message = "only " + std::to_string(lines_.size()) + " of " + std::to_string(matches_.size()) +
                " expected lines arrived" + within;
    } else if (inbox.empty()) {
      message = "nothing arrived" + within + " (expected a line " + matches_[0].Describe() + ")";
    } else if (matches_[0].kind() == TextMatch::Kind::kExact) {
      return "no complete line arrived" + within +
             "; the bytes so far, against the expected line:\n" + matches_[0].ExplainMismatch(rest);
    } else {
      message =
          "no complete line arrived" + within + " (expected a line " + matches_[0].Describe() + ")";
    }
    if (!rest.empty()) message += "\nan unfinished line arrived: " + ShowBytes(rest);
    return message + SkippedLines();
  }

 private:
  struct Span {
    std::size_t offset;
    std::size_t size;
  };

  static constexpr std::size_t kShownSkipped = 10;

  // Drops a line that `skip` allows before the expected one; the last few are kept to show.
  void Skip(std::string_view line) {
    ++skipped_;
    if (shown_skipped_.size() == kShownSkipped) shown_skipped_.erase(shown_skipped_.begin());
    shown_skipped_.emplace_back(line.substr(0, 200));
  }

  // "; skipped 12 lines, the last 10: ..." or "".
  std::string SkippedLines() const {
    if (skipped_ == 0) return "";
    std::string text =
        "\nskipped " + std::to_string(skipped_) + " line" + (skipped_ == 1 ? "" : "s");
    if (skipped_ > shown_skipped_.size()) {
      text += ", the last " + std::to_string(shown_skipped_.size());
    }
    text += ":";
    for (const std::string& line : shown_skipped_)
      text += "\n  " + ShowBytes(line);
    return text;
  }

  bool AllExactText() const {
    for (const BoundMatch& m : matches_)
      if (!m.exact_text()) return false;
    return true;
  }

  // Line `failed` (0-based) of several exact ones differs: a unified diff of all the expected
  // lines against the lines that have arrived (those judged, and after the failing one as
  // many complete ones as are in the inbox, up to the expected count).
  std::string LinesDiff(const Inbox& inbox, std::size_t failed) const {
    std::string expected, actual;
    for (const BoundMatch& m : matches_)
      expected += m.text() + "\n";
    for (const Span& span : lines_)
      actual += std::string(inbox.bytes().substr(span.offset, span.size)) + "\n";
    std::size_t offset = offset_, scanned = offset_, next = 0, count = lines_.size();
    std::string_view line;
    while (count < matches_.size() && inbox.NextLine(offset, &scanned, &line, &next)) {
      actual += std::string(line) + "\n";
      offset = scanned = next;
      ++count;
    }
    return "line " + std::to_string(failed + 1) + " of " + std::to_string(matches_.size()) +
           " differs (" + std::to_string(count) + " lines arrived; line ends shown as \\n):\n" +
           RenderFullDiff(expected, actual);
  }

  // In order: the next line must match the next expected one.
  std::string Compare(std::string_view line) {
    const std::size_t i = lines_.size();
    if (matches_[i].Matches(line, &captures_)) return "";
    const std::size_t wanted = matches_.size();
    std::string what = wanted == 1 ? "the line differs:\n"
                                   : "line " + std::to_string(i + 1) + " of " +
                                         std::to_string(wanted) + " differs:\n";
    return what + matches_[i].ExplainMismatch(line);
  }

  // In any order: each line must match some expected one; which pairs up is settled once all
  // have arrived.
  std::string Tally(std::string_view line) {
    std::vector<bool> row(matches_.size());
    bool any = false;
    for (std::size_t j = 0; j < matches_.size(); ++j) {
      row[j] = matches_[j].Matches(line);
      any = any || row[j];
    }
    if (any) {
      matches_of_line_.push_back(std::move(row));
      return "";
    }
    std::string message = "line " + ShowBytes(line) + " matches none of the expected lines:";
    for (const BoundMatch& m : matches_)
      message += "\n  - " + m.Describe();
    return message;
  }

  Verdict Finish(Inbox& inbox) {
    std::vector<std::string> captures = std::move(captures_);
    if (any_order_) {
      std::vector<int> line_of = PairUp(matches_of_line_, matches_.size());
      if (line_of.empty()) {
        std::string message = "the lines arrived but do not pair up with the expected ones:";
        for (const Span& span : lines_)
          message += "\n  got " + ShowBytes(inbox.bytes().substr(span.offset, span.size));
        for (const BoundMatch& m : matches_)
          message += "\n  expected " + m.Describe();
        return Verdict::Fail(message);
      }
      for (std::size_t j = 0; j < matches_.size(); ++j) {
        const Span& span = lines_[static_cast<std::size_t>(line_of[j])];
        matches_[j].Matches(inbox.bytes().substr(span.offset, span.size), &captures);
      }
    }
    inbox.Consume(offset_);
    return Verdict::Pass(std::move(captures));
  }

  ExpectStep::Kind kind_;
  bool any_order_;
  std::size_t skip_;  // lines that may be dropped before the (one) expected line
  std::vector<BoundMatch> matches_;
  std::size_t skipped_ = 0;
  std::vector<std::string> shown_skipped_;          // the last few skipped lines, for messages
  std::vector<Span> lines_;                         // the lines found so far
  std::vector<std::vector<bool>> matches_of_line_;  // any order: [line][expectation]
  std::vector<std::string> captures_;               // in order: groups so far
  std::size_t offset_ = 0;                          // after the last line found
  std::size_t scanned_ = 0;                         // how far the next line's end was sought
};

// No line matching this arrives for a while: the lines already unread and those that arrive are
// looked at but left for the steps after. The player passes it when its time is up; a peer
// that ends the connection cannot send such a line any more, so that passes at once.
class NeverExpectation : public Expectation {
 public:
  explicit NeverExpectation(BoundMatch match) : match_(std::move(match)) {}

  Verdict Judge(Inbox& inbox, HttpExchange&) override {
    std::string_view line;
    std::size_t next = 0;
    while (inbox.NextLine(offset_, &scanned_, &line, &next)) {
      if (match_.Matches(line)) {
        return Verdict::Fail("a line arrived that must never: " + ShowBytes(line) + " (matches " +
                             match_.Describe() + ")");
      }
      offset_ = next;
      scanned_ = next;
    }
    if (!inbox.open()) return Verdict::Pass();
    return Verdict::Wait();
  }

  std::string DescribeTimeout(const Inbox&, const HttpExchange&, Duration) const override {
    return "";
  }

 private:
  BoundMatch match_;
  std::size_t offset_ = 0;
  std::size_t scanned_ = 0;
};

}  // namespace

std::unique_ptr<Expectation> BindNever(const ExpectStep& expect, const Variables& vars,
                                       std::string* error) {
  auto matches = BindAll(expect.lines, vars, error);
  if (!matches) return nullptr;
  return std::make_unique<NeverExpectation>(std::move(matches->front()));
}

std::unique_ptr<Expectation> BindLines(const ExpectStep& expect, const Variables& vars,
                                       std::string* error) {
  auto matches = BindAll(expect.lines, vars, error);
  if (!matches) return nullptr;
  return std::make_unique<LineExpectation>(expect, std::move(*matches));
}

}  // namespace parley::harness
