// RecordingProxy: the network half of `parley record`. It accepts clients on one address, opens
// a connection to the server for each (TCP, through TLS when asked, using the runner's
// TlsSession), moves the bytes both ways as they come, and appends every byte, close and reset
// to a Recording. With `udp`, datagrams to the same port are relayed too, one upstream socket
// per client address.
//
// The proxy never changes what passes through it; a close or reset on one side is passed on to
// the other (a FIN as a half-close). Every connect and TLS handshake towards the server is bound
// by `connect_timeout`; a server that cannot be reached is recorded (kConnectFailed), reported on
// stderr, and the client is closed.
//
// Used from the io_context's thread only.
#ifndef PARLEY_HARNESS_RECORD_PROXY_H_
#define PARLEY_HARNESS_RECORD_PROXY_H_

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "harness/play/tls_session.h"
#include "harness/record/recording.h"

namespace parley::harness {

struct ProxyOptions {
  boost::asio::ip::tcp::endpoint listen;
  boost::asio::ip::tcp::endpoint server;
  std::string server_name;             // "HOST:PORT" as given, for messages
  std::optional<TlsClientConfig> tls;  // TLS towards the server
  bool udp = false;                    // relay UDP on the same port too
  std::chrono::milliseconds connect_timeout{5000};
  int connections = 0;  // >0: call on_done once this many TCP connections have ended
};

class RecordingProxy {
 public:
  // `recording` outlives the proxy.
  RecordingProxy(boost::asio::io_context& io, ProxyOptions options, Recording* recording);
  ~RecordingProxy();
  RecordingProxy(const RecordingProxy&) = delete;
  RecordingProxy& operator=(const RecordingProxy&) = delete;

  // Binds the listening socket(s); false with `*error` saying why.
  bool Listen(std::string* error);
  // Where it listens (the port chosen for port 0).
  boost::asio::ip::tcp::endpoint local() const;

  // Accepts (and relays datagrams) until Stop().
  void Start();
  // Stops accepting and closes every connection; pending operations end soon after.
  void Stop();

  // Called once, when `connections` TCP connections have ended.
  std::function<void()> on_done;
  // Told each problem worth a line on stderr (a server that cannot be reached).
  std::function<void(const std::string&)> on_problem;

 private:
  class TcpSession;
  struct UdpPeer;
  friend class TcpSession;

  void Ended(TcpSession* session);
  boost::asio::awaitable<void> UdpFromServer(std::shared_ptr<UdpPeer> peer);
  void Problem(const std::string& message) {
    if (on_problem) on_problem(message);
  }

  boost::asio::io_context& io_;
  ProxyOptions options_;
  Recording* recording_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::udp::socket udp_;
  std::set<std::shared_ptr<TcpSession>> sessions_;
  std::map<boost::asio::ip::udp::endpoint, std::shared_ptr<UdpPeer>> udp_peers_;
  std::shared_ptr<bool> stopped_ = std::make_shared<bool>(false);
  int ended_ = 0;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_RECORD_PROXY_H_
