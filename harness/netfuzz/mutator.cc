#include "harness/netfuzz/mutator.h"

#include <algorithm>

namespace parley::harness {
namespace {

enum Kind {
  kFlipBit,
  kInterestingByte,
  kInsertRandom,
  kDeleteRange,
  kDuplicateRange,
  kSplice,
  kInsertToken,
  kOverwriteToken,
  kDuplicateLine,
  kDropLine,
  kSwapLines,
  kBoundaryNumber,
  kLengthMismatch,
  kSplitWrites,
  kKinds
};

constexpr unsigned char kInterestingBytes[] = {0x00, 0x01, 0x7f, 0x80, 0xff, '\r', '\n', ' ',
                                               '\t', ':',  '%',  '"',  '\\', '/',  ';',  ','};

constexpr std::string_view kBoundaryNumbers[] = {
    "0",
    "-1",
    "1",
    "127",
    "128",
    "255",
    "256",
    "32767",
    "32768",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "-2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999999",
    "00000000000000000000000001",
    "0x10",
    "1e9",
    "+1",
};

// The [begin, end) ranges of the lines of `bytes`, each with its line end.
std::vector<std::pair<std::size_t, std::size_t>> Lines(std::string_view bytes) {
  std::vector<std::pair<std::size_t, std::size_t>> lines;
  std::size_t begin = 0;
  while (begin < bytes.size()) {
    std::size_t lf = bytes.find('\n', begin);
    std::size_t end = lf == std::string_view::npos ? bytes.size() : lf + 1;
    lines.emplace_back(begin, end);
    begin = end;
  }
  return lines;
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

Mutator::Mutator(Options options, std::vector<std::string> dictionary,
                 std::vector<std::string> splices)
    : options_(options),
      dictionary_(std::move(dictionary)),
      splices_(std::move(splices)),
      random_(options.seed) {}

const std::vector<std::string_view>& Mutator::Names() {
  static const std::vector<std::string_view> names = {
      "flip-bit",   "interesting-byte", "insert-random",   "delete-range",   "duplicate-range",
      "splice",     "insert-token",     "overwrite-token", "duplicate-line", "drop-line",
      "swap-lines", "boundary-number",  "length-mismatch", "split-writes"};
  return names;
}

std::size_t Mutator::Below(std::size_t n) {
  return static_cast<std::size_t>(random_() % n);
}

FuzzInput Mutator::Mutate(const FuzzInput& input, std::string* applied) {
  FuzzInput out = input;
  const int stacked = 1 + static_cast<int>(Below(static_cast<std::size_t>(options_.most_stacked)));
  if (applied != nullptr) applied->clear();
  for (int done = 0, tries = 0; done < stacked && tries < stacked * 8; ++tries) {
    const int kind = static_cast<int>(Below(kKinds));
    if (!Apply(kind, &out)) continue;
    ++done;
    if (applied != nullptr) {
      if (!applied->empty()) *applied += ", ";
      *applied += Names()[static_cast<std::size_t>(kind)];
    }
  }
  if (out.bytes.size() > options_.max_len) out.bytes.resize(options_.max_len);
  // Later mutations may have shortened the bytes: pieces past their end mean nothing.
  std::size_t covered = 0;
  std::size_t keep = 0;
  while (keep < out.split.size() && covered + out.split[keep] < out.bytes.size()) {
    covered += out.split[keep++];
  }
  out.split.resize(keep);
  if (out.split.empty()) out.delay = Duration(0);
  return out;
}

bool Mutator::Apply(int kind, FuzzInput* in) {
  std::string& b = in->bytes;
  const std::size_t size = b.size();
  switch (kind) {
    case kFlipBit:
      if (size == 0) return false;
      b[Below(size)] ^= static_cast<char>(1u << Below(8));
      return true;
    case kInterestingByte:
      if (size == 0) return false;
      b[Below(size)] = static_cast<char>(kInterestingBytes[Below(sizeof(kInterestingBytes))]);
      return true;
    case kInsertRandom: {
      std::size_t n = 1 + Below(std::min<std::size_t>(16, options_.max_len));
      std::string bytes(n, '\0');
      for (char& c : bytes)
        c = static_cast<char>(Below(256));
      b.insert(Below(size + 1), bytes);
      return true;
    }
    case kDeleteRange: {
      if (size < 2) return false;
      std::size_t at = Below(size);
      b.erase(at, 1 + Below(std::min<std::size_t>(size - at, 64)));
      return true;
    }
    case kDuplicateRange: {
      if (size == 0) return false;
      std::size_t at = Below(size);
      std::string piece = b.substr(at, 1 + Below(std::min<std::size_t>(size - at, 256)));
      std::size_t times = 1 + Below(Below(8) == 0 ? 64 : 2);
      std::string repeated;
      for (std::size_t i = 0; i < times; ++i)
        repeated += piece;
      b.insert(at, repeated);
      return true;
    }
    case kSplice: {
      if (splices_.empty()) return false;
      const std::string& other = splices_[Below(splices_.size())];
      if (other.empty()) return false;
      std::size_t from = Below(other.size());
      std::string piece = other.substr(from, 1 + Below(other.size() - from));
      if (Below(2) == 0 && size > 0) {  // crossover: our head, their tail
        b = b.substr(0, Below(size + 1)) + other.substr(from);
      } else {
        b.insert(Below(size + 1), piece);
      }
      return true;
    }
    case kInsertToken:
    case kOverwriteToken: {
      if (dictionary_.empty()) return false;
      const std::string& token = dictionary_[Below(dictionary_.size())];
      std::size_t at = Below(size + 1);
      if (kind == kInsertToken) {
        b.insert(at, token);
      } else {
        b.replace(at, std::min(token.size(), size - at), token);
      }
      return true;
    }
    case kDuplicateLine:
    case kDropLine:
    case kSwapLines: {
      auto lines = Lines(b);
      if (lines.empty() || (kind == kSwapLines && lines.size() < 2)) return false;
      auto [begin, end] = lines[Below(lines.size())];
      std::string line = b.substr(begin, end - begin);
      if (kind == kDuplicateLine) {
        b.insert(begin, line);
      } else if (kind == kDropLine) {
        b.erase(begin, end - begin);
      } else {
        auto [begin2, end2] = lines[Below(lines.size())];
        if (begin2 == begin) return false;
        std::string line2 = b.substr(begin2, end2 - begin2);
        // Replace the later one first, so that the earlier one's offsets still hold.
        if (begin2 > begin) {
          b.replace(begin2, end2 - begin2, line);
          b.replace(begin, end - begin, line2);
        } else {
          b.replace(begin, end - begin, line2);
          b.replace(begin2, end2 - begin2, line);
        }
      }
      return true;
    }
    case kBoundaryNumber: {
      std::vector<std::pair<std::size_t, std::size_t>> runs;
      for (std::size_t i = 0; i < size;) {
        if (!IsDigit(b[i])) {
          ++i;
          continue;
        }
        std::size_t end = i;
        while (end < size && IsDigit(b[end]))
          ++end;
        runs.emplace_back(i, end);
        i = end;
      }
      if (runs.empty()) return false;
      auto [begin, end] = runs[Below(runs.size())];
      b.replace(begin, end - begin,
                kBoundaryNumbers[Below(sizeof(kBoundaryNumbers) / sizeof(kBoundaryNumbers[0]))]);
      return true;
    }
    case kLengthMismatch: {
      // The value of a Content-Length field (any case) made larger or smaller than the body.
      std::string lower = b;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
      std::size_t at = lower.find("content-length:");
      if (at == std::string::npos) return false;
      std::size_t begin = at + 15;
      while (begin < size && (b[begin] == ' ' || b[begin] == '\t'))
        ++begin;
      std::size_t end = begin;
      while (end < size && IsDigit(b[end]))
        ++end;
      long long value = 0;
      for (std::size_t i = begin; i < end && i < begin + 15; ++i)
        value = value * 10 + (b[i] - '0');
      const long long deltas[] = {-1, 1, -value, 1000, 1 << 20};
      long long changed = std::max(0LL, value + deltas[Below(5)]);
      b.replace(begin, end - begin, std::to_string(changed));
      return true;
    }
    case kSplitWrites: {
      if (size < 2) return false;
      in->split.clear();
      std::size_t pieces = 2 + Below(std::min<std::size_t>(size - 1, 7));
      std::size_t left = size;
      for (std::size_t i = 0; i + 1 < pieces && left > 1; ++i) {
        std::size_t piece = 1 + Below(left - 1);
        in->split.push_back(piece);
        left -= piece;
      }
      // Separate writes already arrive as separate segments (TCP_NODELAY); a pause, which
      // costs the campaign its length in time, is added to one split in four.
      const auto most = static_cast<std::size_t>(options_.most_delay.count());
      in->delay =
          Duration(static_cast<Duration::rep>(most == 0 || Below(4) != 0 ? 0 : 1 + Below(most)));
      return true;
    }
    default:
      return false;
  }
}

void BoundDelayedPieces(const SendStep& seed, FuzzInput* input) {
  constexpr std::size_t kMostDelayedPieces = 16;
  if (input->delay.count() == 0 || input->split.empty()) return;
  const bool repeats = seed.repeat_last && input->split == seed.split;
  std::vector<std::size_t> pieces;
  std::size_t left = input->bytes.size();
  for (std::size_t i = 0; left > 0 && pieces.size() + 1 < kMostDelayedPieces; ++i) {
    if (i >= input->split.size() && !repeats) return;  // already few enough
    const std::size_t size = std::min(left, input->split[std::min(i, input->split.size() - 1)]);
    pieces.push_back(size);
    left -= size;
  }
  if (left == 0) return;             // few enough pieces as it is
  input->split = std::move(pieces);  // the rest is the last piece
}

}  // namespace parley::harness
