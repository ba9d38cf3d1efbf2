// parley-test-pki DIR: writes a throw-away PKI for the TLS scenarios into DIR, made now with
// the test CA (targets/tls/test_pki.h), so no private key is ever committed:
//
//   ca.pem                   the test CA that signed the rest
//   other-ca.pem             a CA that signed nothing here (verification against it fails)
//   server.pem, server.key   localhost, 127.0.0.1 and ::1; valid from an hour ago for a day
//   expired.pem, expired.key the same names, expired yesterday
//   wrong-name.pem/.key      only wrong-name.example
//   client.pem, client.key   a client certificate (CN=parley client)
//
// Exit 0 when every file was written, 1 otherwise (the reason on stderr).
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "targets/tls/test_pki.h"

namespace {

using parley::tls::CertificateSpec;
using parley::tls::Pem;

bool WritePair(const std::string& dir, const std::string& name, const Pem& pem) {
  return parley::tls::WriteTextFile(dir + "/" + name + ".pem", pem.certificate) &&
         parley::tls::WriteTextFile(dir + "/" + name + ".key", pem.private_key);
}

CertificateSpec Localhost() {
  CertificateSpec spec;
  spec.common_name = "localhost";
  spec.dns_names = {"localhost"};
  spec.ip_addresses = {"127.0.0.1", "::1"};
  return spec;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || argv[1][0] == '-') {
    std::fprintf(stderr, "usage: parley-test-pki DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    std::fprintf(stderr, "parley-test-pki: cannot create %s: %s\n", dir.c_str(),
                 std::strerror(errno));
    return 1;
  }
  parley::tls::TestCa ca("parley test CA");
  parley::tls::TestCa other("parley other CA");
  CertificateSpec expired = Localhost();
  expired.valid_from = std::chrono::hours(-48);
  expired.valid_until = std::chrono::hours(-24);
  CertificateSpec wrong_name;
  wrong_name.common_name = "wrong-name.example";
  wrong_name.dns_names = {"wrong-name.example"};
  CertificateSpec client;
  client.common_name = "parley client";
  client.client = true;
  const bool ok = parley::tls::WriteTextFile(dir + "/ca.pem", ca.certificate()) &&
                  parley::tls::WriteTextFile(dir + "/other-ca.pem", other.certificate()) &&
                  WritePair(dir, "server", ca.Issue(Localhost())) &&
                  WritePair(dir, "expired", ca.Issue(expired)) &&
                  WritePair(dir, "wrong-name", ca.Issue(wrong_name)) &&
                  WritePair(dir, "client", ca.Issue(client));
  if (!ok) {
    std::fprintf(stderr, "parley-test-pki: cannot write into %s: %s\n", dir.c_str(),
                 std::strerror(errno));
    return 1;
  }
  return 0;
}
