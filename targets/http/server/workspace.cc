#include "targets/http/server/workspace.h"

#include <algorithm>
#include <cstring>

namespace parley::http {

namespace {

// Room for the request line, the field section and one ignored leading CRLF.
std::size_t BufferSize(const Limits& limits) {
  return std::max<std::size_t>(limits.max_request_line + limits.max_header_section + 2, 4096);
}

// Strings grown past this by one large request are freed rather than pooled.
constexpr std::size_t kKeepCapacity = 64 * 1024;

void Trim(std::string& s) {
  s.clear();
  if (s.capacity() > kKeepCapacity) std::string().swap(s);
}

}  // namespace

Workspace::Workspace(const Limits& limits)
    : capacity(BufferSize(limits)), buffer(new char[capacity]), parser(limits), body(limits) {
  out.reserve(4096);
}

std::span<char> Workspace::PrepareRead() {
  if (begin == end) {
    begin = end = 0;
  } else if (begin > 0) {
    std::memmove(buffer.get(), buffer.get() + begin, end - begin);
    end -= begin;
    begin = 0;
  }
  return {buffer.get() + end, capacity - end};
}

void Workspace::Clear() {
  begin = end = 0;
  parser.Reset();
  Trim(out);
  Trim(echo);
  Trim(echo_body);
  reply.file = StaticFile();
  file_offset = file_remaining = 0;
}

WorkspacePool::WorkspacePool(const Limits& limits, std::size_t max_spare)
    : limits_(limits), max_spare_(max_spare) {}

std::unique_ptr<Workspace> WorkspacePool::Acquire() {
  if (spare_.empty()) return std::make_unique<Workspace>(limits_);
  std::unique_ptr<Workspace> workspace = std::move(spare_.back());
  spare_.pop_back();
  return workspace;
}

void WorkspacePool::Release(std::unique_ptr<Workspace> workspace) {
  if (!workspace || spare_.size() >= max_spare_) return;
  workspace->Clear();
  spare_.push_back(std::move(workspace));
}

}  // namespace parley::http
