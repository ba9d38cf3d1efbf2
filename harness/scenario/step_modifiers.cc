#include "harness/scenario/step_modifiers.h"

#include "harness/scenario/yaml_checks.h"

namespace parley::harness {
namespace {

void LoadRetry(const YamlNode& retry, Step* step) {
  if (!retry.is_map()) {
    step->retries = static_cast<int>(RequireInt(retry, "'retry'", 1, 100));
    return;
  }
  CheckKeys(retry, {"times", "delay"}, "'retry'");
  const YamlNode* times = retry.Find("times");
  if (times == nullptr) Fail(retry, "'retry' needs 'times'");
  step->retries = static_cast<int>(RequireInt(*times, "'times'", 1, 100));
  if (const YamlNode* d = retry.Find("delay")) step->retry_delay = RequireDuration(*d, "'delay'");
}

}  // namespace

void LoadModifiers(const YamlNode& map, Step* step) {
  if (const YamlNode* t = map.Find("timeout")) step->timeout = RequireDuration(*t, "'timeout'");
  if (const YamlNode* r = map.Find("retry")) LoadRetry(*r, step);
}

}  // namespace parley::harness
