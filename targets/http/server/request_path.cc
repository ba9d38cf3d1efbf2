#include "targets/http/server/request_path.h"

#include <cstddef>

namespace parley::http {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The path and query part of the target, without the query.
std::string_view RawPath(std::string_view target, TargetForm form) {
  if (form == TargetForm::kAbsolute) {
    const std::size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return {};
    target.remove_prefix(scheme_end + 3);
    const std::size_t path_begin = target.find_first_of("/?");
    if (path_begin == std::string_view::npos || target[path_begin] == '?') return "/";
    target.remove_prefix(path_begin);
  }
  return target.substr(0, target.find('?'));
}

PathError Decode(std::string_view raw, std::string& out) {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      const int high = i + 2 < raw.size() ? HexValue(raw[i + 1]) : -1;
      const int low = high >= 0 ? HexValue(raw[i + 2]) : -1;
      if (low < 0) return PathError::kBadPercentEncoding;
      c = static_cast<char>(high * 16 + low);
      i += 2;
    }
    if (c == '\0') return PathError::kNulInPath;
    if (c == '\\') return PathError::kBackslashInPath;
    out.push_back(c);
  }
  return PathError::kNone;
}

bool HasDotSegment(std::string_view path) {
  std::size_t begin = 0;
  while (begin <= path.size()) {
    std::size_t end = path.find('/', begin);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(begin, end - begin);
    if (segment == "." || segment == "..") return true;
    begin = end + 1;
  }
  return false;
}

}  // namespace

std::string_view PathErrorText(PathError error) {
  switch (error) {
    case PathError::kNone:
      return "none";
    case PathError::kNotAPath:
      return "not-a-path";
    case PathError::kBadPercentEncoding:
      return "bad-percent-encoding";
    case PathError::kNulInPath:
      return "nul-in-path";
    case PathError::kBackslashInPath:
      return "backslash-in-path";
    case PathError::kDotSegment:
      return "dot-segment";
  }
  return "unknown-path-error";
}

PathError DecodeRequestPath(std::string_view target, TargetForm form, std::string& out) {
  out.clear();
  if (form != TargetForm::kOrigin && form != TargetForm::kAbsolute) return PathError::kNotAPath;
  const std::string_view raw = RawPath(target, form);
  if (raw.empty() || raw[0] != '/') return PathError::kNotAPath;
  if (PathError error = Decode(raw, out); error != PathError::kNone) return error;
  if (HasDotSegment(out)) return PathError::kDotSegment;
  return PathError::kNone;
}

}  // namespace parley::http
