// Reading the bytes a scenario sends or expects (a Payload) from YAML: `text` (a template with
// the scenario escapes), `hex`, `file` (resolved against the scenario's folder and, with
// LoadOptions::check_files, required to exist), `repeat` with `count`, and `data`, a list that
// mixes them. Nothing is rendered or read here: that happens at play time (RenderPayload).
//
// Failures throw YamlFailure at the offending node, as everywhere in the loader.
#ifndef PARLEY_HARNESS_SCENARIO_PAYLOAD_LOADER_H_
#define PARLEY_HARNESS_SCENARIO_PAYLOAD_LOADER_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "harness/scenario/load_scope.h"
#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_tree.h"

namespace parley::harness {

// The payload keys of the mapping `map` (text, hex, file, repeat with count, or data): exactly
// one must be there. The caller checks the other keys of `map`; `what` names it in errors.
Payload LoadPayloadKeys(const YamlNode& map, std::string_view what, LoadScope& scope);

// A payload written as a value: a string (text), a list (the items of data) or a mapping of
// payload keys.
Payload LoadPayloadValue(const YamlNode& node, std::string_view what, LoadScope& scope);

// Appends the bytes of `text`, pairs of hex digits with optional whitespace between pairs, to
// `*out`. On a bad digit, whitespace inside a pair or an odd digit at the end returns false with
// `*bad` set to the offset of the offending character (text.size() for the odd digit).
bool DecodeHex(std::string_view text, std::string* out, std::size_t* bad);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_SCENARIO_PAYLOAD_LOADER_H_
