#include "harness/play/tls_session.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace parley::harness {

namespace {

int ProtocolVersion(const std::string& text) {
  if (text == "1.0") return TLS1_VERSION;
  if (text == "1.1") return TLS1_1_VERSION;
  if (text == "1.2") return TLS1_2_VERSION;
  if (text == "1.3") return TLS1_3_VERSION;
  return -1;
}

// The reason of the last OpenSSL error, e.g. "wrong version number"; clears the queue.
std::string LastReason() {
  unsigned long code = 0;
  unsigned long last = 0;
  while ((code = ERR_get_error()) != 0)
    last = code;
  if (last == 0) return "";
  const char* reason = ERR_reason_error_string(last);
  return reason != nullptr ? reason : "error " + std::to_string(ERR_GET_REASON(last));
}

std::string Unreadable(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return std::strerror(errno);
  std::fclose(file);
  return "";
}

std::string NameText(const X509_NAME* name) {
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return text;
}

std::vector<std::string> SubjectAltNames(X509* certificate) {
  std::vector<std::string> names;
  auto* general = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (general == nullptr) return names;
  for (int i = 0; i < sk_GENERAL_NAME_num(general); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(general, i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* s = name->d.dNSName;
      names.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                           static_cast<std::size_t>(ASN1_STRING_length(s))));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = {};
      const int family = ASN1_STRING_length(ip) == 16 ? AF_INET6 : AF_INET;
      if (inet_ntop(family, ASN1_STRING_get0_data(ip), text, sizeof text) != nullptr) {
        names.push_back(std::string("IP:") + text);
      }
    }
  }
  GENERAL_NAMES_free(general);
  return names;
}

}  // namespace

struct TlsSession::Native {
  SSL_CTX* context = nullptr;
  SSL* ssl = nullptr;
  BIO* in = nullptr;   // ciphertext from the peer; owned by ssl
  BIO* out = nullptr;  // ciphertext to the peer; owned by ssl
  bool closing = false;
  ~Native() {
    SSL_free(ssl);
    SSL_CTX_free(context);
  }
};

TlsSession::~TlsSession() = default;

