#include "harness/fuzz/http_stream.h"

#include "harness/fuzz/fuzz_support.h"
#include "targets/http/body_reader.h"
#include "targets/http/request_parser.h"

namespace parley::fuzz {
namespace {

using http::BodyStatus;
using http::ParseStatus;

void CheckHeadViews(const http::RequestHead& head, std::string_view buffer) {
  constexpr const char* kProperty = "every view of the head lies inside the parsed buffer";
  PARLEY_FUZZ_CHECK(Within(head.method, buffer), kProperty, "method");
  PARLEY_FUZZ_CHECK(Within(head.target, buffer), kProperty, "target");
  PARLEY_FUZZ_CHECK(Within(head.host, buffer), kProperty, "host");
  for (const http::Field& field : head.fields) {
    PARLEY_FUZZ_CHECK(Within(field.name, buffer), kProperty, field.name);
    PARLEY_FUZZ_CHECK(Within(field.value, buffer), kProperty, field.name);
  }
}

// Reads requests from the received prefix of one buffer: the head parser is offered everything
// from the start of the current request, the body reader what follows.
class StreamReader {
 public:
  StreamReader(const http::Limits& limits, std::size_t max_requests,
               http::internal::FieldScanIsa isa)
      : parser_(limits, isa), body_(limits), max_requests_(max_requests) {}

  // `received` has grown (it begins with the bytes of the previous call); false once the stream
  // has ended (error or cap).
  bool Offer(std::string_view received) {
    received_ = received;
    for (;;) {
      if (!in_body_) {
        if (begin_ == received_.size()) return true;
        const ParseStatus status = ParseHead();
        if (status == ParseStatus::kIncomplete) return true;
        if (status == ParseStatus::kError) return false;
      }
      if (!ReadBody()) return !ended_;
      if (ended_) return false;
    }
  }

  ParsedStream Finish() {
    if (!ended_) {
      const bool pending = in_body_ || begin_ < received_.size();
      out_.end = pending ? StreamEnd::kIncomplete : StreamEnd::kClean;
    }
    if (in_body_) out_.body_method = current_.method;
    return std::move(out_);
  }

 private:
  ParseStatus ParseHead() {
    const std::string_view buffer = received_.substr(begin_);
    const ParseStatus status = parser_.Parse(buffer);
    if (status == ParseStatus::kError) {
      PARLEY_FUZZ_CHECK(parser_.error() != http::ParseError::kNone,
                        "a rejected head names its error", "error() is kNone");
      End(StreamEnd::kError, parser_.error(), false);
      return status;
    }
    if (status == ParseStatus::kIncomplete) return status;
    const std::size_t size = parser_.head_size();
    PARLEY_FUZZ_CHECK(size > 0 && size <= buffer.size(), "head_size() lies inside the buffer",
                      "head_size " + std::to_string(size) + " of " + std::to_string(buffer.size()));
    CheckHeadViews(parser_.head(), buffer);
    current_ = CopyHead(parser_.head(), size);
    body_.Reset(parser_.head().framing, parser_.head().content_length);
    parser_.Reset();
    begin_ += size;
    in_body_ = true;
    body_bytes_ = 0;
    return status;
  }

  // Reads body bytes; true when the body is done and the next head may start.
  bool ReadBody() {
    for (;;) {
      const std::string_view input = received_.substr(begin_);
      const http::BodyStep step = body_.Read(input);
      PARLEY_FUZZ_CHECK(step.consumed <= input.size(), "a body step consumes only its input",
                        std::to_string(step.consumed) + " of " + std::to_string(input.size()));
      PARLEY_FUZZ_CHECK(Within(step.data, input), "body data lies inside the input", "");
      current_.body.append(step.data);
      begin_ += step.consumed;
      body_bytes_ += step.consumed;
      switch (step.status) {
        case BodyStatus::kError:
          PARLEY_FUZZ_CHECK(step.error != http::ParseError::kNone,
                            "a rejected body names its error", "error is kNone");
          End(StreamEnd::kError, step.error, true);
          return false;
        case BodyStatus::kDone:
          current_.size = current_.head_size + body_bytes_;
          out_.consumed += current_.size;
          out_.requests.push_back(std::move(current_));
          current_ = ParsedRequest();
          in_body_ = false;
          if (out_.requests.size() == max_requests_) End(StreamEnd::kCapped, {}, false);
          return true;
        case BodyStatus::kIncomplete:
          if (step.consumed == 0 && step.data.empty()) {
            PARLEY_FUZZ_CHECK(input.empty(), "an incomplete body step makes progress",
                              "kIncomplete with nothing consumed");
            return false;
          }
          break;
      }
    }
  }

  void End(StreamEnd end, http::ParseError error, bool in_body) {
    ended_ = true;
    out_.end = end;
    out_.error = error;
    out_.error_in_body = in_body;
  }

  http::RequestParser parser_;
  http::BodyReader body_;
  std::size_t max_requests_;
  std::string_view received_;  // every byte received so far
  std::size_t begin_ = 0;      // the first byte not yet used (the current request's head or body)
  bool in_body_ = false;
  bool ended_ = false;
  std::size_t body_bytes_ = 0;
  ParsedRequest current_;
  ParsedStream out_;
};

const char* EndText(StreamEnd end) {
  switch (end) {
    case StreamEnd::kClean:
      return "clean";
    case StreamEnd::kIncomplete:
      return "incomplete";
    case StreamEnd::kError:
      return "error";
    case StreamEnd::kCapped:
      return "capped";
  }
  return "?";
}

}  // namespace

ParsedRequest CopyHead(const http::RequestHead& head, std::size_t head_size) {
  ParsedRequest r;
  r.method = head.method;
  r.target = head.target;
  r.target_form = head.target_form;
  r.version_minor = head.version_minor;
  for (const http::Field& field : head.fields)
    r.fields.emplace_back(field.name, field.value);
  r.host = head.host;
  r.framing = head.framing;
  r.content_length = head.content_length;
  r.keep_alive = head.keep_alive;
  r.expect = head.expect;
  r.head_size = head_size;
  return r;
}

ParsedStream ReadRequests(const std::vector<std::string_view>& pieces, const http::Limits& limits,
                          std::size_t max_requests, http::internal::FieldScanIsa isa) {
  ReceivedBytes bytes(pieces);
  StreamReader reader(limits, max_requests, isa);
  for (std::string_view piece : pieces) {
    bytes.Receive(piece.size());
    if (!reader.Offer(bytes.received())) break;
  }
  return reader.Finish();
}

std::string Describe(const ParsedStream& stream) {
  std::string text;
  std::size_t shown = 0;
  for (const ParsedRequest& r : stream.requests) {
    if (++shown > 8) {
      text += "...\n";
      break;
    }
    text += "request: " + r.method.substr(0, 40) + " " + r.target.substr(0, 80) + " HTTP/1." +
            std::to_string(r.version_minor) + ", " + std::to_string(r.fields.size()) +
            " fields, head " + std::to_string(r.head_size) + " bytes, framing " +
            std::to_string(static_cast<int>(r.framing)) + ", body " +
            std::to_string(r.body.size()) + " bytes, keep-alive " + (r.keep_alive ? "yes" : "no") +
            "\n";
  }
  text += std::string("end: ") + EndText(stream.end) +
          ", error: " + std::string(http::ErrorText(stream.error)) +
          (stream.error_in_body ? " (body)" : "") + ", consumed " + std::to_string(stream.consumed);
  return text;
}

}  // namespace parley::fuzz
