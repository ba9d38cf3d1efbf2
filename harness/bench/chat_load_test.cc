// The chat load against a real chat-server (in process, on its own thread) and against a relay
// that forwards each chunk it reads with a prefix, the way `ncat --chat` does.
#include "harness/bench/chat_load.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "targets/chat/server/chat_server.h"

namespace parley::bench {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kWait = 20s;  // only ever reached when something is wrong

// Runs `io` on a thread; Stop() posts `shutdown` and joins within kWait.
class LoopThread {
 public:
  explicit LoopThread(asio::io_context& io) : io_(io) {
    std::promise<void> done;
    stopped_ = done.get_future();
    thread_ = std::thread([this, done = std::move(done)]() mutable {
      io_.run();
      done.set_value();
    });
  }
  void Stop(std::function<void()> shutdown) {
    asio::post(io_, std::move(shutdown));
    if (stopped_.wait_for(kWait) != std::future_status::ready) io_.stop();
    thread_.join();
  }

 private:
  asio::io_context& io_;
  std::future<void> stopped_;
  std::thread thread_;
};

class BenchChatServerLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    chat::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<chat::ChatServer>(io_, options);
    server_->Start();
    endpoint_ = server_->local_endpoint();
    loop_ = std::make_unique<LoopThread>(io_);
  }
  void TearDown() override {
    loop_->Stop([this] { server_->Shutdown(); });
  }

  asio::io_context io_;
  std::unique_ptr<chat::ChatServer> server_;
  std::unique_ptr<LoopThread> loop_;
  tcp::endpoint endpoint_;
};

TEST_F(BenchChatServerLoad, FanoutDeliversEveryLineIntact) {
  ChatLoadOptions options;
  options.server = endpoint_;
  options.clients = 10;
  options.lines = 2000;
  options.settle = 100ms;
  options.timeout = kWait;
  const FanoutResult result = RunFanout(options);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.receivers, 9);
  EXPECT_EQ(result.intact, 9u * 2000);
  EXPECT_EQ(result.damaged, 0u);
  EXPECT_EQ(result.unprefixed, 0u);
  EXPECT_EQ(result.missing(), 0u);
  EXPECT_GT(result.seconds, 0);
  EXPECT_GT(result.deliveries_per_second(), 0);
}

TEST_F(BenchChatServerLoad, LatencyTimesEveryLine) {
  ChatLoadOptions options;
  options.server = endpoint_;
  options.clients = 20;
  options.lines = 5;
  options.settle = 100ms;
  options.timeout = kWait;
  const LatencyResult result = RunLatency(options);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.receivers, 19);
  ASSERT_EQ(result.milliseconds.size(), 5u);
  EXPECT_GT(result.median(), 0);
}

// Greets each client, then forwards every chunk it reads (at most 100 bytes) to the others,
// prefixed: lines split between chunks arrive with a prefix inside them.
class ChunkRelay {
 public:
  ChunkRelay() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    Accept();
    loop_ = std::make_unique<LoopThread>(io_);
  }
  ~ChunkRelay() {
    loop_->Stop([this] {
      acceptor_.close();
      for (auto& member : members_)
        member->socket.close();
    });
  }
  tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }

 private:
  struct Member {
    explicit Member(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    char buffer[100];
  };

  void Accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec) return;
      members_.push_back(std::make_shared<Member>(std::move(socket)));
      asio::write(members_.back()->socket, asio::buffer(std::string("<announce> hello\n")));
      Read(members_.back());
      Accept();
    });
  }

  void Read(std::shared_ptr<Member> member) {
    member->socket.async_read_some(
        asio::buffer(member->buffer),
        [this, member](const boost::system::error_code& ec, std::size_t n) {
          if (ec) return;
          const std::string chunk = "<user> " + std::string(member->buffer, n);
          for (auto& other : members_) {
            boost::system::error_code ignored;
            if (other != member) asio::write(other->socket, asio::buffer(chunk), ignored);
          }
          Read(member);
        });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<Member>> members_;
  std::unique_ptr<LoopThread> loop_;
};

TEST(BenchChatLoad, ChunkPrefixingRelayDamagesLinesButDeliversEveryByte) {
  ChunkRelay relay;
  ChatLoadOptions options;
  options.server = relay.endpoint();
  options.clients = 4;
  options.lines = 2000;
  options.settle = 100ms;
  options.timeout = kWait;
  const FanoutResult result = RunFanout(options);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.receivers, 3);
  EXPECT_GT(result.damaged, 0u);
  EXPECT_EQ(result.intact + result.damaged, 3u * 2000);
  EXPECT_EQ(result.missing(), 0u);
}

TEST(BenchChatLoad, NoServerIsAnError) {
  tcp::endpoint unused;
  {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    unused = acceptor.local_endpoint();
  }
  ChatLoadOptions options;
  options.server = unused;
  options.clients = 3;
  options.timeout = kWait;
  const FanoutResult result = RunFanout(options);
  EXPECT_NE(result.error.find("connect 1"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace parley::bench
