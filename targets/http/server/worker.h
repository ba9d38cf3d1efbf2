// Worker: one event loop (an io_context run by one thread) and what its connections share: the
// workspace pool, the Date cache and the list of open connections. Nothing here is locked; the
// server hands each accepted socket to a worker's loop, and everything after runs there.
#ifndef PARLEY_TARGETS_HTTP_SERVER_WORKER_H_
#define PARLEY_TARGETS_HTTP_SERVER_WORKER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <functional>

#include "targets/http/server/config.h"
#include "targets/http/server/connection.h"
#include "targets/http/server/connection_manager.h"
#include "targets/http/server/date_cache.h"
#include "targets/http/server/request_handler.h"
#include "targets/http/server/session.h"
#include "targets/http/server/workspace.h"

namespace parley::http {

class Worker {
 public:
  // `config`, `handler` and `tls` (null: plain TCP) must outlive the worker.
  // `on_connection_closed` runs on this worker's thread after each of its connections is gone.
  Worker(const ServerConfig& config, const RequestHandler& handler, boost::asio::ssl::context* tls,
         std::function<void()> on_connection_closed);

  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  boost::asio::io_context& context() { return context_; }

  // The rest run on this worker's thread (post them there).
  // Serves a newly accepted connection; `id` labels its log lines.
  void Adopt(Socket socket, std::uint64_t id);
  // Stops keep-alive everywhere: idle connections close now, busy ones after their response.
  void DrainAll();
  void AbortAll();

 private:
  // Destroyed in reverse: the manager (whose timer needs the loop) before the loop, the loop
  // (whose pending handlers own connections) before what connections use.
  const ServerConfig& config_;
  boost::asio::ssl::context* tls_;
  WorkspacePool pool_;
  DateCache dates_;
  SessionContext session_context_;
  boost::asio::io_context context_;
  ConnectionManager connections_;
  bool draining_ = false;
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_WORKER_H_
