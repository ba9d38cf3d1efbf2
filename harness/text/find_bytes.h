// FindBytes: where a byte string first occurs in another, for `contains` expectations that
// search long streams as they arrive.
#ifndef PARLEY_HARNESS_TEXT_FIND_BYTES_H_
#define PARLEY_HARNESS_TEXT_FIND_BYTES_H_

#include <cstddef>
#include <string_view>

namespace parley::harness {

// The offset of the first occurrence of `needle` in `haystack`, or npos; 0 for an empty
// needle. Linear time whatever the input: sixteen bytes at a time (SSE2) it looks for places
// where the needle's first and last bytes both stand, and compares only there; when such
// places keep failing (repetitive input), it hands the rest to glibc's memmem (two-way), so
// the comparisons it made never cost more than a few times the bytes it passed. `*compared`
// (if given) receives the bytes those comparisons covered: for tests of that bound.
std::size_t FindBytes(std::string_view haystack, std::string_view needle,
                      std::size_t* compared = nullptr);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_TEXT_FIND_BYTES_H_
