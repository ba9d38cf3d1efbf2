// ScenarioWriter: a Recording -> the text of one scenario file that `parley run` replays against
// the same server. Events are written in the order the recorder saw them, which keeps cause
// before effect across connections (a line sent on c1 comes before its relay expected on c2):
//
//   accepted client       connect: cN          (the order the server saw the connections)
//   client bytes          send                 (text with escapes; hex when binary; long runs
//                                               of one byte as repeat pieces)
//   server bytes          expect               (by protocol: stream_writers.h)
//   client FIN / RST      shutdown / close {how: reset}
//   server FIN / RST      expect {closed: true} / {reset: true}
//
// The protocol of each connection is the one given, or detected: an HTTP request line as the
// first client bytes -> http; UDP -> datagrams; text both ways -> lines; else bytes.
#ifndef PARLEY_HARNESS_RECORD_SCENARIO_WRITER_H_
#define PARLEY_HARNESS_RECORD_SCENARIO_WRITER_H_

#include <optional>
#include <string>
#include <vector>

#include "harness/record/recording.h"
#include "harness/record/stream_writers.h"

namespace parley::harness {

struct ScenarioOptions {
  std::string name = "recorded session";
  // The target connections go to (`target: NAME`); empty: `vars: {server: ADDRESS}` and every
  // connect names `address: ${server}`.
  std::string target;
  std::string server;  // the server's "HOST:PORT" as the recorder reached it
  // With no target and a TLS server: the connect's `tls:` value, e.g. "{verify: false}".
  std::string tls;
  std::optional<StreamProtocol> protocol;  // nullopt: detected per connection
  // Literal "HOST:PORT" texts clients used to reach the recorder (and the server's own): they
  // become the server's address variable.
  std::vector<std::string> addresses;
  HeaderPolicy headers;
  std::vector<std::string> volatile_patterns;
  std::vector<std::string> comment;  // lines for the header comment, without '#'
};

struct WrittenScenario {
  std::string yaml;
  int steps = 0;      // 0: nothing to replay (no connection reached the server)
  std::string error;  // a bad option (a --volatile pattern): nothing written
};

WrittenScenario WriteScenario(const Recording& recording, const ScenarioOptions& options);

// The protocol detected for connection `c` (see above).
StreamProtocol DetectProtocol(const Recording& recording, int c);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_RECORD_SCENARIO_WRITER_H_
