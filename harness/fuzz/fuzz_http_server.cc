// fuzz_http_server: the bytes of one client connection into http-server's connection handling,
// in-process: Connection (connection.h) runs the same request handling as the real server, over
// boost::beast::test::stream instead of a socket, so keep-alive, pipelining, bodies, /echo and
// the error paths are all fuzzed. The client sends the input, reads the answers, then closes.
// Checks, beside "no crash, no hang":
//   - after the client's EOF the server closes the connection and lets go of it;
//   - the bytes sent back are a sequence of well-formed HTTP/1.1 responses, one per request the
//     parser finds (http_stream.h) plus at most one error response, and nothing follows a
//     response that announces "Connection: close";
//   - a first request the parser rejects gets that error's status;
//   - the input cut into pieces, with reads and writes cut short (all from a hash of the input),
//     gets exactly the same bytes back (Date values aside);
//   - "echo": every request that an RFC 9112 reading of the input accepts (rfc_request.h, written
//     from the RFCs, not from the parser) and that asks for /echo (any method but HEAD) gets, in
//     its place among the responses, a 200 whose body is exactly the echo report of that reading
//     (method, target, version, fields in order, framing, decoded body), or 417 when it has an
//     Expect other than 100-continue; across pipelined and keep-alive requests, until a response
//     closes the connection.
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/fuzz/fuzz_support.h"
#include "harness/fuzz/http_stream.h"
#include "harness/fuzz/rfc_request.h"
#include "harness/text/bytes_text.h"
#include "targets/http/parse_error.h"
#include "targets/http/server/config.h"
#include "targets/http/server/connection.h"
#include "targets/http/server/date_cache.h"
#include "targets/http/server/request_handler.h"
#include "targets/http/server/session.h"
#include "targets/http/server/workspace.h"

