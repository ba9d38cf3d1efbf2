#include "harness/play/connection.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <optional>
#include <vector>

namespace parley::harness {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

class ConnectionTest : public testing::Test {
 protected:
  std::shared_ptr<Connection> Make() {
    return std::make_shared<Connection>(io_.get_executor(), Transport::kTcp, Connection::Limits(),
                                        std::make_shared<Transcript>("c", Clock::now()),
                                        deadlines_);
  }

  // Runs Connect to `port` and returns its result (nullopt if it did not finish in time).
  std::optional<bool> Connect(Connection& c, unsigned short port, milliseconds deadline,
                              std::string* error) {
    std::optional<bool> result;
    asio::co_spawn(io_,
                   c.Connect("127.0.0.1", std::to_string(port), 0, Clock::now() + deadline, error),
                   [&](std::exception_ptr e, bool ok) {
                     if (e) std::rethrow_exception(e);
                     result = ok;
                   });
    RunUntil([&] { return result.has_value(); }, deadline + milliseconds(5000));
    return result;
  }

  // A connection to `acceptor`, connected; nullptr (and the test fails) otherwise.
  std::shared_ptr<Connection> ConnectTo(tcp::acceptor& acceptor) {
    auto c = Make();
    std::string error;
    if (Connect(*c, acceptor.local_endpoint().port(), milliseconds(2000), &error).value_or(false)) {
      return c;
    }
    ADD_FAILURE() << "cannot connect: " << error;
    return nullptr;
  }

  void RunUntil(const std::function<bool()>& done, milliseconds limit) {
    auto stop = Clock::now() + limit;
    while (!done() && Clock::now() < stop)
      io_.run_one_for(milliseconds(10));
  }

  // A listener whose accept queue is full: further handshakes get no answer (the kernel drops
  // their SYNs) until `fillers_` are accepted.
  tcp::acceptor FullListener() {
    tcp::acceptor acceptor(io_);
    tcp::endpoint at(asio::ip::make_address("127.0.0.1"), 0);
    acceptor.open(at.protocol());
    acceptor.bind(at);
    acceptor.listen(0);
    for (int i = 0; i < 4; ++i) {
      fillers_.emplace_back(io_);
      tcp::socket& s = fillers_.back();
      s.open(tcp::v4());
      s.non_blocking(true);
      tcp::endpoint to = acceptor.local_endpoint();
      (void)::connect(s.native_handle(), to.data(), static_cast<socklen_t>(to.size()));
    }
    return acceptor;
  }

  asio::io_context io_;
  Deadlines deadlines_{io_.get_executor()};
  std::vector<tcp::socket> fillers_;
};

TEST_F(ConnectionTest, ConnectsReadsAndSends) {
  tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto c = Make();
  std::string error;
  std::optional<bool> ok =
      Connect(*c, acceptor.local_endpoint().port(), milliseconds(2000), &error);
  ASSERT_TRUE(ok.has_value());
  ASSERT_TRUE(*ok) << error;
  tcp::socket peer = acceptor.accept();
  asio::write(peer, asio::buffer(std::string("hello")));
  RunUntil([&] { return c->inbox().bytes().size() == 5; }, milliseconds(2000));
  EXPECT_EQ(c->inbox().bytes(), "hello");
  c->inbox().Consume(2);
  EXPECT_EQ(c->inbox().bytes(), "llo");
  c->Close();
}

TEST_F(ConnectionTest, AHandshakeWithoutAnswerTimesOutAtTheDeadline) {
  tcp::acceptor acceptor = FullListener();
  auto c = Make();
  std::string error;
  auto start = Clock::now();
  std::optional<bool> ok = Connect(*c, acceptor.local_endpoint().port(), milliseconds(200), &error);
  ASSERT_TRUE(ok.has_value()) << "Connect did not return";
  EXPECT_FALSE(*ok);
  EXPECT_EQ(error, "connecting to 127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) +
                       " timed out");
  EXPECT_GE(Clock::now() - start, milliseconds(200));
}

TEST_F(ConnectionTest, AHandshakeAnsweredLateStillConnects) {
  tcp::acceptor acceptor = FullListener();
  // Shortly after the connect starts, accept everything from then on; the kernel then answers
  // the retransmitted SYN. (Accepting only once would leave the queue to the fillers' own
  // retransmitted SYNs, which can take the one place again before ours arrives.)
  asio::steady_timer make_room(io_, milliseconds(100));
  std::vector<tcp::socket> accepted;
  std::function<void()> accept_next = [&] {
    acceptor.async_accept([&](const boost::system::error_code& ec, tcp::socket s) {
      if (ec) return;  // the acceptor closed at the end of the test
      accepted.push_back(std::move(s));
      accept_next();
    });
  };
  make_room.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) accept_next();
  });
  auto c = Make();
  std::string error;
  std::optional<bool> ok =
      Connect(*c, acceptor.local_endpoint().port(), milliseconds(5000), &error);
  ASSERT_TRUE(ok.has_value()) << "Connect did not return";
  EXPECT_TRUE(*ok) << error;
  EXPECT_FALSE(accepted.empty());
  c->Close();
}

TEST_F(ConnectionTest, ARefusedConnectionSaysSo) {
  tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  unsigned short port = acceptor.local_endpoint().port();
  acceptor.close();
  auto c = Make();
  std::string error;
  std::optional<bool> ok = Connect(*c, port, milliseconds(2000), &error);
  ASSERT_TRUE(ok.has_value());
  EXPECT_FALSE(*ok);
  EXPECT_EQ(error, "cannot connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST_F(ConnectionTest, ASendThePeerDoesNotTakeTimesOutAndCloses) {
  tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto c = ConnectTo(acceptor);
  ASSERT_TRUE(c);
  std::string error;
  tcp::socket peer = acceptor.accept();  // never reads
  std::string big(64 * 1024 * 1024, 'x');
  std::optional<bool> sent;
  auto start = Clock::now();
  asio::co_spawn(io_, c->Send(big, Clock::now() + milliseconds(200), &error),
                 [&](std::exception_ptr e, bool ok) {
                   if (e) std::rethrow_exception(e);
                   sent = ok;
                 });
  RunUntil([&] { return sent.has_value(); }, milliseconds(5000));
  ASSERT_TRUE(sent.has_value());
  EXPECT_FALSE(*sent);
  EXPECT_EQ(error, "sending 67108864 bytes did not finish in time (the peer is not reading?)");
  EXPECT_GE(Clock::now() - start, milliseconds(200));
  EXPECT_TRUE(c->closed_by_us());
}

TEST_F(ConnectionTest, WaitForChangeEndsAtTheDeadlineOrOnArrival) {
  tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto c = ConnectTo(acceptor);
  ASSERT_TRUE(c);
  std::string error;
  tcp::socket peer = acceptor.accept();
  auto wait = [&](milliseconds d) {
    std::optional<bool> changed;
    asio::co_spawn(io_, c->WaitForChange(Clock::now() + d), [&](std::exception_ptr e, bool ch) {
      if (e) std::rethrow_exception(e);
      changed = ch;
    });
    RunUntil([&] { return changed.has_value(); }, d + milliseconds(5000));
    return changed;
  };
  auto start = Clock::now();
  EXPECT_EQ(wait(milliseconds(50)), std::optional<bool>(false));
  EXPECT_GE(Clock::now() - start, milliseconds(50));
  asio::write(peer, asio::buffer(std::string("x")));
  EXPECT_EQ(wait(milliseconds(5000)), std::optional<bool>(true));
  EXPECT_EQ(c->inbox().bytes(), "x");
  c->Close();
}

}  // namespace
}  // namespace parley::harness
