#include "harness/play/inbox.h"

#include <algorithm>
#include <cstring>

namespace parley::harness {
namespace {

// An empty inbox that holds more than this gives its buffer back.
constexpr std::size_t kKeptCapacity = 256 * 1024;

}  // namespace

char* Inbox::Reserve(std::size_t n) {
  if (capacity_ - tail_ < n) Grow(n);
  return data_.get() + tail_;
}

// Makes room for `n` more bytes: slides the unconsumed bytes to the front when the consumed
// front is at least as large as they are (so each byte moves at most once per time it is
// overtaken), else moves them to a buffer twice as large.
void Inbox::Grow(std::size_t n) {
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

void Inbox::Commit(std::size_t n) {
  tail_ += n;
  if (datagrams_) datagram_ends_.push_back(consumed_ + size());
}

void Inbox::Append(std::string_view bytes) {
  char* to = Reserve(bytes.size());
  if (!bytes.empty()) std::memcpy(to, bytes.data(), bytes.size());
  Commit(bytes.size());
}

void Inbox::Finish(End end, std::string detail) {
  if (end_ != End::kOpen) return;
  end_ = end;
  end_detail_ = std::move(detail);
}

void Inbox::Consume(std::size_t n) {
  n = std::min(n, size());
  if (n == 0) return;
  head_ += n;
  consumed_ += n;
  bool at_end = false;
  while (!datagram_ends_.empty() && datagram_ends_.front() <= consumed_) {
    at_end = datagram_ends_.front() == consumed_;
    datagram_ends_.pop_front();
  }
  mid_datagram_ = datagrams_ && !at_end;
  if (head_ == tail_) {
    head_ = tail_ = 0;
    if (capacity_ > kKeptCapacity) {
      data_.reset();
      capacity_ = 0;
    }
  }
}

std::string Inbox::DescribeEnd() const {
  switch (end_) {
    case End::kOpen:
      return "the connection is open";
    case End::kClosed:
      return "the peer closed the connection";
    case End::kReset:
      return "the connection was reset";
    case End::kError:
      return "receiving failed (" + end_detail_ + ")";
    case End::kCutOff:
      return "the peer sent more than " + end_detail_ + " and was cut off";
  }
  return "the connection ended";
}

void Inbox::ConsumeDatagram() {
  if (datagram_ends_.empty()) return;
  const std::uint64_t end = datagram_ends_.front();
  Consume(static_cast<std::size_t>(end - consumed_));
  if (!datagram_ends_.empty() && datagram_ends_.front() == end) datagram_ends_.pop_front();
  mid_datagram_ = false;
}

std::size_t Inbox::FirstDatagramEnd() const {
  if (datagram_ends_.empty()) return std::string_view::npos;
  return static_cast<std::size_t>(datagram_ends_.front() - consumed_);
}

std::size_t Inbox::DatagramEndAfter(std::size_t offset) const {
  const std::uint64_t after = consumed_ + offset;
  auto it = std::upper_bound(datagram_ends_.begin(), datagram_ends_.end(), after);
  if (it == datagram_ends_.end()) return std::string_view::npos;
  return static_cast<std::size_t>(*it - consumed_);
}

bool Inbox::NextLine(std::size_t offset, std::size_t* scanned, std::string_view* line,
                     std::size_t* next) const {
  const std::string_view all = bytes();
  if (offset >= all.size()) return false;
  const std::size_t from = std::max(*scanned, offset);
  std::size_t end = all.find('\n', from);
  *scanned = end == std::string_view::npos ? all.size() : end;
  std::size_t after = end + 1;
  if (datagrams_) {
    const std::size_t datagram_end = DatagramEndAfter(offset);
    if (datagram_end != std::string_view::npos &&
        (end == std::string_view::npos || datagram_end <= end)) {
      end = datagram_end;
      after = datagram_end;
    }
  }
  if (end == std::string_view::npos) return false;
  *line = all.substr(offset, end - offset);
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  *next = after;
  return true;
}

}  // namespace parley::harness
