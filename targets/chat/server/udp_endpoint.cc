#include "targets/chat/server/udp_endpoint.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <string>
#include <utility>

namespace parley::chat {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;
using boost::system::error_code;

constexpr std::size_t kMaxDatagramBytes = 65536;
// Replies to addresses that are not members ("server full") stop queuing beyond this.
constexpr std::size_t kMaxQueuedReplies = 1024;

std::string Describe(const udp::endpoint& endpoint) {
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

}  // namespace

class UdpEndpoint::Peer final : public Outlet, public std::enable_shared_from_this<Peer> {
 public:
  Peer(UdpEndpoint& owner, const udp::endpoint& address)
      : owner_(owner), address_(address), timer_(owner.socket_.get_executor()) {}

  // Each line of `line` (a batch's chunk holds several) goes out as its own datagram.
  bool Deliver(const SharedLine& line) override {
    if (closed_) return true;
    if (queued_ + line->size() > owner_.settings_.max_queue) return false;
    queued_ += line->size();
    const std::shared_ptr<Peer> self = shared_from_this();
    std::size_t begin = 0;
    while (begin < line->size()) {
      const std::size_t lf = line->find('\n', begin);
      const std::size_t end = lf == std::string::npos ? line->size() : lf + 1;
      owner_.Enqueue(self, address_, line, begin, end - begin);
      begin = end;
    }
    return true;
  }

  void Close(CloseMode) override {
    // What is queued stays queued: a flush costs nothing more here, and an abort only happens
    // when the socket itself is backed up.
    const std::shared_ptr<Peer> self = shared_from_this();
    closed_ = true;
    timer_.cancel();
    owner_.Forget(*this);
  }

  // Ends the silence watch; for peers the room no longer knows.
  void Stop() {
    closed_ = true;
    timer_.cancel();
  }

  void Heard() { last_heard_ = std::chrono::steady_clock::now(); }

  void WatchSilence() {
    if (owner_.settings_.peer_timeout.count() == 0) return;
    Heard();
    Arm(owner_.settings_.peer_timeout);
  }

  void Sent(std::size_t bytes) { queued_ -= bytes; }

  MemberId id = 0;
  const udp::endpoint& address() const { return address_; }
  bool closed() const { return closed_; }

 private:
  void Arm(std::chrono::milliseconds after) {
    timer_.expires_after(after);
    timer_.async_wait([self = shared_from_this()](const error_code& error) {
      if (!error) self->OnTimer();
    });
  }

  void OnTimer() {
    if (closed_) return;
    const auto quiet = std::chrono::steady_clock::now() - last_heard_;
    const auto timeout = owner_.settings_.peer_timeout;
    if (quiet < timeout) {
      Arm(std::chrono::ceil<std::chrono::milliseconds>(timeout - quiet));
      return;
    }
    const std::shared_ptr<Peer> self = shared_from_this();
    closed_ = true;
    owner_.Forget(*this);
    owner_.room_.Leave(id, "timed out");
  }

