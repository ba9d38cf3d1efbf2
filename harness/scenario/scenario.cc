#include "harness/scenario/scenario.h"

#include <algorithm>

namespace parley::harness {

const TargetUse* Scenario::FindTarget(const std::string& target_name) const {
  for (const TargetUse& use : targets) {
    if (use.name == target_name) return &use;
  }
  return nullptr;
}

bool Scenario::HasTag(const std::string& tag) const {
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

}  // namespace parley::harness
