#include "harness/netfuzz/coverage.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string_view>

namespace parley::harness {
namespace {

constexpr std::string_view kAflShmVariable = "__AFL_SHM_ID";

std::array<std::uint8_t, 256> MakeBuckets() {
  std::array<std::uint8_t, 256> buckets{};
  for (int count = 1; count < 256; ++count) {
    std::uint8_t bucket;
    if (count <= 3) {
      bucket = static_cast<std::uint8_t>(count == 3 ? 4 : count);
    } else if (count <= 7) {
      bucket = 8;
    } else if (count <= 15) {
      bucket = 16;
    } else if (count <= 31) {
      bucket = 32;
    } else if (count <= 127) {
      bucket = 64;
    } else {
      bucket = 128;
    }
    buckets[static_cast<std::size_t>(count)] = bucket;
  }
  return buckets;
}

const std::array<std::uint8_t, 256> kBuckets = MakeBuckets();

bool IsExecutableFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string WithThousands(std::size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::uint8_t HitBucket(std::uint8_t count) {
  return kBuckets[count];
}

std::string ResolveProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) return IsExecutableFile(program) ? program : "";
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    std::size_t colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + program;
    if (IsExecutableFile(candidate)) return candidate;
  }
  return "";
}

bool HasAflRuntime(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string window;  // a chunk, after the end of the one before (so no match is cut in two)
  std::vector<char> chunk(1 << 20);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const std::size_t n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    window.append(chunk.data(), n);
    if (window.find(kAflShmVariable) != std::string::npos) return true;
    window.erase(0, window.size() - std::min(window.size(), kAflShmVariable.size() - 1));
  }
  return false;
}

std::optional<std::size_t> AflMapSize(const std::string& path, int timeout_ms, std::string* error) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    *error = std::string("cannot create a pipe: ") + std::strerror(errno);
    return std::nullopt;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    *error = std::string("cannot fork: ") + std::strerror(errno);
    ::close(out[0]);
    ::close(out[1]);
    return std::nullopt;
  }
  if (pid == 0) {
    int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, 0);
    ::dup2(out[1], 1);
    ::dup2(null_fd, 2);
    ::close_range(3, ~0U, 0);
    ::setenv("AFL_DUMP_MAP_SIZE", "1", 1);
    ::unsetenv(kAflShmVariable.data());
    ::execl(path.c_str(), path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{out[0], POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    char buffer[256];
    ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > 4096) break;
  }
  ::close(out[0]);
  ::kill(pid, SIGKILL);  // a no-op when it has already exited, as it should have
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::size_t end = text.find('\n');
  std::string first = text.substr(0, end);
  char* stop = nullptr;
  unsigned long long size = std::strtoull(first.c_str(), &stop, 10);
  if (first.empty() || stop == nullptr || *stop != '\0' || size == 0 || size > (1ULL << 30)) {
    *error = "'" + path + "' with AFL_DUMP_MAP_SIZE=1 printed \"" + first.substr(0, 80) +
             "\", not a map size";
    return std::nullopt;
  }
  return static_cast<std::size_t>(size);
}

CoverageMaps::~CoverageMaps() {
  for (auto& map : maps_) {
    if (map->bytes != nullptr) ::shmdt(map->bytes);
  }
}

bool CoverageMaps::Environment(const std::string& target, const std::vector<std::string>& argv,
                               std::vector<std::string>* environment, std::string* error) {
  if (plain_.count(target) != 0) return true;
  auto known = by_target_.find(target);
  if (known == by_target_.end()) {
    const std::string program = argv.empty() ? "" : ResolveProgram(argv[0]);
    if (program.empty() || !HasAflRuntime(program)) {
      plain_[target] = "black-box: not built with AFL++ instrumentation";
      notes_.push_back("target '" + target + "' (" + (program.empty() ? argv[0] : program) +
                       ") is not built with AFL++ instrumentation: black-box");
      return true;
    }
    std::string why;
    std::optional<std::size_t> size = AflMapSize(program, 10000, &why);
    if (!size) {
      *error = "cannot learn the coverage map size of " + program + ": " + why;
      return false;
    }
    auto map = std::make_unique<Map>();
    map->target = target;
    map->size = *size;
    map->id = ::shmget(IPC_PRIVATE, map->size, IPC_CREAT | IPC_EXCL | 0600);
    if (map->id < 0) {
      *error = "cannot create a " + std::to_string(map->size) +
               "-byte shared-memory coverage map: " + std::strerror(errno);
      return false;
    }
    void* at = ::shmat(map->id, nullptr, 0);
    ::shmctl(map->id, IPC_RMID, nullptr);  // gone with its last user, whatever ends parley
    if (at == reinterpret_cast<void*>(-1)) {
      *error = std::string("cannot attach the coverage map: ") + std::strerror(errno);
      return false;
    }
    map->bytes = static_cast<std::uint8_t*>(at);
    std::memset(map->bytes, 0, map->size);
    map->seen.assign(map->size, 0);
    notes_.push_back("target '" + target + "' (" + program + ") is instrumented: AFL++ map of " +
                     WithThousands(map->size) + " bytes");
    known = by_target_.emplace(target, map.get()).first;
    maps_.push_back(std::move(map));
  }
  environment->push_back(std::string(kAflShmVariable) + "=" + std::to_string(known->second->id));
  environment->push_back("AFL_MAP_SIZE=" + std::to_string(known->second->size));
  return true;
}

void CoverageMaps::Clear() {
  for (auto& map : maps_)
    std::memset(map->bytes, 0, map->size);
}

bool CoverageMaps::Merge() {
  bool fresh = false;
  trace_.clear();
  std::uint32_t first_edge = 0;
  for (auto& map : maps_) {
    fresh = Merge(*map, first_edge) || fresh;
    first_edge += static_cast<std::uint32_t>(map->size);
  }
  return fresh;
}

bool CoverageMaps::Merge(Map& map, std::uint32_t first_edge) {
  bool fresh = false;
  const std::uint8_t* bytes = map.bytes;
  // Most of a map is zero: skip it eight bytes at a time. Index 0 is AFL's "attached" mark.
  for (std::size_t i = 1; i < map.size;) {
    if (i % 8 == 0 && i + 8 <= map.size) {
      std::uint64_t word;
      std::memcpy(&word, bytes + i, sizeof word);
      if (word == 0) {
        i += 8;
        continue;
      }
    }
    if (bytes[i] != 0) {
      trace_.push_back(first_edge + static_cast<std::uint32_t>(i));
      const std::uint8_t bucket = kBuckets[bytes[i]];
      if ((bucket & ~map.seen[i]) != 0) {
        if (map.seen[i] == 0) ++map.edges;
        map.seen[i] |= bucket;
        fresh = true;
      }
    }
    ++i;
  }
  return fresh;
}

std::size_t CoverageMaps::edges() const {
  std::size_t total = 0;
  for (const auto& map : maps_)
    total += map->edges;
  return total;
}

std::string CoverageMaps::Describe() const {
  std::string out;
  for (const auto& map : maps_) {
    if (!out.empty()) out += ", ";
    out += map->target + " (AFL++ map of " + WithThousands(map->size) + " bytes)";
  }
  for (const auto& [target, why] : plain_) {
    if (!out.empty()) out += ", ";
    out += target + " (" + why + ")";
  }
  return out;
}

std::vector<std::string> CoverageMaps::TakeNotes() {
  std::vector<std::string> notes;
  notes.swap(notes_);
  return notes;
}

}  // namespace parley::harness
