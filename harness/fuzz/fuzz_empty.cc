// The empty fuzz target: it does nothing with its input. Built exactly like the real fuzzers,
// its executions per second are the ceiling the others are compared with (ci/fuzz.sh and the
// benchmarks report each fuzzer's exec/s as a ratio to it).
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)data;
  (void)size;
  return 0;
}
