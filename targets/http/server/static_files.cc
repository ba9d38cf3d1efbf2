#include "targets/http/server/static_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "targets/http/server/mime_types.h"

namespace parley::http {

namespace {

constexpr std::string_view kIndex = "index.html";

LookupStatus FailureStatus(int error) {
  return error == EACCES || error == EPERM ? LookupStatus::kForbidden : LookupStatus::kNotFound;
}

}  // namespace

FileHandle& FileHandle::operator=(FileHandle&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.Release();
  }
  return *this;
}

void FileHandle::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

int FileHandle::Release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

std::optional<StaticFiles> StaticFiles::Open(std::string_view root, std::string* error) {
  const std::string spelled(root);
  char resolved[PATH_MAX];
  if (::realpath(spelled.c_str(), resolved) == nullptr) {
    *error = "cannot use root '" + spelled + "': " + std::strerror(errno);
    return std::nullopt;
  }
  struct stat info {};
  if (::stat(resolved, &info) != 0 || !S_ISDIR(info.st_mode)) {
    *error = "cannot use root '" + spelled + "': not a directory";
    return std::nullopt;
  }
  return StaticFiles(resolved);
}

bool StaticFiles::Contains(std::string_view resolved) const {
  if (root_ == "/") return true;
  return resolved.starts_with(root_) &&
         (resolved.size() == root_.size() || resolved[root_.size()] == '/');
}

LookupStatus StaticFiles::Find(std::string_view path, StaticFile& found) const {
  char joined[PATH_MAX];
  const std::string_view prefix = root_ == "/" ? std::string_view() : std::string_view(root_);
  const std::string_view index = path.ends_with('/') ? kIndex : std::string_view();
  if (prefix.size() + path.size() + index.size() >= sizeof joined) return LookupStatus::kNotFound;
  char* end = std::copy(prefix.begin(), prefix.end(), joined);
  end = std::copy(path.begin(), path.end(), end);
  end = std::copy(index.begin(), index.end(), end);
  *end = '\0';
  return OpenJoined(joined, index.empty(), found);
}

// `joined` is the root followed by the request path. A directory is retried once as its
// index.html.
LookupStatus StaticFiles::OpenJoined(const char* joined, bool allow_index,
                                     StaticFile& found) const {
  char resolved[PATH_MAX];
  if (::realpath(joined, resolved) == nullptr) return FailureStatus(errno);
  if (!Contains(resolved)) return LookupStatus::kNotFound;
  FileHandle file(::open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK));
  if (!file.is_open()) return FailureStatus(errno);
  struct stat info {};
  if (::fstat(file.fd(), &info) != 0) return LookupStatus::kNotFound;
  if (S_ISDIR(info.st_mode) && allow_index) {
    const std::size_t length = std::strlen(resolved);
    if (length + 1 + kIndex.size() >= sizeof resolved) return LookupStatus::kNotFound;
    resolved[length] = '/';
    std::copy(kIndex.begin(), kIndex.end(), resolved + length + 1);
    resolved[length + 1 + kIndex.size()] = '\0';
    return OpenJoined(resolved, false, found);
  }
  if (!S_ISREG(info.st_mode)) return LookupStatus::kNotFound;
  found.file = std::move(file);
  found.size = static_cast<std::uint64_t>(info.st_size);
  found.content_type = ContentTypeFor(resolved);
  FormatHttpDate(info.st_mtime, found.last_modified);
  return LookupStatus::kFound;
}

}  // namespace parley::http