std::unique_ptr<TlsSession> TlsSession::Create(const TlsClientConfig& config, std::string* error) {
  for (const std::string* file : {&config.ca_file, &config.cert_file, &config.key_file}) {
    if (file->empty()) continue;
    if (std::string why = Unreadable(*file); !why.empty()) {
      *error = "cannot read " + *file + ": " + why;
      return nullptr;
    }
  }
  std::unique_ptr<TlsSession> session(new TlsSession());
  session->native_ = std::make_unique<Native>();
  Native& n = *session->native_;
  ERR_clear_error();
  n.context = SSL_CTX_new(TLS_client_method());
  if (n.context == nullptr) {
    *error = "cannot set up TLS: " + LastReason();
    return nullptr;
  }
  const int low = config.min_version.empty() ? TLS1_2_VERSION : ProtocolVersion(config.min_version);
  const int high = config.max_version.empty() ? 0 : ProtocolVersion(config.max_version);
  if (low < 0 || high < 0) {
    *error = "unknown TLS version (use \"1.2\" or \"1.3\")";
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(n.context, low);
  SSL_CTX_set_max_proto_version(n.context, high);
  if (low < TLS1_2_VERSION) SSL_CTX_set_security_level(n.context, 0);  // let 1.0/1.1 through
  if (!config.ciphers.empty() && SSL_CTX_set_cipher_list(n.context, config.ciphers.c_str()) != 1) {
    *error = "no TLS 1.2 cipher matches '" + config.ciphers + "'";
    ERR_clear_error();
    return nullptr;
  }
  if (!config.ciphersuites.empty() &&
      SSL_CTX_set_ciphersuites(n.context, config.ciphersuites.c_str()) != 1) {
    *error = "no TLS 1.3 cipher suite matches '" + config.ciphersuites + "'";
    ERR_clear_error();
    return nullptr;
  }
  if (config.verify) {
    SSL_CTX_set_verify(n.context, SSL_VERIFY_PEER, nullptr);
    const int loaded = config.ca_file.empty() ? SSL_CTX_set_default_verify_paths(n.context)
                                              : SSL_CTX_load_verify_locations(
                                                    n.context, config.ca_file.c_str(), nullptr);
    if (loaded != 1) {
      *error = "cannot load the CA certificates" +
               (config.ca_file.empty() ? std::string() : " of " + config.ca_file) + ": " +
               LastReason();
      return nullptr;
    }
  }
  if (!config.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(n.context, config.cert_file.c_str()) != 1) {
      *error = config.cert_file + " holds no usable PEM certificate: " + LastReason();
      return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(n.context, config.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(n.context) != 1) {
      *error = "the key in " + config.key_file + " is not a PEM private key for " +
               config.cert_file + ": " + LastReason();
      return nullptr;
    }
  }
  n.ssl = SSL_new(n.context);
  n.in = BIO_new(BIO_s_mem());
  n.out = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(n.in, -1);  // no bytes yet means "retry", not end of stream
  SSL_set_bio(n.ssl, n.in, n.out);
  SSL_set_connect_state(n.ssl);
  if (!config.sni.empty() && SSL_set_tlsext_host_name(n.ssl, config.sni.c_str()) != 1) {
    *error = "cannot send the server name '" + config.sni + "': " + LastReason();
    return nullptr;
  }
  if (config.verify && !config.verify_name.empty()) {
    X509_VERIFY_PARAM* param = SSL_get0_param(n.ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    // An address is checked against the certificate's IP names, a name against its DNS names.
    if (X509_VERIFY_PARAM_set1_ip_asc(param, config.verify_name.c_str()) != 1) {
      ERR_clear_error();
      X509_VERIFY_PARAM_set1_host(param, config.verify_name.c_str(), 0);
    }
  }
  if (!config.alpn.empty()) {
    std::string wire;
    for (const std::string& protocol : config.alpn) {
      wire += static_cast<char>(protocol.size());
      wire += protocol;
    }
    SSL_set_alpn_protos(n.ssl, reinterpret_cast<const unsigned char*>(wire.data()),
                        static_cast<unsigned>(wire.size()));
  }
  return session;
}

void TlsSession::Feed(std::string_view ciphertext) {
  if (!ciphertext.empty()) {
    BIO_write(native_->in, ciphertext.data(), static_cast<int>(ciphertext.size()));
  }
}

std::string TlsSession::TakeOutput() {
  std::string out;
  const std::size_t pending = BIO_ctrl_pending(native_->out);
  if (pending == 0) return out;
  out.resize(pending);
  const int n = BIO_read(native_->out, out.data(), static_cast<int>(pending));
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

std::string TlsSession::Failure(int result, const char* what) {
  const int code = SSL_get_error(native_->ssl, result);
  const long verified = SSL_get_verify_result(native_->ssl);
  std::string reason = LastReason();
  if (verified != X509_V_OK && reason == "certificate verify failed") {
    return "certificate verify failed: " + std::string(X509_verify_cert_error_string(verified));
  }
  if (!reason.empty()) return reason;
  if (code == SSL_ERROR_SYSCALL || code == SSL_ERROR_ZERO_RETURN) {
    return std::string("the peer ended the connection during the ") + what;
  }
  return std::string(what) + " failed (OpenSSL error " + std::to_string(code) + ")";
}

TlsSession::Status TlsSession::Handshake() {
  ERR_clear_error();
  const int result = SSL_do_handshake(native_->ssl);
  if (result == 1) return Status::kDone;
  const int code = SSL_get_error(native_->ssl, result);
  if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) return Status::kWantInput;
  error_ = Failure(result, "handshake");
  return Status::kFailed;
}

TlsSession::ReadStatus TlsSession::Read(char* to, std::size_t size, std::size_t* n) {
  ERR_clear_error();
  const int result = SSL_read_ex(native_->ssl, to, size, n);
  if (result == 1) return ReadStatus::kData;
  const int code = SSL_get_error(native_->ssl, result);
  if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) return ReadStatus::kWantInput;
  if (code == SSL_ERROR_ZERO_RETURN) return ReadStatus::kClosed;
  error_ = Failure(result, "read");
  return ReadStatus::kFailed;
}

bool TlsSession::Write(std::string_view plaintext) {
  if (native_->closing) return false;
  std::size_t done = 0;
  while (done < plaintext.size()) {
    std::size_t n = 0;
    ERR_clear_error();
    if (SSL_write_ex(native_->ssl, plaintext.data() + done, plaintext.size() - done, &n) != 1) {
      error_ = Failure(0, "write");
      return false;
    }
    done += n;
  }
  return true;
}

void TlsSession::SendCloseNotify() {
  if (native_->closing) return;
  native_->closing = true;
  ERR_clear_error();
  SSL_shutdown(native_->ssl);
  ERR_clear_error();
}

TlsSummary TlsSession::Summary() const {
  TlsSummary s;
  SSL* ssl = native_->ssl;
  std::string version = SSL_get_version(ssl);  // "TLSv1.3"
  s.version = version.rfind("TLSv", 0) == 0 ? version.substr(4) : version;
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl))
    s.cipher = SSL_CIPHER_get_name(cipher);
  const unsigned char* alpn = nullptr;
  unsigned alpn_size = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_size);
  s.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_size);
  if (X509* peer = SSL_get0_peer_certificate(ssl)) {
    s.peer_subject = NameText(X509_get_subject_name(peer));
    s.peer_issuer = NameText(X509_get_issuer_name(peer));
    s.peer_san = SubjectAltNames(peer);
  }
  return s;
}

}  // namespace parley::harness
