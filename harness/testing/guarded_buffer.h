// GuardedBuffer: holds bytes so that the last one is the last readable byte before an
// inaccessible (PROT_NONE) page. Code that reads even one byte past the end faults at once,
// instead of silently reading whatever follows in the heap. For tests and fuzz harnesses.
//
//   GuardedBuffer buffer;
//   std::string_view input = buffer.Assign("GET / HTTP/1.1\r\n");
//   parser.Parse(input);  // an over-read crashes here
//
// Each Assign invalidates the views returned before. Not thread-safe.
#ifndef PARLEY_HARNESS_TESTING_GUARDED_BUFFER_H_
#define PARLEY_HARNESS_TESTING_GUARDED_BUFFER_H_

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string_view>
#include <system_error>

namespace parley::test {

class GuardedBuffer {
 public:
  GuardedBuffer() = default;
  explicit GuardedBuffer(std::string_view bytes) { Assign(bytes); }
  ~GuardedBuffer() { Unmap(); }

  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;

  // Copies `bytes` to end right before the guard page; returns a view of the copy. Throws
  // std::system_error if the pages cannot be mapped.
  std::string_view Assign(std::string_view bytes) {
    if (bytes.size() > capacity_) Map(bytes.size());
    char* const begin = base_ + capacity_ - bytes.size();
    if (!bytes.empty()) std::memcpy(begin, bytes.data(), bytes.size());
    view_ = std::string_view(begin, bytes.size());
    return view_;
  }

  std::string_view view() const { return view_; }

 private:
  static std::size_t PageSize() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

  // Maps enough readable pages for `size` bytes, plus the guard page after them.
  void Map(std::size_t size) {
    Unmap();
    const std::size_t page = PageSize();
    const std::size_t readable = (size + page - 1) / page * page;
    void* region = ::mmap(nullptr, readable + page, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    base_ = static_cast<char*>(region);
    capacity_ = readable;
    if (::mprotect(base_ + readable, page, PROT_NONE) != 0) {
      const int error = errno;
      Unmap();
      throw std::system_error(error, std::generic_category(), "mprotect");
    }
  }

  void Unmap() {
    if (base_ != nullptr) ::munmap(base_, capacity_ + PageSize());
    base_ = nullptr;
    capacity_ = 0;
    view_ = std::string_view();
  }

  char* base_ = nullptr;
  std::size_t capacity_ = 0;  // readable bytes before the guard page
  std::string_view view_;
};

}  // namespace parley::test

#endif  // PARLEY_HARNESS_TESTING_GUARDED_BUFFER_H_
