// Expectation: one `expect` step bound to a run of its scenario, judging what arrives on its
// connection. Binding does once what depends only on the step and the variables (rendering
// `${...}`, compiling regexes, reading `file:` payloads); judging is incremental: each call
// looks only at the bytes that arrived since the last one (a compare, a line search or a
// substring search remembers how far it got), so an expectation over N bytes costs O(N)
// however the bytes are split. No sockets: tests drive an Inbox and an HttpExchange by hand.
//
//   auto expectation = BindExpectation(step, vars, &error);
//   for (;;) {
//     Verdict v = expectation->Judge(inbox, http);   // after each change of the inbox
//     if (v.kind != Verdict::Kind::kWait) break;
//   }
#ifndef PARLEY_HARNESS_PLAY_EXPECTATION_H_
#define PARLEY_HARNESS_PLAY_EXPECTATION_H_

#include <memory>
#include <string>

#include "harness/play/http_exchange.h"
#include "harness/play/inbox.h"
#include "harness/play/verdict.h"
#include "harness/scenario/duration.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/template.h"

namespace parley::harness {

class Expectation {
 public:
  virtual ~Expectation() = default;

  // Judges the inbox as it is now. On kPass the expectation consumed what it matched (from the
  // inbox or, for HTTP, the responses). An expectation may also consume, while it waits, bytes
  // it can no longer use (a `contains` search drops what cannot start a match), so memory
  // stays bounded by what it needs. Once it said kPass it is not called again; after kFail it
  // may be (a retried step judges on), and says kFail again for the same reason.
  virtual Verdict Judge(Inbox& inbox, HttpExchange& http) = 0;

  // What to say when the step's deadline passed while Judge still said kWait.
  virtual std::string DescribeTimeout(const Inbox& inbox, const HttpExchange& http,
                                      Duration waited) const = 0;
};

// Binds `expect` (any kind but exit, which the player judges on the target's process) with
// `vars`. `expect` must outlive the result. On an undefined variable, an unreadable payload
// file or a regex that does not compile once values are in, returns nullptr with `*error` set.
std::unique_ptr<Expectation> BindExpectation(const ExpectStep& expect, const Variables& vars,
                                             std::string* error);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_EXPECTATION_H_
