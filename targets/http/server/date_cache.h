// DateCache: the value of the Date header (an IMF-fixdate, RFC 9110 section 5.6.7), formatted at
// most once per second. One per event loop; not thread-safe.
#ifndef PARLEY_TARGETS_HTTP_SERVER_DATE_CACHE_H_
#define PARLEY_TARGETS_HTTP_SERVER_DATE_CACHE_H_

#include <cstddef>
#include <ctime>
#include <string_view>

namespace parley::http {

// "Sun, 06 Nov 1994 08:49:37 GMT" is always this long.
inline constexpr std::size_t kHttpDateSize = 29;

// Writes `t` (seconds since the epoch, UTC) as an IMF-fixdate into out[0, kHttpDateSize).
void FormatHttpDate(std::time_t t, char* out);

class DateCache {
 public:
  // The current time. The view stays valid until the next call.
  std::string_view Now() { return At(std::time(nullptr)); }

  // The date for `now`; reformats only when the second differs from the previous call's.
  std::string_view At(std::time_t now);

  // How many times the text was formatted (for tests).
  std::size_t formats() const { return formats_; }

 private:
  std::time_t second_ = -1;
  std::size_t formats_ = 0;
  char text_[kHttpDateSize] = {};
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_DATE_CACHE_H_
