// chat-server over loopback: a real ChatServer on its own thread, real sockets as clients.
// Every wait has a deadline. Absence is proven without sleeping: a client's lines arrive in
// order, so after an action it sends /who, and the next line it reads must be the online list.
#include "targets/chat/server/chat_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "targets/chat/server/test_server.h"

namespace parley::chat {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kWait = 10s;  // generous: only ever reached when something is wrong

sockaddr_in Loopback(unsigned short port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits until `fd` is readable; false on timeout.
bool WaitReadable(int fd, Clock::time_point deadline) {
  pollfd p{fd, POLLIN, 0};
  for (;;) {
    const int ready = ::poll(&p, 1, RemainingMs(deadline));
    if (ready > 0) return true;
    if (ready == 0 || errno != EINTR) return false;
  }
}

// A TCP chat client speaking through a plain socket.
class Client {
 public:
  // `receive_buffer` > 0 shrinks SO_RCVBUF before connecting (a client that reads slowly).
  explicit Client(unsigned short port, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    const sockaddr_in address = Loopback(port);
    connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }

  void Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) {
        ADD_FAILURE() << "send failed: " << std::strerror(errno);
        return;
      }
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
  }

  // The next line without its LF; nullopt at EOF, on error or at the deadline.
  std::optional<std::string> ReadLine(std::chrono::milliseconds wait = kWait) {
    const auto deadline = Clock::now() + wait;
    for (;;) {
      const std::size_t lf = buffer_.find('\n');
      if (lf != std::string::npos) {
        std::string line = buffer_.substr(0, lf);
        buffer_.erase(0, lf + 1);
        return line;
      }
      if (eof_ || !Fill(deadline)) return std::nullopt;
    }
  }

  // Reads lines until `line` arrives; false at EOF or the deadline.
  bool WaitFor(std::string_view line, std::chrono::milliseconds wait = kWait) {
    const auto deadline = Clock::now() + wait;
    while (std::optional<std::string> next =
               ReadLine(std::chrono::milliseconds(std::max(0, RemainingMs(deadline))))) {
      if (*next == line) return true;
    }
    return false;
  }

  // Reads (and discards) until the server closes; false if it has not by the deadline.
  bool WaitClosed(std::chrono::milliseconds wait = kWait) {
    const auto deadline = Clock::now() + wait;
    buffer_.clear();
    while (!eof_) {
      if (!Fill(deadline)) return eof_;
      buffer_.clear();
    }
    return true;
  }

  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

  // Closes with a reset instead of a FIN.
  void Reset() {
    const linger abortive{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
    ::close(fd_);
    fd_ = -1;
  }

 private:
  // Reads what is there; false on timeout. Sets eof_ at EOF or on a reset.
  bool Fill(Clock::time_point deadline) {
    if (!WaitReadable(fd_, deadline)) return false;
    char chunk[65536];
    const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got <= 0) {
      eof_ = true;
      return true;
    }
    buffer_.append(chunk, static_cast<std::size_t>(got));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string buffer_;
};

// A UDP chat peer: one datagram per call.
class UdpClient {
 public:
  explicit UdpClient(unsigned short port) : server_(Loopback(port)) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    const sockaddr_in any = Loopback(0);
    ::bind(fd_, reinterpret_cast<const sockaddr*>(&any), sizeof any);
  }
  ~UdpClient() { ::close(fd_); }
  UdpClient(const UdpClient&) = delete;
  UdpClient& operator=(const UdpClient&) = delete;

  void Send(std::string_view datagram) {
    ::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&server_),
             sizeof server_);
  }

  // The next datagram, whole; nullopt at the deadline.
  std::optional<std::string> Receive(std::chrono::milliseconds wait = kWait) {
    if (!WaitReadable(fd_, Clock::now() + wait)) return std::nullopt;
    char datagram[65536];
    const ssize_t got = ::recv(fd_, datagram, sizeof datagram, 0);
    if (got < 0) return std::nullopt;
    return std::string(datagram, static_cast<std::size_t>(got));
  }

  bool WaitFor(std::string_view datagram) {
    const auto deadline = Clock::now() + kWait;
    while (std::optional<std::string> next =
               Receive(std::chrono::milliseconds(RemainingMs(deadline)))) {
      if (*next == datagram) return true;
    }
    return false;
  }

 private:
  sockaddr_in server_;
  int fd_ = -1;
};

