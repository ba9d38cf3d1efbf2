#include "targets/http/server/request_handler.h"

#include "targets/http/server/date_cache.h"
#include "targets/http/server/request_path.h"
#include "targets/http/server/response.h"

namespace parley::http {

namespace {

constexpr std::string_view kAllowRead = "GET, HEAD";

// Methods of RFC 9110 (and PATCH, RFC 5789) that this server knows. A resource that does not
// allow one answers 405; any other method answers 501. CONNECT is left out: this is no proxy.
bool IsKnownMethod(std::string_view method) {
  for (std::string_view known :
       {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"}) {
    if (method == known) return true;
  }
  return false;
}

bool IsRead(std::string_view method) {
  return method == "GET" || method == "HEAD";
}

void Fail(int status, std::string_view error, Reply& reply) {
  reply.kind = Reply::Kind::kError;
  reply.status = status;
  reply.error = error;
  reply.allow = {};
}

void Answer(Reply::Kind kind, Reply& reply) {
  reply.kind = kind;
  reply.status = 200;
  reply.error = {};
  reply.allow = {};
}

}  // namespace

void RequestHandler::Route(const RequestHead& head, std::string& path, Reply& reply) const {
  reply.file = StaticFile();
  if (head.target_form == TargetForm::kAsterisk && head.method == "OPTIONS") {
    Answer(Reply::Kind::kOptions, reply);
    reply.allow = kAllowRead;
    return;
  }
  const PathError path_error = DecodeRequestPath(head.target, head.target_form, path);
  if (path_error == PathError::kNone && path == "/echo") return Answer(Reply::Kind::kEcho, reply);
  if (!IsKnownMethod(head.method)) return Fail(501, "method-not-implemented", reply);
  if (path_error == PathError::kNotAPath) return Fail(404, "not-found", reply);
  if (path_error != PathError::kNone) return Fail(400, PathErrorText(path_error), reply);

  const bool read = IsRead(head.method);
  if (path == "/") {
    if (read) return Answer(Reply::Kind::kPage, reply);
    Fail(405, "method-not-allowed", reply);
    reply.allow = kAllowRead;
    return;
  }
  if (files_ == nullptr) return Fail(404, "not-found", reply);
  switch (files_->Find(path, reply.file)) {
    case LookupStatus::kFound:
      if (read) return Answer(Reply::Kind::kFile, reply);
      reply.file = StaticFile();
      Fail(405, "method-not-allowed", reply);
      reply.allow = kAllowRead;
      return;
    case LookupStatus::kForbidden:
      return Fail(403, "forbidden", reply);
    case LookupStatus::kNotFound:
      return Fail(404, "not-found", reply);
  }
}

std::string ClosingErrorResponse(int status, std::string_view reason) {
  DateCache dates;
  std::string response;
  ResponseHead head;
  head.status = status;
  head.content_type = kTextType;
  head.content_length = ErrorBodySize(reason);
  head.connection = ConnectionHeader::kClose;
  AppendResponseHead(head, dates.Now(), response);
  AppendErrorBody(reason, response);
  return response;
}

}  // namespace parley::http
