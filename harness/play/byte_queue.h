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

  // Returns room for at least `n` bytes after the last one, not initialized. The room stays
  // where it is until Commit, whatever Consume does meanwhile, so a read may be written into it
  // later (an asynchronous read lends it to the kernel).
  // REQUIRES: no other reservation is open; nothing but Consume is called until Commit.
  char* Reserve(std::size_t n);
  // The first `n` bytes of the reserved room join the queue, and the reservation ends.
  // REQUIRES: `n` is at most what Reserve asked for.
  void Commit(std::size_t n) {
    tail_ += n;
    reserved_ = false;
  }
  // Reserve, copy and Commit.
  void Append(std::string_view bytes);
  // Drops the first `n` bytes (at most all of them). An empty queue with no open reservation
  // starts again at the front of its block, and gives back a block larger than 256 KiB.
  void Consume(std::size_t n);

  std::string_view bytes() const { return {data_.get() + head_, tail_ - head_}; }
  std::size_t size() const { return tail_ - head_; }
  bool empty() const { return tail_ == head_; }
  // The block's size: what the queue holds in memory.
  std::size_t capacity() const { return capacity_; }
  // Room after the last byte, there without growing or sliding.
  std::size_t room() const { return capacity_ - tail_; }

 private:
  void MakeRoom(std::size_t n);

  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0;
  std::size_t head_ = 0;   // the first byte in data_
  std::size_t tail_ = 0;   // one past the last byte in data_
  bool reserved_ = false;  // between Reserve and Commit
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_BYTE_QUEUE_H_
