// The body of a /echo response: the request as the server parsed it, one "key: value" line per
// item, so scenarios can match it line by line. docs/http-server.md documents it:
//
//   method: POST
//   target: /echo?x=1
//   version: HTTP/1.1
//   header: Host: example.com        (one line per field line, in the order received)
//   header: Transfer-Encoding: chunked
//   framing: chunked                 (none, content-length or chunked)
//   body-length: 5
//   hello                            (exactly body-length bytes of decoded body, then nothing)
//
// Lines end with LF. Field values cannot contain CR or LF (the parser rejects them), so every
// line before the body is exactly one item.
#ifndef PARLEY_TARGETS_HTTP_SERVER_ECHO_REPORT_H_
#define PARLEY_TARGETS_HTTP_SERVER_ECHO_REPORT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "targets/http/request_head.h"

namespace parley::http {

// Appends the lines from "method:" through "framing:".
void AppendEchoHead(const RequestHead& head, std::string& out);

// The size of the "body-length" line and the body that follow the head lines.
std::uint64_t EchoBodySize(std::string_view body);

// Appends "body-length: N" and the body.
void AppendEchoBody(std::string_view body, std::string& out);

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_ECHO_REPORT_H_
