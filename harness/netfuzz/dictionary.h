// Dictionaries for `parley fuzz`: tokens a mutation may insert. Read from files in the format
// AFL++ and libFuzzer share (one token per line, `name="value"` or `"value"`, `#` comments,
// escapes \\ \" \xNN), and gathered from the payloads of the selected scenarios.
#ifndef PARLEY_HARNESS_NETFUZZ_DICTIONARY_H_
#define PARLEY_HARNESS_NETFUZZ_DICTIONARY_H_

#include <string>
#include <string_view>
#include <vector>

namespace parley::harness {

// Appends the tokens of a dictionary file's text to `*tokens`. On a malformed line returns
// false with `*error` = "LINE:COLUMN: what is wrong" (the caller adds the file's name).
bool ParseDictionary(std::string_view text, std::vector<std::string>* tokens, std::string* error);

// Reads and parses the file at `path`; errors name it ("path:line:column: ...").
bool LoadDictionary(const std::string& path, std::vector<std::string>* tokens, std::string* error);

// Tokens worth inserting found in a payload: its words (runs of letters, digits, '-', '_',
// '/', '.'), the field names of its header-like lines ("Name:"), and its line ends.
void AddPayloadTokens(std::string_view payload, std::vector<std::string>* tokens);

// Sorts the tokens, drops duplicates and empty ones, and keeps at most `most`, shortest first.
void TidyTokens(std::vector<std::string>* tokens, std::size_t most);

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_NETFUZZ_DICTIONARY_H_
