#include "harness/record_command.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/program_options.hpp>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>

#include "harness/cli.h"
#include "harness/cli_support.h"
#include "harness/record/proxy.h"
#include "harness/record/scenario_writer.h"
#include "harness/scenario/byte_size.h"
#include "harness/scenario/duration.h"
#include "harness/scenario/loader.h"

namespace parley::harness {
namespace {

namespace po = boost::program_options;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using asio::ip::tcp;

struct RecordFlags {
  std::string listen;
  std::string to;
  std::string out;
  std::string protocol;
  std::string name = "recorded session";
  std::string target;
  std::vector<std::string> keep_headers;
  std::vector<std::string> drop_headers;
  std::vector<std::string> volatile_patterns;
  std::string max_record = "1MiB";
  std::string connect_timeout = "5s";
  int connections = 0;
  bool udp = false;
  bool force = false;
  std::string ca;
  std::string sni;
  bool insecure = false;
  bool verbose = false;
};

struct HostPort {
  std::string host;
  std::string port;
};

// HOST:PORT or [V6]:PORT.
HostPort SplitHostPort(const std::string& option, const std::string& text) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    UsageError("record", option + " takes HOST:PORT (got '" + text + "')");
  }
  HostPort hp{text.substr(0, colon), text.substr(colon + 1)};
  if (hp.host.size() > 2 && hp.host.front() == '[' && hp.host.back() == ']') {
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  }
  if (!std::all_of(hp.port.begin(), hp.port.end(), [](char c) { return std::isdigit(c); }) ||
      hp.port.size() > 5 || std::stoi(hp.port) > 65535) {
    UsageError("record", option + ": '" + hp.port + "' is not a port number");
  }
  return hp;
}

tcp::endpoint Resolve(asio::io_context& io, const std::string& option, const HostPort& hp) {
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(hp.host, hp.port, tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    UsageError("record",
               option + ": cannot resolve '" + hp.host + "'" + (ec ? ": " + ec.message() : ""));
  }
  // A name with both (localhost) is taken as IPv4, where local servers usually listen.
  for (const auto& r : results) {
    if (r.endpoint().address().is_v4()) return r.endpoint();
  }
  return results.begin()->endpoint();
}

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Address(const tcp::endpoint& e) {
  std::string host = e.address().to_string();
  return (e.address().is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(e.port());
}

std::string Now() {
  std::time_t t = std::time(nullptr);
  char text[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// The command line as typed, for the file's header comment (quoted where a shell needs it).
std::string CommandLine(const std::vector<std::string>& args) {
  std::string line = "parley record";
  for (const std::string& a : args) {
    bool plain = !a.empty() && std::all_of(a.begin(), a.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) ||
             std::string_view("-_./:=,@+").find(c) != std::string_view::npos;
    });
    line += " " + (plain ? a : "'" + a + "'");
  }
  return line;
}

// Writes `text` to a temporary file beside `path`, syncs it, and renames it over `path`, so
// that `path` is either the old file or the whole new one.
bool WriteAtomically(const std::string& path, const std::string& text, std::string* error) {
  std::string temp = path + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot create " + temp + ": " + std::strerror(errno);
    return false;
  }
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  bool ok = done == text.size() && ::fsync(fd) == 0;
  std::string why = std::strerror(errno);
  ok = ::close(fd) == 0 && ok;
  if (ok && ::rename(temp.c_str(), path.c_str()) == 0) return true;
  *error = "cannot write " + path + ": " + (ok ? std::strerror(errno) : why);
  ::unlink(temp.c_str());
  return false;
}

