// `parley record`: a recording proxy. Clients connect to --listen, the recorder relays them to
// the server (--to, TLS with tls://), and when it is stopped (SIGINT, SIGTERM or --connections)
// it writes what was said as one scenario file (--out) that `parley run` replays against the
// same server. The recorder is harness/record/; docs/recording.md has the options and choices.
#ifndef PARLEY_HARNESS_RECORD_COMMAND_H_
#define PARLEY_HARNESS_RECORD_COMMAND_H_

#include <string>
#include <vector>

namespace parley::harness {

// Exit codes: 0 the file was written; 1 nothing to write (no client reached the server) or the
// file could not be written; 2 bad command line, or the recorder cannot listen.
int CommandRecord(const std::vector<std::string>& args);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_RECORD_COMMAND_H_
