// Reading TLS from YAML: the `tls:` options of a connection, a `starttls` step or a target
// (targets.yaml), and the `expect: {tls: ...}` check of what a handshake negotiated.
//
//   tls: true                      # the defaults: verify with the system's CAs, SNI = host
//   tls: {ca: ca.pem, alpn: [http/1.1], sni: example.com, verify: false,
//         cert: client.pem, key: client.key, min_version: "1.3", max_version: "1.3",
//         ciphers: ECDHE-ECDSA-AES128-GCM-SHA256, ciphersuites: TLS_AES_128_GCM_SHA256}
//
// Failures throw YamlFailure at the offending node, as everywhere in the loader.
#ifndef PARLEY_HARNESS_SCENARIO_TLS_LOADER_H_
#define PARLEY_HARNESS_SCENARIO_TLS_LOADER_H_

#include <functional>
#include <string>
#include <string_view>

#include "harness/scenario/load_scope.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_tree.h"

namespace parley::harness {

// Reads the template written in a node; `what` names it in errors.
using TemplateReader = std::function<Template(const YamlNode& node, std::string_view what)>;

// `true` or a mapping of options; relative file paths will be taken from `dir`.
TlsOptions LoadTlsOptions(const YamlNode& node, const std::string& dir,
                          const TemplateReader& read_template);

// The same inside a scenario: templates may use the variables defined so far.
TlsOptions LoadTlsOptions(const YamlNode& node, LoadScope& scope);

// The value of `expect: {tls: ...}`.
TlsCheck LoadTlsCheck(const YamlNode& node, LoadScope& scope);

// `starttls: NAME` or `starttls: {on, tls, expect_failure, timeout}`.
StartTlsStep LoadStartTls(const YamlNode& node, Step* step, LoadScope& scope);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_TLS_LOADER_H_
