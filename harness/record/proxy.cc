#include "harness/record/proxy.h"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace parley::harness {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using boost::system::error_code;

constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kMostUdpPeers = 1024;  // each has a socket of its own

std::string Address(const tcp::endpoint& e) {
  std::string host = e.address().to_string();
  if (e.address().is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(e.port());
}

std::string Address(const udp::endpoint& e) {
  return Address(tcp::endpoint(e.address(), e.port()));
}

// A closed or shut-down socket reads as the end of the stream; anything else as a reset.
bool IsEnd(const error_code& ec) {
  return ec == asio::error::eof;
}

// Closes with RST: SO_LINGER 0.
void Reset(tcp::socket& s) {
  error_code ignored;
  s.set_option(asio::socket_base::linger(true, 0), ignored);
  s.close(ignored);
}

}  // namespace

class RecordingProxy::TcpSession : public std::enable_shared_from_this<TcpSession> {
 public:
  TcpSession(RecordingProxy* proxy, tcp::socket client, int id)
      : proxy_(proxy),
        stopped_(proxy->stopped_),
        client_(std::move(client)),
        server_(client_.get_executor()),
        id_(id) {}

  asio::awaitable<void> Run() {
    auto self = shared_from_this();
    std::string why;
    if (!co_await Connect(&why)) {
      if (*stopped_) co_return;
      proxy_->recording_->ConnectFailed(id_, why);
      proxy_->Problem("c" + std::to_string(id_) + ": " + why + "; closing the client");
      error_code ignored;
      client_.close(ignored);
      proxy_->Ended(this);
      co_return;
    }
    error_code ec;
    tcp::endpoint local = server_.local_endpoint(ec);
    proxy_->recording_->Connected(id_, ec ? 0 : local.port());
    asio::co_spawn(client_.get_executor(), ClientToServer(), asio::detached);
    asio::co_spawn(client_.get_executor(), ServerToClient(), asio::detached);
  }

  void Close() {
    error_code ignored;
    client_.close(ignored);
    server_.close(ignored);
  }

 private:
  // Connects (and shakes hands) within the connect timeout.
  asio::awaitable<bool> Connect(std::string* why) {
    // The timer's handler may run after this frame is gone: what it shares lives on the heap.
    struct Watch {
      bool expired = false;
      bool done = false;
    };
    auto watch = std::make_shared<Watch>();
    asio::steady_timer timer(client_.get_executor());
    timer.expires_after(proxy_->options_.connect_timeout);
    timer.async_wait([watch, self = shared_from_this()](const error_code& ec) {
      if (ec || watch->done) return;
      watch->expired = true;
      error_code ignored;
      self->server_.close(ignored);
    });
    bool& expired = watch->expired;
    struct Done {
      Watch* watch;
      ~Done() { watch->done = true; }
    } done{watch.get()};
    error_code ec;
    const std::string& name = proxy_->options_.server_name;
    co_await server_.async_connect(proxy_->options_.server,
                                   asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      timer.cancel();
      *why = expired ? "connecting to the server " + name + " timed out"
                     : "cannot connect to the server " + name + ": " + ec.message();
      co_return false;
    }
    server_.set_option(tcp::no_delay(true), ec);
    if (proxy_->options_.tls) {
      bool ok = co_await Handshake(why);
      timer.cancel();
      if (!ok && expired) *why = "the TLS handshake with " + name + " timed out";
      co_return ok;
    }
    timer.cancel();
    co_return true;
  }

  asio::awaitable<bool> Handshake(std::string* why) {
    const std::string& name = proxy_->options_.server_name;
    tls_ = TlsSession::Create(*proxy_->options_.tls, why);
    if (!tls_) co_return false;
    std::array<char, kChunk> buffer;
    for (;;) {
      TlsSession::Status status = tls_->Handshake();
      error_code ec;
      if (!co_await SendTls(ec)) {
        *why = "the TLS handshake with " + name + " failed: " + ec.message();
        co_return false;
      }
      if (status == TlsSession::Status::kDone) co_return true;
      if (status == TlsSession::Status::kFailed) {
        *why = "the TLS handshake with " + name + " failed: " + tls_->error();
        co_return false;
      }
      std::size_t n = co_await server_.async_read_some(
          asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        *why = "the TLS handshake with " + name +
               " failed: " + (IsEnd(ec) ? "the server closed the connection" : ec.message());
        co_return false;
      }
      tls_->Feed(std::string_view(buffer.data(), n));
    }
  }

