// Verdict: what judging the bytes received so far against an expectation concluded.
#ifndef PARLEY_HARNESS_PLAY_VERDICT_H_
#define PARLEY_HARNESS_PLAY_VERDICT_H_

#include <string>
#include <utility>
#include <vector>

namespace parley::harness {

struct Verdict {
  enum class Kind { kWait, kPass, kFail };

  Kind kind = Kind::kWait;
  std::vector<std::string> captures;  // kPass: regex groups, in written order
  std::string message;                // kFail: what was expected and what arrived

  static Verdict Wait() { return {}; }
  static Verdict Pass(std::vector<std::string> captures = {}) {
    return {Kind::kPass, std::move(captures), ""};
  }
  static Verdict Fail(std::string message) { return {Kind::kFail, {}, std::move(message)}; }
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_VERDICT_H_
