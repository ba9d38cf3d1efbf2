#include <string.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "harness/play/bound_match.h"
#include "harness/play/byte_queue.h"
#include "harness/play/expectation_kinds.h"
#include "harness/scenario/payload.h"
#include "harness/text/bytes_text.h"
#include "harness/text/find_bytes.h"
#include "harness/text/text_diff.h"

namespace parley::harness {
namespace {

// Exactly the expected bytes come next. Each call compares only the bytes that arrived since
// the last one, against as many expected bytes, read just then (a payload file is read as the
// compare reaches it, never held whole), and consumes the bytes found equal (but the last few,
// which a diff shows before a difference), so memory stays small whatever the size.
class BytesExpectation : public Expectation {
 public:
  explicit BytesExpectation(PayloadReader expected) : expected_(std::move(expected)) {}

  Verdict Judge(Inbox& inbox, HttpExchange&) override {
    const std::string_view got = inbox.bytes();  // from the expected byte consumed_ on
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(Left(), got.size()));
    if (n > compared_) {
      if (!Fill(n)) return Verdict::Fail(error_);
      if (std::memcmp(window_.bytes().data() + compared_, got.data() + compared_, n - compared_) !=
          0) {
        return Verdict::Fail("the bytes differ:\n" + Diff(got, n + kShownAfter));
      }
    }
    compared_ = n;
    if (compared_ == Left()) {
      inbox.Consume(compared_);
      return Verdict::Pass();
    }
    if (!inbox.open()) {
      return Verdict::Fail(inbox.DescribeEnd() + " after " + Received(inbox) + " of " +
                           std::to_string(expected_.size()) + " expected bytes:\n" + Diff(got));
    }
    if (compared_ > kHeld) {
      const std::size_t drop = compared_ - kContext;
      inbox.Consume(drop);
      window_.Consume(drop);
      consumed_ += drop;
      compared_ -= drop;
    }
    return Verdict::Wait();
  }

  std::string DescribeTimeout(const Inbox& inbox, const HttpExchange&,
                              Duration waited) const override {
    return "only " + Received(inbox) + " of " + std::to_string(expected_.size()) +
           " expected bytes arrived within " + FormatDuration(waited) + ":\n" + Diff(inbox.bytes());
  }

 private:
  static constexpr std::size_t kContext = 64;           // equal bytes kept before the compare point
  static constexpr std::size_t kShownAfter = 40;        // bytes a diff shows after a difference
  static constexpr std::size_t kHeld = 64 * 1024;       // equal bytes held before consuming them
  static constexpr std::size_t kLeastRead = 4096;       // so that reads are not tiny
  static constexpr std::size_t kWholeDiff = 16 * 1024;  // see Diff

  std::uint64_t Left() const { return expected_.size() - consumed_; }
  std::string Received(const Inbox& inbox) const {
    return std::to_string(consumed_ + inbox.size());
  }

  // Makes window_ hold the next `n` expected bytes (fewer at the end); false on a read error.
  bool Fill(std::size_t n) const {
    n = static_cast<std::size_t>(std::min<std::uint64_t>(n, Left()));
    if (window_.size() >= n) return true;
    const auto more = static_cast<std::size_t>(std::min<std::uint64_t>(
        std::max(n - window_.size(), kLeastRead), expected_.size() - expected_.position()));
    if (!expected_.Read(more, window_.Reserve(more), &error_)) return false;
    window_.Commit(more);
    return true;
  }

  // The expected bytes against `got`, both from where the inbox starts: every difference
  // (RenderFullDiff, against as many bytes of `got` and kShownAfter more) when the expected
  // bytes are few enough to hold and none were consumed yet, else the first one, against the
  // first `shown` bytes of `got`.
  std::string Diff(std::string_view got, std::size_t shown = std::string_view::npos) const {
    if (consumed_ == 0 && expected_.size() <= kWholeDiff) {
      const auto size = static_cast<std::size_t>(expected_.size());
      if (!Fill(size)) return error_;
      return RenderFullDiff(window_.bytes().substr(0, size), got.substr(0, size + kShownAfter));
    }
    got = got.substr(0, shown);
    if (!Fill(got.size() + kShownAfter + 1)) return error_;
    return RenderDiff(window_.bytes(), got, kShownAfter, consumed_);
  }

  // Reading the expected bytes ahead changes no verdict, so it may happen while describing.
  mutable PayloadReader expected_;
  mutable ByteQueue window_;    // expected bytes from consumed_ on, as far as read
  mutable std::string error_;   // why reading them failed
  std::uint64_t consumed_ = 0;  // equal bytes consumed from the inbox
  std::size_t compared_ = 0;    // equal bytes at the front of the inbox
};

// The expected bytes arrive, after anything. Each call searches only where a match could
// start among the new bytes; what can no longer start a match is consumed as it is passed
// over (a tail is kept for messages), so a long stream needs little memory.
class ContainsExpectation : public Expectation {
 public:
  explicit ContainsExpectation(std::string needle) : needle_(std::move(needle)) {}

  Verdict Judge(Inbox& inbox, HttpExchange&) override {
    const std::string_view got = inbox.bytes();
    const std::size_t at = Find(got);
    if (at != std::string_view::npos) {
      inbox.Consume(at + needle_.size());
      return Verdict::Pass();
    }
    from_ = std::max(from_, got.size() - std::min(got.size(), needle_.size() - 1));
    if (!inbox.open()) {
      return Verdict::Fail(inbox.DescribeEnd() + " before " + ShowBytes(needle_) +
                           " arrived; received " + ShowTail(got, kShown, dropped_ + got.size()));
    }
    if (from_ > kDropAfter) {
      const std::size_t drop = std::min(from_, got.size() - std::min(got.size(), kShown));
      inbox.Consume(drop);
      dropped_ += drop;
      from_ -= drop;
    }
    return Verdict::Wait();
  }

