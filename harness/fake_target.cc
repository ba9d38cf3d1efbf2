// parley-fake-target: a small misbehaving server for parley's end-to-end tests. It prints a
// ready line like the in-tree targets (`listening on HOST:PORT`), serves TCP and UDP on that
// port, and does wrong on request, so tests can check how parley reports a crash, a hang, a
// flood or a target that never becomes ready.
//
// On TCP it greets with "hello\n" and then reads lines:
//   crash        writes a message to stderr and aborts
//   close        closes the connection (FIN)
//   reset        closes the connection with a reset (RST)
//   flood        sends 'x' bytes until the peer goes away
//   anything     answers "echo: <line>\n"
// With --http it instead answers every request head with a 200 response ("hello" as body,
// none for HEAD). Each UDP datagram is answered with "echo: <datagram>".
//
// Flags: --host H --port P, --never-ready, --exit-before-ready N, --ready-delay-ms N,
// --ignore-term, --term-exit-code N, --stderr TEXT, --http, --pid-dir DIR (writes an empty
// file named after its pid there, so a test can check that it was stopped), --fragile (planted
// bugs for the fuzzing tests: a line that holds a NUL byte makes it abort, and a line that
// starts with "stall" makes it stop serving, though it still accepts connections), --stall-late
// (the stall begins only after the next connection has been greeted, as a server that reads a
// connection's last bytes after it accepted the next one would), --die-late (the NUL bug
// aborts 300 ms after its message, as a slow sanitizer report would), --deep (a bug only coverage
// feedback finds soon: a line that holds all five of : % " \ ; crashes it with SIGSEGV, and
// they are checked one after the other, each in a branch of its own as a parser's nested
// states are; a fuzzer that keeps the inputs passing each step builds on them, while one
// mutation of a plain line seldom brings all five at once).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

volatile sig_atomic_t g_term_exit_code = 0;

void OnTerm(int) {
  ::_exit(g_term_exit_code);
}

void WriteAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

struct Client {
  std::string buffer;
  bool flooding = false;
};

// How many of --deep's steps `line` passes: whether it holds ':', then also '%', '"', '\\' and
// ';'. Each step reached calls a function of its own, so that each is an edge of its own in
// any coverage instrumentation (a branch alone may be folded or pruned).
volatile int g_steps_taken[5];

[[gnu::noinline]] void TookStep1() {
  g_steps_taken[0] = g_steps_taken[0] + 1;
}
[[gnu::noinline]] void TookStep2() {
  g_steps_taken[1] = g_steps_taken[1] + 1;
}
[[gnu::noinline]] void TookStep3() {
  g_steps_taken[2] = g_steps_taken[2] + 1;
}
[[gnu::noinline]] void TookStep4() {
  g_steps_taken[3] = g_steps_taken[3] + 1;
}
[[gnu::noinline]] void TookStep5() {
  g_steps_taken[4] = g_steps_taken[4] + 1;
}

int DeepSteps(const std::string& line) {
  if (line.find(':') == std::string::npos) return 0;
  TookStep1();
  if (line.find('%') == std::string::npos) return 1;
  TookStep2();
  if (line.find('"') == std::string::npos) return 2;
  TookStep3();
  if (line.find('\\') == std::string::npos) return 3;
  TookStep4();
  if (line.find(';') == std::string::npos) return 4;
  TookStep5();
  return 5;
}

