// GuardedBuffer (tests only): copies bytes to the very end of a readable page that is followed
// by an unreadable one, so reading even one byte past them crashes the test at once.
#ifndef PARLEY_TARGETS_CHAT_GUARDED_BUFFER_H_
#define PARLEY_TARGETS_CHAT_GUARDED_BUFFER_H_

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace parley::chat {

class GuardedBuffer {
 public:
  explicit GuardedBuffer(std::string_view bytes)
      : page_(static_cast<std::size_t>(sysconf(_SC_PAGESIZE))),
        pages_(bytes.size() / page_ + 1),
        size_((pages_ + 1) * page_) {
    void* map = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) std::abort();
    base_ = static_cast<char*>(map);
    if (mprotect(base_ + pages_ * page_, page_, PROT_NONE) != 0) std::abort();
    char* begin = base_ + pages_ * page_ - bytes.size();
    if (!bytes.empty()) std::memcpy(begin, bytes.data(), bytes.size());
    view_ = std::string_view(begin, bytes.size());
  }
  ~GuardedBuffer() { munmap(base_, size_); }
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;

  std::string_view view() const { return view_; }

 private:
  std::size_t page_;
  std::size_t pages_;
  std::size_t size_;
  char* base_ = nullptr;
  std::string_view view_;
};

}  // namespace parley::chat

#endif  // PARLEY_TARGETS_CHAT_GUARDED_BUFFER_H_
