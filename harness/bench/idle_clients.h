// IdleClients: many keep-alive HTTP connections that each make one request, read its whole
// response, and then stay open and idle, for measuring what an idle connection costs a server.
//
//   boost::asio::io_context io;
//   IdleClients clients(io, options);
//   std::string error = clients.Open();  // runs `io` until every connection is idle, or fails
//   ... measure the server ...
//   clients.Close();
#ifndef PARLEY_HARNESS_BENCH_IDLE_CLIENTS_H_
#define PARLEY_HARNESS_BENCH_IDLE_CLIENTS_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace parley::bench {

struct IdleOptions {
  boost::asio::ip::tcp::endpoint server;
  int count = 10000;
  int parallel = 200;  // connections being opened at once
  std::string request = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
  std::chrono::milliseconds timeout{60000};  // for opening them all
};

class IdleClients {
 public:
  // `io` must outlive this object.
  IdleClients(boost::asio::io_context& io, IdleOptions options);
  ~IdleClients();

  IdleClients(const IdleClients&) = delete;
  IdleClients& operator=(const IdleClients&) = delete;

  // Opens every connection: connect, send the request, read a complete 2xx keep-alive response.
  // Runs `io` until all are idle; returns empty then, or what went wrong first.
  std::string Open();

  // Connections open and idle.
  int idle() const { return idle_; }

  // Closes every connection.
  void Close();

 private:
  struct Connection;
  void Start(std::size_t index);
  void Done(Connection& connection, const std::string& error);

  boost::asio::io_context& io_;
  IdleOptions options_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::size_t next_ = 0;
  int idle_ = 0;
  std::string error_;
};

}  // namespace parley::bench

#endif  // PARLEY_HARNESS_BENCH_IDLE_CLIENTS_H_
