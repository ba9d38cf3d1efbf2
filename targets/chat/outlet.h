// Outlet: what the room needs from a member's connection, and the shared line bytes it sends.
#ifndef PARLEY_TARGETS_CHAT_OUTLET_H_
#define PARLEY_TARGETS_CHAT_OUTLET_H_

#include <cstdint>
#include <memory>
#include <string>

namespace parley::chat {

// One server line, encoded once with its LF and shared by every queue it is delivered to; or,
// from a Room::Batch, several whole lines in a row (every one ending in LF).
using SharedLine = std::shared_ptr<const std::string>;

enum class CloseMode : std::uint8_t {
  kFlush,  // send what is queued, then close (quit, shutdown)
  kAbort,  // close now and drop what is queued (too slow)
};

class Outlet {
 public:
  // Queues `line` (one or more whole lines) for the member. Returns false, queuing nothing,
  // when it would take the member's outbound queue over its bound; the room then removes the
  // member as too slow.
  // Must not call back into the room.
  virtual bool Deliver(const SharedLine& line) = 0;

  // The room has removed the member on its own (quit, too slow, shutdown) and will not use this
  // outlet again. Must not call back into the room.
  virtual void Close(CloseMode mode) = 0;

 protected:
  ~Outlet() = default;
};

}  // namespace parley::chat

#endif  // PARLEY_TARGETS_CHAT_OUTLET_H_
