#include "harness/play/tls_play.h"

#include <boost/asio/ip/address.hpp>

#include "harness/play/bound_match.h"

namespace parley::harness {
namespace {

bool IsAddress(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

std::optional<std::string> RenderPath(const std::optional<Template>& path, const std::string& dir,
                                      const Variables& vars, std::string* error) {
  if (!path) return std::string();
  auto text = path->Render(vars, error);
  if (!text) return std::nullopt;
  if (!text->empty() && text->front() != '/' && !dir.empty()) return dir + "/" + *text;
  return text;
}

// "" when `actual` matches, else "WHAT is "actual", expected ...".
std::string Compare(const char* what, const std::optional<TextMatch>& match,
                    const std::string& actual, const Variables& vars) {
  if (!match) return "";
  std::string error;
  auto bound = BoundMatch::Bind(*match, vars, &error);
  if (!bound) return error;
  if (bound->Matches(actual)) return "";
  return std::string(what) + " is \"" + actual + "\", expected " + bound->Describe();
}

}  // namespace

std::optional<TlsClientConfig> RenderTlsConfig(const TlsOptions& options, const std::string& host,
                                               const Variables& vars, std::string* error) {
  TlsClientConfig config;
  std::string name = host;
  if (options.sni) {
    auto sni = options.sni->Render(vars, error);
    if (!sni) return std::nullopt;
    name = *sni;
  }
  if (!options.no_sni && !IsAddress(name)) config.sni = name;
  config.verify_name = name;
  config.alpn = options.alpn;
  config.verify = options.verify;
  auto ca = RenderPath(options.ca, options.dir, vars, error);
  auto cert = RenderPath(options.cert, options.dir, vars, error);
  auto key = RenderPath(options.key, options.dir, vars, error);
  if (!ca || !cert || !key) return std::nullopt;
  config.ca_file = *ca;
  config.cert_file = *cert;
  config.key_file = *key;
  config.min_version = options.min_version;
  config.max_version = options.max_version;
  config.ciphers = options.ciphers;
  config.ciphersuites = options.ciphersuites;
  return config;
}

std::string JudgeTls(const TlsCheck& check, bool tls, const TlsSummary& summary,
                     const Variables& vars) {
  if (!tls) return "the connection does not speak TLS";
  std::string failures;
  auto add = [&failures](const std::string& failure) {
    if (!failure.empty()) failures += (failures.empty() ? "" : "; ") + failure;
  };
  if (!check.version.empty() && check.version != summary.version) {
    add("the TLS version is " + summary.version + ", expected " + check.version);
  }
  add(Compare("the ALPN protocol", check.alpn, summary.alpn, vars));
  add(Compare("the cipher", check.cipher, summary.cipher, vars));
  add(Compare("the peer's subject", check.subject, summary.peer_subject, vars));
  add(Compare("the peer's issuer", check.issuer, summary.peer_issuer, vars));
  for (const std::string& san : check.san) {
    bool found = false;
    for (const std::string& have : summary.peer_san)
      found = found || have == san;
    if (!found) {
      std::string list;
      for (const std::string& have : summary.peer_san)
        list += (list.empty() ? "" : ", ") + have;
      add("the peer's certificate has no " + san + " (it has " +
          (list.empty() ? std::string("no alternative names") : list) + ")");
    }
  }
  return failures;
}

std::string JudgeHandshake(const std::string& error, const std::optional<TextMatch>& expect_failure,
                           const TlsSummary& summary, const Variables& vars) {
  if (!expect_failure) return error;
  if (error.empty()) {
    return "expected the TLS handshake to fail, but it succeeded (" + DescribeTls(summary) + ")";
  }
  std::string bind_error;
  auto bound = BoundMatch::Bind(*expect_failure, vars, &bind_error);
  if (!bound) return bind_error;
  if (bound->Matches(error)) return "";
  return "the TLS handshake failed, but not as expected: " + error + "\nexpected a failure " +
         bound->Describe();
}

std::string DescribeTls(const TlsSummary& s) {
  std::string text = "TLS " + s.version + ", " + s.cipher;
  text += s.alpn.empty() ? ", no ALPN" : ", ALPN " + s.alpn;
  if (!s.peer_subject.empty()) text += ", peer " + s.peer_subject;
  return text;
}

}  // namespace parley::harness
