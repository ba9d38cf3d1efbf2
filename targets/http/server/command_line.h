// The http-server command line: flags into a ServerConfig, with readable errors.
//
//   CommandLine cl = ParseCommandLine(argc, argv);
//   switch (cl.action) { kRun: serve cl.config; kHelp/kVersion: print cl.text, exit 0;
//                        kUsageError: print cl.text to stderr, exit 2 }
//
// Boost.Program_options does the flag syntax; values with units are parsed here so that a bad
// value names the flag and the accepted spellings.
#ifndef PARLEY_TARGETS_HTTP_SERVER_COMMAND_LINE_H_
#define PARLEY_TARGETS_HTTP_SERVER_COMMAND_LINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "targets/http/server/config.h"

namespace parley::http {

struct CommandLine {
  enum class Action : std::uint8_t { kRun, kHelp, kVersion, kUsageError };
  Action action = Action::kRun;
  ServerConfig config;  // meaningful for kRun
  std::string text;     // the help text, the version line, or the usage error
};

// Never throws. argv[0] is the program name and is ignored.
CommandLine ParseCommandLine(int argc, const char* const* argv);

// "500ms", "10s", "2m", "1.5s" or plain seconds ("5", "0.25"). nullopt if malformed, negative or
// longer than a day.
std::optional<Duration> ParseDuration(std::string_view text);

// Plain bytes or with a binary suffix: "16384", "16k", "1m", "1g" (case-insensitive).
std::optional<std::uint64_t> ParseByteSize(std::string_view text);

// "http-server (parley) 0.1.0": the program name and the project version.
std::string_view VersionLine();

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_COMMAND_LINE_H_
