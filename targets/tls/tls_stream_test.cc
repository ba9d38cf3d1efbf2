#include "targets/tls/tls_stream.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>

#include "targets/tls/server_context.h"
#include "targets/tls/test_pki.h"

namespace parley::tls {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using Socket = asio::basic_stream_socket<tcp, asio::io_context::executor_type>;
using Stream = TlsStream<Socket>;

// What the server does with one accepted connection, on the server's thread.
using ServerScript = std::function<void(Stream& stream)>;

class TlsStreamTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = WriteServerFiles(ca_, "parley-tls-stream-");
    ASSERT_FALSE(dir_.empty());
    std::string error;
    tls_ = ServerTls::Load(dir_ + "/server.pem", dir_ + "/server.key", {}, &error);
    ASSERT_NE(tls_, nullptr) << error;
    client_context_.set_verify_mode(asio::ssl::verify_none);
    SSL_CTX* client = client_context_.native_handle();
    SSL_CTX_set_min_proto_version(client, TLS1_3_VERSION);
    // Counts the tickets the client receives, and keeps the last for a resumption.
    SSL_CTX_set_session_cache_mode(client, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    // (Asio keeps its own pointer in the context's app data, so the test uses a global.)
    current = this;
    SSL_CTX_sess_set_new_cb(client, [](SSL*, SSL_SESSION* session) {
      TlsStreamTest* self = current;
      self->tickets_++;
      if (self->saved_ != nullptr) SSL_SESSION_free(self->saved_);
      self->saved_ = session;
      return 1;  // the client keeps the reference
    });
  }
  void TearDown() override {
    current = nullptr;
    if (saved_ != nullptr) SSL_SESSION_free(saved_);
    std::system(("rm -rf '" + dir_ + "'").c_str());
  }

  // Accepts one connection on `acceptor_`, handshakes, and runs `script` on success.
  std::thread Serve(ServerScript script) {
    return std::thread([this, script] {
      asio::io_context io;
      Socket socket(io);
      error_code ec;
      acceptor_.accept(socket, ec);
      if (ec) return;
      Stream stream(std::move(socket), tls_->context(), std::chrono::milliseconds(2000));
      stream.async_handshake([&](const error_code& hs) {
        if (hs) return stream.close();
        script(stream);
      });
      io.run();
    });
  }

  // A connected, handshaken client; resumes `saved_` when `resume`.
  std::unique_ptr<asio::ssl::stream<tcp::socket>> Connect(bool resume) {
    auto client = std::make_unique<asio::ssl::stream<tcp::socket>>(io_, client_context_);
    if (resume && saved_ != nullptr) SSL_set_session(client->native_handle(), saved_);
    error_code ec;
    client->next_layer().connect(acceptor_.local_endpoint(), ec);
    EXPECT_FALSE(ec) << ec.message();
    client->handshake(asio::ssl::stream_base::client, ec);
    EXPECT_FALSE(ec) << ec.message();
    // Every later read is bounded, so a server that misbehaves fails the test, not hangs it.
    timeval bound{5, 0};
    ::setsockopt(client->next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &bound,
                 sizeof bound);
    return client;
  }

  // True when the client's socket has bytes to read within `ms`.
  static bool Readable(asio::ssl::stream<tcp::socket>& client, int ms) {
    pollfd p{client.next_layer().native_handle(), POLLIN, 0};
    return ::poll(&p, 1, ms) == 1;
  }

  // Reads until the TLS stream ends; `end` says how (eof = close_notify).
  static std::string ReadAll(asio::ssl::stream<tcp::socket>& client, error_code* end) {
    std::string got;
    char buffer[256];
    for (;;) {
      const std::size_t n = client.read_some(asio::buffer(buffer), *end);
      if (*end) return got;
      got.append(buffer, n);
    }
  }

