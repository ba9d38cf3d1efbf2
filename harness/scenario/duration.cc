#include "harness/scenario/duration.h"

#include <cstdint>
#include <cstdio>

namespace parley::harness {
namespace {

constexpr std::int64_t kMaxMilliseconds = 24LL * 60 * 60 * 1000;

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::optional<Duration> ParseDuration(std::string_view text, std::string* error) {
  std::size_t i = 0;
  std::int64_t whole = 0;
  std::int64_t fraction = 0;
  std::int64_t fraction_scale = 1;
  bool any_digit = false;
  while (i < text.size() && IsDigit(text[i])) {
    if (whole > kMaxMilliseconds) break;
    whole = whole * 10 + (text[i] - '0');
    any_digit = true;
    ++i;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && IsDigit(text[i])) {
      if (fraction_scale < 1'000'000'000) {
        fraction = fraction * 10 + (text[i] - '0');
        fraction_scale *= 10;
      }
      any_digit = true;
      ++i;
    }
  }
  std::string_view unit = text.substr(i);
  if (!any_digit) {
    *error = "'" + std::string(text) + "' is not a duration (write e.g. 250ms, 2s, 1.5s, 1m)";
    return std::nullopt;
  }
  if (unit.empty()) {
    *error = "duration '" + std::string(text) + "' has no unit (write e.g. " + std::string(text) +
             "ms or " + std::string(text) + "s)";
    return std::nullopt;
  }
  std::int64_t unit_ms = 0;
  if (unit == "ms") {
    unit_ms = 1;
  } else if (unit == "s") {
    unit_ms = 1000;
  } else if (unit == "m") {
    unit_ms = 60 * 1000;
  } else {
    *error = "duration '" + std::string(text) + "' has unknown unit '" + std::string(unit) +
             "' (use ms, s or m)";
    return std::nullopt;
  }
  if (whole > kMaxMilliseconds / unit_ms) {
    *error = "duration '" + std::string(text) + "' is longer than 24 hours";
    return std::nullopt;
  }
  std::int64_t ms = whole * unit_ms + (fraction * unit_ms + fraction_scale / 2) / fraction_scale;
  if (ms > kMaxMilliseconds) {
    *error = "duration '" + std::string(text) + "' is longer than 24 hours";
    return std::nullopt;
  }
  return Duration(ms);
}

std::string FormatDuration(Duration d) {
  std::int64_t ms = d.count();
  if (ms != 0 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  if (ms >= 1000 && ms % 100 == 0) {
    return std::to_string(ms / 1000) + "." + std::to_string((ms % 1000) / 100) + "s";
  }
  return std::to_string(ms) + "ms";
}

std::string FormatElapsed(std::chrono::nanoseconds elapsed) {
  double ms = static_cast<double>(elapsed.count()) / 1e6;
  char text[32];
  if (ms < 1000) {
    std::snprintf(text, sizeof text, "%.1fms", ms);
  } else {
    std::snprintf(text, sizeof text, "%.2fs", ms / 1000);
  }
  return text;
}

}  // namespace parley::harness