// Connects a client and reads its welcome (two lines).
std::unique_ptr<Client> Join(const TestServer& server) {
  auto client = std::make_unique<Client>(server.port());
  EXPECT_TRUE(client->connected());
  const std::optional<std::string> welcome = client->ReadLine();
  EXPECT_TRUE(welcome && welcome->starts_with("* welcome guest")) << welcome.value_or("(none)");
  const std::optional<std::string> online = client->ReadLine();
  EXPECT_TRUE(online && online->starts_with("* online: ")) << online.value_or("(none)");
  return client;
}

TEST(ChatServer, WelcomesAndAnnouncesJoinsAndLeaves) {
  TestServer server;
  Client a(server.port());
  EXPECT_EQ(a.ReadLine(), "* welcome guest1");
  EXPECT_EQ(a.ReadLine(), "* online: guest1");
  {
    Client b(server.port());
    EXPECT_EQ(b.ReadLine(), "* welcome guest2");
    EXPECT_EQ(b.ReadLine(), "* online: guest1 guest2");
    EXPECT_EQ(a.ReadLine(), "* guest2 joined");
  }
  EXPECT_EQ(a.ReadLine(), "* guest2 left");
  Client c(server.port());
  EXPECT_EQ(c.ReadLine(), "* welcome guest3");
  EXPECT_EQ(c.ReadLine(), "* online: guest1 guest3");
}

TEST(ChatServer, RelaysToOthersWithoutEcho) {
  TestServer server;
  auto a = Join(server);
  auto b = Join(server);
  auto c = Join(server);
  a->Send("hello, room\n");
  EXPECT_EQ(b->ReadLine(), "* guest3 joined");
  EXPECT_EQ(b->ReadLine(), "<guest1> hello, room");
  EXPECT_EQ(c->ReadLine(), "<guest1> hello, room");
  a->Send("/who\n");
  EXPECT_TRUE(a->WaitFor("* guest3 joined"));
  EXPECT_EQ(a->ReadLine(), "* online: guest1 guest2 guest3");  // no echo in between
}

TEST(ChatServer, EveryCommand) {
  TestServer server;
  auto a = Join(server);
  auto b = Join(server);
  auto c = Join(server);
  ASSERT_TRUE(a->WaitFor("* guest3 joined"));
  ASSERT_TRUE(b->WaitFor("* guest3 joined"));

  a->Send("/nick alice\n");
  EXPECT_EQ(a->ReadLine(), "* you are now alice");
  EXPECT_EQ(b->ReadLine(), "* guest1 is now alice");
  EXPECT_EQ(c->ReadLine(), "* guest1 is now alice");

  b->Send("/nick alice\n/nick no.dots\n/nick bob\n");
  EXPECT_EQ(b->ReadLine(), "! error nick-taken alice");
  EXPECT_EQ(b->ReadLine(), "! error bad-nick");
  EXPECT_EQ(b->ReadLine(), "* you are now bob");
  EXPECT_EQ(a->ReadLine(), "* guest2 is now bob");
  EXPECT_EQ(c->ReadLine(), "* guest2 is now bob");

  c->Send("/who\n");
  EXPECT_EQ(c->ReadLine(), "* online: alice bob guest3");

  a->Send("/me waves\n");
  EXPECT_EQ(b->ReadLine(), "* alice waves");
  EXPECT_EQ(c->ReadLine(), "* alice waves");

  a->Send("/msg bob just for you\n/msg carol hello?\n/who\n");
  EXPECT_EQ(b->ReadLine(), "*alice* just for you");
  EXPECT_EQ(a->ReadLine(), "! error no-such-nick carol");
  EXPECT_EQ(a->ReadLine(), "* online: alice bob guest3");
  c->Send("/who\n");
  EXPECT_EQ(c->ReadLine(), "* online: alice bob guest3");  // the private message skipped c

  a->Send("/dance\n//dance is not a command\n");
  EXPECT_EQ(a->ReadLine(), "! error unknown-command /dance");
  EXPECT_EQ(b->ReadLine(), "<alice> /dance is not a command");

  a->Send("/quit see you\nnever relayed\n");
  EXPECT_TRUE(a->WaitClosed());
  EXPECT_EQ(b->ReadLine(), "* alice left (see you)");
  EXPECT_EQ(c->ReadLine(), "<alice> /dance is not a command");
  EXPECT_EQ(c->ReadLine(), "* alice left (see you)");
  b->Send("/quit\n");
  EXPECT_TRUE(b->WaitClosed());
  EXPECT_EQ(c->ReadLine(), "* bob left");
  c->Send("/who\n");
  EXPECT_EQ(c->ReadLine(), "* online: guest3");
}

