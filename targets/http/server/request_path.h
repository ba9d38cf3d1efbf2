// The path a request names: taken from the request-target, percent-decoded, and checked so that
// joining it under a directory can never leave that directory by its spelling ("..", "%2e%2e",
// NUL, backslashes). Symbolic links are static_files.h's concern.
#ifndef PARLEY_TARGETS_HTTP_SERVER_REQUEST_PATH_H_
#define PARLEY_TARGETS_HTTP_SERVER_REQUEST_PATH_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "targets/http/request_head.h"

namespace parley::http {

enum class PathError : std::uint8_t {
  kNone = 0,
  kNotAPath,            // asterisk- or authority-form: the target names no path
  kBadPercentEncoding,  // "%" not followed by two hex digits
  kNulInPath,           // a decoded NUL byte
  kBackslashInPath,     // a backslash, raw or decoded
  kDotSegment,          // a "." or ".." segment, raw or decoded
};

// A stable kebab-case text, e.g. "dot-segment"; the body of the 400 response.
std::string_view PathErrorText(PathError error);

// Writes the decoded path of an origin-form ("/a/b?q") or absolute-form ("http://h/a/b?q")
// target into `out` (replacing its contents), without the query: "/a/b". An absolute-form target
// with no path gives "/". `out` keeps its capacity, so a warm string is not reallocated.
PathError DecodeRequestPath(std::string_view target, TargetForm form, std::string& out);

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_REQUEST_PATH_H_
