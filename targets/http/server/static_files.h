// StaticFiles: the files under a document root (--root), looked up by a decoded request path
// (request_path.h) so that nothing outside the root is ever opened: the path is joined under the
// root, every symbolic link is resolved, and the result must still lie inside the root.
// A directory serves its index.html. Thread-safe: lookups share no mutable state.
#ifndef PARLEY_TARGETS_HTTP_SERVER_STATIC_FILES_H_
#define PARLEY_TARGETS_HTTP_SERVER_STATIC_FILES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "targets/http/server/date_cache.h"

namespace parley::http {

// An open file descriptor; closes it on destruction. Move-only.
class FileHandle {
 public:
  FileHandle() = default;
  explicit FileHandle(int fd) : fd_(fd) {}
  FileHandle(FileHandle&& other) noexcept : fd_(other.Release()) {}
  FileHandle& operator=(FileHandle&& other) noexcept;
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  ~FileHandle() { Close(); }

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  void Close();
  int Release();

 private:
  int fd_ = -1;
};

struct StaticFile {
  FileHandle file;
  std::uint64_t size = 0;
  std::string_view content_type;
  char last_modified[kHttpDateSize] = {};

  std::string_view last_modified_text() const { return {last_modified, kHttpDateSize}; }
};

enum class LookupStatus : std::uint8_t {
  kFound,
  kNotFound,   // missing, not a regular file, a directory without index.html, or outside the root
  kForbidden,  // exists but the server may not read it
};

class StaticFiles {
 public:
  // The root must be an existing directory. On failure returns nullopt and says why in `error`.
  static std::optional<StaticFiles> Open(std::string_view root, std::string* error);

  // REQUIRES: `path` comes from DecodeRequestPath (starts with "/", no dot segments, no NUL).
  // On kFound, `found` holds the open file. Does not allocate.
  LookupStatus Find(std::string_view path, StaticFile& found) const;

  // The canonical root directory.
  const std::string& root() const { return root_; }

 private:
  explicit StaticFiles(std::string root) : root_(std::move(root)) {}

  bool Contains(std::string_view resolved) const;
  LookupStatus OpenJoined(const char* joined, bool allow_index, StaticFile& found) const;

  std::string root_;
};

}  // namespace parley::http

#endif  // PARLEY_TARGETS_HTTP_SERVER_STATIC_FILES_H_
