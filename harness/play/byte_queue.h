// ByteQueue: bytes appended at the back and consumed from the front, kept in one contiguous
// block so that they can be seen as one string_view. Consuming is O(1); making room slides the
// unconsumed bytes to the front when the consumed ones are at least as many (so each byte moves
// at most once for each time as many bytes before it were consumed), or else moves them to a
// block twice as large. A stream taken a little at a time costs linear time, and a queue that
// is read as fast as it is filled stays as small as one read.
#ifndef PARLEY_HARNESS_PLAY_BYTE_QUEUE_H_
#define PARLEY_HARNESS_PLAY_BYTE_QUEUE_H_

#include <cstddef>
#include <memory>
#include <string_view>

namespace parley::harness {

class ByteQueue {
 public:
  ByteQueue() = default;
  ByteQueue(const ByteQueue&) = delete;
  ByteQueue& operator=(const ByteQueue&) = delete;

  // Returns room for at least `n` bytes after the last one, not initialized. Valid until the
  // next call that changes the queue; only Commit makes what was written there part of it.
  char* Reserve(std::size_t n);
  // The first `n` bytes of the reserved room join the queue.
  // REQUIRES: `n` is at most what the last Reserve asked for.
  void Commit(std::size_t n) { tail_ += n; }
  // Reserve, copy and Commit.
  void Append(std::string_view bytes);
  // Drops the first `n` bytes (at most all of them). An empty queue holding more than 256 KiB
  // gives its block back.
  void Consume(std::size_t n);

  std::string_view bytes() const { return {data_.get() + head_, tail_ - head_}; }
  std::size_t size() const { return tail_ - head_; }
  bool empty() const { return tail_ == head_; }
  // The block's size: what the queue holds in memory.
  std::size_t capacity() const { return capacity_; }

 private:
  void MakeRoom(std::size_t n);

  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0;
  std::size_t head_ = 0;  // the first byte in data_
  std::size_t tail_ = 0;  // one past the last byte in data_
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_BYTE_QUEUE_H_
