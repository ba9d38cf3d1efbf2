#include "targets/http/server/response.h"

#include <charconv>
#include <cstddef>
#include <cstring>

namespace parley::http {

namespace {

constexpr std::string_view kErrorPrefix = "error: ";
constexpr std::string_view kCrlf = "\r\n";

// Writes `s` at `p` and returns the end. REQUIRES: room for it (sized by HeadSize()).
char* Put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// A header line "name: value\r\n"; `name` includes ": ".
char* PutHeader(char* p, std::string_view name, std::string_view value) {
  return Put(Put(Put(p, name), value), kCrlf);
}

std::string_view ConnectionValue(ConnectionHeader connection) {
  switch (connection) {
    case ConnectionHeader::kNone:
      return {};
    case ConnectionHeader::kKeepAlive:
      return "keep-alive";
    case ConnectionHeader::kClose:
      return "close";
  }
  return {};
}

// The fixed text around the variable parts, in the order AppendResponseHead writes them.
constexpr std::string_view kStatusPrefix = "HTTP/1.1 ";
constexpr std::string_view kServerAndDate = "\r\nServer: parley/" PARLEY_VERSION "\r\nDate: ";
constexpr std::string_view kContentType = "Content-Type: ";
constexpr std::string_view kContentLength = "Content-Length: ";
constexpr std::string_view kLastModified = "Last-Modified: ";
constexpr std::string_view kAllow = "Allow: ";
constexpr std::string_view kConnection = "Connection: ";

std::size_t OptionalSize(std::string_view name, std::string_view value) {
  return value.empty() ? 0 : name.size() + value.size() + kCrlf.size();
}

}  // namespace

std::string_view ServerName() {
  return "parley/" PARLEY_VERSION;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 417:
      return "Expectation Failed";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

// The head is sized first and written in place: one resize of `out` and a copy per piece,
// instead of an append (and a capacity check) per piece.
void AppendResponseHead(const ResponseHead& head, std::string_view date, std::string& out) {
  char status[24];
  const std::string_view status_text(
      status, std::to_chars(status, status + sizeof status, head.status).ptr - status);
  char length[24];
  const std::string_view length_text(
      length, std::to_chars(length, length + sizeof length, head.content_length).ptr - length);
  const std::string_view reason = ReasonPhrase(head.status);
  const std::string_view connection = ConnectionValue(head.connection);

  const std::size_t size =
      kStatusPrefix.size() + status_text.size() + 1 + reason.size() + kServerAndDate.size() +
      date.size() + kCrlf.size() + OptionalSize(kContentType, head.content_type) +
      kContentLength.size() + length_text.size() + kCrlf.size() +
      OptionalSize(kLastModified, head.last_modified) + OptionalSize(kAllow, head.allow) +
      OptionalSize(kConnection, connection) + kCrlf.size();
  const std::size_t old_size = out.size();
  out.resize(old_size + size);

  char* p = Put(out.data() + old_size, kStatusPrefix);
  p = Put(p, status_text);
  *p++ = ' ';
  p = Put(p, reason);
  p = Put(p, kServerAndDate);
  p = Put(p, date);
  p = Put(p, kCrlf);
  if (!head.content_type.empty()) p = PutHeader(p, kContentType, head.content_type);
  p = PutHeader(p, kContentLength, length_text);
  if (!head.last_modified.empty()) p = PutHeader(p, kLastModified, head.last_modified);
  if (!head.allow.empty()) p = PutHeader(p, kAllow, head.allow);
  if (!connection.empty()) p = PutHeader(p, kConnection, connection);
  Put(p, kCrlf);
}

void AppendContinue(std::string& out) {
  out.append("HTTP/1.1 100 Continue\r\n\r\n");
}

std::uint64_t ErrorBodySize(std::string_view reason) {
  return kErrorPrefix.size() + reason.size() + 1;
}

void AppendErrorBody(std::string_view reason, std::string& out) {
  out.append(kErrorPrefix);
  out.append(reason);
  out.push_back('\n');
}

}  // namespace parley::http
