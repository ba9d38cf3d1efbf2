#include "targets/tls/test_pki.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace parley::tls {

namespace {

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "TestCa: %s failed\n", what);
  std::abort();
}

EVP_PKEY* NewKey() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  Check(key != nullptr, "EVP_EC_gen");
  return key;
}

std::string ToPem(X509* certificate) {
  BIO* bio = BIO_new(BIO_s_mem());
  Check(PEM_write_bio_X509(bio, certificate) == 1, "PEM_write_bio_X509");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

std::string ToPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  Check(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

void AddExtension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  Check(extension != nullptr, "X509V3_EXT_conf_nid");
  Check(X509_add_ext(certificate, extension, -1) == 1, "X509_add_ext");
  X509_EXTENSION_free(extension);
}

// A certificate for `key` named `name`, valid over [from, until] from now, not yet signed.
X509* NewCertificate(EVP_PKEY* key, const std::string& name, std::chrono::seconds from,
                     std::chrono::seconds until) {
  X509* certificate = X509_new();
  Check(X509_set_version(certificate, 2) == 1, "X509_set_version");
  unsigned char serial[16];
  Check(RAND_bytes(serial, sizeof serial) == 1, "RAND_bytes");
  serial[0] &= 0x7f;  // positive
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  Check(BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate)) != nullptr, "serial");
  BN_free(number);
  X509_gmtime_adj(X509_getm_notBefore(certificate), static_cast<long>(from.count()));
  X509_gmtime_adj(X509_getm_notAfter(certificate), static_cast<long>(until.count()));
  X509_NAME* subject = X509_get_subject_name(certificate);
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("parley tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  Check(X509_set_pubkey(certificate, key) == 1, "X509_set_pubkey");
  return certificate;
}

}  // namespace

struct TestCa::Keys {
  EVP_PKEY* key = nullptr;
  X509* certificate = nullptr;
  ~Keys() {
    X509_free(certificate);
    EVP_PKEY_free(key);
  }
};

TestCa::TestCa(const std::string& name) : keys_(std::make_unique<Keys>()) {
  keys_->key = NewKey();
  X509* certificate =
      NewCertificate(keys_->key, name, std::chrono::hours(-1), std::chrono::hours(24 * 30));
  Check(X509_set_issuer_name(certificate, X509_get_subject_name(certificate)) == 1, "issuer");
  AddExtension(certificate, certificate, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(certificate, certificate, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(certificate, certificate, NID_subject_key_identifier, "hash");
  Check(X509_sign(certificate, keys_->key, EVP_sha256()) > 0, "X509_sign");
  keys_->certificate = certificate;
  certificate_pem_ = ToPem(certificate);
}

TestCa::~TestCa() = default;

Pem TestCa::Issue(const CertificateSpec& spec) const {
  EVP_PKEY* key = NewKey();
  X509* certificate = NewCertificate(key, spec.common_name, spec.valid_from, spec.valid_until);
  Check(X509_set_issuer_name(certificate, X509_get_subject_name(keys_->certificate)) == 1,
        "issuer");
  AddExtension(certificate, keys_->certificate, NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(certificate, keys_->certificate, NID_key_usage,
               "critical,digitalSignature,keyEncipherment");
  AddExtension(certificate, keys_->certificate, NID_ext_key_usage,
               spec.client ? "clientAuth" : "serverAuth");
  AddExtension(certificate, keys_->certificate, NID_subject_key_identifier, "hash");
  AddExtension(certificate, keys_->certificate, NID_authority_key_identifier, "keyid:always");
  std::string names;
  for (const std::string& dns : spec.dns_names)
    names += (names.empty() ? "DNS:" : ",DNS:") + dns;
  for (const std::string& ip : spec.ip_addresses)
    names += (names.empty() ? "IP:" : ",IP:") + ip;
  if (!names.empty()) AddExtension(certificate, keys_->certificate, NID_subject_alt_name, names);
  Check(X509_sign(certificate, keys_->key, EVP_sha256()) > 0, "X509_sign");
  Pem pem{ToPem(certificate), ToPem(key)};
  X509_free(certificate);
  EVP_PKEY_free(key);
  return pem;
}

bool WriteTextFile(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return ::close(fd) == 0;
}

std::string WriteServerFiles(const TestCa& ca, const std::string& prefix) {
  std::string dir = "/tmp/" + prefix + "XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) return "";
  const Pem server = ca.Issue(
      {.common_name = "localhost", .dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1"}});
  if (!WriteTextFile(dir + "/server.pem", server.certificate) ||
      !WriteTextFile(dir + "/server.key", server.private_key)) {
    return "";
  }
  return dir;
}

}  // namespace parley::tls
