#include "targets/tls/server_context.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace parley::tls {

namespace {

// Why `path` cannot be read, or "" when it can.
std::string Unreadable(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return std::strerror(errno);
  std::fclose(file);
  return "";
}

// The last OpenSSL error in words, e.g. "no start line"; clears the queue.
std::string LastOpenSslError() {
  unsigned long code = 0;
  unsigned long last = 0;
  while ((code = ERR_get_error()) != 0)
    last = code;
  if (last == 0) return "unknown error";
  const char* reason = ERR_reason_error_string(last);
  return reason != nullptr ? reason : "unknown error";
}

int SelectAlpn(SSL*, const unsigned char** out, unsigned char* out_size, const unsigned char* in,
               unsigned int in_size, void* arg) {
  const auto* ours = static_cast<const std::string*>(arg);
  unsigned char* chosen = nullptr;
  int result =
      SSL_select_next_proto(&chosen, out_size, reinterpret_cast<const unsigned char*>(ours->data()),
                            static_cast<unsigned int>(ours->size()), in, in_size);
  if (result != OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

ServerTls::ServerTls() : context_(boost::asio::ssl::context::tls_server) {}

std::unique_ptr<ServerTls> ServerTls::Load(const std::string& cert_file,
                                           const std::string& key_file,
                                           std::vector<std::string> alpn, std::string* error) {
  if (std::string why = Unreadable(cert_file); !why.empty()) {
    *error = "cannot read the TLS certificate file " + cert_file + ": " + why;
    return nullptr;
  }
  if (std::string why = Unreadable(key_file); !why.empty()) {
    *error = "cannot read the TLS key file " + key_file + ": " + why;
    return nullptr;
  }
  std::unique_ptr<ServerTls> tls(new ServerTls());
  SSL_CTX* ctx = tls->context_.native_handle();
  ERR_clear_error();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Asio's SSL streams move records through memory BIOs: a partial write must be retried with
  // the same buffer, which Asio does, so the moving-buffer mode is safe.
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    *error = "the TLS certificate file " + cert_file +
             " holds no usable PEM certificate: " + LastOpenSslError();
    return nullptr;
  }
  EVP_PKEY* key = nullptr;
  if (BIO* bio = BIO_new_file(key_file.c_str(), "r")) {
    key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
  }
  if (key == nullptr) {
    *error =
        "the TLS key file " + key_file + " holds no usable PEM private key: " + LastOpenSslError();
    return nullptr;
  }
  const bool matches = SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
  EVP_PKEY_free(key);
  if (!matches) {
    *error = "the TLS key in " + key_file + " does not match the certificate in " + cert_file;
    ERR_clear_error();
    return nullptr;
  }
  for (const std::string& protocol : alpn) {
    if (protocol.empty() || protocol.size() > 255) continue;
    tls->alpn_wire_ += static_cast<char>(protocol.size());
    tls->alpn_wire_ += protocol;
  }
  if (!tls->alpn_wire_.empty()) SSL_CTX_set_alpn_select_cb(ctx, SelectAlpn, &tls->alpn_wire_);
  return tls;
}

}  // namespace parley::tls
