// UringWorker: one thread's io_uring event loop (uring_loop.h) and what its connections share:
// the workspace pool, the Date cache and the list of open connections, whose deadlines the loop
// sweeps. The io_uring counterpart of Worker (worker.h), for `http-server --io uring`: the
// server's acceptor hands it sockets from another thread (Adopt), and everything after runs on
// the thread in Run().
#ifndef PARLEY_TARGETS_HTTP_SERVER_URING_WORKER_H_
#define PARLEY_TARGETS_HTTP_SERVER_URING_WORKER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "targets/http/server/config.h"
#include "targets/http/server/connection_manager.h"
#include "targets/http/server/date_cache.h"
#include "targets/http/server/request_handler.h"
#include "targets/http/server/session.h"
#include "targets/http/server/uring_loop.h"
#include "targets/http/server/workspace.h"

namespace parley::http {

class UringWorker {
 public:
  // Null, with `*error` set, where io_uring is unavailable. `config` and `handler` must outlive
  // the worker; `on_connection_closed` runs on the worker's thread after each connection is gone.
  static std::unique_ptr<UringWorker> Create(const ServerConfig& config,
                                             const RequestHandler& handler,
                                             std::function<void()> on_connection_closed,
                                             std::string* error);

  UringWorker(const UringWorker&) = delete;
  UringWorker& operator=(const UringWorker&) = delete;
  // REQUIRES: Run() has returned, or never ran.
  ~UringWorker();

  // Thread-safe. Serves `fd`, an accepted TCP socket the worker now owns; `id` labels its logs.
  void Adopt(int fd, std::uint64_t id);
  // Thread-safe. Stops keep-alive everywhere (idle connections close now, busy ones after their
  // response); Run() returns once the last connection is gone.
  void DrainAll();
  // Thread-safe. Closes every connection now.
  void AbortAll();

  // Serves until drained and empty. Call once, on the thread that is to own the ring.
  void Run();

 private:
  UringWorker(const ServerConfig& config, const RequestHandler& handler,
              std::function<void()> on_connection_closed, std::unique_ptr<UringLoop> loop);

  const ServerConfig& config_;
  WorkspacePool pool_;
  DateCache dates_;
  SessionContext session_context_;
  std::unique_ptr<UringLoop> loop_;
  ConnectionManager connections_;
  bool draining_ = false;  // on the loop's thread only
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_URING_WORKER_H_