namespace parley::fuzz {
namespace {

using TestStream = boost::beast::test::stream;
namespace beast_http = boost::beast::http;

// Far more than any input needs; reaching it means the connection never finished.
constexpr auto kRunLimit = std::chrono::seconds(20);
// Enough requests to cover any input of the default -max_len.
constexpr std::size_t kModelRequests = 4096;

struct Served {
  std::string output;
  bool closed = false;  // the server closed the connection (and let go of it)
};

// One server connection with its own pool, handler and loop, so every run starts afresh. The
// client writes the pieces (each followed by whatever the server does with it), reads everything
// the server sends, then closes: the server reads EOF.
Served Serve(const std::vector<std::string_view>& pieces, std::size_t read_size,
             std::size_t write_size) {
  http::ServerConfig config;
  const http::RequestHandler handler(nullptr);
  http::WorkspacePool pool(config.limits, 1);
  http::DateCache dates;
  http::SessionContext context{config, handler, pool, dates};
  boost::asio::io_context io;
  TestStream client(io);
  std::weak_ptr<http::Connection<TestStream>> server;
  {
    TestStream server_side(io);
    server_side.connect(client);
    if (read_size > 0) server_side.read_size(read_size);
    if (write_size > 0) server_side.write_size(write_size);
    auto connection =
        std::make_shared<http::Connection<TestStream>>(std::move(server_side), context, nullptr);
    connection->Start();
    server = connection;
  }
  Served served;
  char buffer[4096];
  bool reading = true;
  std::function<void()> receive = [&] {
    client.async_read_some(boost::asio::buffer(buffer),
                           [&](const boost::system::error_code& ec, std::size_t n) {
                             served.output.append(buffer, n);
                             if (ec) {
                               reading = false;
                               return;
                             }
                             receive();
                           });
  };
  receive();
  io.poll();
  for (std::string_view piece : pieces) {
    if (piece.empty()) continue;
    boost::system::error_code ec;
    boost::asio::write(client, boost::asio::buffer(piece.data(), piece.size()), ec);
    if (ec) break;  // the server closed; the rest is never read, as over a socket
    io.restart();
    io.poll();
  }
  client.close();  // the server reads EOF; the client reads nothing more
  io.restart();
  io.run_for(kRunLimit);
  served.closed = server.expired() && !reading;
  return served;
}

// Date values change from one second to the next; everything else must match byte for byte.
std::string WithoutDateValues(std::string text) {
  static constexpr std::string_view kDate = "\r\nDate: ";
  for (std::size_t at = text.find(kDate); at != std::string::npos; at = text.find(kDate, at + 1)) {
    const std::size_t value = at + kDate.size();
    const std::size_t end = text.find("\r\n", value);
    if (end == std::string::npos) break;
    text.replace(value, end - value, "-");
  }
  return text;
}

struct Response {
  unsigned status = 0;
  bool close = false;
  std::string body;
};

// Splits `bytes` into responses; `head_only(i)` tells whether the i-th final response answers a
// HEAD request. Returns false (with `why`) when the bytes are not exactly a sequence of responses.
template <class HeadOnly>
bool ReadResponses(std::string_view bytes, HeadOnly head_only, std::vector<Response>* responses,
                   std::string* why) {
  std::size_t finals = 0;
  while (!bytes.empty()) {
    beast_http::response_parser<beast_http::string_body> parser;
    parser.eager(true);
    parser.body_limit(bytes.size());
    parser.skip(head_only(finals));
    std::size_t used = 0;
    boost::system::error_code ec;
    while (!parser.is_done()) {
      const std::size_t n =
          parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
      used += n;
      if (ec == beast_http::error::need_more && n > 0 && used < bytes.size()) continue;
      if (ec) break;
    }
    if (!parser.is_done()) {
      *why = "response " + std::to_string(responses->size() + 1) + ": " +
             (ec ? ec.message() : std::string("cut short")) + " at byte " + std::to_string(used) +
             " of:\n" + std::string(bytes.substr(0, 600));
      return false;
    }
    const auto& message = parser.get();
    Response r;
    r.status = message.result_int();
    r.close = !message.keep_alive();
    r.body = message.body();
    responses->push_back(r);
    if (r.status >= 200) ++finals;
    bytes.remove_prefix(used);
  }
  return true;
}

void CheckResponses(const Served& served, const ParsedStream& model) {
  auto head_only = [&](std::size_t i) {
    if (i < model.requests.size()) return model.requests[i].method == "HEAD";
    return model.body_method == "HEAD";
  };
  std::vector<Response> responses;
  std::string why;
  PARLEY_FUZZ_CHECK(ReadResponses(served.output, head_only, &responses, &why),
                    "the server sends well-formed responses", why);
  std::size_t finals = 0;
  for (std::size_t i = 0; i < responses.size(); ++i) {
    if (responses[i].status < 200) continue;
    ++finals;
    PARLEY_FUZZ_CHECK(
        !responses[i].close || i + 1 == responses.size(),
        "nothing follows a response that closes the connection",
        "response " + std::to_string(i + 1) + " of " + std::to_string(responses.size()));
  }
  if (model.end != StreamEnd::kCapped) {
    PARLEY_FUZZ_CHECK(finals <= model.requests.size() + 1,
                      "one response per request, plus at most one error",
                      std::to_string(finals) + " responses to:\n" + Describe(model));
  }
  if (model.requests.empty() && model.end == StreamEnd::kError && !model.error_in_body) {
    const auto expected = static_cast<unsigned>(http::ErrorStatus(model.error));
    PARLEY_FUZZ_CHECK(finals == 1 && responses.back().status == expected,
                      "a rejected first request gets its error status",
                      "expected " + std::to_string(expected) + " (" +
                          std::string(http::ErrorText(model.error)) + "), got:\n" +
                          served.output.substr(0, 600));
  }
}

// The body /echo answers `r` with (docs/http-server.md, "The echo report").
std::string EchoReport(const rfc::Request& r) {
  static constexpr const char* kFraming[] = {"none", "content-length", "chunked"};
  std::string report = "method: " + r.method + "\ntarget: " + r.target + "\nversion: HTTP/1." +
                       std::to_string(r.version_minor) + "\n";
  for (const auto& [name, value] : r.fields)
    report += "header: " + name + ": " + value + "\n";
  report += std::string("framing: ") + kFraming[static_cast<int>(r.framing)] + "\n";
  report += "body-length: " + std::to_string(r.body.size()) + "\n" + r.body;
  return report;
}

// The echo oracle: what /echo reports equals the RFC reading of the bytes sent. Returns how
// many /echo answers were compared.
std::size_t CheckEcho(std::string_view input, const Served& served, const http::Limits& limits) {
  const rfc::Reading reading = rfc::Read(input, limits, kModelRequests);
  std::size_t echoes = 0;
  for (const rfc::Request& r : reading.requests)
    echoes += r.method != "HEAD" && rfc::DecodedPath(r) == "/echo" ? 1 : 0;
  if (echoes == 0) return 0;

  auto head_only = [&](std::size_t i) {
    return i < reading.requests.size() && reading.requests[i].method == "HEAD";
  };
  std::vector<Response> responses;
  std::string why;
  if (!ReadResponses(served.output, head_only, &responses, &why)) return 0;  // checked before
  std::vector<const Response*> finals;
  for (const Response& response : responses)
    if (response.status >= 200) finals.push_back(&response);

  std::size_t compared = 0;
  for (std::size_t i = 0; i < reading.requests.size(); ++i) {
    const rfc::Request& r = reading.requests[i];
    const bool echo = r.method != "HEAD" && rfc::DecodedPath(r) == "/echo";
    const std::string context = "request " + std::to_string(i + 1) + " of the RFC reading:\n" +
                                rfc::Describe(reading) +
                                "\ninput: " + harness::ShowBytes(input, 2000);
    if (echo) {
      PARLEY_FUZZ_CHECK(i < finals.size(), "/echo reports the RFC reading of the request",
                        "no answer; " + context);
      const Response& answer = *finals[i];
      if (r.expect == http::Expectation::kUnsupported) {
        PARLEY_FUZZ_CHECK(answer.status == 417, "/echo reports the RFC reading of the request",
                          "expected 417, got " + std::to_string(answer.status) + "; " + context);
      } else {
        const std::string expected = EchoReport(r);
        PARLEY_FUZZ_CHECK(answer.status == 200 && answer.body == expected,
                          "/echo reports the RFC reading of the request",
                          "expected 200 with:\n" + harness::ShowBytes(expected, 1500) + "\ngot " +
                              std::to_string(answer.status) + " with:\n" +
                              harness::ShowBytes(answer.body, 1500) + "\n" + context);
      }
      ++compared;
    }
    if (i >= finals.size() || finals[i]->close) break;
  }
  return compared;
}

}  // namespace
}  // namespace parley::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley::fuzz;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const Served whole = Serve({input}, 0, 0);
  PARLEY_FUZZ_CHECK(whole.closed, "after the client's EOF the server closes the connection",
                    whole.output.substr(0, 600));
  const parley::http::ServerConfig config;
  CheckResponses(whole, ReadRequests({input}, config.limits, kModelRequests));
  if (OracleEnabled("echo")) CheckEcho(input, whole, config.limits);

  const std::uint32_t hash = InputHash(input);
  const std::vector<std::size_t> points = SplitPoints(input, hash);
  const std::size_t read_size = (hash / 8) % 3 == 0 ? 1 + (hash / 32) % 64 : 0;
  const std::size_t write_size = (hash / 16) % 3 == 0 ? 1 + (hash / 1024) % 256 : 0;
  if (points.empty() && read_size == 0 && write_size == 0) return 0;
  const Served split = Serve(Pieces(input, points), read_size, write_size);
  PARLEY_FUZZ_CHECK(split.closed, "after the client's EOF the server closes the connection",
                    split.output.substr(0, 600));
  PARLEY_FUZZ_CHECK(
      WithoutDateValues(split.output) == WithoutDateValues(whole.output),
      "the input in pieces gets exactly the answer to the input whole",
      "whole:\n" + whole.output.substr(0, 600) + "\nin pieces:\n" + split.output.substr(0, 600));
  return 0;
}
