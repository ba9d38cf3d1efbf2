#include "targets/tls/server_context.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <cstdlib>
#include <string>
#include <thread>

#include "targets/tls/test_pki.h"
#include "targets/tls/tls_stream.h"

namespace parley::tls {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using Socket = asio::basic_stream_socket<tcp, asio::io_context::executor_type>;

class TlsFiles : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = WriteServerFiles(ca_, "parley-tls-");
    ASSERT_FALSE(dir_.empty());
    ASSERT_TRUE(WriteTextFile(Path("ca.pem"), ca_.certificate()));
    CertificateSpec other_spec;
    other_spec.common_name = "other";
    Pem other = ca_.Issue(other_spec);
    ASSERT_TRUE(WriteTextFile(Path("other.key"), other.private_key));
    ASSERT_TRUE(WriteTextFile(Path("not-pem.txt"), "hello\n"));
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string LoadError(const std::string& cert, const std::string& key) {
    std::string error;
    auto tls = ServerTls::Load(Path(cert), Path(key), {}, &error);
    EXPECT_EQ(tls, nullptr);
    return error;
  }

  TestCa ca_{"parley test CA"};
  std::string dir_;
};

TEST_F(TlsFiles, LoadsAMatchingCertificateAndKey) {
  std::string error;
  auto tls = ServerTls::Load(Path("server.pem"), Path("server.key"), {"http/1.1"}, &error);
  ASSERT_NE(tls, nullptr) << error;
}

TEST_F(TlsFiles, SaysWhichFileIsWrongAndWhy) {
  EXPECT_EQ(LoadError("missing.pem", "server.key"), "cannot read the TLS certificate file " +
                                                        Path("missing.pem") +
                                                        ": No such file or directory");
  EXPECT_EQ(LoadError("server.pem", "missing.key"),
            "cannot read the TLS key file " + Path("missing.key") + ": No such file or directory");
  EXPECT_EQ(
      LoadError("not-pem.txt", "server.key")
          .rfind("the TLS certificate file " + Path("not-pem.txt") + " holds no usable PEM", 0),
      0u);
  EXPECT_EQ(LoadError("server.pem", "not-pem.txt")
                .rfind("the TLS key file " + Path("not-pem.txt") + " holds no usable PEM", 0),
            0u);
  EXPECT_EQ(LoadError("server.pem", "other.key"), "the TLS key in " + Path("other.key") +
                                                      " does not match the certificate in " +
                                                      Path("server.pem"));
}

// One TLS connection on loopback: a TlsStream server that echoes one read and closes, and an
// Asio SSL client that verifies the test CA, offers `alpn`, and reports what it saw.
struct Exchange {
  std::string alpn;      // what the client negotiated
  std::string echoed;    // what it read back until the end
  error_code end;        // how its reading ended
  error_code handshake;  // the client's handshake result
  error_code tcp_end;    // after close_notify, how reading the TCP socket itself ended
};