  UdpEndpoint& owner_;
  udp::endpoint address_;
  asio::steady_timer timer_;
  std::chrono::steady_clock::time_point last_heard_;
  std::size_t queued_ = 0;
  bool closed_ = false;
};

UdpEndpoint::UdpEndpoint(udp::socket socket, Room& room, const UdpSettings& settings,
                         const Log& log)
    : socket_(std::move(socket)),
      room_(room),
      settings_(settings),
      log_(log),
      receive_buffer_(kMaxDatagramBytes) {}

UdpEndpoint::~UdpEndpoint() = default;

void UdpEndpoint::Start() {
  error_code ignored;
  socket_.non_blocking(true, ignored);
  Receive();
}

void UdpEndpoint::Shutdown() {
  if (stopped_) return;
  stopped_ = true;
  Flush();
  std::map<udp::endpoint, std::shared_ptr<Peer>> peers;
  peers.swap(peers_);
  for (auto& [address, peer] : peers)
    peer->Stop();
  error_code ignored;
  socket_.close(ignored);
  send_queue_.clear();
}

void UdpEndpoint::Receive() {
  socket_.async_receive_from(
      asio::buffer(receive_buffer_), sender_,
      [this](const error_code& error, std::size_t size) { OnReceive(error, size); });
}

void UdpEndpoint::OnReceive(const error_code& error, std::size_t size) {
  if (stopped_ || error == asio::error::operation_aborted) return;
  if (error) {
    // ICMP errors from earlier sends and the like: nothing to do but keep listening.
    if (log_.verbose()) log_.Event("udp receive: " + error.message());
  } else {
    HandleDatagram(sender_, std::string_view(receive_buffer_.data(), size));
  }
  Receive();
}

void UdpEndpoint::HandleDatagram(const udp::endpoint& from, std::string_view bytes) {
  std::shared_ptr<Peer> peer;
  if (auto it = peers_.find(from); it != peers_.end()) {
    peer = it->second;
  } else {
    peer = AddPeer(from);
    if (!peer) return;
  }
  peer->Heard();
  framer_.Reset();
  Room::Batch batch(room_);  // the lines of one datagram fan out as one chunk
  while (std::optional<Frame> frame = framer_.Next(bytes)) {
    if (!room_.Receive(peer->id, *frame)) return;
  }
  if (std::optional<Frame> frame = framer_.Finish()) room_.Receive(peer->id, *frame);
}

std::shared_ptr<UdpEndpoint::Peer> UdpEndpoint::AddPeer(const udp::endpoint& from) {
  auto peer = std::make_shared<Peer>(*this, from);
  std::optional<MemberId> id = room_.Join(*peer);
  if (!id) {
    log_.Event("refused " + Describe(from) + " (udp): server full");
    if (send_queue_.size() < kMaxQueuedReplies) {
      static const SharedLine kFull = std::make_shared<const std::string>(kServerFullLine);
      Enqueue(nullptr, from, kFull, 0, kFull->size());
    }
    return nullptr;
  }
  if (peer->closed()) return nullptr;  // dropped while taking the welcome
  peer->id = *id;
  peers_.emplace(from, peer);
  peer->WatchSilence();
  if (log_.verbose()) log_.Event(*room_.nick(*id) + " is " + Describe(from) + " (udp)");
  return peer;
}

void UdpEndpoint::Enqueue(std::shared_ptr<Peer> peer, const udp::endpoint& to, SharedLine lines,
                          std::size_t offset, std::size_t size) {
  if (stopped_ && !socket_.is_open()) return;
  send_queue_.push_back(Datagram{std::move(peer), to, std::move(lines), offset, size});
  if (!sending_ && !flush_posted_) {
    flush_posted_ = true;
    asio::post(socket_.get_executor(), [this] {
      flush_posted_ = false;
      Flush();
    });
  }
}

void UdpEndpoint::Flush() {
  if (sending_ || !socket_.is_open()) return;
  while (!send_queue_.empty()) {
    const Datagram& datagram = send_queue_.front();
    error_code error;
    socket_.send_to(datagram.bytes(), datagram.to, 0, error);
    if (error == asio::error::would_block || error == asio::error::try_again) {
      if (stopped_) return;  // shutting down: no waiting for room in the socket
      sending_ = true;
      socket_.async_send_to(datagram.bytes(), datagram.to,
                            [this](const error_code& send_error, std::size_t) {
                              sending_ = false;
                              if (send_error == asio::error::operation_aborted) return;
                              PopFront();
                              Flush();
                            });
      return;
    }
    if (error && log_.verbose()) log_.Event("udp send: " + error.message());
    PopFront();
  }
}

void UdpEndpoint::PopFront() {
  Datagram& datagram = send_queue_.front();
  if (datagram.peer) datagram.peer->Sent(datagram.size);
  send_queue_.pop_front();
}

void UdpEndpoint::Forget(const Peer& peer) {
  auto it = peers_.find(peer.address());
  if (it != peers_.end() && it->second.get() == &peer) peers_.erase(it);
}

}  // namespace parley::chat