int Fail(const char* what) {
  std::fprintf(stderr, "fake-target: %s: %s\n", what, std::strerror(errno));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 0;
  bool never_ready = false;
  int exit_before_ready = -1;
  int ready_delay_ms = 0;
  bool ignore_term = false;
  bool http = false;
  bool fragile = false;
  bool stall_late = false;
  bool stall_pending = false;
  bool deep = false;
  bool die_late = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--host") {
      host = next();
    } else if (arg == "--port") {
      port = std::atoi(next().c_str());
    } else if (arg == "--never-ready") {
      never_ready = true;
    } else if (arg == "--exit-before-ready") {
      exit_before_ready = std::atoi(next().c_str());
    } else if (arg == "--ready-delay-ms") {
      ready_delay_ms = std::atoi(next().c_str());
    } else if (arg == "--ignore-term") {
      ignore_term = true;
    } else if (arg == "--term-exit-code") {
      g_term_exit_code = std::atoi(next().c_str());
    } else if (arg == "--stderr") {
      std::fprintf(stderr, "%s\n", next().c_str());
    } else if (arg == "--http") {
      http = true;
    } else if (arg == "--fragile") {
      fragile = true;
    } else if (arg == "--die-late") {
      die_late = true;
    } else if (arg == "--deep") {
      deep = true;
    } else if (arg == "--stall-late") {
      stall_late = true;
    } else if (arg == "--pid-dir") {
      std::string path = next() + "/" + std::to_string(::getpid());
      if (std::FILE* f = std::fopen(path.c_str(), "w")) std::fclose(f);
    } else {
      std::fprintf(stderr, "fake-target: unknown flag %s\n", arg.c_str());
      return 2;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGTERM, ignore_term ? SIG_IGN : OnTerm);
  ::signal(SIGINT, ignore_term ? SIG_IGN : OnTerm);
  if (exit_before_ready >= 0) {
    std::fprintf(stderr, "fake-target: exiting before ready, as asked\n");
    return exit_before_ready;
  }
  if (never_ready) {
    std::fprintf(stderr, "fake-target: never becoming ready, as asked\n");
    for (;;)
      ::pause();
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return Fail("bad --host");
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return Fail("bind");
  if (::listen(listener, 64) != 0) return Fail("listen");
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (::bind(udp, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return Fail("bind udp");
  if (ready_delay_ms > 0) ::usleep(static_cast<useconds_t>(ready_delay_ms) * 1000);
  std::printf("listening on %s:%d\n", host.c_str(), ntohs(addr.sin_port));
  std::fflush(stdout);

  std::map<int, Client> clients;
  for (;;) {
    std::vector<pollfd> fds = {{listener, POLLIN, 0}, {udp, POLLIN, 0}};
    for (auto& [fd, c] : clients) {
      fds.push_back({fd, static_cast<short>(POLLIN | (c.flooding ? POLLOUT : 0)), 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) continue;
    if (fds[0].revents & POLLIN) {
      int fd = ::accept(listener, nullptr, nullptr);
      if (fd >= 0) {
        clients[fd] = Client();
        if (!http) WriteAll(fd, "hello\n");
        if (stall_pending) {
          for (;;)
            ::pause();  // SIGTERM still ends it
        }
      }
    }
    if (fds[1].revents & POLLIN) {
      char buffer[65536];
      sockaddr_in from{};
      socklen_t from_len = sizeof from;
      ssize_t n =
          ::recvfrom(udp, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n >= 0) {
        std::string reply = "echo: " + std::string(buffer, static_cast<std::size_t>(n));
        ::sendto(udp, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), from_len);
      }
    }
    for (std::size_t i = 2; i < fds.size(); ++i) {
      int fd = fds[i].fd;
      Client& c = clients[fd];
      bool drop = false;
      if (c.flooding && (fds[i].revents & POLLOUT)) {
        std::string chunk(65536, 'x');
        if (::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
            errno != EAGAIN) {
          drop = true;
        }
      }
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        char buffer[4096];
        ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
          drop = true;
        } else {
          c.buffer.append(buffer, static_cast<std::size_t>(n));
        }
      }
      for (;;) {
        if (drop) break;
        if (http) {
          std::size_t end = c.buffer.find("\r\n\r\n");
          if (end == std::string::npos) break;
          bool head = c.buffer.compare(0, 5, "HEAD ") == 0;
          c.buffer.erase(0, end + 4);
          WriteAll(fd,
                   std::string(
                       "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n") +
                       (head ? "" : "hello"));
          continue;
        }
        std::size_t lf = c.buffer.find('\n');
        if (lf == std::string::npos) break;
        std::string line = c.buffer.substr(0, lf);
        c.buffer.erase(0, lf + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (fragile && line.find('\0') != std::string::npos) {
          std::fprintf(stderr, "fake-target: a NUL byte in a line (the bug --fragile plants)\n");
          std::fflush(stderr);
          if (die_late) ::usleep(300 * 1000);
          std::abort();
        }
        if (deep && DeepSteps(line) == 5) {
          std::fprintf(stderr,
                       "fake-target: a line with all five of :%%\"\\; (the deep bug "
                       "--deep plants)\n");
          std::fflush(stderr);
          ::raise(SIGSEGV);
        }
        if (fragile && line.rfind("stall", 0) == 0) {
          std::fprintf(stderr, "fake-target: stalling (the hang --fragile plants)\n");
          std::fflush(stderr);
          if (stall_late) {
            stall_pending = true;
            continue;
          }
          for (;;)
            ::pause();  // SIGTERM still ends it
        }
        if (line == "crash") {
          std::fprintf(stderr, "fake-target: crashing on request\n");
          std::fflush(stderr);
          std::abort();
        } else if (line == "close") {
          drop = true;
        } else if (line == "reset") {
          linger l{1, 0};
          ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
          drop = true;
        } else if (line == "flood") {
          c.flooding = true;
        } else {
          WriteAll(fd, "echo: " + line + "\n");
        }
      }
      if (drop) {
        ::close(fd);
        clients.erase(fd);
      }
    }
  }
}
