// ServerConfig: every knob of http-server, filled from the command line (command_line.h) or
// directly by tests. Plain data; the defaults are the documented flag defaults.
#ifndef PARLEY_TARGETS_HTTP_SERVER_CONFIG_H_
#define PARLEY_TARGETS_HTTP_SERVER_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "targets/http/limits.h"

namespace parley::http {

using Duration = std::chrono::milliseconds;

// How connections wait for the network: Asio's epoll reactor, or an io_uring per thread
// (uring_loop.h; plain HTTP only).
enum class IoEngine { kEpoll, kUring };

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port
  int threads = 1;
  IoEngine io = IoEngine::kEpoll;
  std::string root;  // static files; empty serves none
  // HTTPS: a PEM certificate chain and its private key (both, or neither for plain HTTP).
  std::string tls_cert;
  std::string tls_key;

  Limits limits;

  // A request's head must be complete this long after its first byte (then 408).
  Duration header_timeout = std::chrono::seconds(10);
  // A connection with no request in progress is closed silently after this long.
  Duration idle_timeout = std::chrono::seconds(5);
  // A request body must be complete this long after its head (then 408).
  Duration body_timeout = std::chrono::seconds(30);
  // Each write of responses must complete within this (then the connection is dropped).
  Duration send_timeout = std::chrono::seconds(30);
  // After a final response, how long the server keeps reading (and discarding) so the client
  // reads the response instead of a reset.
  Duration linger = std::chrono::seconds(1);
  // A connection in steady keep-alive use (from its second request on) keeps its workspace this
  // long while it waits for the next request, waiting with a read into it (the request is read
  // in the handler epoll wakes, instead of a readability wait and then a read); then it gives
  // the workspace back and waits without it, like any idle connection.
  Duration hold_workspace = std::chrono::milliseconds(100);
  // On SIGINT/SIGTERM, how long requests in flight may take before connections are dropped.
  Duration shutdown_grace = std::chrono::milliseconds(1500);

  std::size_t max_connections = 10000;
  bool verbose = false;         // per-request logs on stderr
  bool handle_signals = false;  // SIGINT/SIGTERM start a graceful shutdown (the program sets it)
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_CONFIG_H_