TEST(ChatServer, LineRules) {
  TestServer server;
  auto a = Join(server);
  auto b = Join(server);
  ASSERT_TRUE(a->WaitFor("* guest2 joined"));

  // At the limit, the terminator included; relayed lines may be longer than that.
  const std::string longest(kMaxLineBytes - 1, 'x');
  a->Send(longest + "\n");
  EXPECT_EQ(b->ReadLine(), "<guest1> " + longest);
  a->Send(longest.substr(1) + "\r\n");
  EXPECT_EQ(b->ReadLine(), "<guest1> " + longest.substr(1));
  a->Send(longest + "\r\n");
  EXPECT_EQ(a->ReadLine(), "! error line-too-long");

  a->Send(std::string(kMaxLineBytes, 'y') + "\nstill here\n");
  EXPECT_EQ(a->ReadLine(), "! error line-too-long");
  EXPECT_EQ(b->ReadLine(), "<guest1> still here");
  a->Send(std::string(100'000, 'z') + "\r\nand again\n");
  EXPECT_EQ(a->ReadLine(), "! error line-too-long");
  EXPECT_EQ(b->ReadLine(), "<guest1> and again");

  a->Send("caf\xC3\n\xED\xA0\x80\nok \xC3\xA9\n");
  EXPECT_EQ(a->ReadLine(), "! error invalid-utf8");
  EXPECT_EQ(a->ReadLine(), "! error invalid-utf8");
  EXPECT_EQ(b->ReadLine(), "<guest1> ok \xC3\xA9");

  a->Send("\n\r\n\n crlf \r\n/who\n");
  EXPECT_EQ(b->ReadLine(), "<guest1>  crlf ");
  EXPECT_EQ(a->ReadLine(), "* online: guest1 guest2");  // the empty lines said nothing
}

TEST(ChatServer, PartialLinesAndSeveralLinesPerRead) {
  TestServer server;
  auto a = Join(server);
  auto b = Join(server);
  ASSERT_TRUE(a->WaitFor("* guest2 joined"));
  for (char c : std::string("byte by byte\r\n"))
    a->Send(std::string_view(&c, 1));
  EXPECT_EQ(b->ReadLine(), "<guest1> byte by byte");
  a->Send("one\ntwo\nthr");
  EXPECT_EQ(b->ReadLine(), "<guest1> one");
  EXPECT_EQ(b->ReadLine(), "<guest1> two");
  a->Send("ee\n");
  EXPECT_EQ(b->ReadLine(), "<guest1> three");
}

TEST(ChatServer, HalfCloseStillAnswersThenLeaves) {
  TestServer server;
  auto a = Join(server);
  auto b = Join(server);
  ASSERT_TRUE(a->WaitFor("* guest2 joined"));
  a->Send("/who\nlast words without LF");
  a->ShutdownWrite();
  EXPECT_EQ(a->ReadLine(), "* online: guest1 guest2");
  EXPECT_TRUE(a->WaitClosed());
  EXPECT_EQ(b->ReadLine(), "<guest1> last words without LF");
  EXPECT_EQ(b->ReadLine(), "* guest1 left");
}

TEST(ChatServer, ResetIsALeave) {
  TestServer server;
  auto a = Join(server);
  auto b = Join(server);
  ASSERT_TRUE(a->WaitFor("* guest2 joined"));
  b->Send("partial line, then a reset");
  b->Reset();
  EXPECT_EQ(a->ReadLine(), "* guest2 left");
  a->Send("/who\n");
  EXPECT_EQ(a->ReadLine(), "* online: guest1");
}

TEST(ChatServer, UdpAndTcpShareTheRoom) {
  TestServer server;
  auto a = Join(server);
  UdpClient u(server.port());
  u.Send("hi from udp\n");
  EXPECT_EQ(u.Receive(), "* welcome guest2\n");
  EXPECT_EQ(u.Receive(), "* online: guest1 guest2\n");
  EXPECT_EQ(a->ReadLine(), "* guest2 joined");
  EXPECT_EQ(a->ReadLine(), "<guest2> hi from udp");

  a->Send("hi back\n");
  EXPECT_EQ(u.Receive(), "<guest1> hi back\n");
  a->Send("several\nlines in\none read\n");  // fanned out as one chunk, sent line by line
  EXPECT_EQ(u.Receive(), "<guest1> several\n");
  EXPECT_EQ(u.Receive(), "<guest1> lines in\n");
  EXPECT_EQ(u.Receive(), "<guest1> one read\n");

  u.Send("one\ntwo\r\nthree");  // several lines in one datagram, the last ended by its end
  EXPECT_EQ(a->ReadLine(), "<guest2> one");
  EXPECT_EQ(a->ReadLine(), "<guest2> two");
  EXPECT_EQ(a->ReadLine(), "<guest2> three");

  u.Send("/nick udpeer\n/who\n");
  EXPECT_EQ(u.Receive(), "* you are now udpeer\n");
  EXPECT_EQ(u.Receive(), "* online: guest1 udpeer\n");
  EXPECT_EQ(a->ReadLine(), "* guest2 is now udpeer");
  a->Send("/msg udpeer private\n");
  EXPECT_EQ(u.Receive(), "*guest1* private\n");
  u.Send(std::string(kMaxLineBytes + 1, 'u'));
  EXPECT_EQ(u.Receive(), "! error line-too-long\n");

  u.Send("/quit done\n");
  EXPECT_EQ(a->ReadLine(), "* udpeer left (done)");
  u.Send("back again\n");  // a new peer
  EXPECT_EQ(u.Receive(), "* welcome guest3\n");
  EXPECT_EQ(a->ReadLine(), "* guest3 joined");
}

TEST(ChatServer, UdpPeersLeaveAfterSilence) {
  ServerOptions options;
  options.udp_timeout = 300ms;
  TestServer server(options);
  auto a = Join(server);
  UdpClient u(server.port());
  u.Send("/who\n");
  EXPECT_EQ(a->ReadLine(), "* guest2 joined");
  EXPECT_EQ(a->ReadLine(), "* guest2 left (timed out)");
  EXPECT_EQ(u.Receive(), "* welcome guest2\n");
}

TEST(ChatServer, IdleTcpMembersAreDisconnected) {
  ServerOptions options;
  options.idle_timeout = 300ms;
  TestServer server(options);
  UdpClient watcher(server.port());  // UDP peers do not follow the TCP idle timeout
  watcher.Send("/who\n");
  ASSERT_TRUE(watcher.WaitFor("* online: guest1\n"));
  auto a = Join(server);
  EXPECT_TRUE(a->WaitClosed());
  EXPECT_TRUE(watcher.WaitFor("* guest2 left (timed out)\n"));
}

TEST(ChatServer, RefusesClientsBeyondTheMaximum) {
  ServerOptions options;
  options.max_clients = 2;
  TestServer server(options);
  auto a = Join(server);
  auto b = Join(server);
  Client c(server.port());
  EXPECT_EQ(c.ReadLine(), "! error server-full");
  EXPECT_TRUE(c.WaitClosed());
  UdpClient u(server.port());
  u.Send("let me in\n");
  EXPECT_EQ(u.Receive(), "! error server-full\n");
  a->Send("/who\n");
  EXPECT_EQ(a->ReadLine(), "* guest2 joined");
  EXPECT_EQ(a->ReadLine(), "* online: guest1 guest2");
  b.reset();
  EXPECT_EQ(a->ReadLine(), "* guest2 left");
  auto d = Join(server);  // room again
  EXPECT_EQ(a->ReadLine(), "* guest3 joined");
}

TEST(ChatServer, ASlowReaderIsDroppedWhileOthersGetEverything) {
  ServerOptions options;
  options.max_queue = 64 * 1024;
  TestServer server(options);
  auto sender = Join(server);
  auto reader = Join(server);
  Client stalled(server.port(), 4096);  // never reads
  ASSERT_TRUE(sender->WaitFor("* guest3 joined"));
  ASSERT_TRUE(reader->WaitFor("* guest3 joined"));

  // Far more than the kernel buffers and the queue can hold for the stalled client. The sender
  // keeps pace with the reader (a flood faster than any reader would overflow its queue too:
  // the bound is per recipient), so only the stalled client falls behind.
  constexpr int kLines = 2000;
  constexpr int kRound = 16;
  const std::string padding(1000, '.');
  std::mutex mutex;
  std::condition_variable progress;
  int received = 0;
  bool reader_failed = false;
  bool dropped = false;
  std::thread reading([&] {
    for (int i = 0; i < kLines; ++i) {
      std::optional<std::string> line = reader->ReadLine();
      if (line == "* guest3 left (too slow)") {
        {
          std::lock_guard lock(mutex);
          dropped = true;
        }
        line = reader->ReadLine();  // not under the lock: the sender may be waiting for it
      }
      std::lock_guard lock(mutex);
      if (line != "<guest1> " + std::to_string(i) + padding) {
        ADD_FAILURE() << "line " << i << ": " << line.value_or("(none)").substr(0, 40);
        reader_failed = true;
        progress.notify_all();
        return;
      }
      ++received;
      progress.notify_all();
    }
  });
  for (int i = 0; i < kLines; ++i) {
    sender->Send(std::to_string(i) + padding + "\n");
    if ((i + 1) % kRound != 0) continue;
    std::unique_lock lock(mutex);
    if (!progress.wait_for(lock, kWait, [&] { return received > i || reader_failed; })) {
      ADD_FAILURE() << "the reader got stuck at line " << received;
      break;
    }
    if (reader_failed) break;
  }
  reading.join();
  EXPECT_EQ(received, kLines);
  EXPECT_TRUE(dropped || reader->ReadLine() == "* guest3 left (too slow)");
  EXPECT_TRUE(sender->WaitFor("* guest3 left (too slow)"));
  EXPECT_TRUE(stalled.WaitClosed());
}

TEST(ChatServer, AThousandClientsOnOneThread) {
  constexpr int kClients = 1000;
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  const rlim_t needed = 2 * kClients + 100;  // both ends live in this process
  if (limit.rlim_cur < needed && limit.rlim_max >= needed) {
    limit.rlim_cur = needed;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur < needed) GTEST_SKIP() << "needs " << needed << " file descriptors";

  TestServer server;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>(server.port()));
    ASSERT_TRUE(clients.back()->connected()) << "client " << i;
  }
  ASSERT_TRUE(clients.back()->WaitFor("* welcome guest" + std::to_string(kClients)));
  clients.front()->Send("hello, everyone\n");
  for (int i = 1; i < kClients; ++i) {
    ASSERT_TRUE(clients[i]->WaitFor("<guest1> hello, everyone")) << "client " << i;
  }
  ASSERT_TRUE(clients.front()->WaitFor("* guest" + std::to_string(kClients) + " joined"));
  clients.front()->Send("/who\n");
  const std::optional<std::string> who = clients.front()->ReadLine();
  ASSERT_TRUE(who && who->starts_with("* online: guest1 guest10 guest100 guest1000 guest101"));
  EXPECT_EQ(std::count(who->begin(), who->end(), ' '), kClients + 1);
}

