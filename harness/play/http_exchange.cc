#include "harness/play/http_exchange.h"

#include "harness/text/bytes_text.h"

namespace parley::harness {

HttpExchange::HttpExchange(const ResponseLimits& limits) : reader_(limits) {}

void HttpExchange::Sent(std::string_view bytes) {
  for (const std::string& method : sniffer_.Feed(bytes))
    reader_.ExpectResponseTo(method);
}

void HttpExchange::Sent(const std::vector<std::string>& methods) {
  for (const std::string& method : methods)
    reader_.ExpectResponseTo(method);
}

bool HttpExchange::ResponsePending() const {
  return reader_.completed() > taken_ || reader_.in_progress();
}

void HttpExchange::Read(Inbox& inbox) {
  if (!inbox.empty() && !reader_.failed()) inbox.Consume(reader_.Feed(inbox.bytes()));
  if (!inbox.open() && inbox.empty() && !eof_fed_ && !reader_.failed()) {
    reader_.FeedEof();
    eof_fed_ = true;
  }
}

// Responses complete and not yet taken, at most `count`.
std::size_t HttpExchange::Arrived(std::size_t count) const {
  std::size_t arrived = 0;
  while (arrived < count && reader_.Peek(arrived) != nullptr)
    ++arrived;
  return arrived;
}

Verdict HttpExchange::Judge(const BoundHttpCheck& check, Progress* progress, Inbox& inbox) {
  const std::size_t count = check.count();
  reader_.DiscardBodiesThrough(check.needs_body() ? 0 : taken_ + count);
  Read(inbox);
  for (const HttpResponse* response;
       progress->judged < count && (response = reader_.Peek(progress->judged)) != nullptr;
       ++progress->judged) {
    Verdict verdict = check.Check(*response, taken_ + progress->judged + 1, progress->judged);
    if (verdict.kind == Verdict::Kind::kFail) return verdict;
    progress->captures = std::move(verdict.captures);
  }
  if (progress->judged == count) {
    for (std::size_t i = 0; i < count; ++i)
      reader_.Next();
    taken_ += count;
    return Verdict::Pass(std::move(progress->captures));
  }
  const std::string so_far = count == 1
                                 ? ""
                                 : " (after " + std::to_string(progress->judged) + " of the " +
                                       std::to_string(count) + " expected responses)";
  if (reader_.failed()) {
    return Verdict::Fail("the response is malformed" + so_far + ": " + reader_.error() +
                         (inbox.empty() ? "" : "\nunread bytes: " + ShowBytes(inbox.bytes())));
  }
  if (!inbox.open()) {
    return Verdict::Fail(
        inbox.DescribeEnd() +
        (reader_.in_progress() ? " in the middle of a response" : " before a response arrived") +
        so_far);
  }
  return Verdict::Wait();
}

std::string HttpExchange::DescribeTimeout(const BoundHttpCheck& check, Duration waited) const {
  const std::size_t count = check.count();
  const std::size_t arrived = Arrived(count);
  std::string what = count == 1 ? std::string("no response arrived")
                                : "only " + std::to_string(arrived) + " of " +
                                      std::to_string(count) + " expected responses arrived";
  if (reader_.in_progress()) {
    what = count == 1 ? "a response started but did not finish"
                      : what + "; the next started but did not finish";
  }
  return what + " within " + FormatDuration(waited);
}

}  // namespace parley::harness
