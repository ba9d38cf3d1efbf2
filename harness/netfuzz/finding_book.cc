#include "harness/netfuzz/finding_book.h"

namespace parley::harness {

void FindingBook::AddKnown(const std::string& signature) {
  known_.emplace(signature, kNotSaved);
}

bool FindingBook::Claim(const std::string& signature) {
  auto [it, fresh] = known_.emplace(signature, kNotSaved);
  if (fresh) return true;
  if (it->second != kNotSaved) {
    ++findings_[it->second].hits;
  } else {
    ++pending_hits_[signature];
  }
  return false;
}

void FindingBook::Add(Finding finding) {
  auto pending = pending_hits_.find(finding.signature);
  if (pending != pending_hits_.end()) {
    finding.hits += pending->second;
    pending_hits_.erase(pending);
  }
  known_[finding.signature] = findings_.size();
  over_time_.emplace_back(finding.seconds, findings_.size() + 1);
  findings_.push_back(std::move(finding));
}

}  // namespace parley::harness
