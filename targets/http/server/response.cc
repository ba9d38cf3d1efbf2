#include "targets/http/server/response.h"

#include <charconv>

namespace parley::http {

namespace {

constexpr std::string_view kErrorPrefix = "error: ";

void AppendNumber(std::uint64_t value, std::string& out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

void AppendHeader(std::string_view name, std::string_view value, std::string& out) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
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

void AppendResponseHead(const ResponseHead& head, std::string_view date, std::string& out) {
  out.append("HTTP/1.1 ");
  AppendNumber(static_cast<std::uint64_t>(head.status), out);
  out.push_back(' ');
  out.append(ReasonPhrase(head.status));
  out.append("\r\n");
  AppendHeader("Server", ServerName(), out);
  AppendHeader("Date", date, out);
  if (!head.content_type.empty()) AppendHeader("Content-Type", head.content_type, out);
  out.append("Content-Length: ");
  AppendNumber(head.content_length, out);
  out.append("\r\n");
  if (!head.last_modified.empty()) AppendHeader("Last-Modified", head.last_modified, out);
  if (!head.allow.empty()) AppendHeader("Allow", head.allow, out);
  switch (head.connection) {
    case ConnectionHeader::kNone:
      break;
    case ConnectionHeader::kKeepAlive:
      AppendHeader("Connection", "keep-alive", out);
      break;
    case ConnectionHeader::kClose:
      AppendHeader("Connection", "close", out);
      break;
  }
  out.append("\r\n");
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
