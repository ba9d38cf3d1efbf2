// fuzz_chat_room: several members of one chat room against an independent model (in progress).
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }
