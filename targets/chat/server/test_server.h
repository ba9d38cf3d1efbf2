// TestServer: a ChatServer on 127.0.0.1 (a free port) running on its own thread, for the
// loopback tests. Plain TCP, or TLS when given a server context.
#ifndef PARLEY_TARGETS_CHAT_SERVER_TEST_SERVER_H_
#define PARLEY_TARGETS_CHAT_SERVER_TEST_SERVER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "targets/chat/server/chat_server.h"

namespace parley::chat {

class TestServer {
 public:
  // REQUIRES: `tls`, if given, outlives this object.
  explicit TestServer(ServerOptions options = {}, boost::asio::ssl::context* tls = nullptr) {
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<ChatServer>(io_, options, tls);
    server_->Start();
    port_ = server_->local_endpoint().port();
    std::promise<void> done;
    stopped_ = done.get_future();
    thread_ = std::thread([this, done = std::move(done)]() mutable {
      io_.run();
      done.set_value();
    });
  }
  ~TestServer() { Stop(); }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // Shuts the server down and waits for its io_context to run out of work. Returns false if
  // that took longer than `deadline` (the thread is then stopped by force).
  bool Stop(std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    if (!thread_.joinable()) return true;
    boost::asio::post(io_, [this] { server_->Shutdown(); });
    const bool clean = stopped_.wait_for(deadline) == std::future_status::ready;
    if (!clean) io_.stop();
    thread_.join();
    return clean;
  }

  unsigned short port() const { return port_; }

 private:
  boost::asio::io_context io_{1};
  std::unique_ptr<ChatServer> server_;
  unsigned short port_ = 0;
  std::future<void> stopped_;
  std::thread thread_;
};

}  // namespace parley::chat

#endif  // PARLEY_TARGETS_CHAT_SERVER_TEST_SERVER_H_
