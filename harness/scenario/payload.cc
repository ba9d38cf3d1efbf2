#include "harness/scenario/payload.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace parley::harness {
namespace {

// Appends all that is left of `fd` (at most kMaxPayloadBytes) to `*out`.
bool ReadRest(int fd, const std::string& path, std::string* out, std::string* error) {
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) return true;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = "cannot read file " + path + ": " + std::strerror(errno);
      return false;
    }
    out->append(buffer, static_cast<std::size_t>(n));
    if (out->size() > kMaxPayloadBytes) {
      *error = "file " + path + " is larger than 64 MiB";
      return false;
    }
  }
}

}  // namespace

std::optional<PayloadReader> PayloadReader::Open(const Payload& payload, const Variables& vars,
                                                 std::string* error) {
  PayloadReader reader;
  for (const Payload::Piece& piece : payload.pieces) {
    if (!reader.Add(piece, vars, error)) return std::nullopt;
    if (reader.size_ > kMaxPayloadBytes) {
      *error = "the payload exceeds 64 MiB";
      return std::nullopt;
    }
  }
  return reader;
}

bool PayloadReader::Add(const Payload::Piece& piece, const Variables& vars, std::string* error) {
  Part part;
  switch (piece.kind) {
    case Payload::Piece::Kind::kText:
    case Payload::Piece::Kind::kRepeat: {
      auto text = piece.text.Render(vars, error);
      if (!text) return false;
      part.bytes = std::move(*text);
      if (piece.kind == Payload::Piece::Kind::kRepeat) {
        part.count = piece.count;
        if (part.bytes.empty() || part.bytes.size() * piece.count > kMaxPayloadBytes - size_) {
          *error = part.bytes.empty() ? "'repeat' has nothing to repeat"
                                      : "the repeated bytes exceed 64 MiB";
          return false;
        }
      }
      part.size = part.bytes.size() * part.count;
      break;
    }
    case Payload::Piece::Kind::kHex:
      part.bytes = piece.bytes;
      part.size = part.bytes.size();
      break;
    case Payload::Piece::Kind::kFile: {
      part.path = piece.path;
      part.fd = ::open(piece.path.c_str(), O_RDONLY | O_CLOEXEC);
      struct stat info {};
      if (part.fd < 0 || ::fstat(part.fd, &info) != 0) {
        if (part.fd >= 0) ::close(part.fd);
        *error = "cannot read file " + piece.path;
        return false;
      }
      parts_.push_back(std::move(part));  // owns the descriptor from here on
      Part& file = parts_.back();
      if (S_ISREG(info.st_mode) && static_cast<std::uint64_t>(info.st_size) <= kMaxPayloadBytes) {
        file.size = static_cast<std::uint64_t>(info.st_size);
        ::posix_fadvise(file.fd, 0, 0, POSIX_FADV_SEQUENTIAL);  // read once, front to back
      } else {
        // A pipe or a device has no size to trust: read it now.
        const bool ok = ReadRest(file.fd, file.path, &file.bytes, error);
        ::close(file.fd);
        file.fd = -1;
        if (!ok) return false;
        file.size = file.bytes.size();
      }
      size_ += file.size;
      return true;
    }
  }
  size_ += part.size;
  parts_.push_back(std::move(part));
  return true;
}

PayloadReader::PayloadReader(PayloadReader&& other) noexcept {
  *this = std::move(other);
}

PayloadReader& PayloadReader::operator=(PayloadReader&& other) noexcept {
  if (this != &other) {
    CloseFiles();
    parts_ = std::move(other.parts_);
    other.parts_.clear();
    part_ = other.part_;
    in_part_ = other.in_part_;
    size_ = other.size_;
    position_ = other.position_;
  }
  return *this;
}

PayloadReader::~PayloadReader() {
  CloseFiles();
}

void PayloadReader::CloseFiles() {
  for (Part& part : parts_) {
    if (part.fd >= 0) ::close(part.fd);
    part.fd = -1;
  }
}

bool PayloadReader::Read(std::size_t n, char* out, std::string* error) {
  while (n > 0 && part_ < parts_.size()) {
    Part& part = parts_[part_];
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(n, part.size - in_part_));
    if (!ReadPart(part, in_part_, take, out, error)) return false;
    out += take;
    n -= take;
    in_part_ += take;
    position_ += take;
    if (in_part_ == part.size) {
      ++part_;
      in_part_ = 0;
    }
  }
  return true;
}

// Writes bytes [at, at + n) of `part`; a file is read where it stands (reads are in order).
bool PayloadReader::ReadPart(Part& part, std::uint64_t at, std::size_t n, char* out,
                             std::string* error) {
  if (part.fd < 0) {
    const std::string_view unit = part.bytes;
    for (std::size_t done = 0; done < n;) {
      const auto from = static_cast<std::size_t>((at + done) % unit.size());
      const std::size_t piece = std::min(n - done, unit.size() - from);
      std::memcpy(out + done, unit.data() + from, piece);
      done += piece;
    }
    return true;
  }
  for (std::size_t done = 0; done < n;) {
    const ssize_t got = ::read(part.fd, out + done, n - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      *error = got < 0 ? "cannot read file " + part.path + ": " + std::strerror(errno)
                       : "file " + part.path + " became shorter while it was read";
      return false;
    }
    done += static_cast<std::size_t>(got);
  }
  return true;
}

bool RenderPayload(const Payload& payload, const Variables& vars, std::string* out,
                   std::string* error) {
  auto reader = PayloadReader::Open(payload, vars, error);
  if (!reader) return false;
  const std::size_t start = out->size();
  out->resize(start + reader->size());
  if (reader->Read(reader->size(), out->data() + start, error)) return true;
  out->resize(start);
  return false;
}

}  // namespace parley::harness