po::options_description RecordOptions(RecordFlags* f) {
  po::options_description d("recording");
  d.add_options()("listen", po::value(&f->listen)->required(),
                  "HOST:PORT clients connect to (port 0: any free port; printed)")(
      "to", po::value(&f->to)->required(), "[tls://]HOST:PORT of the server")(
      "out,o", po::value(&f->out)->required(), "FILE.yaml to write when the recording ends")(
      "protocol", po::value(&f->protocol),
      "http, lines or bytes: how the server's bytes become expectations (default: detected "
      "per connection)")("name", po::value(&f->name), "the scenario's name")(
      "target", po::value(&f->target),
      "NAME: the scenario plays against target NAME (replay with --target NAME=HOST:PORT or "
      "a targets file) instead of the recorded address")(
      "connections", po::value(&f->connections),
      "N: stop once N client connections (TCP) have ended")(
      "udp", po::bool_switch(&f->udp), "relay and record UDP datagrams on the same port too")(
      "keep-header", po::value(&f->keep_headers)->composing(),
      "NAME: check this response header exactly even if it is volatile (Date, ETag, ...)")(
      "drop-header", po::value(&f->drop_headers)->composing(),
      "NAME: do not check this response header (repeatable)")(
      "volatile", po::value(&f->volatile_patterns)->composing(),
      "REGEX (RE2, no groups): values matching it change between runs; the first one the "
      "server sends is captured and reused (repeatable)")(
      "max-record", po::value(&f->max_record),
      "SIZE recorded per connection, both directions (default 1MiB); past it the connection is "
      "relayed but not recorded")("connect-timeout", po::value(&f->connect_timeout),
                                  "DURATION for connecting to the server (default 5s)")(
      "ca", po::value(&f->ca), "FILE of CAs that sign the TLS server's certificate")(
      "sni", po::value(&f->sni), "NAME sent as SNI and checked in the certificate")(
      "insecure", po::bool_switch(&f->insecure), "do not verify the TLS server's certificate")(
      "force", po::bool_switch(&f->force), "overwrite --out if it exists")(
      "verbose,v", po::bool_switch(&f->verbose),
      "say on stderr what each connection does as it happens");
  return d;
}

// --verbose: one line on stderr per event, "c1 > 78 bytes" for what a client sent, "c1 < 120
// bytes" for what the server sent.
void Tell(const Recording& recording, const RecordedEvent& e) {
  using Kind = RecordedEvent::Kind;
  std::string what;
  switch (e.kind) {
    case Kind::kConnected:
      what = std::string(recording.connection(e.connection).transport == Transport::kUdp ? "udp"
                                                                                         : "tcp") +
             " from " + recording.connection(e.connection).client;
      break;
    case Kind::kConnectFailed:
      what = "failed: " + e.bytes;
      break;
    case Kind::kClientData:
      what = "> " + std::to_string(e.bytes.size()) + " bytes";
      break;
    case Kind::kServerData:
      what = "< " + std::to_string(e.bytes.size()) + " bytes";
      break;
    case Kind::kClientClosed:
      what = "the client closed (FIN)";
      break;
    case Kind::kClientReset:
      what = "the client reset";
      break;
    case Kind::kServerClosed:
      what = "the server closed";
      break;
    case Kind::kServerReset:
      what = "the server reset";
      break;
    case Kind::kServerTruncated:
      what = "the server closed without TLS close_notify";
      break;
    case Kind::kTruncated:
      what = "past --max-record: relayed, no longer recorded";
      break;
  }
  std::fprintf(stderr, "parley record: c%d %s\n", e.connection, what.c_str());
}

std::optional<StreamProtocol> ParseProtocol(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (text == "http") return StreamProtocol::kHttp;
  if (text == "lines") return StreamProtocol::kLines;
  if (text == "bytes") return StreamProtocol::kBytes;
  UsageError("record", "--protocol takes http, lines or bytes, not '" + text + "'");
}

}  // namespace

