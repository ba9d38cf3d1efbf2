#include "targets/http/chunked_decoder.h"

#include <algorithm>
#include <limits>

#include "targets/http/char_class.h"

namespace parley::http {

namespace {

using internal::Is;
using internal::IsWhitespace;

constexpr std::uint64_t kMaxSizeBeforeDigit = std::numeric_limits<std::uint64_t>::max() >> 4;

}  // namespace

ChunkedDecoder::ChunkedDecoder(const Limits& limits) : limits_(limits) {}

void ChunkedDecoder::Reset() {
  state_ = State::kSizeFirst;
  error_ = ParseError::kNone;
  size_ = 0;
  remaining_ = 0;
  decoded_ = 0;
  extension_size_ = 0;
  trailer_size_ = 0;
}

ChunkedStep ChunkedDecoder::Decode(std::string_view input) {
  ChunkedStep step;
  std::size_t i = 0;
  while (true) {
    if (state_ == State::kData) {
      if (i == input.size()) break;
      const auto take =
          static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size() - i));
      step.data = input.substr(i, take);
      i += take;
      remaining_ -= take;
      decoded_ += take;
      if (remaining_ == 0) state_ = State::kDataCr;
      break;
    }
    if (state_ == State::kDone) {
      step.status = ChunkedStatus::kDone;
      break;
    }
    if (state_ == State::kError) {
      step.status = ChunkedStatus::kError;
      step.error = error_;
      break;
    }
    if (i == input.size()) break;
    if (const std::size_t used = WholeLine(input.substr(i)); used > 0) {
      i += used;
      continue;
    }
    if (const ParseError error = OnByte(input[i++]); error != ParseError::kNone) {
      state_ = State::kError;
      error_ = error;
    }
  }
  step.consumed = i;
  return step;
}

// The common lines in one step, with exactly the outcome of their bytes fed to OnByte: a
// chunk-size line without extensions, the CRLF after chunk data, and the final CRLF of an empty
// trailer section. Returns the bytes used, or 0 (nothing changed) when `input` does not start
// with one of them whole; OnByte then takes the bytes one at a time.
std::size_t ChunkedDecoder::WholeLine(std::string_view input) {
  const auto crlf_at = [&](std::size_t at) {
    return input.size() - at >= 2 && input[at] == '\r' && input[at + 1] == '\n';
  };
  switch (state_) {
    case State::kSizeFirst: {
      // Up to 16 digits cannot overflow; longer sizes (leading zeros) take the general path.
      std::uint64_t size = 0;
      std::size_t digits = 0;
      while (digits < input.size() && digits < 16 && Is(input[digits], internal::kHex)) {
        size = (size << 4) | static_cast<std::uint64_t>(internal::HexValue(input[digits]));
        ++digits;
      }
      if (digits == 0 || !crlf_at(digits)) return 0;
      size_ = size;
      extension_size_ = 0;
      if (const ParseError error = OnSizeLineEnd(); error != ParseError::kNone) {
        state_ = State::kError;
        error_ = error;
      }
      return digits + 2;
    }
    case State::kDataCr:
      if (!crlf_at(0)) return 0;
      state_ = State::kSizeFirst;
      return 2;
    case State::kTrailerLine:
      if (!crlf_at(0) || trailer_size_ + 2 > limits_.max_trailer_section) return 0;
      trailer_size_ += 2;
      state_ = State::kDone;
      return 2;
    default:
      return 0;
  }
}

ParseError ChunkedDecoder::OnByte(char c) {
  switch (state_) {
    case State::kSizeFirst:
      if (!Is(c, internal::kHex)) return ParseError::kInvalidChunkSize;
      size_ = static_cast<std::uint64_t>(internal::HexValue(c));
      extension_size_ = 0;
      state_ = State::kSize;
      return ParseError::kNone;
    case State::kSize:
      if (Is(c, internal::kHex)) {
        if (size_ > kMaxSizeBeforeDigit) return ParseError::kChunkSizeOverflow;
        size_ = (size_ << 4) | static_cast<std::uint64_t>(internal::HexValue(c));
        return ParseError::kNone;
      }
      if (c == '\r') {
        state_ = State::kSizeLf;
        return ParseError::kNone;
      }
      if (c == '\n') return ParseError::kBareLf;
      if (c != ';' && !IsWhitespace(c)) return ParseError::kInvalidChunkSize;
      return OnExtensionByte(c);
    case State::kSizeBws:
      // Whitespace after the size is BWS before an extension's ";", never before the CRLF.
      if (c != ';' && !IsWhitespace(c)) {
        return c == '\n' ? ParseError::kBareLf : ParseError::kInvalidChunkSize;
      }
      return OnExtensionByte(c);
    case State::kExtNameFirst:
    case State::kExtName:
    case State::kExtNameBws:
    case State::kExtValueFirst:
    case State::kExtToken:
    case State::kExtQuoted:
    case State::kExtQuotedPair:
    case State::kExtQuotedEnd:
    case State::kExtBws:
      return OnExtensionByte(c);
    case State::kSizeLf:
      if (c != '\n') return ParseError::kBareCr;
      return OnSizeLineEnd();
    case State::kDataCr:
      if (c != '\r') return ParseError::kMissingChunkDataCrlf;
      state_ = State::kDataLf;
      return ParseError::kNone;
    case State::kDataLf:
      if (c != '\n') return ParseError::kMissingChunkDataCrlf;
      state_ = State::kSizeFirst;
      return ParseError::kNone;
    case State::kTrailerLine:
    case State::kTrailerName:
    case State::kTrailerNameLf:
    case State::kTrailerValue:
    case State::kTrailerLf:
    case State::kFinalLf:
      return OnTrailerByte(c);
    case State::kData:
    case State::kDone:
    case State::kError:
      break;
  }
  return ParseError::kNone;
}

// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), RFC 9112 7.1.1;
// chunk-ext-val = token / quoted-string. Extensions are checked and then ignored.
ParseError ChunkedDecoder::OnExtensionByte(char c) {
  const bool may_end = state_ == State::kSize || state_ == State::kExtName ||
                       state_ == State::kExtToken || state_ == State::kExtQuotedEnd;
  if (c == '\r' && may_end) {
    state_ = State::kSizeLf;
    return ParseError::kNone;
  }
  if (c == '\n') return ParseError::kBareLf;
  if (++extension_size_ > limits_.max_chunk_extensions) {
    return ParseError::kChunkExtensionsTooLong;
  }
  const bool space = IsWhitespace(c);
  const bool token = Is(c, internal::kToken);
  switch (state_) {
    case State::kSize:
    case State::kSizeBws:
      state_ = c == ';' ? State::kExtNameFirst : State::kSizeBws;
      return ParseError::kNone;
    case State::kExtNameFirst:
      if (token) state_ = State::kExtName;
      return space || token ? ParseError::kNone : ParseError::kInvalidChunkExtension;
    case State::kExtName:
    case State::kExtNameBws:
      if (token && state_ == State::kExtName) return ParseError::kNone;
      if (space) {
        state_ = State::kExtNameBws;
      } else if (c == '=') {
        state_ = State::kExtValueFirst;
      } else if (c == ';') {
        state_ = State::kExtNameFirst;
      } else {
        return ParseError::kInvalidChunkExtension;
      }
      return ParseError::kNone;
    case State::kExtValueFirst:
      if (c == '"') {
        state_ = State::kExtQuoted;
      } else if (token) {
        state_ = State::kExtToken;
      } else if (!space) {
        return ParseError::kInvalidChunkExtension;
      }
      return ParseError::kNone;
    case State::kExtToken:
    case State::kExtQuotedEnd:
    case State::kExtBws:
      if (token && state_ == State::kExtToken) return ParseError::kNone;
      if (space) {
        state_ = State::kExtBws;
      } else if (c == ';') {
        state_ = State::kExtNameFirst;
      } else {
        return ParseError::kInvalidChunkExtension;
      }
      return ParseError::kNone;
    case State::kExtQuoted:
      if (c == '"') {
        state_ = State::kExtQuotedEnd;
      } else if (c == '\\') {
        state_ = State::kExtQuotedPair;
      } else if (!Is(c, internal::kQdText)) {
        return ParseError::kInvalidChunkExtension;
      }
      return ParseError::kNone;
    case State::kExtQuotedPair:
      if (!Is(c, internal::kFieldValue)) return ParseError::kInvalidChunkExtension;
      state_ = State::kExtQuoted;
      return ParseError::kNone;
    default:
      return ParseError::kInvalidChunkExtension;
  }
}

ParseError ChunkedDecoder::OnSizeLineEnd() {
  if (size_ == 0) {
    trailer_size_ = 0;
    state_ = State::kTrailerLine;
    return ParseError::kNone;
  }
  if (size_ > limits_.max_body - std::min(decoded_, limits_.max_body)) {
    return ParseError::kBodyTooLarge;
  }
  remaining_ = size_;
  state_ = State::kData;
  return ParseError::kNone;
}

// trailer-section = *( field-line CRLF ), RFC 9112 section 7.1.2; the fields are discarded.
ParseError ChunkedDecoder::OnTrailerByte(char c) {
  if (++trailer_size_ > limits_.max_trailer_section) return ParseError::kTrailerSectionTooLarge;
  switch (state_) {
    case State::kTrailerLine:
      if (c == '\r') {
        state_ = State::kFinalLf;
      } else if (Is(c, internal::kToken)) {
        state_ = State::kTrailerName;
      } else if (IsWhitespace(c)) {
        return ParseError::kObsFold;
      } else {
        return c == '\n' ? ParseError::kBareLf : ParseError::kInvalidFieldName;
      }
      return ParseError::kNone;
    case State::kTrailerName:
      if (Is(c, internal::kToken)) return ParseError::kNone;
      if (c == ':') {
        state_ = State::kTrailerValue;
      } else if (c == '\r') {
        state_ = State::kTrailerNameLf;
      } else if (IsWhitespace(c)) {
        return ParseError::kWhitespaceBeforeColon;
      } else {
        return c == '\n' ? ParseError::kBareLf : ParseError::kInvalidFieldName;
      }
      return ParseError::kNone;
    case State::kTrailerNameLf:
      return c == '\n' ? ParseError::kMissingColon : ParseError::kBareCr;
    case State::kTrailerValue:
      if (c == '\r') {
        state_ = State::kTrailerLf;
      } else if (!Is(c, internal::kFieldValue)) {
        return c == '\n' ? ParseError::kBareLf : ParseError::kInvalidFieldValue;
      }
      return ParseError::kNone;
    case State::kTrailerLf:
      if (c != '\n') return ParseError::kBareCr;
      state_ = State::kTrailerLine;
      return ParseError::kNone;
    case State::kFinalLf:
      if (c != '\n') return ParseError::kBareCr;
      state_ = State::kDone;
      return ParseError::kNone;
    default:
      return ParseError::kNone;
  }
}

}  // namespace parley::http
