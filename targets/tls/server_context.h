// ServerTls: what a server needs to speak TLS, built once at start-up from a certificate chain
// and a private key in PEM files (as nginx's ssl_certificate and ssl_certificate_key) and
// shared by every connection and thread (OpenSSL's SSL_CTX is safe to share once built).
//
//   std::string error;
//   auto tls = ServerTls::Load(cert_file, key_file, {"http/1.1"}, &error);
//   if (!tls) { print error; exit 1 }
//   TlsStream stream(std::move(socket), tls->context());
//
// TLS 1.2 and 1.3 only; OpenSSL's default ciphers; session tickets on. With `alpn` the server
// picks the first of its protocols the client offers, and ends a handshake that offers ALPN
// without any of them with the no_application_protocol alert (RFC 7301 section 3.2); a client
// that offers no ALPN is served. Without `alpn` the extension is ignored.
#ifndef PARLEY_TARGETS_TLS_SERVER_CONTEXT_H_
#define PARLEY_TARGETS_TLS_SERVER_CONTEXT_H_

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <vector>

namespace parley::tls {

class ServerTls {
 public:
  // Nullopt-like: null on failure, with `*error` saying which file and why (unreadable, not a
  // PEM certificate or key, a key that does not match the certificate).
  static std::unique_ptr<ServerTls> Load(const std::string& cert_file, const std::string& key_file,
                                         std::vector<std::string> alpn, std::string* error);

  ServerTls(const ServerTls&) = delete;
  ServerTls& operator=(const ServerTls&) = delete;

  boost::asio::ssl::context& context() { return context_; }

 private:
  ServerTls();

  boost::asio::ssl::context context_;
  std::string alpn_wire_;  // the protocols as ALPN's wire format: length-prefixed, in order
};

}  // namespace parley::tls

#endif  // PARLEY_TARGETS_TLS_SERVER_CONTEXT_H_
