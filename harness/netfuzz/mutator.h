// The mutations of `parley fuzz`: each takes the bytes a send step would write and returns
// changed ones, and may split the write into pieces with pauses between them. Seeded: the same
// seed, inputs and calls give the same outputs, so `--seed` makes a campaign reproducible.
//
// Kinds: byte-level (flip a bit, set a byte to an interesting value, insert random bytes, delete
// or duplicate a range, splice in part of another payload of the suite), dictionary tokens
// (insert or overwrite), and line-aware ones for text protocols (duplicate, drop or swap a
// CRLF- or LF-ended line; put a boundary number in a run of digits; make a Content-Length
// disagree with the body; split the write into several with short delays).
#ifndef PARLEY_HARNESS_NETFUZZ_MUTATOR_H_
#define PARLEY_HARNESS_NETFUZZ_MUTATOR_H_

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/duration.h"
#include "harness/scenario/scenario.h"

namespace parley::harness {

// What a mutated send writes.
struct FuzzInput {
  std::string bytes;
  std::vector<std::size_t> split;  // sizes of the first pieces (the rest goes last); empty: one
  Duration delay{0};               // between pieces
};

// A seed's `split: 1, delay: 100ms` over a payload that a mutation made long would send one
// byte per 100 ms for minutes: with a delay, at most 16 pieces are written, the rest going in
// the last. `seed` is the send step the input replaces (its split may repeat its last size).
void BoundDelayedPieces(const SendStep& seed, FuzzInput* input);

class Mutator {
 public:
  struct Options {
    std::uint64_t seed = 1;
    std::size_t max_len = 64 * 1024;  // no mutated payload is longer
    int most_stacked = 6;             // mutations applied to one input: 1 to this many
    Duration most_delay{5};           // the longest pause between split pieces
  };

  // `dictionary`: tokens to insert; `splices`: other payloads to take pieces from.
  Mutator(Options options, std::vector<std::string> dictionary, std::vector<std::string> splices);

  // A mutated copy of `input`; `*applied` (if given) gets the names of the mutations, e.g.
  // "flip-bit, drop-line".
  FuzzInput Mutate(const FuzzInput& input, std::string* applied = nullptr);

  // The mutations' names, in the order Mutate numbers them.
  static const std::vector<std::string_view>& Names();

  std::mt19937_64& random() { return random_; }

 private:
  // Applies mutation `kind` to `*in`; false when it does not apply to these bytes.
  bool Apply(int kind, FuzzInput* in);
  std::size_t Below(std::size_t n);  // uniform in [0, n); n > 0

  Options options_;
  std::vector<std::string> dictionary_;
  std::vector<std::string> splices_;
  std::mt19937_64 random_;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_NETFUZZ_MUTATOR_H_
