#include "harness/fuzz/fuzz_support.h"

#include <sanitizer/asan_interface.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace parley::fuzz {
namespace {

// A multiplicative hash modulo a prime: every intermediate value stays below 2^40.
constexpr std::uint64_t kPrime = 2147483647;  // 2^31 - 1

std::uint32_t Mix(std::uint64_t state, std::uint64_t value) {
  return static_cast<std::uint32_t>((state * 48271 + value + 1) % kPrime);
}

}  // namespace

void PropertyFailed(const char* property, std::string_view detail, const char* file, int line) {
  std::fprintf(stderr, "==FUZZ== property violated: %s\n==FUZZ== %.*s\n==FUZZ== at %s:%d\n",
               property, static_cast<int>(detail.size()), detail.data(), file, line);
  std::fflush(stderr);
  std::abort();
}

bool OracleEnabled(std::string_view name) {
  static const std::string off = [] {
    const char* value = std::getenv("PARLEY_FUZZ_ORACLES_OFF");
    return value == nullptr ? std::string() : "," + std::string(value) + ",";
  }();
  return off.find("," + std::string(name) + ",") == std::string::npos;
}

bool ReferenceUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length;
    std::uint32_t code;
    std::uint32_t lowest;
    if (lead < 0x80) {
      ++i;
      continue;
    }
    if ((lead & 0xE0) == 0xC0) {
      length = 2, code = lead & 0x1Fu, lowest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, code = lead & 0x0Fu, lowest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, code = lead & 0x07u, lowest = 0x10000;
    } else {
      return false;  // a continuation byte without a lead, or 0xF8..0xFF
    }
    if (text.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3Fu);
    }
    if (code < lowest || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

std::uint32_t InputHash(std::string_view bytes) {
  std::uint32_t h = Mix(0, bytes.size() % kPrime);
  for (char c : bytes)
    h = Mix(h, static_cast<unsigned char>(c));
  return h;
}

std::vector<std::size_t> SplitPoints(std::string_view bytes, std::uint32_t hash) {
  std::vector<std::size_t> points;
  if (bytes.size() < 2) return points;
  switch (hash % 4) {
    case 0:  // whole
      return points;
    case 1:  // byte by byte
      if (bytes.size() <= kMaxBytewiseInput) {
        for (std::size_t i = 1; i < bytes.size(); ++i)
          points.push_back(i);
        return points;
      }
      break;
    default:
      break;
  }
  // One to eight cuts anywhere.
  std::uint32_t state = hash;
  const std::size_t cuts = 1 + (hash / 4) % 8;
  for (std::size_t i = 0; i < cuts; ++i) {
    state = Mix(state, i);
    points.push_back(1 + state % (bytes.size() - 1));
  }
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  return points;
}

std::vector<std::string_view> Pieces(std::string_view bytes,
                                     const std::vector<std::size_t>& points) {
  std::vector<std::string_view> pieces;
  std::size_t begin = 0;
  for (std::size_t point : points) {
    pieces.push_back(bytes.substr(begin, point - begin));
    begin = point;
  }
  pieces.push_back(bytes.substr(begin));
  return pieces;
}

bool Within(std::string_view inner, std::string_view outer) {
  if (inner.empty()) return true;
  const auto begin = reinterpret_cast<std::uintptr_t>(outer.data());
  const auto at = reinterpret_cast<std::uintptr_t>(inner.data());
  return at >= begin && at - begin <= outer.size() && inner.size() <= outer.size() - (at - begin);
}

ReceivedBytes::ReceivedBytes(const std::vector<std::string_view>& pieces) : size_(0) {
  for (std::string_view piece : pieces)
    size_ += piece.size();
  data_ = new char[size_ == 0 ? 1 : size_];
  std::size_t at = 0;
  for (std::string_view piece : pieces) {
    if (!piece.empty()) std::memcpy(data_ + at, piece.data(), piece.size());
    at += piece.size();
  }
  ASAN_POISON_MEMORY_REGION(data_, size_);
}

ReceivedBytes::~ReceivedBytes() {
  ASAN_UNPOISON_MEMORY_REGION(data_, size_);
  delete[] data_;
}

std::string_view ReceivedBytes::Receive(std::size_t n) {
  n = std::min(n, size_ - received_);
  ASAN_UNPOISON_MEMORY_REGION(data_ + received_, n);
  const std::string_view bytes(data_ + received_, n);
  received_ += n;
  return bytes;
}

}  // namespace parley::fuzz
