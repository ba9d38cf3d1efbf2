#include "harness/play/byte_queue.h"

#include <algorithm>
#include <cstring>

namespace parley::harness {
namespace {

constexpr std::size_t kKeptCapacity = 256 * 1024;

}  // namespace

char* ByteQueue::Reserve(std::size_t n) {
  if (capacity_ - tail_ < n) MakeRoom(n);
  reserved_ = true;
  return data_.get() + tail_;
}

void ByteQueue::MakeRoom(std::size_t n) {
  const std::size_t live = size();
  if (head_ >= live && capacity_ - live >= n) {
    std::memmove(data_.get(), data_.get() + head_, live);
  } else {
    const std::size_t capacity = std::max({capacity_ * 2, live + n, std::size_t{4096}});
    auto grown = std::make_unique_for_overwrite<char[]>(capacity);
    if (live > 0) std::memcpy(grown.get(), data_.get() + head_, live);
    data_ = std::move(grown);
    capacity_ = capacity;
  }
  head_ = 0;
  tail_ = live;
}

void ByteQueue::Append(std::string_view bytes) {
  char* to = Reserve(bytes.size());
  if (!bytes.empty()) std::memcpy(to, bytes.data(), bytes.size());
  Commit(bytes.size());
}

void ByteQueue::Consume(std::size_t n) {
  head_ += std::min(n, size());
  if (head_ != tail_ || reserved_) return;
  head_ = tail_ = 0;
  if (capacity_ > kKeptCapacity) {
    data_.reset();
    capacity_ = 0;
  }
}

}  // namespace parley::harness
