#include "harness/http/request_sniffer.h"

namespace parley::harness {
namespace {

bool IsMethodChar(char c) {
  return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

// `line` (without its end) looks like `METHOD SP target SP HTTP/x.y`.
std::string RequestMethod(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t sp = line.find(' ');
  if (sp == 0 || sp == std::string_view::npos) return "";
  for (std::size_t i = 0; i < sp; ++i) {
    if (!IsMethodChar(line[i])) return "";
  }
  std::size_t last = line.rfind(' ');
  if (last == sp) return "";
  std::string_view version = line.substr(last + 1);
  if (version.size() != 8 || version.compare(0, 5, "HTTP/") != 0) return "";
  return std::string(line.substr(0, sp));
}

}  // namespace

std::vector<std::string> RequestSniffer::Feed(std::string_view bytes) {
  constexpr std::size_t kMaxLine = 16 * 1024;
  std::vector<std::string> methods;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    std::size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) {
      if (partial_.size() < kMaxLine)
        partial_.append(bytes.substr(pos, kMaxLine - partial_.size()));
      break;
    }
    std::string_view line = bytes.substr(pos, end - pos);
    if (!partial_.empty()) {
      partial_.append(line.substr(0, kMaxLine));
      line = partial_;
    }
    bool blank = line.empty() || line == "\r";
    if (at_message_start_ && !blank) {
      std::string method = RequestMethod(line);
      if (!method.empty()) methods.push_back(std::move(method));
    }
    at_message_start_ = blank;
    partial_.clear();
    pos = end + 1;
  }
  return methods;
}

}  // namespace parley::harness
