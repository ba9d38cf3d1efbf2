#include "targets/http/server/echo_report.h"

#include <charconv>

namespace parley::http {

namespace {

constexpr std::string_view kBodyLength = "body-length: ";

std::string_view FramingName(BodyFraming framing) {
  switch (framing) {
    case BodyFraming::kNone:
      return "none";
    case BodyFraming::kContentLength:
      return "content-length";
    case BodyFraming::kChunked:
      return "chunked";
  }
  return "unknown";
}

void AppendLine(std::string_view key, std::string_view value, std::string& out) {
  out.append(key);
  out.append(": ");
  out.append(value);
  out.push_back('\n');
}

}  // namespace

void AppendEchoHead(const RequestHead& head, std::string& out) {
  AppendLine("method", head.method, out);
  AppendLine("target", head.target, out);
  out.append("version: HTTP/1.");
  out.push_back(static_cast<char>('0' + head.version_minor % 10));
  out.push_back('\n');
  for (const Field& field : head.fields) {
    out.append("header: ");
    AppendLine(field.name, field.value, out);
  }
  AppendLine("framing", FramingName(head.framing), out);
}

std::uint64_t EchoBodySize(std::string_view body) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, body.size());
  return kBodyLength.size() + static_cast<std::uint64_t>(end - digits) + 1 + body.size();
}

void AppendEchoBody(std::string_view body, std::string& out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, body.size());
  out.append(kBodyLength);
  out.append(digits, end);
  out.push_back('\n');
  out.append(body);
}

}  // namespace parley::http
