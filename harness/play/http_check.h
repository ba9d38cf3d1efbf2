// BoundHttpCheck: an `expect: http` step made ready to judge responses: the texts it matches
// bound once, when the step starts (variables substituted, regexes compiled).
#ifndef PARLEY_HARNESS_PLAY_HTTP_CHECK_H_
#define PARLEY_HARNESS_PLAY_HTTP_CHECK_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "harness/http/response_reader.h"
#include "harness/play/bound_match.h"
#include "harness/play/verdict.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/template.h"

namespace parley::harness {

class BoundHttpCheck {
 public:
  // `check` must outlive the result. On an undefined variable or a regex that does not compile
  // once values are in, returns nullopt and says why in `*error`.
  static std::optional<BoundHttpCheck> Bind(const HttpCheck& check, const Variables& vars,
                                            std::string* error);

  // Judges one response; `index` is its 1-based position on the connection and `nth` its
  // 0-based position among the count() responses this check judges. A failure lists every
  // mismatch, not only the first, and shows the response's head.
  Verdict Check(const HttpResponse& response, std::size_t index, std::size_t nth) const;

  // How many responses in a row must each pass.
  std::size_t count() const { return check_->count; }
  // False when nothing looks at the body's bytes (at most at its length), so the reader need
  // not keep them.
  bool needs_body() const { return body_.has_value(); }

 private:
  const HttpCheck* check_ = nullptr;
  std::optional<BoundMatch> reason_;
  std::vector<std::optional<BoundMatch>> header_values_;  // one per check_->headers
  std::optional<BoundMatch> body_;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_HTTP_CHECK_H_
