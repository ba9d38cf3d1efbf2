// ConnectionSettings and ConnectionContext: what every TCP connection of one chat-server shares,
// plain (TcpConnection) or TLS (TlsConnection). One thread uses them.
#ifndef PARLEY_TARGETS_CHAT_SERVER_CONNECTION_CONTEXT_H_
#define PARLEY_TARGETS_CHAT_SERVER_CONNECTION_CONTEXT_H_

#include <chrono>
#include <cstddef>
#include <vector>

#include "targets/chat/room.h"
#include "targets/chat/server/log.h"

namespace parley::chat {

struct ConnectionSettings {
  std::size_t max_queue = std::size_t{1} << 20;
  std::chrono::milliseconds idle_timeout{0};  // 0 = never
  std::chrono::milliseconds close_grace{500};
};

struct ConnectionContext {
  Room& room;
  const Log& log;
  ConnectionSettings settings;
  // Every plain connection reads into this one buffer: each read is framed before the next one
  // starts, so reads can be large while an idle connection holds no read buffer at all.
  std::vector<char> read_buffer = std::vector<char>(16 * 1024);
  // Short queued lines are packed here for one write; the write copies them into the kernel
  // before it returns, so all plain connections share it too.
  std::vector<char> write_buffer = std::vector<char>(64 * 1024);
  // Set by ChatServer::Shutdown. The room is closed for good then: a TLS connection whose
  // handshake ends after it closes instead of joining.
  bool shutting_down = false;
};

}  // namespace parley::chat

#endif  // PARLEY_TARGETS_CHAT_SERVER_CONNECTION_CONTEXT_H_
