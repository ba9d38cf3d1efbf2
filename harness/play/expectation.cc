#include "harness/play/expectation.h"

#include "harness/play/expectation_kinds.h"
#include "harness/play/http_check.h"
#include "harness/text/bytes_text.h"

namespace parley::harness {
namespace {

// An HTTP response that no expectation took stands before silence or the end.
std::string PendingResponse(const HttpExchange& http) {
  if (!http.ResponsePending()) return "";
  return "another HTTP response arrived first (response " +
         std::to_string(http.responses_taken() + 1) + " on the connection)";
}

// Nothing arrives for a while; the player passes it when its time is up.
class SilenceExpectation : public Expectation {
 public:
  explicit SilenceExpectation(Duration silence) : silence_(silence) {}

  Verdict Judge(Inbox& inbox, HttpExchange& http) override {
    if (std::string pending = PendingResponse(http); !pending.empty()) {
      return Verdict::Fail(pending);
    }
    const std::string wanted = "expected silence for " + FormatDuration(silence_) + ", but ";
    if (!inbox.empty()) return Verdict::Fail(wanted + "received " + ShowBytes(inbox.bytes()));
    if (!inbox.open()) return Verdict::Fail(wanted + inbox.DescribeEnd());
    return Verdict::Wait();
  }

  std::string DescribeTimeout(const Inbox&, const HttpExchange&, Duration) const override {
    return "";
  }

 private:
  Duration silence_;
};

// The peer ends the connection: cleanly (closed) or with a reset, with nothing unread before.
class EndExpectation : public Expectation {
 public:
  explicit EndExpectation(bool reset) : reset_(reset) {}

  Verdict Judge(Inbox& inbox, HttpExchange& http) override {
    if (std::string pending = PendingResponse(http); !pending.empty()) {
      return Verdict::Fail(pending);
    }
    const std::string wanted = reset_ ? "a reset (RST)" : "the peer to close the connection";
    if (!inbox.empty()) {
      return Verdict::Fail("expected " + wanted + ", but " + std::to_string(inbox.size()) +
                           " unread byte" + (inbox.size() == 1 ? "" : "s") +
                           " arrived first: " + ShowBytes(inbox.bytes()));
    }
    switch (inbox.end()) {
      case Inbox::End::kOpen:
        return Verdict::Wait();
      case Inbox::End::kClosed:
        if (!reset_) return Verdict::Pass();
        return Verdict::Fail("expected a reset (RST), but the peer closed cleanly (FIN)");
      case Inbox::End::kReset:
        if (reset_) return Verdict::Pass();
        return Verdict::Fail("expected a clean close (FIN), but the connection was reset (RST)");
      case Inbox::End::kError:
      case Inbox::End::kCutOff:
      case Inbox::End::kTruncated:
        break;
    }
    return Verdict::Fail("expected " + wanted + ", but " + inbox.DescribeEnd());
  }

  std::string DescribeTimeout(const Inbox&, const HttpExchange&, Duration waited) const override {
    return "the connection was still open after " + FormatDuration(waited) +
           (reset_ ? " (expected a reset)" : " (expected the peer to close it)");
  }

 private:
  bool reset_;
};

// The next responses on the connection, judged by its HttpExchange.
class HttpExpectation : public Expectation {
 public:
  explicit HttpExpectation(BoundHttpCheck check) : check_(std::move(check)) {}

  Verdict Judge(Inbox& inbox, HttpExchange& http) override {
    return http.Judge(check_, &progress_, inbox);
  }

  std::string DescribeTimeout(const Inbox&, const HttpExchange& http,
                              Duration waited) const override {
    return http.DescribeTimeout(check_, waited);
  }

 private:
  BoundHttpCheck check_;
  HttpExchange::Progress progress_;
};

}  // namespace

std::unique_ptr<Expectation> BindExpectation(const ExpectStep& expect, const Variables& vars,
                                             std::string* error) {
  switch (expect.kind) {
    case ExpectStep::Kind::kLine:
    case ExpectStep::Kind::kLines:
      return BindLines(expect, vars, error);
    case ExpectStep::Kind::kBytes:
    case ExpectStep::Kind::kContains:
    case ExpectStep::Kind::kDatagram:
      return BindBytes(expect, vars, error);
    case ExpectStep::Kind::kSilence:
      return std::make_unique<SilenceExpectation>(expect.silence);
    case ExpectStep::Kind::kNever:
      return BindNever(expect, vars, error);
    case ExpectStep::Kind::kClosed:
    case ExpectStep::Kind::kReset:
      return std::make_unique<EndExpectation>(expect.kind == ExpectStep::Kind::kReset);
    case ExpectStep::Kind::kHttp: {
      auto check = BoundHttpCheck::Bind(expect.http, vars, error);
      if (!check) return nullptr;
      return std::make_unique<HttpExpectation>(std::move(*check));
    }
    case ExpectStep::Kind::kExit:
    case ExpectStep::Kind::kTls:
      break;
  }
  *error = "internal: this expectation is not judged on a connection";
  return nullptr;
}

}  // namespace parley::harness
