#include "targets/http/server/test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>

extern char** environ;

namespace parley::http::testing {

namespace http = boost::beast::http;

namespace {

int MillisecondsUntil(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<long long>(0, left.count()));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Reads one response incrementally with Boost.Beast's parser.
class ResponseParser {
 public:
  explicit ResponseParser(bool head) {
    parser_.eager(true);
    parser_.skip(head);
    parser_.body_limit(std::uint64_t{1} << 32);
  }

  // Consumes what it can of `bytes`; returns the bytes used, or nullopt if they are malformed.
  std::optional<std::size_t> Put(std::string_view bytes) {
    std::size_t used = 0;
    while (used < bytes.size() && !parser_.is_done()) {
      boost::system::error_code ec;
      const std::size_t n =
          parser_.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
      raw_.append(bytes.substr(used, n));
      used += n;
      if (ec == http::error::need_more) break;
      if (ec) return std::nullopt;
    }
    return used;
  }

  // The peer closed: completes a close-delimited body.
  void PutEof() {
    boost::system::error_code ec;
    if (parser_.is_header_done() && !parser_.is_done()) parser_.put_eof(ec);
  }

  bool done() const { return parser_.is_done(); }

  Response Take() {
    const auto& message = parser_.get();
    Response out;
    out.status = static_cast<int>(message.result_int());
    out.reason = std::string(message.reason());
    for (const auto& field : message) {
      out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = message.body();
    out.raw = std::move(raw_);
    return out;
  }

 private:
  http::response_parser<http::string_body> parser_;
  std::string raw_;
};

}  // namespace

std::optional<std::string> Response::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

std::vector<Response> ParseResponses(std::string_view bytes, const std::vector<bool>& head,
                                     std::string* rest) {
  std::vector<Response> responses;
  while (!bytes.empty()) {
    const std::size_t index = responses.size();
    ResponseParser parser(index < head.size() && head[index]);
    const auto used = parser.Put(bytes);
    if (!used || !parser.done()) break;
    responses.push_back(parser.Take());
    bytes.remove_prefix(*used);
  }
  if (rest != nullptr) *rest = std::string(bytes);
  return responses;
}

std::string WithoutDates(std::string_view bytes) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t date = bytes.find("\r\nDate: ", pos);
    if (date == std::string_view::npos) break;
    const std::size_t end = bytes.find("\r\n", date + 2);
    if (end == std::string_view::npos) break;
    out.append(bytes.substr(pos, date - pos));
    out.append("\r\nDate: *");
    pos = end;
  }
  out.append(bytes.substr(pos));
  return out;
}

Client::Client(std::uint16_t port, Duration timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return;
  if (errno == EINPROGRESS) {
    pollfd p{fd_, POLLOUT, 0};
    int error = 0;
    socklen_t size = sizeof error;
    if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1 &&
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error == 0) {
      return;
    }
  }
  ::close(fd_);
  fd_ = -1;
}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

bool Client::Send(std::string_view bytes, Duration timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, MillisecondsUntil(deadline)) != 1) return false;
  }
  return true;
}

void Client::ShutdownSend() {
  ::shutdown(fd_, SHUT_WR);
}

long Client::Receive(Clock::time_point deadline) {
  for (;;) {
    char buffer[16384];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) {
      pending_.append(buffer, static_cast<std::size_t>(n));
      return n;
    }
    if (n == 0) return 0;
    if (errno != EAGAIN && errno != EINTR) return 0;  // a reset counts as closed
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, MillisecondsUntil(deadline));
    if (ready == 0) return -1;
    if (ready < 0 && errno != EINTR) return -1;
  }
}

std::optional<Response> Client::Read(bool head, Duration timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  ResponseParser parser(head);
  for (;;) {
    const auto used = parser.Put(pending_);
    if (!used) return std::nullopt;
    pending_.erase(0, *used);
    if (parser.done()) return parser.Take();
    const long n = Receive(deadline);
    if (n < 0) return std::nullopt;
    if (n == 0) {
      parser.PutEof();
      if (parser.done()) return parser.Take();
      return std::nullopt;
    }
  }
}

