#include "harness/scenario/generated_values.h"

#include <atomic>
#include <charconv>
#include <cstdint>
#include <mutex>
#include <random>

namespace parley::harness {
namespace {

constexpr int kMaxRandomDigits = 64;
constexpr char kHexDigits[] = "0123456789abcdef";

// N of `random.hexN`, or 0 when `name` is not of that form with N in range.
int RandomDigits(std::string_view name) {
  constexpr std::string_view kPrefix = "random.hex";
  if (!name.starts_with(kPrefix)) return 0;
  std::string_view digits = name.substr(kPrefix.size());
  int n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.starts_with('0')) {
    return 0;
  }
  return n >= 1 && n <= kMaxRandomDigits ? n : 0;
}

std::mt19937_64& Engine() {
  static std::mt19937_64 engine(std::random_device{}());
  return engine;
}

std::mutex& EngineMutex() {
  static std::mutex mutex;
  return mutex;
}

std::string RandomHex(int digits) {
  std::string text;
  std::lock_guard<std::mutex> lock(EngineMutex());
  for (int i = 0; i < digits; ++i)
    text += kHexDigits[Engine()() & 0xf];
  return text;
}

// A bijection of the 28-bit counter, offset by a per-process random start: the values of one
// process never repeat (until 2^28 of them), and two processes start far apart.
std::string Unique() {
  static const std::uint32_t start = [] {
    std::lock_guard<std::mutex> lock(EngineMutex());
    return static_cast<std::uint32_t>(Engine()());
  }();
  static std::atomic<std::uint32_t> counter{0};
  const std::uint32_t n = counter.fetch_add(1, std::memory_order_relaxed);
  const std::uint32_t value = (start + n * 0x9E3779B1u) & 0x0FFFFFFFu;  // odd multiplier
  std::string text = "u";
  for (int shift = 24; shift >= 0; shift -= 4)
    text += kHexDigits[(value >> shift) & 0xf];
  return text;
}

}  // namespace

bool IsGeneratedName(std::string_view name, std::string* error) {
  if (name == "unique" || name == "repeat" || RandomDigits(name) > 0) return true;
  if (name.starts_with("random.")) {
    *error = "${" + std::string(name) +
             "} is not a random value: use ${random.hexN}, N from 1 to " +
             std::to_string(kMaxRandomDigits) + " (e.g. ${random.hex8})";
  }
  return false;
}

std::optional<std::string> GenerateValue(std::string_view name, int repeat) {
  if (name == "unique") return Unique();
  if (name == "repeat") return std::to_string(repeat + 1);
  if (int digits = RandomDigits(name); digits > 0) return RandomHex(digits);
  return std::nullopt;
}

}  // namespace parley::harness
