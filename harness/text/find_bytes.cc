#include "harness/text/find_bytes.h"

#include <emmintrin.h>
#include <string.h>

#include <cstring>

namespace parley::harness {
namespace {

std::size_t Memmem(std::string_view haystack, std::string_view needle, std::size_t from) {
  const void* found =
      ::memmem(haystack.data() + from, haystack.size() - from, needle.data(), needle.size());
  if (found == nullptr) return std::string_view::npos;
  return static_cast<std::size_t>(static_cast<const char*>(found) - haystack.data());
}

// Bytes the comparisons at false candidates may cost before the search goes to memmem: a few
// times the bytes passed, plus some slack for the start.
bool OverBudget(std::size_t compared, std::size_t passed) {
  return compared > 4 * passed + 4096;
}

std::size_t Search(std::string_view haystack, std::string_view needle, std::size_t* compared) {
  const std::size_t m = needle.size();
  if (m == 0) return 0;
  if (m > haystack.size()) return std::string_view::npos;
  if (m == 1) {
    const void* found = std::memchr(haystack.data(), needle[0], haystack.size());
    return found == nullptr
               ? std::string_view::npos
               : static_cast<std::size_t>(static_cast<const char*>(found) - haystack.data());
  }
  const char* const h = haystack.data();
  const __m128i first = _mm_set1_epi8(needle.front());
  const __m128i last = _mm_set1_epi8(needle.back());
  std::size_t at = 0;
  // Each round looks at the 16 places at, ..., at + 15: the first byte there and the byte
  // where the needle's last would stand.
  for (; at + m - 1 + 16 <= haystack.size(); at += 16) {
    const __m128i starts = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + at));
    const __m128i ends = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h + at + m - 1));
    auto places = static_cast<unsigned>(_mm_movemask_epi8(
        _mm_and_si128(_mm_cmpeq_epi8(starts, first), _mm_cmpeq_epi8(ends, last))));
    while (places != 0) {
      const std::size_t place = at + static_cast<std::size_t>(__builtin_ctz(places));
      *compared += m - 2;
      if (std::memcmp(h + place + 1, needle.data() + 1, m - 2) == 0) return place;
      places &= places - 1;
    }
    if (OverBudget(*compared, at)) return Memmem(haystack, needle, at);
  }
  return Memmem(haystack, needle, at);
}

}  // namespace

std::size_t FindBytes(std::string_view haystack, std::string_view needle,
                      std::size_t* compared_out) {
  std::size_t compared = 0;
  const std::size_t at = Search(haystack, needle, &compared);
  if (compared_out != nullptr) *compared_out = compared;
  return at;
}

}  // namespace parley::harness
