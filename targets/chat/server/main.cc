// chat-server: a multi-client chat room over TCP and UDP that plain nc can use, and over TLS
// with --tls-cert and --tls-key. See docs/chat-server.md for the flags and
// targets/chat/PROTOCOL.md for the protocol.
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>

#include "targets/chat/server/chat_server.h"
#include "targets/chat/server/options.h"
#include "targets/tls/server_context.h"

namespace {

namespace asio = boost::asio;
using parley::chat::ChatServer;

// Each TCP member holds a descriptor: lift the soft limit to the hard one.
void RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int Run(const parley::chat::ServerOptions& options) {
  std::unique_ptr<parley::tls::ServerTls> tls;
  if (!options.tls_cert.empty()) {
    std::string error;
    tls = parley::tls::ServerTls::Load(options.tls_cert, options.tls_key, {}, &error);
    if (!tls) {
      std::cerr << "chat-server: " << error << '\n';
      return 1;
    }
  }
  asio::io_context io(1);
  std::unique_ptr<ChatServer> server;
  try {
    server = std::make_unique<ChatServer>(io, options, tls ? &tls->context() : nullptr);
  } catch (const std::system_error& e) {
    std::cerr << "chat-server: " << e.what() << '\n';
    return 1;
  }

  // The first SIGINT or SIGTERM shuts down gracefully; clearing the set gives a second one its
  // default action, so an impatient Ctrl-C still ends the process.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int) {
    if (error) return;
    boost::system::error_code ignored;
    signals.clear(ignored);
    server->Shutdown();
  });

  server->Start();
  // Plain: "listening on 127.0.0.1:8888"; TLS: "listening on tls://127.0.0.1:8888".
  std::cout << "listening on " << (tls ? "tls://" : "")
            << parley::chat::FormatEndpoint(server->local_endpoint()) << std::endl;
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  parley::chat::ParsedOptions parsed;
  try {
    parsed = parley::chat::ParseOptions(argc, argv);
  } catch (const parley::chat::UsageError& e) {
    std::cerr << "chat-server: " << e.what() << "\nTry 'chat-server --help' for more.\n";
    return 2;
  }
  if (parsed.action != parley::chat::OptionsAction::kRun) {
    std::cout << parsed.text;
    return 0;
  }
  std::signal(SIGPIPE, SIG_IGN);
  RaiseDescriptorLimit();
  try {
    return Run(parsed.options);
  } catch (const std::exception& e) {
    std::cerr << "chat-server: " << e.what() << '\n';
    return 1;
  }
}
