// AFL++ edge coverage of the targets `parley fuzz` starts (grey-box feedback).
//
// A target built with AFL++'s instrumentation (afl-clang-fast / afl-c++, e.g. the `afl` CMake
// preset) attaches, at start-up, the System V shared-memory map named by the __AFL_SHM_ID
// environment variable and counts there each edge its code takes. It needs no fork server:
// with file descriptors 198 and 199 closed (parley's children have them closed) the
// hand-shake fails quietly and the program runs as usual. It never clears the map.
//
// CoverageMaps gives each instrumented target one map (its size asked of the program itself
// with AFL_DUMP_MAP_SIZE=1, which prints it and exits), kept across restarts of the target.
// The campaign clears every map before an iteration and merges them after it: each edge's
// hit count is put in AFL's bucket (1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+), and an input
// that shows a bucket never seen for that edge is new coverage. Programs without the
// instrumentation (scripts, other builds) are fuzzed black-box.
//
// The maps are removed from the system at once after creation (Linux lets a process attach a
// segment marked for removal), so none outlives parley, whatever way it ends.
#ifndef PARLEY_HARNESS_NETFUZZ_COVERAGE_H_
#define PARLEY_HARNESS_NETFUZZ_COVERAGE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace parley::harness {

// The AFL++ bucket of an edge's hit count (a single bit, 0 for no hit).
std::uint8_t HitBucket(std::uint8_t count);

// Where `program` runs from: itself when it names a path, else the first executable match in
// PATH; empty when there is none.
std::string ResolveProgram(const std::string& program);

// Whether the file at `path` holds AFL++'s run-time (it reads __AFL_SHM_ID).
bool HasAflRuntime(const std::string& path);

// The coverage map size an instrumented program asks for, by running it with
// AFL_DUMP_MAP_SIZE=1 (it prints the size and exits before main). nullopt with `*error` set
// when it cannot be learned within `timeout_ms`.
std::optional<std::size_t> AflMapSize(const std::string& path, int timeout_ms, std::string* error);

class CoverageMaps {
 public:
  CoverageMaps() = default;
  CoverageMaps(const CoverageMaps&) = delete;
  CoverageMaps& operator=(const CoverageMaps&) = delete;
  ~CoverageMaps();

  // TargetPool's environment hook: for an instrumented target, creates its map at the first
  // start and adds __AFL_SHM_ID and AFL_MAP_SIZE to `*environment`; other targets get
  // nothing. Fails (false, `*error`) when a map cannot be created. The first time a target is
  // seen, a line saying which it is goes to the notes (TakeNotes).
  bool Environment(const std::string& target, const std::vector<std::string>& argv,
                   std::vector<std::string>* environment, std::string* error);

  // Clears every map (before an iteration).
  void Clear();
  // Merges what the maps hold into what was seen so far; true when some edge showed a hit
  // count bucket never seen for it.
  bool Merge();

  // The edges the maps held at the last Merge (numbered across maps), whether new or not.
  const std::vector<std::uint32_t>& trace() const { return trace_; }

  bool active() const { return !maps_.empty(); }
  // Edges seen at least once, over every map.
  std::size_t edges() const;
  // "http-server (map 41,215 bytes), chat-server (black-box: not instrumented)"
  std::string Describe() const;
  // Lines for the log, one per target first seen since the last call.
  std::vector<std::string> TakeNotes();

 private:
  struct Map {
    std::string target;
    int id = -1;
    std::uint8_t* bytes = nullptr;
    std::size_t size = 0;
    std::vector<std::uint8_t> seen;  // buckets seen, per edge
    std::size_t edges = 0;
  };
  bool Merge(Map& map, std::uint32_t first_edge);

  std::vector<std::unique_ptr<Map>> maps_;
  std::map<std::string, Map*> by_target_;
  std::map<std::string, std::string> plain_;  // target -> why it is black-box
  std::vector<std::string> notes_;
  std::vector<std::uint32_t> trace_;
};

}  // namespace parley::harness

#endif  // PARLEY_HARNESS_NETFUZZ_COVERAGE_H_
