// Response heads, written straight into a connection's output buffer: status line, the headers
// every response carries (Server, Date, Content-Length), the optional ones, and the empty line.
// Appending reuses the buffer's capacity, so a warm buffer writes a response without allocating.
#ifndef PARLEY_TARGETS_HTTP_SERVER_RESPONSE_H_
#define PARLEY_TARGETS_HTTP_SERVER_RESPONSE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::http {

// What the Connection header says.
enum class ConnectionHeader : std::uint8_t {
  kNone,       // HTTP/1.1 keep-alive: nothing to say
  kKeepAlive,  // an HTTP/1.0 client asked for keep-alive and gets it
  kClose,      // the server closes after this response
};

struct ResponseHead {
  int status = 200;
  std::string_view content_type;     // omitted when empty
  std::uint64_t content_length = 0;  // always sent
  std::string_view last_modified;    // omitted when empty
  std::string_view allow;            // omitted when empty (405 sends it)
  ConnectionHeader connection = ConnectionHeader::kNone;
};

// The Server header's value: "parley/<project version>".
std::string_view ServerName();

// "OK", "Not Found", ...; "Unknown" for codes the server never sends.
std::string_view ReasonPhrase(int status);

// Appends "HTTP/1.1 <status> <reason>" and the header section, through the empty line.
// REQUIRES: `date` is an IMF-fixdate (date_cache.h).
void AppendResponseHead(const ResponseHead& head, std::string_view date, std::string& out);

// Appends the interim "HTTP/1.1 100 Continue" response.
void AppendContinue(std::string& out);

// The body of an error response: "error: <reason>\n". Its size, for Content-Length:
std::uint64_t ErrorBodySize(std::string_view reason);
void AppendErrorBody(std::string_view reason, std::string& out);

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_RESPONSE_H_
