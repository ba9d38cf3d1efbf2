// Session: one connection's HTTP/1.1 logic without any I/O. Bytes go in, response bytes and a
// close decision come out, and the caller (connection.h over a socket, a test, a fuzzer) moves
// the bytes. Time is passed in, so timeouts are testable without waiting.
//
//   Session session(context, now);
//   for (;;) switch (session.Next(now)) {
//     case Action::kRead:  n = read(session.ReadSpace()); session.Received(n, now) or
//                          session.ReceivedEof(); break;
//     case Action::kWrite: write all of session.Output(); session.Sent(now); break;
//     case Action::kClose: if (session.linger()) { shut down sending; read and discard until
//                          EOF or session.deadline() } close; return;
//   }
//   // Whenever session.deadline() passes first: session.Expire(now), then Next() again.
//
// Requests are answered in order; all requests already received are answered before the next
// write, in one batch (up to kOutputHighWater bytes). Memory: the session borrows a Workspace
// (workspace.h) while a request is in progress and returns it when idle (ReleaseIfIdle).
#ifndef PARLEY_TARGETS_HTTP_SERVER_SESSION_H_
#define PARLEY_TARGETS_HTTP_SERVER_SESSION_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "targets/http/request_head.h"
#include "targets/http/server/config.h"
#include "targets/http/server/date_cache.h"
#include "targets/http/server/request_handler.h"
#include "targets/http/server/response.h"
#include "targets/http/server/workspace.h"

namespace parley::http {

// What every session of one event loop shares. Everything must outlive the sessions.
struct SessionContext {
  const ServerConfig& config;
  const RequestHandler& handler;
  WorkspacePool& pool;
  DateCache& dates;
};

class Session {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Action : std::uint8_t { kRead, kWrite, kClose };

  // Output is flushed before more requests are answered once it reaches this size.
  static constexpr std::size_t kOutputHighWater = 64 * 1024;

  // `id` only labels log lines.
  Session(SessionContext& context, Clock::time_point now, std::uint64_t id = 0);
  ~Session();

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Answers what can be answered from the bytes received so far and says what to do next.
  Action Next(Clock::time_point now);

  // After kRead: where to put received bytes (never empty). Borrows a workspace if needed.
  std::span<char> ReadSpace();
  // `n` bytes (n > 0) were written at the start of the last ReadSpace().
  void Received(std::size_t n, Clock::time_point now);
  // The peer will send nothing more: answer what is complete, then close.
  void ReceivedEof();
  // Returns the workspace to the pool if no request is in progress. Call before waiting for
  // input without a buffer; the next ReadSpace() borrows one again.
  void ReleaseIfIdle();

  // After kWrite: the bytes to send. The view is valid until Sent().
  std::string_view Output() const;
  // All of Output() was sent.
  void Sent(Clock::time_point now);
  // After kWrite: true when Output() is the last the connection sends (it closes once it is
  // sent), so a stream may send it together with its own closing bytes.
  bool last_output() const;

  // When the current phase times out: the idle, header, body, send or linger deadline.
  Clock::time_point deadline() const;
  // deadline() has passed: 408 for a request in progress, a silent close when idle, an
  // immediate close while sending or lingering.
  void Expire(Clock::time_point now);

  // The server is shutting down: close at once when idle, otherwise finish the request in
  // progress with "Connection: close".
  void Drain();

  // After kClose: true to shut down sending and drain input briefly (a final response was
  // sent), false to close at once.
  bool linger() const { return close_ == Close::kAfterOutput; }

  bool holds_workspace() const { return ws_ != nullptr; }
  std::uint32_t requests() const { return requests_; }
  const ServerConfig& config() const { return context_.config; }

 private:
  enum class Phase : std::uint8_t { kIdle, kHead, kBody };
  enum class Close : std::uint8_t {
    kOpen,
    kAfterOutput,  // close gracefully once the output is sent
    kQuietly,      // the peer sent EOF: close once the output is sent, no linger
    kNow,          // drop the connection
  };

  void Process(Clock::time_point now);
  bool PumpFile();
  bool ParseHead(Clock::time_point now);
  void OnHead(const RequestHead& head, Clock::time_point now);
  void BeginBody(const RequestHead& head, bool collect, Clock::time_point now);
  bool ReadBody(Clock::time_point now);
  void WriteReply();
  void FinishEcho(Clock::time_point now);
  void EndRequest(Clock::time_point now);
  void Fail(int status, std::string_view reason);
  ConnectionHeader connection_header() const;
  bool quiet() const;
  void Log(const char* format, ...) const __attribute__((format(printf, 2, 3)));

  // Kept small: every idle keep-alive connection has one.
  SessionContext& context_;
  std::unique_ptr<Workspace> ws_;
  std::uint64_t id_;
  Clock::time_point read_deadline_;
  // The send deadline while sending_, the linger deadline once closing_announced_ (the two never
  // overlap: the session announces the close only after its output is sent).
  Clock::time_point other_deadline_;
  std::uint32_t requests_ = 0;
  Phase phase_ = Phase::kIdle;
  Close close_ = Close::kOpen;
  bool sending_ = false;
  bool closing_announced_ = false;  // Next() has returned kClose
  bool peer_eof_ = false;
  bool draining_ = false;
  // The request in progress:
  bool keep_alive_ = true;
  bool head_only_ = false;  // HEAD: the response has no body
  bool collect_ = false;    // the body is kept for /echo (else discarded)
  bool answered_ = false;   // the response was written before the body was read
  std::uint8_t version_minor_ = 1;
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_SESSION_H_
