// TLS steps as the player plays them, without I/O: a scenario's TlsOptions rendered into the
// TlsClientConfig a TlsSession takes, and the judging of `expect: {tls: ...}` and of an
// `expect_failure` on a handshake.
#ifndef PARLEY_HARNESS_PLAY_TLS_PLAY_H_
#define PARLEY_HARNESS_PLAY_TLS_PLAY_H_

#include <optional>
#include <string>

#include "harness/play/tls_session.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/template.h"

namespace parley::harness {

// Renders `options` for a connection to `host`. The server name sent (SNI) and checked is
// `sni` when given, else `host` (an IP address is sent no SNI and is checked against the
// certificate's IP names). Relative file paths are taken from options.dir. Nullopt on an
// undefined variable, with `*error` saying which.
std::optional<TlsClientConfig> RenderTlsConfig(const TlsOptions& options, const std::string& host,
                                               const Variables& vars, std::string* error);

// "" when `summary` passes `check`, else what differs. `tls`: whether the connection speaks TLS.
std::string JudgeTls(const TlsCheck& check, bool tls, const TlsSummary& summary,
                     const Variables& vars);

// The outcome of a handshake against its step's `expect_failure` (if any): "" when the step
// passes, else its failure message. `error` is the handshake's failure ("" when it succeeded).
std::string JudgeHandshake(const std::string& error, const std::optional<TextMatch>& expect_failure,
                           const TlsSummary& summary, const Variables& vars);

// "TLS 1.3, TLS_AES_256_GCM_SHA384, ALPN http/1.1, peer CN=localhost": for messages.
std::string DescribeTls(const TlsSummary& summary);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_TLS_PLAY_H_
