// Server: the listening socket, the worker event loops, and graceful shutdown.
//
//   Server server(config, std::move(files));
//   if (auto ec = server.Listen()) { report ec; exit 1 }
//   print server.local_endpoint();
//   server.Run();  // returns after Shutdown() (or SIGINT/SIGTERM) once connections are done
//
// The acceptor runs on worker 0's loop and hands connections to the workers in turn. Shutdown
// closes the acceptor, lets each connection finish the request in progress (answered with
// "Connection: close"), closes idle ones at once, and drops whatever is left after
// config.shutdown_grace.
#ifndef PARLEY_TARGETS_HTTP_SERVER_SERVER_H_
#define PARLEY_TARGETS_HTTP_SERVER_SERVER_H_

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "targets/http/server/config.h"
#include "targets/http/server/request_handler.h"
#include "targets/http/server/static_files.h"
#include "targets/http/server/uring_worker.h"
#include "targets/http/server/worker.h"

namespace parley::http {

class Server {
 public:
  // `files` is the static root (nullopt: none). With `tls` (which must outlive the server) every
  // connection speaks TLS.
  explicit Server(ServerConfig config, std::optional<StaticFiles> files = std::nullopt,
                  boost::asio::ssl::context* tls = nullptr);
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Resolves config.host and listens on config.port. Call once, before Run().
  boost::system::error_code Listen();

  // The address actually listened on (the real port when config.port is 0).
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  // Serves until shut down and every worker is done. Blocks; runs worker 0 on the calling thread
  // and the others on threads of their own.
  void Run();

  // Starts a graceful shutdown. Thread-safe; may be called before or during Run().
  void Shutdown();

  // Open connections right now (thread-safe; for tests and logs).
  std::size_t open_connections() const { return open_.load(); }

 private:
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

  std::vector<std::unique_ptr<Worker>> MakeWorkers();
  std::vector<std::unique_ptr<UringWorker>> MakeUringWorkers();
  void Accept();
  void OnAccept(const boost::system::error_code& ec, Socket socket, Worker& worker);
  void Reject(Socket& socket);
  void WaitForSignal();
  void BeginShutdown();
  void OnConnectionClosed();

  ServerConfig config_;
  std::optional<StaticFiles> files_;
  boost::asio::ssl::context* tls_;
  RequestHandler handler_;
  // With --io epoll, every worker serves connections and the first also accepts; with --io uring,
  // one Asio worker accepts and handles signals, and the io_uring workers serve.
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<UringWorker>> uring_workers_;
  std::vector<WorkGuard> guards_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_retry_;
  boost::asio::steady_timer grace_;
  std::optional<boost::asio::signal_set> signals_;
  std::size_t next_worker_ = 0;        // the loop whose context the next accepted socket joins
  std::size_t next_uring_worker_ = 0;  // --io uring: the loop that serves the next connection
  std::uint64_t next_id_ = 0;
  std::atomic<std::size_t> open_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_SERVER_H_