std::optional<std::string> Client::ReadUntilClosed(Duration timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    const long n = Receive(deadline);
    if (n < 0) return std::nullopt;
    if (n == 0) break;
  }
  std::string all;
  all.swap(pending_);
  return all;
}

bool Client::WaitClosed(Duration timeout) {
  const auto rest = ReadUntilClosed(timeout);
  return rest.has_value() && rest->empty();
}

bool Client::StaysQuiet(Duration quiet) {
  return Receive(Clock::now() + quiet) < 0 && pending_.empty();
}

RunningServer::RunningServer(ServerConfig config) {
  config.host = "127.0.0.1";
  config.port = 0;
  if (const char* io = std::getenv("PARLEY_TEST_HTTP_IO"); io && std::string_view(io) == "uring") {
    config.io = IoEngine::kUring;
  }
  std::optional<StaticFiles> files;
  if (!config.root.empty()) {
    std::string error;
    files = StaticFiles::Open(config.root, &error);
    if (!files) throw std::runtime_error(error);
  }
  server_ = std::make_unique<Server>(config, std::move(files));
  if (const auto ec = server_->Listen()) throw std::runtime_error(ec.message());
  port_ = server_->local_endpoint().port();
  std::promise<void> done;
  done_ = done.get_future();
  thread_ = std::thread([this, done = std::move(done)]() mutable {
    server_->Run();
    done.set_value();
  });
}

RunningServer::~RunningServer() {
  Stop();
  if (thread_.joinable()) thread_.join();
}

bool RunningServer::Stop(Duration timeout) {
  if (!thread_.joinable()) return true;
  server_->Shutdown();
  if (done_.wait_for(timeout) != std::future_status::ready) return false;
  thread_.join();
  return true;
}

HeldPort::HeldPort() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd_, 1) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    if (fd_ >= 0) ::close(fd_);
    throw std::runtime_error("cannot hold a loopback port");
  }
  port_ = ntohs(address.sin_port);
}

HeldPort::~HeldPort() {
  ::close(fd_);
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return;
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(err[1]);
  out_ = out[0];
  err_ = err[0];
  ::fcntl(out_, F_SETFL, O_NONBLOCK);
  ::fcntl(err_, F_SETFL, O_NONBLOCK);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (out_ >= 0) ::close(out_);
  if (err_ >= 0) ::close(err_);
}

void ChildProcess::Drain(int fd, std::string& into) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return;
    into.append(buffer, static_cast<std::size_t>(n));
  }
}

std::optional<std::string> ChildProcess::ReadLine(Duration timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    Drain(out_, out_text_);
    const std::size_t end = out_text_.find('\n');
    if (end != std::string::npos) {
      std::string line = out_text_.substr(0, end);
      out_text_.erase(0, end + 1);
      return line;
    }
    pollfd p{out_, POLLIN, 0};
    const int ready = ::poll(&p, 1, MillisecondsUntil(deadline));
    if (ready <= 0) return std::nullopt;
    if ((p.revents & POLLIN) == 0) return std::nullopt;  // closed without a line
  }
}

std::optional<int> ChildProcess::Wait(Duration timeout) {
  if (status_) return status_;
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      Drain(err_, err_text_);
      return status_;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    // Keep the pipes flowing so a chatty child cannot block on a full pipe.
    Drain(out_, out_text_);
    Drain(err_, err_text_);
    ::poll(nullptr, 0, 10);
  }
}

void ChildProcess::Signal(int signal) {
  if (pid_ > 0 && !status_) ::kill(pid_, signal);
}

std::string ChildProcess::Stderr() {
  Drain(err_, err_text_);
  return err_text_;
}

}  // namespace parley::http::testing
