#include "harness/play/byte_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

namespace parley::harness {
namespace {

// Bytes survive every move the buffer makes while they are consumed a little at a time, and
// the block stays within four times the most the queue held at once.
TEST(ByteQueue, KeepsItsBytesAcrossCompactionAndGrowth) {
  ByteQueue queue;
  std::string expected;
  std::uint64_t next = 0;
  std::size_t peak = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string piece;
    for (int i = 0; i < 1 + round % 97; ++i)
      piece += static_cast<char>('a' + (next++ % 26));
    queue.Append(piece);
    expected += piece;
    peak = std::max(peak, queue.size());
    const std::size_t take = (round * 7) % 90;
    queue.Consume(take);
    expected.erase(0, std::min(take, expected.size()));
    ASSERT_EQ(queue.bytes(), expected) << "round " << round;
    ASSERT_LE(queue.capacity(), std::max<std::size_t>(4 * peak + 2 * 97, 4096));
  }
}

// Read as fast as it is filled, a queue stays about one read large; an empty one gives a
// large block back.
TEST(ByteQueue, StaysSmallWhenReadAsFastAsFilled) {
  ByteQueue queue;
  for (int i = 0; i < 1000; ++i) {
    std::memset(queue.Reserve(65536), 'x', 65536);
    queue.Commit(65536);
    queue.Consume(queue.size() - 64);  // a judge keeps a little context
    ASSERT_LE(queue.size(), 64u);
    ASSERT_LE(queue.capacity(), 2u * 65536 + 64);
  }
  queue.Consume(64);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.capacity(), 131072u);  // small: kept for the next reads
  queue.Append(std::string(1 << 20, 'y'));
  queue.Consume(1 << 20);
  EXPECT_EQ(queue.capacity(), 0u);  // large: given back
}

}  // namespace
}  // namespace parley::harness
