// TlsSession: the client side of one TLS connection as a pure state machine over OpenSSL, with
// no I/O of its own. Ciphertext from the socket goes in with Feed(); what must go out is taken
// with TakeOutput(); plaintext comes out of Read() and goes in through Write(). The Connection
// moves the bytes, so the runner keeps full control of the wire: each Write() becomes its own
// TLS record(s), close_notify can be sent while reading goes on, and a peer's close_notify is
// told apart from a bare FIN.
//
//   auto tls = TlsSession::Create(config, &error);       // null: a bad file or option
//   while (tls->Handshake() == kWantInput) { send TakeOutput(); Feed(socket bytes); }
//   send TakeOutput();  // the handshake's last flight
//
// Asio's ssl::stream is not used here: it cannot send close_notify without also taking over
// reading (its shutdown waits for the peer's close_notify and discards application data that
// arrives after ours), which a test client must be able to do. The servers use it.
#ifndef PARLEY_HARNESS_PLAY_TLS_SESSION_H_
#define PARLEY_HARNESS_PLAY_TLS_SESSION_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace parley::harness {

// What the client offers and checks, with every value already rendered and every file path
// resolved.
struct TlsClientConfig {
  std::string sni;                // empty: no server name sent
  std::string verify_name;        // the name the certificate must carry (empty: not checked)
  std::vector<std::string> alpn;  // offered in order; empty: no ALPN
  bool verify = true;             // the peer's certificate chain must verify
  std::string ca_file;            // trust these CAs; empty: the system's
  std::string cert_file;          // client certificate (with key_file)
  std::string key_file;
  std::string min_version;   // "1.2" or "1.3"; empty: 1.2
  std::string max_version;   // empty: the highest
  std::string ciphers;       // OpenSSL cipher list for TLS 1.2
  std::string ciphersuites;  // TLS 1.3 suites
};

// What was negotiated, for transcripts, reports and `expect: {tls: ...}`.
struct TlsSummary {
  std::string version;       // "1.2", "1.3"
  std::string cipher;        // "TLS_AES_256_GCM_SHA384"
  std::string alpn;          // empty when none was agreed
  std::string peer_subject;  // RFC 2253, "CN=localhost,O=parley tests"; empty without a certificate
  std::string peer_issuer;
  std::vector<std::string> peer_san;  // "DNS:localhost", "IP:127.0.0.1"
};

class TlsSession {
 public:
  enum class Status { kDone, kWantInput, kFailed };
  enum class ReadStatus { kData, kWantInput, kClosed, kFailed };

  // Null on a bad option or an unreadable file, with `*error` naming it.
  static std::unique_ptr<TlsSession> Create(const TlsClientConfig& config, std::string* error);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Ciphertext received from the peer.
  void Feed(std::string_view ciphertext);
  // Ciphertext to send now (may be empty).
  std::string TakeOutput();

  // Advances the handshake. kFailed: error() says why (with the certificate check's reason).
  Status Handshake();

  // Up to `size` plaintext bytes into `to`; `*n` is set with kData. kClosed: the peer sent
  // close_notify. kFailed: error() says why.
  ReadStatus Read(char* to, std::size_t size, std::size_t* n);
  // Encrypts all of `plaintext` (one or more records; take them with TakeOutput()). False
  // after a failure or once close_notify was sent.
  bool Write(std::string_view plaintext);
  // Queues close_notify (take it with TakeOutput()); reading may go on.
  void SendCloseNotify();

  TlsSummary Summary() const;
  const std::string& error() const { return error_; }

 private:
  TlsSession() = default;
  std::string Failure(int result, const char* what);

  struct Native;
  std::unique_ptr<Native> native_;
  std::string error_;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_TLS_SESSION_H_
