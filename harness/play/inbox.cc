#include "harness/play/inbox.h"

#include <algorithm>

namespace parley::harness {

void Inbox::Commit(std::size_t n) {
  bytes_.Commit(n);
  if (datagrams_) datagram_ends_.push_back(consumed_ + size());
}

void Inbox::Append(std::string_view bytes) {
  bytes_.Append(bytes);
  if (datagrams_) datagram_ends_.push_back(consumed_ + size());
}

void Inbox::Finish(End end, std::string detail) {
  if (end_ != End::kOpen) return;
  end_ = end;
  end_detail_ = std::move(detail);
}

void Inbox::Consume(std::size_t n) {
  n = std::min(n, size());
  if (n == 0) return;
  bytes_.Consume(n);
  consumed_ += n;
  bool at_end = false;
  while (!datagram_ends_.empty() && datagram_ends_.front() <= consumed_) {
    at_end = datagram_ends_.front() == consumed_;
    datagram_ends_.pop_front();
  }
  mid_datagram_ = datagrams_ && !at_end;
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
    case End::kTruncated:
      return "the peer closed the connection without a TLS close_notify (truncated)";
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