int CommandRecord(const std::vector<std::string>& args) {
  RecordFlags f;
  po::options_description options = RecordOptions(&f);
  options.add_options()("help,h", "this help");
  po::variables_map vm;
  po::positional_options_description none;  // every argument is an option
  po::store(po::command_line_parser(args).options(options).positional(none).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: parley record --listen HOST:PORT --to [tls://]HOST:PORT --out FILE.yaml "
                 "[OPTIONS]\n\nA recording proxy: clients talk to the server through it; on "
                 "Ctrl-C, SIGTERM or --connections it\nwrites what was said as a scenario that "
                 "'parley run' replays. See docs/recording.md.\n\n"
              << options << "\n";
    return kExitPassed;
  }
  po::notify(vm);
  std::optional<StreamProtocol> protocol = ParseProtocol(f.protocol);
  std::string error;
  std::optional<std::uint64_t> max_record = ParseByteSize(f.max_record, &error);
  if (!max_record || *max_record < 1024 || *max_record > (1ull << 30)) {
    UsageError("record", "--max-record must be a size from 1KiB to 1GiB" +
                             (error.empty() ? "" : ": " + error));
  }
  std::optional<Duration> connect_timeout = ParseDuration(f.connect_timeout, &error);
  if (!connect_timeout) UsageError("record", "--connect-timeout: " + error);
  if (f.connections < 0) UsageError("record", "--connections must be at least 1");
  if (!f.target.empty() && !IsValidVariableName(f.target)) {
    UsageError("record", "--target takes a target name, not '" + f.target + "'");
  }
  if (!f.force && fs::exists(f.out)) {
    UsageError("record", f.out + " exists; use --force to overwrite it");
  }
  fs::path out_dir = fs::absolute(f.out).parent_path();
  if (!fs::is_directory(out_dir)) UsageError("record", "no folder " + out_dir.string());

  bool tls = f.to.starts_with("tls://");
  std::string to = tls ? f.to.substr(6) : f.to;
  HostPort listen = SplitHostPort("--listen", f.listen);
  HostPort server = SplitHostPort("--to", to);
  if (!tls && (!f.ca.empty() || !f.sni.empty() || f.insecure)) {
    UsageError("record", "--ca, --sni and --insecure need --to tls://HOST:PORT");
  }

  asio::io_context io;
  ProxyOptions proxy_options;
  proxy_options.listen = Resolve(io, "--listen", listen);
  proxy_options.server = Resolve(io, "--to", server);
  proxy_options.server_name = to;
  proxy_options.udp = f.udp;
  proxy_options.connections = f.connections;
  proxy_options.connect_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(*connect_timeout);
  std::string ca = f.ca.empty() ? "" : fs::absolute(f.ca).string();
  if (tls) {
    TlsClientConfig config;
    std::string name = f.sni.empty() ? server.host : f.sni;
    boost::system::error_code ec;
    asio::ip::make_address(name, ec);
    if (ec) config.sni = name;
    config.verify_name = name;
    config.verify = !f.insecure;
    config.ca_file = ca;
    proxy_options.tls = config;
  }

  Recording recording(static_cast<std::size_t>(*max_record));
  RecordingProxy proxy(io, proxy_options, &recording);
  if (!proxy.Listen(&error)) {
    std::fprintf(stderr, "parley record: %s\n", error.c_str());
    return kExitUsage;
  }
  tcp::endpoint local = proxy.local();
  std::printf("listening on %s\n", Address(local).c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "parley record: relaying to %s%s; stop with Ctrl-C to write %s\n",
               f.to.c_str(), f.udp ? " (TCP and UDP)" : "", f.out.c_str());
  proxy.on_problem = [](const std::string& message) {
    std::fprintf(stderr, "parley record: %s\n", message.c_str());
  };

  if (f.verbose)
    recording.set_observer([&recording](const RecordedEvent& e) { Tell(recording, e); });
  asio::signal_set signals(io, SIGINT, SIGTERM);
  using Clock = std::chrono::steady_clock;
  Clock::time_point give_up = Clock::time_point::max();
  auto stop = [&] {
    signals.cancel();
    proxy.Stop();
    // What is still pending ends as the sockets close; this bounds the wait for it.
    give_up = Clock::now() + std::chrono::seconds(2);
  };
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) stop();
  });
  proxy.on_done = [&] { stop(); };
  proxy.Start();
  while (!io.stopped() && Clock::now() < give_up)
    io.run_for(std::chrono::milliseconds(200));

  ScenarioOptions so;
  so.name = f.name;
  so.target = f.target;
  so.server = to;
  so.protocol = protocol;
  so.volatile_patterns = f.volatile_patterns;
  for (const std::string& h : f.keep_headers)
    so.headers.keep.insert(Lower(h));
  for (const std::string& h : f.drop_headers)
    so.headers.drop.insert(Lower(h));
  so.addresses = {Address(local), Address(proxy_options.server)};
  if (local.address().is_loopback() || local.address().is_unspecified()) {
    so.addresses.push_back("localhost:" + std::to_string(local.port()));
    so.addresses.push_back("127.0.0.1:" + std::to_string(local.port()));
  }
  if (tls && f.target.empty()) {
    std::string t;
    if (f.insecure) t += "verify: false";
    if (!ca.empty()) t += std::string(t.empty() ? "" : ", ") + "ca: '" + ca + "'";
    if (!f.sni.empty()) t += std::string(t.empty() ? "" : ", ") + "sni: '" + f.sni + "'";
    so.tls = t.empty() ? "true" : "{" + t + "}";
  }
  std::string variable = f.target.empty() ? "${server}" : "${target.address}";
  std::string file = fs::path(f.out).filename().string();
  so.comment = {
      "Recorded by parley record " PARLEY_VERSION " at " + Now() + ":",
      "  " + CommandLine(args),
      "Clients reached the recorder at " + Address(local) + "; it relayed them to " + f.to + ".",
  };
  if (f.target.empty()) {
    so.comment.push_back("Replay: parley run " + file);
    so.comment.push_back("  (another server: parley run " + file + " --var server=HOST:PORT)");
  } else {
    so.comment.push_back("Replay: parley run " + file + " --target " + f.target + "=" + f.to);
    so.comment.push_back("  (or with a targets file that declares '" + f.target + "')");
  }
  so.comment.push_back("Normalized: both addresses are " + variable +
                       "; the recorder's port as the server saw it");
  so.comment.push_back(
      "matches any number; Date, Last-Modified, ETag, Expires and Age are "
      "checked for presence");
  so.comment.push_back(
      "only; cookie values and expiry match any; words of letters then digits "
      "that the");
  so.comment.push_back(
      "server sent first (guest7) in lines and datagrams are captured and "
      "reused.");
  std::string headers;
  for (const std::string& h : f.keep_headers)
    headers += " --keep-header " + h;
  for (const std::string& h : f.drop_headers)
    headers += " --drop-header " + h;
  for (const std::string& v : f.volatile_patterns)
    headers += " --volatile '" + v + "'";
  if (!headers.empty()) so.comment.push_back("Also:" + headers);
  WrittenScenario written = WriteScenario(recording, so);
  if (!written.error.empty()) UsageError("record", written.error);
  if (written.steps == 0) {
    std::fprintf(stderr, "parley record: nothing to write: %s; %s not written\n",
                 recording.connections() == 0 ? "no client connected"
                                              : "no client connection reached the server",
                 f.out.c_str());
    return kExitFailed;
  }
  if (!WriteAtomically(f.out, written.yaml, &error)) {
    std::fprintf(stderr, "parley record: %s\n", error.c_str());
    return kExitFailed;
  }
  // The loader's bound on a scenario file (docs/scenarios.md, "Files").
  constexpr std::size_t kMostFileBytes = 4 << 20;
  if (written.yaml.size() > kMostFileBytes) {
    std::fprintf(stderr,
                 "parley record: wrote %s, but it is %zu bytes, more than the 4 MiB parley loads; "
                 "record again with a lower --max-record\n",
                 f.out.c_str(), written.yaml.size());
    return kExitFailed;
  }
  LoadResult check = LoadScenarios(written.yaml, f.out);
  if (!check.ok()) {
    std::fprintf(stderr,
                 "parley record: wrote %s, but it does not load (a bug in the recorder; please "
                 "report it): %s\n",
                 f.out.c_str(), check.error->ToString().c_str());
    return kExitFailed;
  }
  std::fprintf(stderr, "parley record: wrote %s: %d connection%s, %d step%s\n", f.out.c_str(),
               recording.connections(), recording.connections() == 1 ? "" : "s", written.steps,
               written.steps == 1 ? "" : "s");
  return kExitPassed;
}

}  // namespace parley::harness