Exchange Play(ServerTls& tls, const std::string& ca_file, const std::string& offer,
              std::chrono::milliseconds close_grace = std::chrono::milliseconds(500)) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const unsigned short port = acceptor.local_endpoint().port();
  std::thread server([&] {
    asio::io_context server_io;
    tcp::acceptor& a = acceptor;
    Socket socket(server_io);
    error_code ec;
    a.accept(socket, ec);
    if (ec) return;
    TlsStream<Socket> stream(std::move(socket), tls.context(), close_grace);
    std::string buffer(1024, '\0');
    stream.async_handshake([&](const error_code& hs) {
      if (hs) return stream.close();
      stream.async_read_some(asio::buffer(buffer), [&](const error_code& rd, std::size_t n) {
        if (rd) return stream.close();
        asio::async_write(stream, asio::buffer(buffer.data(), n),
                          [&](const error_code&, std::size_t) { stream.close(); });
      });
    });
    server_io.run();
  });
  Exchange result;
  asio::ssl::context client_context(asio::ssl::context::tls_client);
  client_context.load_verify_file(ca_file);
  client_context.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<tcp::socket> client(io, client_context);
  client.set_verify_callback(asio::ssl::host_name_verification("localhost"));
  SSL_set_tlsext_host_name(client.native_handle(), "localhost");
  if (!offer.empty()) {
    std::string wire = std::string(1, static_cast<char>(offer.size())) + offer;
    SSL_set_alpn_protos(client.native_handle(), reinterpret_cast<const unsigned char*>(wire.data()),
                        static_cast<unsigned>(wire.size()));
  }
  error_code ec;
  client.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  client.handshake(asio::ssl::stream_base::client, result.handshake);
  if (!result.handshake) {
    const unsigned char* chosen = nullptr;
    unsigned chosen_size = 0;
    SSL_get0_alpn_selected(client.native_handle(), &chosen, &chosen_size);
    result.alpn.assign(reinterpret_cast<const char*>(chosen), chosen_size);
    asio::write(client, asio::buffer(std::string("hola")), ec);
    std::string got(64, '\0');
    for (;;) {
      std::size_t n = client.read_some(asio::buffer(got), result.end);
      if (result.end) break;
      result.echoed.append(got.data(), n);
    }
    // The client sends no close_notify of its own; the server's FIN must come anyway. A bound
    // on the read keeps a server that waits from hanging the test.
    timeval bound{5, 0};
    ::setsockopt(client.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &bound,
                 sizeof bound);
    // (recv itself: Asio's read would wait out a timeout with poll.)
    const ssize_t n = ::recv(client.next_layer().native_handle(), got.data(), got.size(), 0);
    result.tcp_end = n == 0  ? asio::error::eof
                     : n < 0 ? error_code(errno, boost::system::system_category())
                             : asio::error::message_size;
  }
  client.next_layer().close(ec);
  server.join();
  return result;
}

TEST_F(TlsFiles, ServesTlsWithAlpnAndEndsWithCloseNotify) {
  std::string error;
  auto tls = ServerTls::Load(Path("server.pem"), Path("server.key"), {"http/1.1"}, &error);
  ASSERT_NE(tls, nullptr) << error;
  Exchange e = Play(*tls, Path("ca.pem"), "http/1.1");
  ASSERT_FALSE(e.handshake) << e.handshake.message();
  EXPECT_EQ(e.alpn, "http/1.1");
  EXPECT_EQ(e.echoed, "hola");
  // close_notify: a clean TLS end reads as EOF, not as a truncation.
  EXPECT_EQ(e.end, asio::error::eof) << e.end.message();
}

TEST_F(TlsFiles, AfterCloseNotifyTheSocketClosesWithoutWaitingForThePeers) {
  std::string error;
  auto tls = ServerTls::Load(Path("server.pem"), Path("server.key"), {}, &error);
  ASSERT_NE(tls, nullptr) << error;
  // A grace far longer than the read bound: only a close that does not wait passes.
  Exchange e = Play(*tls, Path("ca.pem"), "", std::chrono::milliseconds(30000));
  ASSERT_FALSE(e.handshake) << e.handshake.message();
  EXPECT_EQ(e.echoed, "hola");
  EXPECT_EQ(e.end, asio::error::eof) << e.end.message();
  EXPECT_EQ(e.tcp_end, asio::error::eof) << e.tcp_end.message();
}

TEST_F(TlsFiles, RefusesAnAlpnOfferWithoutItsProtocol) {
  std::string error;
  auto tls = ServerTls::Load(Path("server.pem"), Path("server.key"), {"http/1.1"}, &error);
  ASSERT_NE(tls, nullptr) << error;
  Exchange e = Play(*tls, Path("ca.pem"), "h2");
  EXPECT_TRUE(e.handshake);
  EXPECT_NE(e.handshake.message().find("no application protocol"), std::string::npos)
      << e.handshake.message();
  Exchange none = Play(*tls, Path("ca.pem"), "");
  EXPECT_FALSE(none.handshake) << none.handshake.message();
  EXPECT_EQ(none.alpn, "");
}

}  // namespace
}  // namespace parley::tls
