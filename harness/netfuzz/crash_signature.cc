#include "harness/netfuzz/crash_signature.h"

#include <cctype>

namespace parley::harness {
namespace {

constexpr std::string_view kNoise[] = {"__sanitizer",
                                       "__asan",
                                       "__ubsan",
                                       "__lsan",
                                       "__interceptor",
                                       "__cxa",
                                       "__gnu_cxx",
                                       "__libc",
                                       "__GI_",
                                       "__pthread",
                                       "_start",
                                       "start_thread",
                                       "abort",
                                       "raise",
                                       "gsignal",
                                       "std::",
                                       "operator new",
                                       "operator delete",
                                       "malloc",
                                       "calloc",
                                       "realloc",
                                       "free",
                                       "memcpy",
                                       "memmove",
                                       "memset",
                                       "memcmp",
                                       "strlen",
                                       "boost::throw_exception",
                                       "boost::asio::detail::throw_error",
                                       "boost::asio::detail::do_throw_error",
                                       "main"};

bool IsNoise(std::string_view name) {
  if (name.empty() || name.starts_with("0x")) return true;
  for (std::string_view n : kNoise) {
    if (name.starts_with(n) && (n != "main" || name == "main")) return true;
  }
  return false;
}

// The text after `marker` up to the end of its line, or empty when `marker` is not there.
std::string_view After(std::string_view text, std::string_view marker) {
  std::size_t at = text.find(marker);
  if (at == std::string_view::npos) return {};
  std::string_view rest = text.substr(at + marker.size());
  return rest.substr(0, rest.find('\n'));
}

std::string FirstWord(std::string_view text) {
  std::size_t end = 0;
  while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                               text[end] == '-' || text[end] == '_')) {
    ++end;
  }
  return std::string(text.substr(0, end));
}

// Digits and hex numbers of a UBSan message become N, so values do not split a bug in two.
std::string Generalize(std::string_view message) {
  std::string out;
  for (std::size_t i = 0; i < message.size() && out.size() < 80;) {
    if (std::isdigit(static_cast<unsigned char>(message[i]))) {
      while (i < message.size() && std::isxdigit(static_cast<unsigned char>(message[i])) != 0)
        ++i;
      if (i < message.size() && message[i] == 'x') {
        ++i;
        while (i < message.size() && std::isxdigit(static_cast<unsigned char>(message[i])) != 0)
          ++i;
      }
      out += 'N';
    } else {
      out += message[i++];
    }
  }
  return out;
}

}  // namespace

std::string FunctionName(std::string_view text) {
  while (!text.empty() && text.back() == ' ')
    text.remove_suffix(1);
  if (text.ends_with(")")) {  // "(module+0x1234)" or "(BuildId: ...)"
    std::size_t open = text.rfind(" (");
    if (open != std::string_view::npos && (text.find("+0x", open) != std::string_view::npos ||
                                           text.find("BuildId:", open) != std::string_view::npos)) {
      text = text.substr(0, open);
    }
  }
  if (std::size_t space = text.rfind(' ');
      space != std::string_view::npos && text.substr(space + 1).starts_with("/")) {
    text = text.substr(0, space);  // file:line
  }
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '<') ++depth;
    if (c == '>') --depth;
    if (c == '(' && depth == 0 && i > 0 && !text.substr(i).starts_with("(anonymous")) {
      return std::string(text.substr(0, i));
    }
  }
  return std::string(text);
}

std::string CrashReport::Signature() const {
  std::string s = kind;
  for (std::size_t i = 0; i < frames.size(); ++i)
    s += (i == 0 ? " | " : " < ") + frames[i];
  return s;
}

CrashReport ClassifyCrash(std::string_view err, std::string_view ending) {
  CrashReport report;
  if (auto t = After(err, "ERROR: AddressSanitizer: "); !t.empty()) {
    report.kind = "asan: " + FirstWord(t);
  } else if (err.find("ERROR: LeakSanitizer:") != std::string_view::npos) {
    report.kind = "leak";
  } else if (auto u = After(err, "runtime error: "); !u.empty()) {
    report.kind = "ubsan: " + Generalize(u);
  } else if (auto e = After(err, "terminate called after throwing an instance of '"); !e.empty()) {
    report.kind = "uncaught exception: " + std::string(e.substr(0, e.find('\'')));
  } else if (auto a = After(err, "Assertion `"); !a.empty()) {
    report.kind = "assertion: " + std::string(a.substr(0, a.find('\'')));
  } else if (!ending.empty()) {
    report.kind = std::string(ending);
  } else {
    report.kind = "unknown";
  }
  // Frames: "    #3 0x55d1 in parley::Foo::Bar(int) /src/x.cc:12:3"
  bool started = false;
  std::size_t first_line = std::string_view::npos;
  for (std::size_t pos = 0; pos < err.size();) {
    std::size_t end = err.find('\n', pos);
    if (end == std::string_view::npos) end = err.size();
    std::string_view line = err.substr(pos, end - pos);
    pos = end + 1;
    if (first_line == std::string_view::npos &&
        (line.find("ERROR:") != std::string_view::npos ||
         line.find("runtime error") != std::string_view::npos ||
         line.find("terminate called") != std::string_view::npos ||
         line.find("Assertion") != std::string_view::npos)) {
      first_line = static_cast<std::size_t>(line.data() - err.data());
    }
    std::size_t hash = line.find_first_not_of(' ');
    std::size_t in = line.find(" in ");
    bool frame = hash != std::string_view::npos && line[hash] == '#' &&
                 line.find(" 0x", hash) != std::string_view::npos && in != std::string_view::npos;
    if (!frame) {
      if (started && !report.frames.empty()) break;  // only the first stack
      continue;
    }
    started = true;
    std::string name = FunctionName(line.substr(in + 4));
    if (IsNoise(name)) continue;
    bool seen = false;
    for (const std::string& f : report.frames)
      seen = seen || f == name;
    if (!seen) report.frames.push_back(name);
    if (report.frames.size() == 3) break;
  }
  std::string_view from = err.substr(first_line == std::string_view::npos ? 0 : first_line);
  std::size_t cut = 0;
  for (int lines = 0; lines < 14 && cut < from.size(); ++lines) {
    std::size_t nl = from.find('\n', cut);
    cut = nl == std::string_view::npos ? from.size() : nl + 1;
  }
  report.head = std::string(from.substr(0, cut));
  return report;
}

}  // namespace parley::harness
