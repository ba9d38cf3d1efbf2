// TlsSession against an OpenSSL server in memory: the two exchange ciphertext by hand, so every
// case (verification, ALPN, close_notify) runs without sockets.
#include "harness/play/tls_session.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <stdlib.h>

#include <filesystem>

#include "targets/tls/server_context.h"
#include "targets/tls/test_pki.h"

namespace parley::harness {
namespace {

using tls::CertificateSpec;
using tls::Pem;
using tls::TestCa;

// The server side: an SSL over memory BIOs with the server context of the in-tree targets.
class MemoryServer {
 public:
  explicit MemoryServer(SSL_CTX* context) : ssl_(SSL_new(context)) {
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in_, -1);
    SSL_set_bio(ssl_, in_, out_);
    SSL_set_accept_state(ssl_);
  }
  ~MemoryServer() { SSL_free(ssl_); }

  void Feed(const std::string& bytes) {
    BIO_write(in_, bytes.data(), static_cast<int>(bytes.size()));
  }
  std::string Take() {
    std::string out(BIO_ctrl_pending(out_), '\0');
    if (!out.empty()) BIO_read(out_, out.data(), static_cast<int>(out.size()));
    return out;
  }
  void Step() { SSL_do_handshake(ssl_); }
  std::string Read() {
    char buffer[256];
    std::size_t n = 0;
    return SSL_read_ex(ssl_, buffer, sizeof buffer, &n) == 1 ? std::string(buffer, n) : "";
  }
  void Write(const std::string& text) {
    std::size_t n = 0;
    SSL_write_ex(ssl_, text.data(), text.size(), &n);
  }
  void Close() { SSL_shutdown(ssl_); }
  SSL* ssl() { return ssl_; }

 private:
  SSL* ssl_;
  BIO* in_;
  BIO* out_;
};

class TlsSessionTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/parley-tls-session-XXXXXX";
    dir_ = mkdtemp(pattern);
    Issue("server",
          {.common_name = "localhost", .dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1"}});
    CertificateSpec expired;
    expired.common_name = "localhost";
    expired.dns_names = {"localhost"};
    expired.valid_from = std::chrono::hours(-48);
    expired.valid_until = std::chrono::hours(-24);
    Issue("expired", expired);
    tls::WriteTextFile(Path("ca.pem"), ca_.certificate());
    TestCa other("another CA");
    tls::WriteTextFile(Path("other-ca.pem"), other.certificate());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Issue(const std::string& name, const CertificateSpec& spec) {
    Pem pem = ca_.Issue(spec);
    tls::WriteTextFile(Path(name + ".pem"), pem.certificate);
    tls::WriteTextFile(Path(name + ".key"), pem.private_key);
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::unique_ptr<tls::ServerTls> Server(const std::string& name = "server") {
    std::string error;
    auto server =
        tls::ServerTls::Load(Path(name + ".pem"), Path(name + ".key"), {"http/1.1"}, &error);
    EXPECT_NE(server, nullptr) << error;
    return server;
  }

  TlsClientConfig Config() const {
    TlsClientConfig config;
    config.sni = "localhost";
    config.verify_name = "localhost";
    config.ca_file = Path("ca.pem");
    return config;
  }

  // Runs the handshake to its end; returns the client's final status.
  static TlsSession::Status Shake(TlsSession& client, MemoryServer& server) {
    for (int round = 0; round < 10; ++round) {
      TlsSession::Status status = client.Handshake();
      server.Feed(client.TakeOutput());
      server.Step();
      client.Feed(server.Take());
      if (status != TlsSession::Status::kWantInput) return status;
    }
    return TlsSession::Status::kWantInput;
  }

  TestCa ca_{"parley test CA"};
  std::string dir_;
};

TEST_F(TlsSessionTest, HandshakesAndSaysWhatWasNegotiated) {
  auto server_tls = Server();
  MemoryServer server(server_tls->context().native_handle());
  TlsClientConfig config = Config();
  config.alpn = {"h2", "http/1.1"};
  std::string error;
  auto client = TlsSession::Create(config, &error);
  ASSERT_NE(client, nullptr) << error;
  ASSERT_EQ(Shake(*client, server), TlsSession::Status::kDone) << client->error();
  TlsSummary s = client->Summary();
  EXPECT_EQ(s.version, "1.3");
  EXPECT_EQ(s.cipher.rfind("TLS_", 0), 0u) << s.cipher;
  EXPECT_EQ(s.alpn, "http/1.1");
  EXPECT_EQ(s.peer_subject, "CN=localhost,O=parley tests");
  EXPECT_EQ(s.peer_issuer, "CN=parley test CA,O=parley tests");
  EXPECT_EQ(s.peer_san, (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1"}));
}

TEST_F(TlsSessionTest, CarriesDataBothWaysAndTellsCloseNotify) {
  auto server_tls = Server();
  MemoryServer server(server_tls->context().native_handle());
  std::string error;
  auto client = TlsSession::Create(Config(), &error);
  ASSERT_NE(client, nullptr) << error;
  ASSERT_EQ(Shake(*client, server), TlsSession::Status::kDone) << client->error();
  ASSERT_TRUE(client->Write("ping"));
  server.Feed(client->TakeOutput());
  EXPECT_EQ(server.Read(), "ping");
  server.Write("pong");
  server.Close();
  client->Feed(server.Take());
  char buffer[64];
  std::size_t n = 0;
  ASSERT_EQ(client->Read(buffer, sizeof buffer, &n), TlsSession::ReadStatus::kData);
  EXPECT_EQ(std::string(buffer, n), "pong");
  EXPECT_EQ(client->Read(buffer, sizeof buffer, &n), TlsSession::ReadStatus::kClosed);
  // Reading on after our own close_notify is what a test client needs.
  client->SendCloseNotify();
  EXPECT_FALSE(client->TakeOutput().empty());
  EXPECT_FALSE(client->Write("late"));
}

TEST_F(TlsSessionTest, VerificationFailuresSayWhy) {
  struct Case {
    std::string server;
    std::string ca;
    std::string name;
    std::string error;
  };
  for (const Case& c :
       {Case{"server", "other-ca.pem", "localhost",
             "certificate verify failed: unable to get local issuer certificate"},
        Case{"server", "ca.pem", "example.com", "certificate verify failed: hostname mismatch"},
        Case{"server", "ca.pem", "127.0.0.2", "certificate verify failed: IP address mismatch"},
        Case{"expired", "ca.pem", "localhost",
             "certificate verify failed: certificate has expired"}}) {
    auto server_tls = Server(c.server);
    MemoryServer server(server_tls->context().native_handle());
    TlsClientConfig config = Config();
    config.ca_file = Path(c.ca);
    config.verify_name = c.name;
    std::string error;
    auto client = TlsSession::Create(config, &error);
    ASSERT_NE(client, nullptr) << error;
    EXPECT_EQ(Shake(*client, server), TlsSession::Status::kFailed) << c.name;
    EXPECT_EQ(client->error(), c.error);
  }
}

TEST_F(TlsSessionTest, WithoutVerificationAnyCertificateIsTaken) {
  auto server_tls = Server("expired");
  MemoryServer server(server_tls->context().native_handle());
  TlsClientConfig config = Config();
  config.verify = false;
  std::string error;
  auto client = TlsSession::Create(config, &error);
  ASSERT_NE(client, nullptr) << error;
  EXPECT_EQ(Shake(*client, server), TlsSession::Status::kDone) << client->error();
}

TEST_F(TlsSessionTest, AnAlpnOfferTheServerRefusesFailsTheHandshake) {
  auto server_tls = Server();
  MemoryServer server(server_tls->context().native_handle());
  TlsClientConfig config = Config();
  config.alpn = {"h2"};
  std::string error;
  auto client = TlsSession::Create(config, &error);
  ASSERT_NE(client, nullptr) << error;
  EXPECT_EQ(Shake(*client, server), TlsSession::Status::kFailed);
  EXPECT_EQ(client->error(), "tlsv1 alert no application protocol");
}

TEST_F(TlsSessionTest, VersionLimitsAndCiphersAreApplied) {
  auto server_tls = Server();
  MemoryServer server(server_tls->context().native_handle());
  TlsClientConfig config = Config();
  config.max_version = "1.2";
  config.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
  std::string error;
  auto client = TlsSession::Create(config, &error);
  ASSERT_NE(client, nullptr) << error;
  ASSERT_EQ(Shake(*client, server), TlsSession::Status::kDone) << client->error();
  EXPECT_EQ(client->Summary().version, "1.2");
  EXPECT_EQ(client->Summary().cipher, "ECDHE-ECDSA-AES128-GCM-SHA256");
}

TEST_F(TlsSessionTest, BadOptionsAndFilesAreErrorsUpFront) {
  std::string error;
  TlsClientConfig config = Config();
  config.ca_file = Path("missing.pem");
  EXPECT_EQ(TlsSession::Create(config, &error), nullptr);
  EXPECT_EQ(error, "cannot read " + Path("missing.pem") + ": No such file or directory");
  config = Config();
  config.ciphers = "NO-SUCH-CIPHER";
  EXPECT_EQ(TlsSession::Create(config, &error), nullptr);
  EXPECT_EQ(error, "no TLS 1.2 cipher matches 'NO-SUCH-CIPHER'");
  config = Config();
  config.cert_file = Path("server.pem");
  config.key_file = Path("expired.key");
  EXPECT_EQ(TlsSession::Create(config, &error), nullptr);
  EXPECT_EQ(error.rfind("the key in " + Path("expired.key") + " is not a PEM private key for", 0),
            0u)
      << error;
}

}  // namespace
}  // namespace parley::harness
