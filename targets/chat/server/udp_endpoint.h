// UdpEndpoint: the chat room over UDP, on the same port as TCP.
//
// A peer is known by its address. Its first datagram makes it a member (the welcome comes back
// as datagrams); each datagram holds one or more lines, the last one ended by the datagram's
// end, and no line spans datagrams. Every line the room sends a peer goes out as one datagram.
// A peer leaves with /quit or after udp_timeout of silence ("* NICK left (timed out)").
//
// Datagrams wait in one send queue shared by all peers; each peer's share of it is bounded by
// max_queue like a TCP member's queue.
#ifndef PARLEY_TARGETS_CHAT_SERVER_UDP_ENDPOINT_H_
#define PARLEY_TARGETS_CHAT_SERVER_UDP_ENDPOINT_H_

#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <vector>

#include "targets/chat/line_framer.h"
#include "targets/chat/outlet.h"
#include "targets/chat/room.h"
#include "targets/chat/server/log.h"

namespace parley::chat {

struct UdpSettings {
  std::size_t max_queue = std::size_t{1} << 20;
  std::chrono::milliseconds peer_timeout{60'000};  // 0 = never
};

class UdpEndpoint {
 public:
  // REQUIRES: `socket` is open and bound; `room`, `settings` and `log` outlive this object, and
  // this object outlives every handler it starts (destroy it only once its io_context has
  // stopped running them).
  UdpEndpoint(boost::asio::ip::udp::socket socket, Room& room, const UdpSettings& settings,
              const Log& log);
  ~UdpEndpoint();
  UdpEndpoint(const UdpEndpoint&) = delete;
  UdpEndpoint& operator=(const UdpEndpoint&) = delete;

  void Start();

  // Stops receiving, sends what the send queue holds as far as the socket takes it without
  // waiting, and closes the socket. REQUIRES: Room::Shutdown was called first (so the room
  // holds no peer any more and the farewells are queued).
  void Shutdown();

  std::size_t peers() const { return peers_.size(); }

 private:
  class Peer;
  // One line of a shared chunk of lines.
  struct Datagram {
    std::shared_ptr<Peer> peer;  // null for replies to non-members
    boost::asio::ip::udp::endpoint to;
    SharedLine lines;
    std::size_t offset;
    std::size_t size;
    boost::asio::const_buffer bytes() const { return {lines->data() + offset, size}; }
  };

  void Receive();
  void OnReceive(const boost::system::error_code& error, std::size_t size);
  void HandleDatagram(const boost::asio::ip::udp::endpoint& from, std::string_view bytes);
  std::shared_ptr<Peer> AddPeer(const boost::asio::ip::udp::endpoint& from);
  void Enqueue(std::shared_ptr<Peer> peer, const boost::asio::ip::udp::endpoint& to,
               SharedLine lines, std::size_t offset, std::size_t size);
  void Flush();
  void PopFront();
  void Forget(const Peer& peer);

  boost::asio::ip::udp::socket socket_;
  Room& room_;
  const UdpSettings& settings_;
  const Log& log_;
  std::vector<char> receive_buffer_;
  boost::asio::ip::udp::endpoint sender_;
  std::map<boost::asio::ip::udp::endpoint, std::shared_ptr<Peer>> peers_;
  std::deque<Datagram> send_queue_;
  LineFramer framer_;
  bool sending_ = false;
  bool flush_posted_ = false;
  bool stopped_ = false;
};

}  // namespace parley::chat

#endif  // PARLEY_TARGETS_CHAT_SERVER_UDP_ENDPOINT_H_
