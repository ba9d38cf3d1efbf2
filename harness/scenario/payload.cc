#include "harness/scenario/payload.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace parley::harness {
namespace {

// Appends the file's bytes. A regular file is read into room made for its size at once, so a
// 64 MiB file costs two reads instead of a thousand, and no copies while the string grows.
bool ReadFile(const std::string& path, std::string* out, std::string* error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat info {};
  if (fd < 0 || ::fstat(fd, &info) != 0) {
    if (fd >= 0) ::close(fd);
    *error = "cannot read file " + path;
    return false;
  }
  const std::size_t start = out->size();
  const bool sized = S_ISREG(info.st_mode) && info.st_size >= 0 &&
                     static_cast<std::uint64_t>(info.st_size) <= kMaxPayloadBytes;
  // One more byte than the size, so that the read which finds the end needs no other room.
  std::size_t chunk = sized ? static_cast<std::size_t>(info.st_size) + 1 : 64 * 1024;
  for (;;) {
    if (out->size() - start > kMaxPayloadBytes) {
      *error = "file " + path + " is larger than 64 MiB";
      break;
    }
    const std::size_t at = out->size();
    out->resize(at + chunk);
    const ssize_t n = ::read(fd, out->data() + at, chunk);
    out->resize(at + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    if (n == 0) {
      ::close(fd);
      return true;
    }
    if (n < 0 && errno != EINTR) {
      *error = "cannot read file " + path + ": " + std::strerror(errno);
      break;
    }
    chunk = 64 * 1024;
  }
  ::close(fd);
  return false;
}

}  // namespace

bool RenderPayload(const Payload& payload, const Variables& vars, std::string* out,
                   std::string* error) {
  for (const Payload::Piece& piece : payload.pieces) {
    switch (piece.kind) {
      case Payload::Piece::Kind::kText: {
        auto text = piece.text.Render(vars, error);
        if (!text) return false;
        *out += *text;
        break;
      }
      case Payload::Piece::Kind::kHex:
        *out += piece.bytes;
        break;
      case Payload::Piece::Kind::kFile:
        if (!ReadFile(piece.path, out, error)) return false;
        break;
      case Payload::Piece::Kind::kRepeat: {
        auto unit = piece.text.Render(vars, error);
        if (!unit) return false;
        if (unit->empty() || unit->size() * piece.count > kMaxPayloadBytes - out->size()) {
          *error =
              unit->empty() ? "'repeat' has nothing to repeat" : "the repeated bytes exceed 64 MiB";
          return false;
        }
        out->reserve(out->size() + unit->size() * piece.count);
        for (std::size_t i = 0; i < piece.count; ++i)
          *out += *unit;
        break;
      }
    }
    if (out->size() > kMaxPayloadBytes) {
      *error = "the payload exceeds 64 MiB";
      return false;
    }
  }
  return true;
}

}  // namespace parley::harness
