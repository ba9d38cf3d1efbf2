// What makes a `parley fuzz` finding unique, read from what the target wrote to stderr and how
// it ended: the error type (a sanitizer's, an assertion, an uncaught exception, else the exit)
// and the top frames of the first stack, with runtime and library frames left out. The same
// rules as the in-process campaign's triage (ci/fuzz/triage.py), so a bug found both ways has
// the same name.
#ifndef PARLEY_HARNESS_NETFUZZ_CRASH_SIGNATURE_H_
#define PARLEY_HARNESS_NETFUZZ_CRASH_SIGNATURE_H_

#include <string>
#include <string_view>
#include <vector>

namespace parley::harness {

struct CrashReport {
  std::string kind;                 // e.g. "asan: heap-buffer-overflow", "killed by signal 6"
  std::vector<std::string> frames;  // up to three function names, innermost first
  std::string head;                 // the report's first lines, for the morning report

  // "kind | frame < frame < frame"
  std::string Signature() const;
};

// `ending`: how the process ended (ExitStatus::ToString), or empty while it runs.
CrashReport ClassifyCrash(std::string_view stderr_text, std::string_view ending);

// "parley::http::Foo::Bar(int) const /src/x.cc:12:3" -> "parley::http::Foo::Bar".
std::string FunctionName(std::string_view frame_text);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_NETFUZZ_CRASH_SIGNATURE_H_
