// http-server: the "Hola Mundo" HTTP/1.1 server. See docs/http-server.md.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "targets/http/server/command_line.h"
#include "targets/http/server/server.h"
#include "targets/http/server/static_files.h"
#include "targets/tls/server_context.h"

namespace {

using parley::http::CommandLine;

// Many idle keep-alive connections need many descriptors: use the hard limit.
void RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

std::string Url(const boost::asio::ip::tcp::endpoint& endpoint, bool tls) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return (tls ? "https://" : "http://") + host + ":" + std::to_string(endpoint.port());
}

int Serve(parley::http::ServerConfig config) {
  std::optional<parley::http::StaticFiles> files;
  if (!config.root.empty()) {
    std::string error;
    files = parley::http::StaticFiles::Open(config.root, &error);
    if (!files) {
      std::fprintf(stderr, "http-server: %s\n", error.c_str());
      return 1;
    }
  }
  std::unique_ptr<parley::tls::ServerTls> tls;
  if (!config.tls_cert.empty()) {
    std::string error;
    tls = parley::tls::ServerTls::Load(config.tls_cert, config.tls_key, {"http/1.1"}, &error);
    if (!tls) {
      std::fprintf(stderr, "http-server: %s\n", error.c_str());
      return 1;
    }
  }
  std::signal(SIGPIPE, SIG_IGN);
  RaiseDescriptorLimit();
  config.handle_signals = true;
  parley::http::Server server(config, std::move(files), tls ? &tls->context() : nullptr);
  if (const auto ec = server.Listen()) {
    std::fprintf(stderr, "http-server: cannot listen on %s:%u: %s\n", config.host.c_str(),
                 static_cast<unsigned>(config.port), ec.message().c_str());
    return 1;
  }
  std::printf("listening on %s\n", Url(server.local_endpoint(), tls != nullptr).c_str());
  std::fflush(stdout);
  server.Run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const CommandLine command_line = parley::http::ParseCommandLine(argc, argv);
  switch (command_line.action) {
    case CommandLine::Action::kHelp:
    case CommandLine::Action::kVersion:
      std::printf("%s\n", command_line.text.c_str());
      return 0;
    case CommandLine::Action::kUsageError:
      std::fprintf(stderr, "%s\n", command_line.text.c_str());
      return 2;
    case CommandLine::Action::kRun:
      break;
  }
  try {
    return Serve(command_line.config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "http-server: %s\n", e.what());
    return 1;
  }
}
