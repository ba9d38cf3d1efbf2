// The findings of one `parley fuzz` campaign, shared by all its workers (--jobs): each
// signature is saved once, by the worker that saw it first; every later sighting, by any
// worker, counts a hit. Signatures an earlier campaign saved (--resume) are known from the
// start and only counted.
//
// Used from the io_context's thread only (the workers are coroutines on it). A worker claims a
// new signature before it minimizes and saves it, so that another worker seeing the same one
// meanwhile counts a hit instead of saving it twice.
#ifndef PARLEY_HARNESS_NETFUZZ_FINDING_BOOK_H_
#define PARLEY_HARNESS_NETFUZZ_FINDING_BOOK_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harness/netfuzz/finding.h"

namespace parley::harness {

class FindingBook {
 public:
  // A signature an earlier campaign saved.
  void AddKnown(const std::string& signature);

  // True when `signature` was never seen: the caller must then Add the finding. Otherwise
  // counts a hit on it and returns false.
  bool Claim(const std::string& signature);
  // Saves the claimed finding (with the hits counted while it was being minimized).
  void Add(Finding finding);
  void AddWriteError(std::string error) { write_errors_.push_back(std::move(error)); }

  const std::vector<Finding>& findings() const { return findings_; }
  std::size_t size() const { return findings_.size(); }
  const std::vector<std::string>& write_errors() const { return write_errors_; }
  // (seconds, findings) each time the number of findings grew.
  const std::vector<std::pair<double, std::size_t>>& over_time() const { return over_time_; }

 private:
  static constexpr std::size_t kNotSaved = static_cast<std::size_t>(-1);
  std::vector<Finding> findings_;
  // signature -> index in findings_, or kNotSaved (resumed, or claimed and not yet added)
  std::map<std::string, std::size_t> known_;
  std::map<std::string, std::uint64_t> pending_hits_;  // hits on claimed, not yet added ones
  std::vector<std::string> write_errors_;
  std::vector<std::pair<double, std::size_t>> over_time_;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_NETFUZZ_FINDING_BOOK_H_
