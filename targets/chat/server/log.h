// Log: chat-server's stderr. Quiet unless --verbose; then one line per event.
#ifndef PARLEY_TARGETS_CHAT_SERVER_LOG_H_
#define PARLEY_TARGETS_CHAT_SERVER_LOG_H_

#include <iostream>
#include <string_view>

namespace parley::chat {

class Log {
 public:
  explicit Log(bool verbose) : verbose_(verbose) {}

  // Callers test this before building a message, so a quiet server does no formatting work.
  bool verbose() const { return verbose_; }

  void Event(std::string_view message) const {
    if (verbose_) std::cerr << "chat-server: " << message << '\n';
  }

 private:
  bool verbose_;
};

}  // namespace parley::chat

#endif  // PARLEY_TARGETS_CHAT_SERVER_LOG_H_
