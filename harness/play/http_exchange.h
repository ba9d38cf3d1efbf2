// HttpExchange: the HTTP side of one connection. It owns what judging `expect: http` needs
// and nothing else does: the requests written on the connection (so the response to a HEAD is
// read without a body), the reader of the responses that arrive, and how many responses
// expectations have taken. It reads from the connection's Inbox and judges; no sockets.
#ifndef PARLEY_HARNESS_PLAY_HTTP_EXCHANGE_H_
#define PARLEY_HARNESS_PLAY_HTTP_EXCHANGE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "harness/http/request_sniffer.h"
#include "harness/http/response_reader.h"
#include "harness/play/http_check.h"
#include "harness/play/inbox.h"
#include "harness/play/verdict.h"
#include "harness/scenario/duration.h"

namespace parley::harness {

class HttpExchange {
 public:
  explicit HttpExchange(const ResponseLimits& limits = ResponseLimits());
  HttpExchange(const HttpExchange&) = delete;
  HttpExchange& operator=(const HttpExchange&) = delete;

  // Bytes written on the connection: the methods of the requests they hold are sniffed from
  // their request lines.
  void Sent(std::string_view bytes);
  // Requests written on the connection, by method, as a scenario names them.
  void Sent(const std::vector<std::string>& methods);

  // How far one expectation got in judging its responses; starts empty when its step starts.
  struct Progress {
    std::size_t judged = 0;  // responses judged and passed
    std::vector<std::string> captures;
  };

  // Reads the inbox's bytes into responses (consuming them) and judges the next
  // check.count() responses as they complete. Takes them only once every one has arrived and
  // passed, so a failed expectation takes nothing and a retry judges them again. The bodies of
  // the responses the check judges are kept only if it looks at them.
  Verdict Judge(const BoundHttpCheck& check, Progress* progress, Inbox& inbox);

  // What to say when the step's deadline passed while Judge still said kWait.
  std::string DescribeTimeout(const BoundHttpCheck& check, Duration waited) const;

  // A response started or completed that no expectation has taken.
  bool ResponsePending() const;
  std::size_t responses_taken() const { return taken_; }

 private:
  void Read(Inbox& inbox);
  std::size_t Arrived(std::size_t count) const;

  ResponseReader reader_;
  RequestSniffer sniffer_;
  std::size_t taken_ = 0;
  bool eof_fed_ = false;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_PLAY_HTTP_EXCHANGE_H_
