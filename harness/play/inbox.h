// Inbox: the bytes one connection received that no expectation has consumed yet, where UDP
// datagrams end among them, and how the receiving side ended. The connection appends at the
// back; expectations read and consume from the front. No sockets: tests fill one by hand.
//
// Offsets in this interface count from the first unconsumed byte (bytes()[0]). The bytes are a
// ByteQueue: a stream taken line by line costs linear time, not quadratic.
//
//   Inbox inbox;
//   char* to = inbox.Reserve(65536);       // room at the back
//   inbox.Commit(read(fd, to, 65536));     // the bytes written there join the inbox
//   inbox.Consume(5);                      // an expectation used the first five
#ifndef PARLEY_HARNESS_PLAY_INBOX_H_
#define PARLEY_HARNESS_PLAY_INBOX_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "harness/play/byte_queue.h"

namespace parley::harness {

class Inbox {
 public:
  // kTruncated: TLS only, the peer closed TCP without close_notify.
  enum class End { kOpen, kClosed, kReset, kError, kCutOff, kTruncated };

  // With `datagrams`, the inbox of a UDP socket: every Commit is one whole datagram.
  explicit Inbox(bool datagrams = false) : datagrams_(datagrams) {}
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  // Returns room for at least `n` bytes after the last one, which stays put until Commit
  // (ByteQueue::Reserve); only Commit makes what was written there part of the inbox.
  char* Reserve(std::size_t n) { return bytes_.Reserve(n); }
  // Room after the last byte, there without growing or sliding.
  std::size_t room() const { return bytes_.room(); }
  // The first `n` bytes of the reserved room join the inbox (UDP: as one datagram).
  // REQUIRES: `n` is at most what the last Reserve asked for.
  void Commit(std::size_t n);
  // Ends the reservation with nothing added.
  void Abandon() { bytes_.Commit(0); }
  // Reserve, copy and Commit.
  void Append(std::string_view bytes);
  // The receiving side ended: `detail` is the system's message (kError) or the limit
  // (kCutOff). Only the first end counts.
  void Finish(End end, std::string detail = "");

  // Uses the first `n` unconsumed bytes (at most all of them).
  void Consume(std::size_t n);
  // UDP: uses what is left of the first datagram, even when it is empty.
  void ConsumeDatagram();

  std::string_view bytes() const { return bytes_.bytes(); }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  // Bytes consumed since the connection opened: the stream offset of bytes()[0].
  std::uint64_t consumed() const { return consumed_; }

  End end() const { return end_; }
  bool open() const { return end_ == End::kOpen; }
  const std::string& end_detail() const { return end_detail_; }
  // How the inbox ended, for messages: "the peer closed the connection", ...
  std::string DescribeEnd() const;

  // True for the inbox of a UDP socket.
  bool datagrams() const { return datagrams_; }
  // UDP: the end (an offset into bytes()) of the first datagram, or npos when none is there.
  std::size_t FirstDatagramEnd() const;
  // UDP: the end of the first datagram that ends after `offset`, or npos.
  std::size_t DatagramEndAfter(std::size_t offset) const;
  // UDP: an expectation consumed part of the first datagram, so what is left of it is not a
  // whole datagram.
  bool mid_datagram() const { return mid_datagram_; }

  // The line that starts at `offset`: its text in `*line` (without the LF and a CR before it;
  // a datagram end also ends a line) and the offset after it in `*next`. False when no complete
  // line is there yet. `*scanned` (start it at `offset`) remembers how far the search for the
  // line's end got, so asking again after more bytes arrived looks only at the new ones.
  bool NextLine(std::size_t offset, std::size_t* scanned, std::string_view* line,
                std::size_t* next) const;

 private:
  ByteQueue bytes_;
  std::uint64_t consumed_ = 0;
  std::deque<std::uint64_t> datagram_ends_;  // stream offsets, ascending, after consumed_
  bool datagrams_ = false;
  bool mid_datagram_ = false;
  End end_ = End::kOpen;
  std::string end_detail_;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_INBOX_H_
