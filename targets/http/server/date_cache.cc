#include "targets/http/server/date_cache.h"

namespace parley::http {

namespace {

void TwoDigits(int value, char* out) {
  out[0] = static_cast<char>('0' + value / 10 % 10);
  out[1] = static_cast<char>('0' + value % 10);
}

}  // namespace

void FormatHttpDate(std::time_t t, char* out) {
  static constexpr char kDays[] = "SunMonTueWedThuFriSat";
  static constexpr char kMonths[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  std::tm tm{};
  gmtime_r(&t, &tm);
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  //  0123456789012345678901234567
  for (int i = 0; i < 3; ++i)
    out[i] = kDays[tm.tm_wday * 3 + i];
  out[3] = ',';
  out[4] = ' ';
  TwoDigits(tm.tm_mday, out + 5);
  out[7] = ' ';
  for (int i = 0; i < 3; ++i)
    out[8 + i] = kMonths[tm.tm_mon * 3 + i];
  out[11] = ' ';
  const int year = tm.tm_year + 1900;
  TwoDigits(year / 100, out + 12);
  TwoDigits(year % 100, out + 14);
  out[16] = ' ';
  TwoDigits(tm.tm_hour, out + 17);
  out[19] = ':';
  TwoDigits(tm.tm_min, out + 20);
  out[22] = ':';
  TwoDigits(tm.tm_sec, out + 23);
  out[25] = ' ';
  out[26] = 'G';
  out[27] = 'M';
  out[28] = 'T';
}

std::string_view DateCache::At(std::time_t now) {
  if (now != second_) {
    second_ = now;
    ++formats_;
    FormatHttpDate(now, text_);
  }
  return {text_, kHttpDateSize};
}

}  // namespace parley::http
