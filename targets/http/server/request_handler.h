// RequestHandler: decides what answers a request, from its head alone (routes, methods, static
// files). The session writes the answer (session.h); /echo also needs the body.
//
//   GET|HEAD /            200, the Hola Mundo page
//   any method /echo      200, the request as parsed (echo_report.h)
//   GET|HEAD <file>       200, a file under --root (static_files.h)
//   OPTIONS *             200, Allow: GET, HEAD
//   other known method    405 with Allow on / and files
//   unknown method        501 (CONNECT included: this server is no proxy)
//   bad path spelling     400 (request_path.h)
//   anything else         404
#ifndef PARLEY_TARGETS_HTTP_SERVER_REQUEST_HANDLER_H_
#define PARLEY_TARGETS_HTTP_SERVER_REQUEST_HANDLER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "targets/http/request_head.h"
#include "targets/http/server/static_files.h"

namespace parley::http {

// The page GET / answers.
inline constexpr std::string_view kHolaMundoPage = "<h1>Hola Mundo</h1>\n";
inline constexpr std::string_view kHtmlType = "text/html; charset=utf-8";
inline constexpr std::string_view kTextType = "text/plain; charset=utf-8";

struct Reply {
  enum class Kind : std::uint8_t {
    kPage,     // kHolaMundoPage
    kEcho,     // the echo report, after the body
    kFile,     // `file`
    kOptions,  // empty body, with Allow
    kError,    // status, "error: <error>" body, maybe Allow
  };
  Kind kind = Kind::kError;
  int status = 200;
  std::string_view error;  // kError: the reason named in the body
  std::string_view allow;  // the Allow header, when there is one
  StaticFile file;         // kFile: the open file
};

class RequestHandler {
 public:
  // `files` (may be null: no static root) must outlive the handler.
  explicit RequestHandler(const StaticFiles* files) : files_(files) {}

  // Fills `reply` for `head`. `path` is scratch space for the decoded request path (kept warm by
  // the caller so routing does not allocate). Reply::file is replaced.
  void Route(const RequestHead& head, std::string& path, Reply& reply) const;

 private:
  const StaticFiles* files_;
};

// A whole error response ("error: <reason>" as text, "Connection: close", dated now) for a
// connection that has no session to answer it: over --max-connections, plain HTTP on the TLS
// port.
std::string ClosingErrorResponse(int status, std::string_view reason);

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_REQUEST_HANDLER_H_