  std::string DescribeTimeout(const Inbox& inbox, const HttpExchange&,
                              Duration waited) const override {
    const std::uint64_t total = dropped_ + inbox.size();
    return ShowBytes(needle_) + " did not arrive within " + FormatDuration(waited) + "; received " +
           (total == 0 ? std::string("nothing") : ShowTail(inbox.bytes(), kShown, total));
  }

 private:
  static constexpr std::size_t kShown = 300;            // bytes of the tail a message shows
  static constexpr std::size_t kDropAfter = 64 * 1024;  // searched bytes held before dropping

  std::size_t Find(std::string_view got) const {
    if (needle_.empty()) return 0;
    const std::size_t at = FindBytes(got.substr(from_), needle_);
    return at == std::string_view::npos ? at : from_ + at;
  }

  std::string needle_;
  std::size_t from_ = 0;       // no match starts before this offset into the inbox
  std::uint64_t dropped_ = 0;  // bytes consumed while searching
};

// Text matching a regex (or text in either case, or one of several) arrives, after anything:
// `contains: {regex: ...}`. The bytes since the last consumed one are searched again as more
// arrive (a match may span reads), and consumed up to the end of the match.
class StreamMatchExpectation : public Expectation {
 public:
  explicit StreamMatchExpectation(BoundMatch match) : match_(std::move(match)) {}

  Verdict Judge(Inbox& inbox, HttpExchange&) override {
    const std::string_view got = inbox.bytes();
    std::size_t end = 0;
    std::vector<std::string> groups;
    if (match_.Find(got, &end, &groups)) {
      inbox.Consume(end);
      return Verdict::Pass(std::move(groups));
    }
    if (!inbox.open()) {
      return Verdict::Fail(inbox.DescribeEnd() + " before text " + match_.Describe() +
                           " arrived; received " + ShowTail(got, kShown, got.size()));
    }
    return Verdict::Wait();
  }

  std::string DescribeTimeout(const Inbox& inbox, const HttpExchange&,
                              Duration waited) const override {
    return "no text " + match_.Describe() + " arrived within " + FormatDuration(waited) +
           "; received " +
           (inbox.empty() ? std::string("nothing") : ShowTail(inbox.bytes(), kShown, inbox.size()));
  }

 private:
  static constexpr std::size_t kShown = 300;
  BoundMatch match_;
};

// The next UDP datagram, whole: matched as text, or compared as exact bytes.
class DatagramExpectation : public Expectation {
 public:
  DatagramExpectation(std::optional<BoundMatch> text, std::string bytes)
      : text_(std::move(text)), bytes_(std::move(bytes)) {}

  Verdict Judge(Inbox& inbox, HttpExchange&) override {
    if (!inbox.datagrams()) return Verdict::Fail("internal: 'datagram' needs a UDP connection");
    const std::size_t end = inbox.FirstDatagramEnd();
    if (end == std::string_view::npos) {
      if (inbox.open()) return Verdict::Wait();
      return Verdict::Fail(inbox.DescribeEnd() + " before a datagram arrived");
    }
    const std::string_view datagram = inbox.bytes().substr(0, end);
    if (inbox.mid_datagram()) {
      return Verdict::Fail(
          "an earlier expectation consumed the start of the next datagram, so it cannot be "
          "checked whole; what is left of it: " +
          ShowBytes(datagram));
    }
    std::vector<std::string> groups;
    if (text_ && !text_->Matches(datagram, &groups)) {
      return Verdict::Fail("the datagram differs:\n" + text_->ExplainMismatch(datagram));
    }
    if (!text_ && datagram != bytes_) {
      return Verdict::Fail("the datagram differs:\n" + RenderDiff(bytes_, datagram));
    }
    inbox.ConsumeDatagram();
    return Verdict::Pass(std::move(groups));
  }

  std::string DescribeTimeout(const Inbox&, const HttpExchange&, Duration waited) const override {
    return "no datagram arrived within " + FormatDuration(waited) + " (expected " +
           (text_ ? text_->Describe() : ShowBytes(bytes_)) + ")";
  }

 private:
  std::optional<BoundMatch> text_;
  std::string bytes_;  // without text_
};

}  // namespace

std::unique_ptr<Expectation> BindBytes(const ExpectStep& expect, const Variables& vars,
                                       std::string* error) {
  if (expect.kind == ExpectStep::Kind::kDatagram && !expect.lines.empty()) {
    auto text = BoundMatch::Bind(expect.lines[0], vars, error);
    if (!text) return nullptr;
    return std::make_unique<DatagramExpectation>(std::move(text), "");
  }
  if (expect.kind == ExpectStep::Kind::kContains && !expect.lines.empty()) {
    auto match = BoundMatch::Bind(expect.lines[0], vars, error);
    if (!match) return nullptr;
    return std::make_unique<StreamMatchExpectation>(std::move(*match));
  }
  if (expect.kind == ExpectStep::Kind::kBytes) {
    auto expected = PayloadReader::Open(expect.bytes, vars, error);
    if (!expected) return nullptr;
    return std::make_unique<BytesExpectation>(std::move(*expected));
  }
  std::string bytes;
  if (!RenderPayload(expect.bytes, vars, &bytes, error)) return nullptr;
  switch (expect.kind) {
    case ExpectStep::Kind::kContains:
      return std::make_unique<ContainsExpectation>(std::move(bytes));
    default:
      return std::make_unique<DatagramExpectation>(std::nullopt, std::move(bytes));
  }
}

}  // namespace parley::harness