  TestCa ca_{"parley test CA"};
  std::string dir_;
  std::unique_ptr<ServerTls> tls_;
  asio::io_context io_;
  tcp::acceptor acceptor_{io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  asio::ssl::context client_context_{asio::ssl::context::tls_client};
  int tickets_ = 0;
  SSL_SESSION* saved_ = nullptr;
  static inline TlsStreamTest* current = nullptr;
};

// A server script: one read of at most `size` bytes, then `then` (a read error closes).
ServerScript AfterOneRead(std::size_t size, std::function<void(Stream&)> then) {
  return [size, then](Stream& stream) {
    auto buffer = std::make_shared<std::string>(size, '\0');
    stream.async_read_some(asio::buffer(*buffer),
                           [&stream, buffer, then](const error_code& ec, std::size_t) {
                             if (ec) return stream.close();
                             then(stream);
                           });
  };
}

// Writes `text` (a literal) with async_write, then closes.
void Answer(Stream& stream, std::string_view text) {
  asio::async_write(stream, asio::buffer(text),
                    [&stream](const error_code&, std::size_t) { stream.close(); });
}

// The server reads one message, answers "pong" and closes.
const ServerScript kAnswerPong = AfterOneRead(64, [](Stream& stream) { Answer(stream, "pong"); });

TEST_F(TlsStreamTest, SessionTicketsWaitForTheFirstWriteAndGoOutWithIt) {
  std::thread server = Serve(kAnswerPong);
  auto client = Connect(false);
  // OpenSSL alone would have sent two tickets right after the handshake.
  EXPECT_FALSE(Readable(*client, 300)) << "the server sent something before it had to";
  EXPECT_EQ(tickets_, 0);
  asio::write(*client, asio::buffer(std::string_view("ping")));
  error_code end;
  EXPECT_EQ(ReadAll(*client, &end), "pong");
  EXPECT_EQ(end, asio::error::eof) << end.message();
  EXPECT_EQ(tickets_, 2);  // as many as a full handshake gets from OpenSSL
  server.join();

  // A resumption gets one, as from OpenSSL.
  std::thread again = Serve(kAnswerPong);
  auto resumed = Connect(true);
  EXPECT_TRUE(SSL_session_reused(resumed->native_handle()));
  asio::write(*resumed, asio::buffer(std::string_view("ping")));
  EXPECT_EQ(ReadAll(*resumed, &end), "pong");
  EXPECT_EQ(tickets_, 3);
  again.join();
}

TEST_F(TlsStreamTest, AConnectionThatNeverWritesSendsNoTicket) {
  std::thread server = Serve([](Stream& stream) { stream.close(); });
  auto client = Connect(false);
  error_code end;
  EXPECT_EQ(ReadAll(*client, &end), "");
  EXPECT_EQ(end, asio::error::eof) << end.message();  // close_notify, and nothing before it
  EXPECT_EQ(tickets_, 0);
  server.join();
}

TEST_F(TlsStreamTest, WriteAndCloseSendsTheLastBytesThenCloseNotifyThenFin) {
  bool taken = false;
  std::thread server = Serve(AfterOneRead(64, [&taken](Stream& stream) {
    taken = stream.WriteAndClose("bye", std::chrono::seconds(2));
  }));
  auto client = Connect(false);
  asio::write(*client, asio::buffer(std::string_view("ping")));
  error_code end;
  EXPECT_EQ(ReadAll(*client, &end), "bye");
  EXPECT_EQ(end, asio::error::eof) << end.message();
  EXPECT_EQ(tickets_, 2);  // the tickets went out in the same write, ahead of the bytes
  // The socket closes without waiting for the client's close_notify.
  char byte;
  EXPECT_EQ(::recv(client->next_layer().native_handle(), &byte, 1, 0), 0);
  server.join();
  EXPECT_TRUE(taken);
}

TEST_F(TlsStreamTest, WriteAndCloseDeclinesWhileThePeersBytesAreUnread) {
  int taken = -1;
  // Reads "ping" only; "more" arrived with it and waits in the stream.
  std::thread server = Serve(AfterOneRead(4, [&taken](Stream& stream) {
    taken = stream.WriteAndClose("bye", std::chrono::seconds(2));
    Answer(stream, "bye");
  }));
  auto client = Connect(false);
  // Two records in one TCP write: the first waits in the client's memory BIO (Asio's SSL stream
  // sends only when an operation flushes it), the second's write sends both.
  ASSERT_EQ(SSL_write(client->native_handle(), "ping", 4), 4);
  asio::write(*client, asio::buffer(std::string_view("more")));
  // The server waits for this close_notify before it closes (its bytes were unread).
  error_code end;
  std::string got;
  char buffer[64];
  const std::size_t n = client->read_some(asio::buffer(buffer), end);
  ASSERT_FALSE(end) << end.message();
  got.assign(buffer, n);
  EXPECT_EQ(got, "bye");
  client->shutdown(end);
  server.join();
  EXPECT_EQ(taken, 0);
}

TEST_F(TlsStreamTest, WriteAndCloseDeclinesMoreThanItsLimitAndBeforeTheHandshake) {
  int oversized = -1;
  std::thread server = Serve(AfterOneRead(64, [&oversized](Stream& stream) {
    const std::string big(Stream::kMaxFinalWrite + 1, 'x');
    oversized = stream.WriteAndClose(big, std::chrono::seconds(2));
    Answer(stream, "pong");
  }));
  auto client = Connect(false);
  asio::write(*client, asio::buffer(std::string_view("ping")));
  error_code end;
  EXPECT_EQ(ReadAll(*client, &end), "pong");
  server.join();
  EXPECT_EQ(oversized, 0);

  // Before its handshake a stream has nothing to close gracefully.
  asio::io_context io;
  Stream unshaken(Socket(io), tls_->context(), std::chrono::milliseconds(10));
  EXPECT_FALSE(unshaken.WriteAndClose("x", std::chrono::seconds(1)));
}

}  // namespace
}  // namespace parley::tls
