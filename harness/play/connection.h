// One named connection of a scenario: a TCP or UDP socket to a target, read continuously into
// an Inbox of received, not yet consumed bytes, and the HttpExchange that reads HTTP responses
// from it. Expectations judge the inbox and consume what they matched; the player waits for
// "something changed" with a deadline. Reading stops (and the socket is closed) when the peer
// has sent more than the receive limit, so a target that floods cannot exhaust memory.
// Pause() stops reading until Resume(), so the kernel's buffers fill as they would for a
// client that stalls.
//
// Every wait is bounded by a deadline kept in the run's Deadlines. The socket is non-blocking
// and each operation is first tried at once: on loopback a connect, a write and often a read
// complete without waiting, so they cost one system call each, as a blocking client's would.
// TCP reads go straight into the inbox's free room, so each received byte is copied once.
//
// TLS (StartTls, on a fresh connection or on one already in use for STARTTLS) runs through a
// TlsSession: the socket carries its ciphertext, the inbox holds the plaintext, each Send is
// its own TLS record(s), ShutdownWrite sends close_notify (then FIN) while reading goes on, and
// a peer's close_notify ends the inbox as kClosed, a bare FIN as kTruncated.
//
// Used from the io_context's thread only. Asynchronous operations keep the Connection alive.
#ifndef PARLEY_HARNESS_PLAY_CONNECTION_H_
#define PARLEY_HARNESS_PLAY_CONNECTION_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "harness/play/deadlines.h"
#include "harness/play/http_exchange.h"
#include "harness/play/inbox.h"
#include "harness/play/tls_session.h"
#include "harness/play/transcript.h"
#include "harness/scenario/scenario.h"

namespace parley::harness {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Limits {
    std::size_t max_receive = 64 * 1024 * 1024;  // bytes per connection, and per HTTP body
  };

  Connection(boost::asio::any_io_executor executor, Transport transport, Limits limits,
             std::shared_ptr<Transcript> transcript, Deadlines deadlines);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects to `host` (resolved unless it is a numeric address) within the deadline, then
  // starts reading. UDP "connects" the socket so that it sends to and receives from that peer
  // only. `receive_buffer` (0: the system's default) sets SO_RCVBUF before connecting.
  boost::asio::awaitable<bool> Connect(std::string host, std::string port,
                                       std::size_t receive_buffer, TimePoint deadline,
                                       std::string* error);

  // Upgrades a TCP connection to TLS: stops reading plain bytes (what was read stays in the
  // inbox), runs the handshake within the deadline, then reads on through TLS. On failure
  // `*error` says why (the certificate check's reason, an alert, a peer that closed) and the
  // connection stays as it was, minus the handshake bytes.
  boost::asio::awaitable<bool> StartTls(const TlsClientConfig& config, TimePoint deadline,
                                        std::string* error);
  bool tls() const { return tls_ != nullptr; }
  const TlsSummary& tls_summary() const { return tls_summary_; }

  // Writes all of `bytes` (UDP: as one datagram) within the deadline. On a timeout the
  // connection is closed.
  boost::asio::awaitable<bool> Send(std::string_view bytes, TimePoint deadline, std::string* error);

  void ShutdownWrite();
  void Close();
  // Closes with SO_LINGER 0, so the peer sees a reset.
  void Reset();

  // Stops reading from the socket (what was read stays in the inbox) until Resume().
  void Pause();
  void Resume();
  bool paused() const { return paused_; }

  Inbox& inbox() { return inbox_; }
  HttpExchange& http() { return http_; }

  // Returns when more bytes arrive, the receiving side ends, or Wake() is called (true), or
  // when the deadline passes (false).
  boost::asio::awaitable<bool> WaitForChange(TimePoint deadline);
  void Wake() { notify_.cancel(); }

  Transport transport() const { return transport_; }
  bool closed_by_us() const { return closed_by_us_; }
  const std::string& peer() const { return peer_; }
  const std::string& host() const { return host_; }

 private:
  boost::asio::awaitable<bool> ConnectTcp(const std::vector<boost::asio::ip::tcp::endpoint>& to,
                                          std::size_t receive_buffer, TimePoint deadline,
                                          boost::system::error_code& ec);
  void StartReading();
  // Stops the read loop and returns once it has (or at the deadline: false).
  boost::asio::awaitable<bool> StopReadingLoop(TimePoint deadline);
  // Writes ciphertext the TLS session has queued, within the deadline.
  boost::asio::awaitable<bool> FlushTls(TimePoint deadline, boost::system::error_code& ec);
  void ReadTcp();
  void ReadTls();
  void TlsRead(const boost::system::error_code& ec, std::size_t n);
  // Queues and writes close_notify when the connection speaks TLS; false when it does not.
  bool SendCloseNotify();
  void TcpRead(const char* to, const boost::system::error_code& ec, std::size_t n);
  void StopReading(const boost::system::error_code& ec);
  static boost::asio::awaitable<void> ReadUdp(std::shared_ptr<Connection> self);
  // Takes the `n` bytes (maybe none) just written at `data`, the room inbox_.Reserve gave, and
  // ends the reservation; false (and the connection is cut off) when they pass the limit.
  bool Received(const char* data, std::size_t n);
  void End(Inbox::End end, std::string detail);

  boost::asio::any_io_executor executor_;
  Transport transport_;
  Limits limits_;
  std::shared_ptr<Transcript> transcript_;
  Deadlines deadlines_;
  boost::asio::ip::tcp::socket tcp_;
  boost::asio::ip::udp::socket udp_;
  boost::asio::steady_timer notify_;  // never expires: Wake() cancels the wait on it
  Inbox inbox_;
  HttpExchange http_;
  std::uint64_t received_total_ = 0;
  bool closed_by_us_ = false;
  bool paused_ = false;
  bool reading_ = false;  // a read loop is running
  bool flooded_ = false;  // the last TCP read filled all the room it was given
  bool holding_ = false;  // the read loop is being stopped for StartTls
  bool reset_ = false;    // Reset(): close without close_notify
  bool raw_eof_ = false;  // TLS: the socket reached EOF (what the session holds is still read)
  std::string peer_;
  std::string host_;
  std::unique_ptr<TlsSession> tls_;
  TlsSummary tls_summary_;
  std::unique_ptr<char[]> ciphertext_;  // TLS: what the socket gave, before decryption
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_CONNECTION_H_
