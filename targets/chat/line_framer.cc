#include "targets/chat/line_framer.h"

#include <algorithm>
#include <cstring>

#include "targets/chat/utf8.h"

namespace parley::chat {

std::string_view ErrorText(FrameError error) {
  switch (error) {
    case FrameError::kNone:
      return "none";
    case FrameError::kLineTooLong:
      return "line-too-long";
    case FrameError::kInvalidUtf8:
      return "invalid-utf8";
  }
  return "unknown";
}

std::optional<Frame> LineFramer::Next(std::string_view& input) {
  if (release_partial_) {
    partial_.clear();
    release_partial_ = false;
  }
  while (!input.empty()) {
    if (discarding_) {
      const void* lf = std::memchr(input.data(), '\n', input.size());
      if (lf == nullptr) {
        input = {};
        return std::nullopt;
      }
      input.remove_prefix(static_cast<const char*>(lf) - input.data() + 1);
      discarding_ = false;
      continue;
    }
    // Bytes this line may still take, its LF included.
    const std::size_t budget = kMaxLineBytes - partial_.size();
    const std::size_t window = std::min(input.size(), budget);
    const void* found = std::memchr(input.data(), '\n', window);
    if (found == nullptr) {
      if (input.size() < budget) {
        if (partial_.capacity() == 0) partial_.reserve(kMaxLineBytes - 1);
        partial_.append(input);
        input = {};
        return std::nullopt;
      }
      input.remove_prefix(budget);
      partial_.clear();
      discarding_ = true;
      return Frame{FrameError::kLineTooLong, {}};
    }
    const std::size_t end = static_cast<const char*>(found) - input.data();
    std::string_view line = input.substr(0, end);
    input.remove_prefix(end + 1);
    if (partial_.empty()) {
      if (std::optional<Frame> frame = Complete(line)) return frame;
      continue;
    }
    partial_.append(line);
    if (std::optional<Frame> frame = Complete(partial_)) {
      release_partial_ = true;
      return frame;
    }
    partial_.clear();
  }
  return std::nullopt;
}

std::optional<Frame> LineFramer::Finish() {
  if (release_partial_) partial_.clear();
  release_partial_ = false;
  const bool was_discarding = discarding_;
  discarding_ = false;
  if (was_discarding || partial_.empty()) {
    partial_.clear();
    return std::nullopt;
  }
  release_partial_ = true;
  return Complete(partial_);
}

void LineFramer::Reset() {
  partial_.clear();
  release_partial_ = false;
  discarding_ = false;
}

std::optional<Frame> LineFramer::Complete(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return std::nullopt;
  if (!IsValidUtf8(line)) return Frame{FrameError::kInvalidUtf8, {}};
  return Frame{FrameError::kNone, line};
}

}  // namespace parley::chat
