#include "targets/http/server/server.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>

#include "targets/http/server/request_handler.h"

namespace parley::http {

namespace asio = boost::asio;
using boost::asio::ip::tcp;
using boost::system::error_code;

namespace {

// Accept errors that mean "out of resources now": retry later instead of spinning.
bool IsResourceShortage(const error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory || ec.value() == ENFILE;
}

}  // namespace

Server::Server(ServerConfig config, std::optional<StaticFiles> files,
               boost::asio::ssl::context* tls)
    : config_(std::move(config)),
      files_(std::move(files)),
      tls_(tls),
      handler_(files_ ? &*files_ : nullptr),
      workers_(MakeWorkers()),
      uring_workers_(MakeUringWorkers()),
      acceptor_(workers_[0]->context()),
      accept_retry_(workers_[0]->context()),
      grace_(workers_[0]->context()) {
  for (auto& worker : workers_)
    guards_.push_back(asio::make_work_guard(worker->context()));
  if (config_.handle_signals) signals_.emplace(workers_[0]->context(), SIGINT, SIGTERM);
}

std::vector<std::unique_ptr<Worker>> Server::MakeWorkers() {
  std::vector<std::unique_ptr<Worker>> workers;
  const int count = config_.io == IoEngine::kUring ? 1 : std::max(config_.threads, 1);
  for (int i = 0; i < count; ++i) {
    workers.push_back(
        std::make_unique<Worker>(config_, handler_, tls_, [this] { OnConnectionClosed(); }));
  }
  return workers;
}

std::vector<std::unique_ptr<UringWorker>> Server::MakeUringWorkers() {
  std::vector<std::unique_ptr<UringWorker>> workers;
  if (config_.io != IoEngine::kUring) return workers;
  for (int i = 0; i < std::max(config_.threads, 1); ++i) {
    std::string error;
    workers.push_back(UringWorker::Create(
        config_, handler_, [this] { OnConnectionClosed(); }, &error));
    if (!workers.back()) throw std::runtime_error("--io uring: " + error);
  }
  return workers;
}

Server::~Server() = default;

error_code Server::Listen() {
  error_code ec;
  tcp::endpoint endpoint;
  const auto address = asio::ip::make_address(config_.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, config_.port);
  } else {
    tcp::resolver resolver(workers_[0]->context());
    const auto results = resolver.resolve(config_.host, std::to_string(config_.port), ec);
    if (ec) return ec;
    endpoint = *results.begin();
  }
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) acceptor_.close();
  return ec;
}

tcp::endpoint Server::local_endpoint() const {
  error_code ec;
  return acceptor_.local_endpoint(ec);
}

void Server::Run() {
  if (signals_) WaitForSignal();
  if (acceptor_.is_open()) {
    asio::post(workers_[0]->context(), [this] { Accept(); });
  }
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < workers_.size(); ++i) {
    threads.emplace_back([worker = workers_[i].get()] { worker->context().run(); });
  }
  for (auto& worker : uring_workers_) {
    threads.emplace_back([worker = worker.get()] { worker->Run(); });
  }
  workers_[0]->context().run();
  for (std::thread& thread : threads)
    thread.join();
}

void Server::Shutdown() {
  asio::post(workers_[0]->context(), [this] { BeginShutdown(); });
}

void Server::Accept() {
  if (stopping_) return;
  Worker& worker = *workers_[next_worker_];
  next_worker_ = (next_worker_ + 1) % workers_.size();
  acceptor_.async_accept(worker.context(), [this, &worker](const error_code& ec, Socket socket) {
    OnAccept(ec, std::move(socket), worker);
  });
}

void Server::OnAccept(const error_code& ec, Socket socket, Worker& worker) {
  if (ec == asio::error::operation_aborted || stopping_) return;
  if (ec) {
    if (!IsResourceShortage(ec)) return Accept();
    std::fprintf(stderr, "http-server: accept: %s; pausing for 100ms\n", ec.message().c_str());
    accept_retry_.expires_after(std::chrono::milliseconds(100));
    accept_retry_.async_wait([this](const error_code& wait_ec) {
      if (!wait_ec) Accept();
    });
    return;
  }
  // Accept again first: the next accept operation then reuses the memory Asio just recycled from
  // this one, instead of the new connection's first (long-lived) wait taking that larger block.
  Accept();
  if (open_.load() >= config_.max_connections) return Reject(socket);
  ++open_;
  const std::uint64_t id = ++next_id_;
  if (!uring_workers_.empty()) {
    UringWorker& uring = *uring_workers_[next_uring_worker_];
    next_uring_worker_ = (next_uring_worker_ + 1) % uring_workers_.size();
    error_code ignored;
    const int fd = socket.release(ignored);
    if (fd < 0) return OnConnectionClosed();
    return uring.Adopt(fd, id);
  }
  if (&worker == workers_[0].get()) return worker.Adopt(std::move(socket), id);
  asio::post(worker.context(), [&worker, id, socket = std::move(socket)]() mutable {
    worker.Adopt(std::move(socket), id);
  });
}

// Over --max-connections: a best-effort 503 without waiting, then close.
void Server::Reject(Socket& socket) {
  const std::string response = ClosingErrorResponse(503, "too-many-connections");
  error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(asio::buffer(response), ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

void Server::WaitForSignal() {
  signals_->async_wait([this](const error_code& ec, int) {
    if (!ec) BeginShutdown();
  });
}

void Server::BeginShutdown() {
  if (stopping_.exchange(true)) return;
  error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  if (signals_) signals_->cancel(ignored);
  for (auto& worker : workers_) {
    asio::post(worker->context(), [w = worker.get()] { w->DrainAll(); });
  }
  for (auto& worker : uring_workers_)
    worker->DrainAll();
  guards_.clear();
  if (open_.load() == 0) return;
  grace_.expires_after(config_.shutdown_grace);
  grace_.async_wait([this](const error_code& ec) {
    if (ec) return;  // every connection closed in time
    for (auto& worker : workers_) {
      asio::post(worker->context(), [w = worker.get()] { w->AbortAll(); });
    }
    for (auto& worker : uring_workers_)
      worker->AbortAll();
  });
}

// Runs on the closing connection's worker thread.
void Server::OnConnectionClosed() {
  if (--open_ == 0 && stopping_.load()) {
    asio::post(workers_[0]->context(), [this] { grace_.cancel(); });
  }
}

}  // namespace parley::http
