#include "harness/netfuzz/fuzz_plan.h"

#include <map>

namespace parley::harness {
namespace {

// Whether a step after the mutated send still belongs in the iteration.
bool KeptAfterMutation(const Step& step) {
  if (auto* expect = std::get_if<ExpectStep>(&step.action)) return expect->invariant;
  return true;
}

FuzzPoint MakePoint(const Scenario& seed, std::size_t at, const std::string& target) {
  FuzzPoint point;
  point.seed = &seed;
  point.target = target;
  point.label = seed.file + ":" + std::to_string(seed.steps[at].where.line);
  point.played = seed;
  point.played.steps.clear();
  for (std::size_t i = 0; i < seed.steps.size(); ++i) {
    const Step& step = seed.steps[i];
    if (i > at && !KeptAfterMutation(step)) continue;
    point.played.steps.push_back(step);
    point.origin.push_back(i);
    if (i > at) {
      if (auto* send = std::get_if<SendStep>(&point.played.steps.back().action)) {
        send->allow_close = true;  // the peer may well have closed after the mutated bytes
      }
    }
  }
  point.at = at;  // nothing before it was left out
  return point;
}

}  // namespace

std::size_t FuzzPoint::StepAt(const SourcePosition& where) const {
  for (std::size_t i = 0; i < played.steps.size(); ++i) {
    const SourcePosition& w = played.steps[i].where;
    if (w.line == where.line && w.column == where.column) return i;
  }
  return played.steps.size();
}

std::vector<FuzzPoint> FuzzPoints(const std::vector<const Scenario*>& scenarios) {
  std::vector<FuzzPoint> points;
  for (const Scenario* s : scenarios) {
    if (!s->skip.empty()) continue;
    std::map<std::string, std::string> target_of;  // connection -> target
    for (std::size_t i = 0; i < s->steps.size(); ++i) {
      const Step& step = s->steps[i];
      if (auto* c = std::get_if<ConnectStep>(&step.action)) target_of[c->name] = c->target;
      auto* send = std::get_if<SendStep>(&step.action);
      if (send == nullptr || !send->fuzz) continue;
      points.push_back(MakePoint(*s, i, target_of[send->on]));
    }
  }
  return points;
}

}  // namespace parley::harness
