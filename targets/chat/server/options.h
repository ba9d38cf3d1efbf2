// ServerOptions: chat-server's command line (see docs/chat-server.md), parsed with
// Boost.Program_options. Durations accept "500ms", "10s", "2m", "1h" or plain seconds; byte sizes
// accept plain bytes or a "k"/"m" suffix (KiB, MiB).
#ifndef PARLEY_TARGETS_CHAT_SERVER_OPTIONS_H_
#define PARLEY_TARGETS_CHAT_SERVER_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace parley::chat {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8888;                      // 0 picks a free port
  std::size_t max_clients = 4096;                 // TCP and UDP members together
  std::chrono::milliseconds idle_timeout{0};      // TCP members; 0 = never
  std::chrono::milliseconds udp_timeout{60'000};  // UDP peers; 0 = never
  std::size_t max_queue = std::size_t{1} << 20;   // outbound bytes per member
  // TLS for every TCP client: a PEM certificate chain and its private key, both or neither.
  std::string tls_cert;
  std::string tls_key;
  bool verbose = false;
};

enum class OptionsAction : std::uint8_t { kRun, kHelp, kVersion };

struct ParsedOptions {
  OptionsAction action = OptionsAction::kRun;
  ServerOptions options;
  std::string text;  // what to print for kHelp and kVersion
};

// A command line chat-server cannot run with; what() says why, naming the flag.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws UsageError.
ParsedOptions ParseOptions(int argc, const char* const* argv);

// "500ms", "10s", "2m", "1h" or plain seconds ("30"); nullopt when malformed or out of range.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// "65536", "64k", "1m" (binary units, either case); nullopt when malformed or out of range.
std::optional<std::size_t> ParseByteSize(std::string_view text);

// "chat-server (parley) VERSION".
std::string VersionText();

}  // namespace parley::chat

#endif  // PARLEY_TARGETS_CHAT_SERVER_OPTIONS_H_
