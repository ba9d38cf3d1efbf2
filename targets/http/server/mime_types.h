// Content-Type of a static file, by the extension of its name.
#ifndef PARLEY_TARGETS_HTTP_SERVER_MIME_TYPES_H_
#define PARLEY_TARGETS_HTTP_SERVER_MIME_TYPES_H_

#include <string_view>

namespace parley::http {

// The media type for `path`'s extension (case-insensitive), with "; charset=utf-8" for text
// types; "application/octet-stream" for unknown or missing extensions.
std::string_view ContentTypeFor(std::string_view path);

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_MIME_TYPES_H_
