#include "targets/http/server/session.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>

#include "targets/http/parse_error.h"
#include "targets/http/server/echo_report.h"

namespace parley::http {

namespace {

bool HasBody(const RequestHead& head) {
  return head.framing == BodyFraming::kChunked ||
         (head.framing == BodyFraming::kContentLength && head.content_length > 0);
}

}  // namespace

Session::Session(SessionContext& context, Clock::time_point now, std::uint64_t id)
    : context_(context), id_(id), read_deadline_(now + context.config.idle_timeout) {}

Session::~Session() {
  if (ws_) context_.pool.Release(std::move(ws_));
}

Session::Action Session::Next(Clock::time_point now) {
  if (close_ == Close::kNow) return Action::kClose;
  if (close_ == Close::kOpen) {
    Process(now);
  } else if (ws_ && ws_->file_remaining > 0 && ws_->out.empty()) {
    // The last response on a closing connection may still be sending its file.
    PumpFile();
  }
  if (ws_ && !ws_->out.empty() && close_ != Close::kNow) {
    if (!sending_) {
      sending_ = true;
      other_deadline_ = now + context_.config.send_timeout;
    }
    return Action::kWrite;
  }
  if (close_ == Close::kOpen) {
    const bool idle = phase_ == Phase::kIdle && !(ws_ && ws_->has_unread());
    if (peer_eof_) close_ = Close::kQuietly;
    if (draining_ && idle) close_ = Close::kNow;
  }
  if (close_ != Close::kOpen) {
    if (!closing_announced_) {
      closing_announced_ = true;
      other_deadline_ = now + context_.config.linger;
    }
    return Action::kClose;
  }
  return Action::kRead;
}

bool Session::last_output() const {
  return (close_ == Close::kAfterOutput || close_ == Close::kQuietly) && ws_ &&
         ws_->file_remaining == 0;
}

std::span<char> Session::ReadSpace() {
  if (!ws_) ws_ = context_.pool.Acquire();
  return ws_->PrepareRead();
}

void Session::Received(std::size_t n, Clock::time_point) {
  ws_->end = std::min(ws_->end + n, ws_->capacity);
}

void Session::ReceivedEof() {
  peer_eof_ = true;
}

void Session::ReleaseIfIdle() {
  if (ws_ && phase_ == Phase::kIdle && !ws_->has_unread() && ws_->out.empty() &&
      ws_->file_remaining == 0) {
    context_.pool.Release(std::move(ws_));
  }
}

std::string_view Session::Output() const {
  return ws_ ? std::string_view(ws_->out) : std::string_view();
}

void Session::Sent(Clock::time_point now) {
  sending_ = false;
  if (!ws_) return;
  ws_->out.clear();
  if (phase_ == Phase::kIdle && !ws_->has_unread()) {
    read_deadline_ = now + context_.config.idle_timeout;
  }
}

Session::Clock::time_point Session::deadline() const {
  if (sending_ || closing_announced_) return other_deadline_;
  return read_deadline_;
}

void Session::Expire(Clock::time_point) {
  if (sending_ || close_ != Close::kOpen) {
    close_ = Close::kNow;
    return;
  }
  switch (phase_) {
    case Phase::kIdle:
      Log("idle timeout");
      close_ = Close::kNow;
      return;
    case Phase::kHead:
      return Fail(408, "header-timeout");
    case Phase::kBody:
      if (answered_) {
        close_ = Close::kNow;
        return;
      }
      return Fail(408, "body-timeout");
  }
}

void Session::Drain() {
  draining_ = true;
  keep_alive_ = false;
}

// Answers every complete request in the buffer, streams file bodies, and stops when input runs
// out, the output is full enough to send, or the connection is to close.
void Session::Process(Clock::time_point now) {
  while (close_ == Close::kOpen && ws_) {
    if (ws_->file_remaining > 0) {
      if (!PumpFile()) return;
      continue;
    }
    if (ws_->out.size() >= kOutputHighWater) return;
    switch (phase_) {
      case Phase::kIdle:
        if (!ws_->has_unread()) return;
        phase_ = Phase::kHead;
        head_only_ = false;
        read_deadline_ = now + context_.config.header_timeout;
        break;
      case Phase::kHead:
        if (!ParseHead(now)) return;
        break;
      case Phase::kBody:
        if (!ReadBody(now)) return;
        break;
    }
  }
}

// Appends the next piece of the file being sent; true once the whole file is in the output.
bool Session::PumpFile() {
  Workspace& ws = *ws_;
  if (ws.out.size() >= kOutputHighWater) return false;
  const std::size_t chunk =
      static_cast<std::size_t>(std::min<std::uint64_t>(ws.file_remaining, kOutputHighWater));
  const std::size_t old_size = ws.out.size();
  ws.out.resize(old_size + chunk);
  ssize_t n;
  do {
    n = ::pread(ws.reply.file.file.fd(), ws.out.data() + old_size, chunk,
                static_cast<off_t>(ws.file_offset));
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    // The file shrank or failed under us; the promised Content-Length cannot be kept.
    ws.out.resize(old_size);
    Log("static file read failed; dropping the connection");
    close_ = Close::kNow;
    return false;
  }
  ws.out.resize(old_size + static_cast<std::size_t>(n));
  ws.file_offset += static_cast<std::uint64_t>(n);
  ws.file_remaining -= static_cast<std::uint64_t>(n);
  if (ws.file_remaining > 0) return false;
  ws.reply.file = StaticFile();
  return true;
}

bool Session::ParseHead(Clock::time_point now) {
  Workspace& ws = *ws_;
  switch (ws.parser.Parse(ws.unread())) {
    case ParseStatus::kIncomplete:
      // The limits size the buffer so that the parser rejects a head before it fills the
      // buffer; this is only a backstop.
      if (ws.unread().size() >= ws.capacity) Fail(431, "request-head-too-large");
      return false;
    case ParseStatus::kError:
      Fail(ErrorStatus(ws.parser.error()), ErrorText(ws.parser.error()));
      return false;
    case ParseStatus::kComplete:
      break;
  }
  OnHead(ws.parser.head(), now);
  ws.begin += ws.parser.head_size();
  ws.parser.Reset();
  return close_ == Close::kOpen;
}

// Everything that needs the head's views happens here, before the buffer can move.
void Session::OnHead(const RequestHead& head, Clock::time_point now) {
  Workspace& ws = *ws_;
  ++requests_;
  keep_alive_ = head.keep_alive && !draining_;
  head_only_ = head.method == "HEAD";
  version_minor_ = static_cast<std::uint8_t>(head.version_minor);
  const bool has_body = HasBody(head);

  context_.handler.Route(head, ws.path, ws.reply);
  Reply& reply = ws.reply;
  if (head.expect == Expectation::kUnsupported) {
    reply.file = StaticFile();
    reply.kind = Reply::Kind::kError;
    reply.status = 417;
    reply.error = "expectation-unsupported";
    reply.allow = {};
  }
  if (!quiet()) {
    Log("%.*s %.*s HTTP/1.%d -> %d", static_cast<int>(head.method.size()), head.method.data(),
        static_cast<int>(head.target.size()), head.target.data(), head.version_minor, reply.status);
  }
  if (has_body && head.framing == BodyFraming::kContentLength &&
      head.content_length > context_.config.limits.max_body) {
    return Fail(ErrorStatus(ParseError::kBodyTooLarge), ErrorText(ParseError::kBodyTooLarge));
  }
  if (reply.kind == Reply::Kind::kEcho) {
    ws.echo.clear();
    ws.echo_body.clear();
    AppendEchoHead(head, ws.echo);
    if (!has_body) return FinishEcho(now);
    // HTTP/1.0 clients do not know 100 Continue (RFC 9110 section 10.1.1).
    if (head.expect == Expectation::kContinue && head.version_minor >= 1) {
      AppendContinue(ws.out);
    }
    return BeginBody(head, true, now);
  }
  // Answering before the body: a client that expected an interim response may never send the
  // body, so the connection cannot be trusted to stay in step.
  if (has_body && head.expect != Expectation::kNone) keep_alive_ = false;
  WriteReply();
  if (has_body && keep_alive_) return BeginBody(head, false, now);
  EndRequest(now);
}

void Session::BeginBody(const RequestHead& head, bool collect, Clock::time_point now) {
  ws_->body.Reset(head.framing, head.content_length);
  phase_ = Phase::kBody;
  collect_ = collect;
  answered_ = !collect;
  read_deadline_ = now + context_.config.body_timeout;
}

bool Session::ReadBody(Clock::time_point now) {
  Workspace& ws = *ws_;
  while (ws.has_unread()) {
    const BodyStep step = ws.body.Read(ws.unread());
    ws.begin += std::min(step.consumed, ws.end - ws.begin);
    if (collect_) ws.echo_body.append(step.data);
    switch (step.status) {
      case BodyStatus::kError:
        if (answered_) {
          // The response is already out; the broken body only means the end of the connection.
          Log("bad body after the response: %.*s", static_cast<int>(ErrorText(step.error).size()),
              ErrorText(step.error).data());
          keep_alive_ = false;
          close_ = Close::kAfterOutput;
        } else {
          Fail(ErrorStatus(step.error), ErrorText(step.error));
        }
        return false;
      case BodyStatus::kDone:
        if (collect_) {
          FinishEcho(now);
        } else {
          EndRequest(now);
        }
        return close_ == Close::kOpen;
      case BodyStatus::kIncomplete:
        if (step.consumed == 0) return false;
        break;
    }
  }
  return false;
}

void Session::WriteReply() {
  Workspace& ws = *ws_;
  Reply& reply = ws.reply;
  ResponseHead head;
  head.status = reply.status;
  head.allow = reply.allow;
  head.connection = connection_header();
  switch (reply.kind) {
    case Reply::Kind::kPage:
      head.content_type = kHtmlType;
      head.content_length = kHolaMundoPage.size();
      break;
    case Reply::Kind::kFile:
      head.content_type = reply.file.content_type;
      head.content_length = reply.file.size;
      head.last_modified = reply.file.last_modified_text();
      break;
    case Reply::Kind::kError:
      head.content_type = kTextType;
      head.content_length = ErrorBodySize(reply.error);
      break;
    case Reply::Kind::kOptions:
    case Reply::Kind::kEcho:
      break;
  }
  AppendResponseHead(head, context_.dates.Now(), ws.out);
  if (head_only_) {
    reply.file = StaticFile();
    return;
  }
  switch (reply.kind) {
    case Reply::Kind::kPage:
      ws.out.append(kHolaMundoPage);
      break;
    case Reply::Kind::kFile:
      ws.file_offset = 0;
      ws.file_remaining = reply.file.size;
      if (ws.file_remaining == 0) reply.file = StaticFile();
      break;
    case Reply::Kind::kError:
      AppendErrorBody(reply.error, ws.out);
      break;
    case Reply::Kind::kOptions:
    case Reply::Kind::kEcho:
      break;
  }
}

void Session::FinishEcho(Clock::time_point now) {
  Workspace& ws = *ws_;
  ResponseHead head;
  head.content_type = kTextType;
  head.content_length = ws.echo.size() + EchoBodySize(ws.echo_body);
  head.connection = connection_header();
  AppendResponseHead(head, context_.dates.Now(), ws.out);
  if (!head_only_) {
    ws.out.append(ws.echo);
    AppendEchoBody(ws.echo_body, ws.out);
  }
  EndRequest(now);
}

void Session::EndRequest(Clock::time_point now) {
  phase_ = Phase::kIdle;
  read_deadline_ = now + context_.config.idle_timeout;
  if (!keep_alive_) close_ = Close::kAfterOutput;
}

// A request that cannot be answered normally: its error response, then close.
void Session::Fail(int status, std::string_view reason) {
  Workspace& ws = *ws_;
  Log("-> %d %.*s", status, static_cast<int>(reason.size()), reason.data());
  keep_alive_ = false;
  ws.reply.file = StaticFile();
  ws.file_remaining = 0;
  ResponseHead head;
  head.status = status;
  head.content_type = kTextType;
  head.content_length = ErrorBodySize(reason);
  head.connection = ConnectionHeader::kClose;
  AppendResponseHead(head, context_.dates.Now(), ws.out);
  if (!head_only_) AppendErrorBody(reason, ws.out);
  phase_ = Phase::kIdle;
  close_ = Close::kAfterOutput;
}

ConnectionHeader Session::connection_header() const {
  if (!keep_alive_) return ConnectionHeader::kClose;
  return version_minor_ == 0 ? ConnectionHeader::kKeepAlive : ConnectionHeader::kNone;
}

bool Session::quiet() const {
  return !context_.config.verbose;
}

void Session::Log(const char* format, ...) const {
  if (quiet()) return;
  char line[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  std::fprintf(stderr, "http-server: connection %llu: %s\n", static_cast<unsigned long long>(id_),
               line);
}

}  // namespace parley::http