  // Writes what TLS has to send to the server. Only the handshake and ClientToServer write to
  // the server, so writes never overlap; what reading makes TLS send (a reply to a key update,
  // rare) goes out with the client's next bytes.
  asio::awaitable<bool> SendTls(error_code& ec) {
    std::string out = tls_->TakeOutput();
    if (out.empty()) co_return true;
    co_await asio::async_write(server_, asio::buffer(out),
                               asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
  }

  asio::awaitable<void> ClientToServer() {
    auto self = shared_from_this();
    std::array<char, kChunk> buffer;
    Recording* recording = proxy_->recording_;
    for (;;) {
      error_code ec;
      std::size_t n = co_await client_.async_read_some(
          asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (*stopped_) break;
      if (ec) {
        error_code ignored;
        if (IsEnd(ec)) {
          recording->Add(id_, RecordedEvent::Kind::kClientClosed);
          if (tls_) {
            tls_->SendCloseNotify();
            co_await SendTls(ignored);
          }
          server_.shutdown(tcp::socket::shutdown_send, ignored);
        } else {
          recording->Add(id_, RecordedEvent::Kind::kClientReset);
          Reset(server_);
        }
        break;
      }
      std::string_view data(buffer.data(), n);
      recording->ClientData(id_, data);
      if (tls_) {
        if (!tls_->Write(data) || !co_await SendTls(ec)) break;
      } else {
        co_await asio::async_write(server_, asio::buffer(data),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;  // the server is gone; ServerToClient records how
      }
    }
    PumpEnded();
  }

  asio::awaitable<void> ServerToClient() {
    auto self = shared_from_this();
    std::array<char, kChunk> buffer;
    std::array<char, kChunk> plain;
    Recording* recording = proxy_->recording_;
    bool done = false;
    while (!done) {
      error_code ec;
      std::size_t n = co_await server_.async_read_some(
          asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (*stopped_) break;
      error_code ignored;
      if (ec) {
        if (!IsEnd(ec)) {
          recording->Add(id_, RecordedEvent::Kind::kServerReset);
          Reset(client_);
        } else {
          recording->Add(id_, tls_ ? RecordedEvent::Kind::kServerTruncated
                                   : RecordedEvent::Kind::kServerClosed);
          client_.shutdown(tcp::socket::shutdown_send, ignored);
        }
        break;
      }
      if (!tls_) {
        recording->ServerData(id_, std::string_view(buffer.data(), n));
        co_await asio::async_write(client_, asio::buffer(buffer.data(), n),
                                   asio::redirect_error(asio::use_awaitable, ignored));
        continue;
      }
      tls_->Feed(std::string_view(buffer.data(), n));
      for (;;) {
        std::size_t got = 0;
        TlsSession::ReadStatus status = tls_->Read(plain.data(), plain.size(), &got);
        if (status == TlsSession::ReadStatus::kData) {
          recording->ServerData(id_, std::string_view(plain.data(), got));
          co_await asio::async_write(client_, asio::buffer(plain.data(), got),
                                     asio::redirect_error(asio::use_awaitable, ignored));
          continue;
        }
        if (status == TlsSession::ReadStatus::kClosed) {
          recording->Add(id_, RecordedEvent::Kind::kServerClosed);
          client_.shutdown(tcp::socket::shutdown_send, ignored);
          done = true;
        } else if (status == TlsSession::ReadStatus::kFailed) {
          proxy_->Problem("c" + std::to_string(id_) +
                          ": TLS from the server failed: " + tls_->error());
          recording->Add(id_, RecordedEvent::Kind::kServerReset);
          Reset(client_);
          done = true;
        }
        break;
      }
    }
    PumpEnded();
  }

  void PumpEnded() {
    if (++pumps_ended_ < 2 || *stopped_) return;
    Close();
    proxy_->Ended(this);
  }

  RecordingProxy* proxy_;
  std::shared_ptr<bool> stopped_;
  tcp::socket client_;
  tcp::socket server_;
  std::unique_ptr<TlsSession> tls_;
  int id_;
  int pumps_ended_ = 0;
};

struct RecordingProxy::UdpPeer {
  UdpPeer(asio::any_io_executor executor, udp::endpoint from, int id)
      : client(from), socket(executor), id(id) {}
  udp::endpoint client;
  udp::socket socket;  // connected to the server
  int id;
};

RecordingProxy::RecordingProxy(asio::io_context& io, ProxyOptions options, Recording* recording)
    : io_(io), options_(std::move(options)), recording_(recording), acceptor_(io), udp_(io) {}

RecordingProxy::~RecordingProxy() {
  *stopped_ = true;
}

bool RecordingProxy::Listen(std::string* error) {
  error_code ec;
  acceptor_.open(options_.listen.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(options_.listen, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + Address(options_.listen) + ": " + ec.message();
    return false;
  }
  if (options_.udp) {
    udp::endpoint at(acceptor_.local_endpoint().address(), acceptor_.local_endpoint().port());
    udp_.open(at.protocol(), ec);
    if (!ec) udp_.bind(at, ec);
    if (ec) {
      *error = "cannot listen for UDP on " + Address(at) + ": " + ec.message();
      return false;
    }
  }
  return true;
}

tcp::endpoint RecordingProxy::local() const {
  error_code ec;
  return acceptor_.local_endpoint(ec);
}

void RecordingProxy::Start() {
  asio::co_spawn(
      io_,
      [this, stopped = stopped_]() -> asio::awaitable<void> {
        for (;;) {
          error_code ec;
          tcp::socket client =
              co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
          if (*stopped) co_return;
          if (ec) continue;  // e.g. EMFILE; the client gets nothing and may retry
          client.set_option(tcp::no_delay(true), ec);
          tcp::endpoint from = client.remote_endpoint(ec);
          int id = recording_->Open(Transport::kTcp, ec ? "?" : Address(from));
          auto session = std::make_shared<TcpSession>(this, std::move(client), id);
          sessions_.insert(session);
          asio::co_spawn(io_, session->Run(), asio::detached);
        }
      },
      asio::detached);
  if (!options_.udp) return;
  asio::co_spawn(
      io_,
      [this, stopped = stopped_]() -> asio::awaitable<void> {
        std::array<char, kChunk> buffer;
        for (;;) {
          error_code ec;
          udp::endpoint from;
          std::size_t n = co_await udp_.async_receive_from(
              asio::buffer(buffer), from, asio::redirect_error(asio::use_awaitable, ec));
          if (*stopped) co_return;
          if (ec) continue;
          if (udp_peers_.count(from) == 0 && udp_peers_.size() >= kMostUdpPeers) {
            Problem("a datagram from a new UDP peer " + Address(from) + " was dropped: " +
                    std::to_string(kMostUdpPeers) + " peers are relayed already");
            continue;
          }
          std::shared_ptr<UdpPeer>& peer = udp_peers_[from];
          if (!peer) {
            int id = recording_->Open(Transport::kUdp, Address(from));
            peer = std::make_shared<UdpPeer>(io_.get_executor(), from, id);
            udp::endpoint server(options_.server.address(), options_.server.port());
            peer->socket.connect(server, ec);
            if (ec) {
              recording_->ConnectFailed(id, "cannot reach the server over UDP: " + ec.message());
              continue;
            }
            recording_->Connected(id, peer->socket.local_endpoint(ec).port());
            asio::co_spawn(io_, UdpFromServer(peer), asio::detached);
          }
          recording_->ClientData(peer->id, std::string_view(buffer.data(), n));
          co_await peer->socket.async_send(asio::buffer(buffer.data(), n),
                                           asio::redirect_error(asio::use_awaitable, ec));
        }
      },
      asio::detached);
}

asio::awaitable<void> RecordingProxy::UdpFromServer(std::shared_ptr<UdpPeer> peer) {
  std::shared_ptr<bool> stopped = stopped_;
  std::array<char, kChunk> buffer;
  int refused = 0;
  for (;;) {
    error_code ec;
    std::size_t n = co_await peer->socket.async_receive(
        asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
    if (*stopped) co_return;
    if (ec == asio::error::connection_refused && ++refused < 100) continue;  // ICMP: no listener
    if (ec) co_return;
    recording_->ServerData(peer->id, std::string_view(buffer.data(), n));
    co_await udp_.async_send_to(asio::buffer(buffer.data(), n), peer->client,
                                asio::redirect_error(asio::use_awaitable, ec));
  }
}

void RecordingProxy::Stop() {
  if (*stopped_) return;
  *stopped_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  udp_.close(ignored);
  for (const auto& s : sessions_)
    s->Close();
  for (auto& [from, peer] : udp_peers_)
    peer->socket.close(ignored);
}

void RecordingProxy::Ended(TcpSession* session) {
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->get() == session) {
      sessions_.erase(it);
      break;
    }
  }
  ++ended_;
  if (options_.connections > 0 && ended_ == options_.connections && on_done) on_done();
}

}  // namespace parley::harness
