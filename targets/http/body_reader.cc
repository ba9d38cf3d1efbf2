#include "targets/http/body_reader.h"

#include <algorithm>

namespace parley::http {

BodyReader::BodyReader(const Limits& limits) : limits_(limits), chunked_(limits) {}

void BodyReader::Reset(BodyFraming framing, std::uint64_t content_length) {
  framing_ = framing;
  remaining_ = framing == BodyFraming::kContentLength ? content_length : 0;
  decoded_ = 0;
  error_ = remaining_ > limits_.max_body ? ParseError::kBodyTooLarge : ParseError::kNone;
  chunked_.Reset();
}

BodyStep BodyReader::Read(std::string_view input) {
  BodyStep step;
  if (error_ != ParseError::kNone) {
    step.status = BodyStatus::kError;
    step.error = error_;
    return step;
  }
  switch (framing_) {
    case BodyFraming::kNone:
      step.status = BodyStatus::kDone;
      return step;
    case BodyFraming::kContentLength: {
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
      remaining_ -= take;
      decoded_ += take;
      step.consumed = take;
      step.data = input.substr(0, take);
      step.status = remaining_ == 0 ? BodyStatus::kDone : BodyStatus::kIncomplete;
      return step;
    }
    case BodyFraming::kChunked: {
      const ChunkedStep chunk = chunked_.Decode(input);
      decoded_ += chunk.data.size();
      step.consumed = chunk.consumed;
      step.data = chunk.data;
      step.error = chunk.error;
      error_ = chunk.error;
      step.status = chunk.status == ChunkedStatus::kDone    ? BodyStatus::kDone
                    : chunk.status == ChunkedStatus::kError ? BodyStatus::kError
                                                            : BodyStatus::kIncomplete;
      return step;
    }
  }
  return step;
}

}  // namespace parley::http
