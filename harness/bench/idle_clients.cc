#include "harness/bench/idle_clients.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace parley::bench {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;

struct IdleClients::Connection {
  explicit Connection(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  // Only while the response is being read.
  std::unique_ptr<boost::beast::flat_buffer> buffer;
  std::unique_ptr<http::response<http::string_body>> response;
};

IdleClients::IdleClients(asio::io_context& io, IdleOptions options)
    : io_(io), options_(std::move(options)) {}

IdleClients::~IdleClients() {
  Close();
}

std::string IdleClients::Open() {
  for (int i = 0; i < options_.count; ++i)
    connections_.push_back(std::make_unique<Connection>(io_));
  asio::steady_timer deadline(io_);
  deadline.expires_after(options_.timeout);
  deadline.async_wait([this](const error_code& ec) {
    if (ec) return;
    error_ = "timed out with " + std::to_string(idle_) + " of " + std::to_string(options_.count) +
             " connections idle";
    Close();
  });
  const int first = std::min(options_.parallel, options_.count);
  for (int i = 0; i < first; ++i)
    Start(next_++);
  // Runs until every connection is idle (no work left but the deadline) or one failed.
  while (error_.empty() && idle_ < options_.count && io_.run_one() > 0) {
  }
  deadline.cancel();
  io_.poll();
  io_.restart();
  return error_;
}

void IdleClients::Start(std::size_t index) {
  Connection& c = *connections_[index];
  c.socket.async_connect(options_.server, [this, &c](const error_code& ec) {
    if (ec) return Done(c, "connect: " + ec.message());
    asio::async_write(c.socket, asio::buffer(options_.request),
                      [this, &c](const error_code& ec, std::size_t) {
                        if (ec) return Done(c, "send: " + ec.message());
                        c.buffer = std::make_unique<boost::beast::flat_buffer>();
                        c.response = std::make_unique<http::response<http::string_body>>();
                        http::async_read(c.socket, *c.buffer, *c.response,
                                         [this, &c](const error_code& ec, std::size_t) {
                                           if (ec) return Done(c, "response: " + ec.message());
                                           Done(c, {});
                                         });
                      });
  });
}

void IdleClients::Done(Connection& c, const std::string& error) {
  if (!error_.empty()) return;
  if (!error.empty()) {
    error_ = error;
    return;
  }
  const bool good =
      c.response->result_int() / 100 == 2 && c.response->keep_alive() && c.buffer->size() == 0;
  c.response.reset();
  c.buffer.reset();
  if (!good) {
    error_ = "the response was not a 2xx keep-alive response";
    return;
  }
  ++idle_;
  if (next_ < connections_.size()) Start(next_++);
}

void IdleClients::Close() {
  for (auto& c : connections_) {
    error_code ignored;
    c->socket.close(ignored);
  }
}

}  // namespace parley::bench
