#include "harness/bench/chat_lines.h"

#include <cstring>

namespace parley::bench {

namespace {

constexpr std::size_t kIndexDigits = 8;
constexpr std::size_t kHeaderSize = 1 + kIndexDigits + 1;  // "m", the digits, a space
constexpr std::size_t kAlphabet = 26;

char FillerAt(std::uint32_t index, std::size_t k) {
  return static_cast<char>('a' + (index + k) % kAlphabet);
}

// "m", `index` in kIndexDigits digits, a space. REQUIRES: `out` has room for kHeaderSize bytes.
void FormatHeader(std::uint32_t index, char* out) {
  out[0] = 'm';
  for (std::size_t i = kIndexDigits; i > 0; --i) {
    out[i] = static_cast<char>('0' + index % 10);
    index /= 10;
  }
  out[kHeaderSize - 1] = ' ';
}

}  // namespace

std::string PayloadLine(std::uint32_t index, std::size_t payload_size) {
  char header[kHeaderSize];
  FormatHeader(index, header);
  std::string line(header, kHeaderSize);
  for (std::size_t k = 0; k < payload_size - kHeaderSize; ++k)
    line.push_back(FillerAt(index, k));
  line.push_back('\n');
  return line;
}

LineChecker::LineChecker(std::uint32_t expected_lines, std::size_t payload_size)
    : expected_lines_(expected_lines),
      payload_size_(payload_size),
      expected_bytes_(std::uint64_t{expected_lines} * (payload_size + 1)) {
  for (std::size_t k = 0; k < payload_size + kAlphabet; ++k)
    filler_.push_back(FillerAt(0, k));
}

void LineChecker::Feed(std::string_view bytes) {
  while (!bytes.empty()) {
    const void* lf = std::memchr(bytes.data(), '\n', bytes.size());
    if (lf == nullptr) {
      partial_.append(bytes);
      return;
    }
    const auto size = static_cast<std::size_t>(static_cast<const char*>(lf) - bytes.data());
    if (partial_.empty()) {
      OnLine(bytes.substr(0, size));
    } else {
      partial_.append(bytes.substr(0, size));
      OnLine(partial_);
      partial_.clear();
    }
    bytes.remove_prefix(size + 1);
  }
}

void LineChecker::Reset() {
  partial_.clear();
  next_ = 0;
  intact_ = 0;
  unprefixed_ = 0;
  damaged_ = 0;
  payload_bytes_ = 0;
}

void LineChecker::OnLine(std::string_view line) {
  const std::size_t prefix = PrefixBytes(line);
  payload_bytes_ += line.size() - prefix + 1;
  // Intact: the next payload, after one prefix at the start or none at all.
  bool intact = false;
  if (prefix == 0) {
    intact = TakeInOrder(line);
    if (intact) ++unprefixed_;
  } else {
    const std::size_t close = line.find("> ");
    intact = line[0] == '<' && close + 2 == prefix && TakeInOrder(line.substr(prefix));
  }
  if (intact) {
    ++intact_;
  } else {
    ++damaged_;
  }
}

// Whether `payload` is a whole line that comes after every intact one so far; if so, it is now
// the last one.
bool LineChecker::TakeInOrder(std::string_view payload) {
  if (payload.size() != payload_size_ || payload[0] != 'm' || payload[kHeaderSize - 1] != ' ') {
    return false;
  }
  std::uint32_t index = 0;
  for (std::size_t i = 1; i <= kIndexDigits; ++i) {
    if (payload[i] < '0' || payload[i] > '9') return false;
    index = index * 10 + static_cast<std::uint32_t>(payload[i] - '0');
  }
  if (index < next_ || index >= expected_lines_) return false;
  const std::string_view filler =
      std::string_view(filler_).substr(index % kAlphabet, payload_size_ - kHeaderSize);
  if (payload.substr(kHeaderSize) != filler) return false;
  next_ = index + 1;
  return true;
}

// Bytes of `line` inside "<NAME> " prefixes, wherever they are: payloads hold no "<".
std::size_t LineChecker::PrefixBytes(std::string_view line) {
  std::size_t bytes = 0;
  for (std::size_t open = line.find('<'); open != std::string_view::npos;
       open = line.find('<', open)) {
    const std::size_t close = line.find("> ", open);
    if (close == std::string_view::npos) break;
    bytes += close + 2 - open;
    open = close + 2;
  }
  return bytes;
}

}  // namespace parley::bench
