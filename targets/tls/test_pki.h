// TestCa: a throw-away certificate authority for tests, made in memory at test time, so no
// private key is ever committed. Keys are ECDSA P-256, signatures SHA-256.
//
//   TestCa ca("parley test CA");
//   Pem server = ca.Issue({.common_name = "localhost", .dns_names = {"localhost"},
//                          .ip_addresses = {"127.0.0.1"}});
//   WriteTextFile(dir + "/server.pem", server.certificate);
//
// Tests only: failures (which OpenSSL does not report for valid inputs) abort.
#ifndef PARLEY_TARGETS_TLS_TEST_PKI_H_
#define PARLEY_TARGETS_TLS_TEST_PKI_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace parley::tls {

struct Pem {
  std::string certificate;
  std::string private_key;
};

struct CertificateSpec {
  std::string common_name;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  // Validity, relative to now: the default is an hour ago until a day from now; a negative
  // `valid_until` makes an expired certificate.
  std::chrono::seconds valid_from = std::chrono::hours(-1);
  std::chrono::seconds valid_until = std::chrono::hours(24);
  bool client = false;  // extended key usage clientAuth instead of serverAuth
};

class TestCa {
 public:
  explicit TestCa(const std::string& name);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::string& certificate() const { return certificate_pem_; }
  Pem Issue(const CertificateSpec& spec) const;

 private:
  struct Keys;
  std::unique_ptr<Keys> keys_;
  std::string certificate_pem_;
};

// Writes `text` to `path` (mode 0600); false on failure.
bool WriteTextFile(const std::string& path, const std::string& text);

// A fresh directory /tmp/<prefix>XXXXXX holding server.pem and server.key: a certificate from
// `ca` for localhost and 127.0.0.1, and its key. Returns the directory, or "" on failure; the
// caller removes it.
std::string WriteServerFiles(const TestCa& ca, const std::string& prefix);

}  // namespace parley::tls

#endif  // PARLEY_TARGETS_TLS_TEST_PKI_H_
