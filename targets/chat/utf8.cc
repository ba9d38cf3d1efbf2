#include "targets/chat/utf8.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace parley::chat {
namespace {

// Chat lines are mostly ASCII: skip it eight bytes at a time.
std::size_t SkipAscii(const unsigned char* p, std::size_t size) {
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, p + i, sizeof word);
    if ((word & 0x8080808080808080ULL) != 0) break;
  }
  while (i < size && p[i] < 0x80)
    ++i;
  return i;
}

bool IsContinuation(unsigned char byte) {
  return (byte & 0xC0) == 0x80;
}

// Length of the well-formed sequence starting at p[0] (a non-ASCII lead byte), or 0 when it is
// malformed. The ranges are Table 3-7 of the Unicode standard.
std::size_t SequenceLength(const unsigned char* p, std::size_t left) {
  const unsigned char lead = p[0];
  std::size_t length;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // overlong below U+0800
    if (lead == 0xED) second_max = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // overlong below U+10000
    if (lead == 0xF4) second_max = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // continuation byte, C0/C1 (overlong ASCII) or F5..FF
  }
  if (left < length) return 0;
  if (p[1] < second_min || p[1] > second_max) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (!IsContinuation(p[i])) return 0;
  }
  return length;
}

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t size = bytes.size();
  std::size_t i = 0;
  while (i < size) {
    i += SkipAscii(p + i, size - i);
    if (i == size) break;
    const std::size_t length = SequenceLength(p + i, size - i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

}  // namespace parley::chat
