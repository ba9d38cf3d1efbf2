#include "harness/scenario/tls_loader.h"

#include "harness/scenario/expect_loader.h"
#include "harness/scenario/step_modifiers.h"
#include "harness/scenario/yaml_checks.h"

namespace parley::harness {
namespace {

int VersionRank(const std::string& version) {
  if (version == "1.0") return 0;
  if (version == "1.1") return 1;
  if (version == "1.2") return 2;
  if (version == "1.3") return 3;
  return -1;
}

std::string LoadVersion(const YamlNode& node, std::string_view what) {
  const std::string& version = RequireString(node, what);
  if (VersionRank(version) < 0) {
    Fail(node, std::string(what) + " must be \"1.2\" or \"1.3\" (or \"1.0\", \"1.1\"), quoted");
  }
  return version;
}

std::vector<std::string> LoadAlpn(const YamlNode& node) {
  std::vector<std::string> protocols;
  for (const YamlNode* item : ListOrOne(node)) {
    const std::string& protocol = RequireString(*item, "an ALPN protocol");
    if (protocol.empty() || protocol.size() > 255) {
      Fail(*item, "an ALPN protocol is 1 to 255 bytes, e.g. http/1.1 or h2");
    }
    protocols.push_back(protocol);
  }
  if (protocols.empty()) Fail(node, "'alpn' lists the protocols to offer, e.g. [h2, http/1.1]");
  return protocols;
}

}  // namespace

TlsOptions LoadTlsOptions(const YamlNode& node, const std::string& dir,
                          const TemplateReader& read_template) {
  TlsOptions tls;
  tls.dir = dir;
  tls.where = PositionOf(node);
  if (node.is_scalar()) {
    if (!RequireBool(node, "'tls'")) Fail(node, "'tls: false' belongs only on a connection");
    return tls;
  }
  RequireMap(node, "'tls'");
  CheckKeys(node,
            {"sni", "alpn", "verify", "ca", "cert", "key", "min_version", "max_version", "ciphers",
             "ciphersuites"},
            "'tls'");
  if (const YamlNode* sni = node.Find("sni")) {
    if (sni->is_scalar() && (sni->scalar == "false" || sni->scalar == "no")) {
      tls.no_sni = true;
    } else {
      tls.sni = read_template(*sni, "'sni'");
    }
  }
  if (const YamlNode* alpn = node.Find("alpn")) tls.alpn = LoadAlpn(*alpn);
  if (const YamlNode* verify = node.Find("verify")) tls.verify = RequireBool(*verify, "'verify'");
  if (const YamlNode* ca = node.Find("ca")) tls.ca = read_template(*ca, "'ca'");
  if (const YamlNode* cert = node.Find("cert")) tls.cert = read_template(*cert, "'cert'");
  if (const YamlNode* key = node.Find("key")) tls.key = read_template(*key, "'key'");
  if (tls.cert.has_value() != tls.key.has_value()) {
    Fail(node, tls.cert ? "'cert' needs its 'key'" : "'key' needs its 'cert'");
  }
  if (const YamlNode* v = node.Find("min_version"))
    tls.min_version = LoadVersion(*v, "'min_version'");
  if (const YamlNode* v = node.Find("max_version"))
    tls.max_version = LoadVersion(*v, "'max_version'");
  if (!tls.min_version.empty() && !tls.max_version.empty() &&
      VersionRank(tls.min_version) > VersionRank(tls.max_version)) {
    Fail(*node.Find("max_version"), "'max_version' is below 'min_version'");
  }
  if (const YamlNode* c = node.Find("ciphers")) tls.ciphers = RequireString(*c, "'ciphers'");
  if (const YamlNode* c = node.Find("ciphersuites")) {
    tls.ciphersuites = RequireString(*c, "'ciphersuites'");
  }
  return tls;
}

TlsOptions LoadTlsOptions(const YamlNode& node, LoadScope& scope) {
  return LoadTlsOptions(node, scope.scenario().dir,
                        [&scope](const YamlNode& n, std::string_view what) {
                          return scope.ReadTemplate(n, what, false);
                        });
}

TlsCheck LoadTlsCheck(const YamlNode& node, LoadScope& scope) {
  RequireMap(node, "'tls'");
  CheckKeys(node, {"version", "alpn", "cipher", "peer"}, "'tls'");
  TlsCheck check;
  if (const YamlNode* v = node.Find("version")) check.version = LoadVersion(*v, "'version'");
  if (const YamlNode* a = node.Find("alpn")) check.alpn = LoadTextMatch(*a, "'alpn'", scope);
  if (const YamlNode* c = node.Find("cipher")) check.cipher = LoadTextMatch(*c, "'cipher'", scope);
  if (const YamlNode* peer = node.Find("peer")) {
    RequireMap(*peer, "'peer'");
    CheckKeys(*peer, {"subject", "issuer", "san"}, "'peer'");
    if (const YamlNode* s = peer->Find("subject")) {
      check.subject = LoadTextMatch(*s, "'subject'", scope);
    }
    if (const YamlNode* i = peer->Find("issuer"))
      check.issuer = LoadTextMatch(*i, "'issuer'", scope);
    if (const YamlNode* san = peer->Find("san")) {
      for (const YamlNode* item : ListOrOne(*san)) {
        const std::string& name = RequireString(*item, "a subject alternative name");
        if (!name.starts_with("DNS:") && !name.starts_with("IP:")) {
          Fail(*item, "a subject alternative name is written DNS:name or IP:address");
        }
        check.san.push_back(name);
      }
    }
  }
  if (node.entries.empty())
    Fail(node, "'tls' needs something to check: version, alpn, cipher or peer");
  return check;
}

StartTlsStep LoadStartTls(const YamlNode& node, Step* step, LoadScope& scope) {
  StartTlsStep s;
  if (!node.is_scalar()) {
    RequireMap(node, "'starttls'");
    CheckKeys(node, {"on", "tls", "expect_failure", "timeout", "retry"}, "'starttls'");
  }
  s.on = scope.UseNamedConnection(node);
  if (scope.TransportOf(s.on) != Transport::kTcp) Fail(node, "'starttls' needs a TCP connection");
  if (node.is_map()) {
    if (const YamlNode* tls = node.Find("tls")) {
      s.tls = LoadTlsOptions(*tls, scope);
    } else {
      s.tls.dir = scope.scenario().dir;
    }
    if (const YamlNode* f = node.Find("expect_failure")) {
      s.expect_failure = LoadTextMatch(*f, "'expect_failure'", scope);
    }
    LoadModifiers(node, step);
  } else {
    s.tls.dir = scope.scenario().dir;
  }
  return s;
}

}  // namespace parley::harness
