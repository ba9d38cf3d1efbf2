// Strict UTF-8 validation (RFC 3629): the chat protocol's rule for what a line may contain.
#ifndef PARLEY_TARGETS_CHAT_UTF8_H_
#define PARLEY_TARGETS_CHAT_UTF8_H_

#include <string_view>

namespace parley::chat {

// True when `bytes` is well-formed UTF-8: no overlong forms, no surrogates (U+D800..U+DFFF), no
// code point above U+10FFFF, no stray continuation byte and no truncated sequence at the end.
// Reads only the bytes of `bytes`; never allocates.
bool IsValidUtf8(std::string_view bytes);

}  // namespace parley::chat

#endif  // PARLEY_TARGETS_CHAT_UTF8_H_
