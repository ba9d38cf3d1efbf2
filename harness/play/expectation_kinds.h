// The kinds of Expectation behind BindExpectation, each bound by its own function.
// REQUIRES of each: `expect.kind` is one it judges. See BindExpectation for the contract.
#ifndef PARLEY_HARNESS_PLAY_EXPECTATION_KINDS_H_
#define PARLEY_HARNESS_PLAY_EXPECTATION_KINDS_H_

#include <memory>
#include <string>

#include "harness/play/expectation.h"

namespace parley::harness {

// line_expectation.cc: `line` and `lines` (in order or in any order). A line ends at LF (a CR
// before it is not part of it) or, on UDP, at the end of a datagram.
std::unique_ptr<Expectation> BindLines(const ExpectStep& expect, const Variables& vars,
                                       std::string* error);

// line_expectation.cc: `never`: no line matching arrives while the step lasts; lines are looked
// at, not consumed.
std::unique_ptr<Expectation> BindNever(const ExpectStep& expect, const Variables& vars,
                                       std::string* error);

// bytes_expectation.cc: `bytes` (exactly these come next), `contains` (these arrive, after
// anything) and `datagram` (the next UDP datagram, whole, as bytes or as text).
std::unique_ptr<Expectation> BindBytes(const ExpectStep& expect, const Variables& vars,
                                       std::string* error);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_EXPECTATION_KINDS_H_