TEST(ChatServer, ShutdownTellsEveryoneAndEnds) {
  TestServer server;
  auto a = Join(server);
  auto b = Join(server);
  UdpClient u(server.port());
  u.Send("/who\n");
  ASSERT_TRUE(u.WaitFor("* online: guest1 guest2 guest3\n"));
  EXPECT_TRUE(server.Stop());
  EXPECT_TRUE(a->WaitFor("* server shutting down"));
  EXPECT_TRUE(a->WaitClosed());
  EXPECT_TRUE(b->WaitFor("* server shutting down"));
  EXPECT_TRUE(b->WaitClosed());
  EXPECT_TRUE(u.WaitFor("* server shutting down\n"));
}

TEST(ChatServer, ShutdownDoesNotWaitForClientsThatKeepTheirSocketOpen) {
  TestServer server;
  auto a = Join(server);  // never reads nor closes
  const auto start = Clock::now();
  EXPECT_TRUE(server.Stop());
  EXPECT_LT(Clock::now() - start, 5s);  // bounded by the close grace period, not by the client
  EXPECT_TRUE(a->WaitFor("* server shutting down"));
}

TEST(ChatServer, PortInUseIsAnError) {
  TestServer first;
  boost::asio::io_context io;
  ServerOptions options;
  options.port = first.port();
  EXPECT_THROW(ChatServer(io, options), std::system_error);

  // The TCP port free but the UDP one taken is an error too.
  const int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address = Loopback(0);
  ASSERT_EQ(::bind(udp, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  socklen_t size = sizeof address;
  ::getsockname(udp, reinterpret_cast<sockaddr*>(&address), &size);
  options.port = ntohs(address.sin_port);
  EXPECT_THROW(ChatServer(io, options), std::system_error);
  ::close(udp);
}

TEST(ChatServer, FormatsEndpoints) {
  using boost::asio::ip::make_address;
  EXPECT_EQ(FormatEndpoint({make_address("127.0.0.1"), 8888}), "127.0.0.1:8888");
  EXPECT_EQ(FormatEndpoint({make_address("::1"), 9}), "[::1]:9");
}

}  // namespace
}  // namespace parley::chat
