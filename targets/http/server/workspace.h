// Workspace: the memory a connection needs only while a request is in progress (the read buffer,
// the parser, the body reader, the output buffer and some scratch), and WorkspacePool, which
// lends workspaces to connections. An idle keep-alive connection holds none, so it costs a few
// hundred bytes; a busy one borrows a warm workspace, so requests do not allocate.
#ifndef PARLEY_TARGETS_HTTP_SERVER_WORKSPACE_H_
#define PARLEY_TARGETS_HTTP_SERVER_WORKSPACE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "targets/http/body_reader.h"
#include "targets/http/limits.h"
#include "targets/http/request_parser.h"
#include "targets/http/server/request_handler.h"

namespace parley::http {

struct Workspace {
  explicit Workspace(const Limits& limits);

  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  // Received bytes not yet consumed: [begin, end) of `buffer`.
  std::string_view unread() const { return {buffer.get() + begin, end - begin}; }
  bool has_unread() const { return begin != end; }

  // Moves the unread bytes to the front and returns the free space after them.
  std::span<char> PrepareRead();

  // Back to the state of a new workspace, keeping (moderate) capacity.
  void Clear();

  // Big enough for the longest head the limits allow, including an ignored empty line.
  const std::size_t capacity;
  std::unique_ptr<char[]> buffer;
  std::size_t begin = 0;
  std::size_t end = 0;

  RequestParser parser;
  BodyReader body;
  std::string out;        // responses not yet written, in order
  std::string echo;       // /echo: the report's head lines, rendered while the head was valid
  std::string echo_body;  // /echo: the decoded body so far
  std::string path;       // the decoded request path (routing scratch)
  Reply reply;            // routing result; its file streams into `out` while open
  std::uint64_t file_offset = 0;
  std::uint64_t file_remaining = 0;
};

// Lends workspaces. One per event loop; not thread-safe. Keeps up to `max_spare` returned
// workspaces for reuse and frees the rest, so a burst of busy connections does not pin memory.
class WorkspacePool {
 public:
  WorkspacePool(const Limits& limits, std::size_t max_spare);

  std::unique_ptr<Workspace> Acquire();
  void Release(std::unique_ptr<Workspace> workspace);

  std::size_t spare() const { return spare_.size(); }
  const Limits& limits() const { return limits_; }

 private:
  Limits limits_;
  std::size_t max_spare_;
  std::vector<std::unique_ptr<Workspace>> spare_;
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_WORKSPACE_H_
