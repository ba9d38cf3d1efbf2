#include "targets/http/server/command_line.h"

#include <boost/program_options.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>
#include <system_error>
#include <vector>

namespace parley::http {

namespace po = boost::program_options;

namespace {

constexpr std::string_view kProgram = "http-server";

// Values longer than this are surely a mistake (and would overflow timer arithmetic).
constexpr double kMaxDurationMs = 24.0 * 60 * 60 * 1000;

// Head limits bound the per-connection read buffer, so they are capped to keep it sane.
constexpr std::uint64_t kMaxHeadLimit = 1024 * 1024;

bool StartsWithDigit(std::string_view text) {
  return !text.empty() && text[0] >= '0' && text[0] <= '9';
}

po::options_description Options() {
  po::options_description options("options");
  auto value = [](const char* name) { return po::value<std::string>()->value_name(name); };
  // clang-format off
  options.add_options()
    ("host", value("HOST"), "address to listen on (default 127.0.0.1)")
    ("port", value("PORT"), "port to listen on; 0 picks a free one (default 8080)")
    ("threads", value("N"), "worker threads, each with its own event loop (default 1)")
    ("io", value("ENGINE"),
     "how connections wait: epoll (Asio's reactor, the default) or uring (an io_uring per "
     "thread, fewer system calls; plain HTTP only)")
    ("root", value("DIR"), "serve the files under DIR (GET and HEAD)")
    ("tls-cert", value("FILE"),
     "serve HTTPS with this PEM certificate chain (with --tls-key; ALPN http/1.1)")
    ("tls-key", value("FILE"), "the PEM private key of --tls-cert")
    ("header-timeout", value("DURATION"),
     "time for a request head to arrive after its first byte; then 408 (default 10s)")
    ("idle-timeout", value("DURATION"),
     "close a connection with no request in progress after this (default 5s)")
    ("body-timeout", value("DURATION"),
     "time for a request body to arrive after its head; then 408 (default 30s)")
    ("send-timeout", value("DURATION"),
     "drop a connection whose client does not read responses for this long (default 30s)")
    ("linger", value("DURATION"),
     "after a final response, read and discard input this long before closing (default 1s)")
    ("shutdown-grace", value("DURATION"),
     "on SIGINT/SIGTERM, time for requests in flight to finish (default 1500ms)")
    ("max-request-line", value("BYTES"),
     "longest request line, CRLF included; then 414 (default 8k)")
    ("max-method", value("BYTES"),
     "longest method; then 501 as soon as it arrives (default 32, at least 7: OPTIONS)")
    ("max-header-bytes", value("BYTES"), "largest header section; then 431 (default 16k)")
    ("max-fields", value("N"), "most header fields; then 431 (default 100)")
    ("max-body", value("BYTES"), "largest decoded request body; then 413 (default 1m)")
    ("max-chunk-extensions", value("BYTES"),
     "longest extensions on one chunk-size line; then 400 (default 1k)")
    ("max-trailer-bytes", value("BYTES"), "largest chunked trailer section; then 431 (default 16k)")
    ("allow-bare-lf", po::bool_switch(), "accept a bare LF as a line end in the request head")
    ("max-connections", value("N"), "open connections at most; more get 503 (default 10000)")
    ("verbose,v", po::bool_switch(), "log every request on stderr")
    ("help,h", "print this help and exit")
    ("version", "print the version and exit");
  // clang-format on
  return options;
}

std::string HelpText(const po::options_description& options) {
  std::ostringstream text;
  text << "usage: " << kProgram << " [options]\n\n"
       << "A strict HTTP/1.1 server: GET / answers <h1>Hola Mundo</h1>, /echo reports the request\n"
       << "as parsed, --root serves static files, --tls-cert and --tls-key serve HTTPS. Prints\n"
       << "'listening on http://HOST:PORT' (https://) when ready; SIGINT or SIGTERM shut it down\n"
       << "gracefully.\n\n"
       << "DURATION is 500ms, 10s, 2m or plain seconds; BYTES is a count or 16k, 1m, 1g.\n\n"
       << options;
  return text.str();
}

std::optional<std::uint64_t> ParseCount(std::string_view text) {
  if (!StartsWithDigit(text)) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Reads flag values from a parsed command line, keeping the first bad one as the error. Absent
// flags leave their target (the default) alone.
class FlagReader {
 public:
  explicit FlagReader(const po::variables_map& vm) : vm_(vm) {}

  // A non-empty string.
  void Text(const char* flag, std::string& target) {
    const std::string* value = Value(flag);
    if (value == nullptr) return;
    if (value->empty()) return Fail(flag, "must not be empty");
    target = *value;
  }

  // A whole number in [low, high].
  template <class T>
  void Count(const char* flag, std::uint64_t low, std::uint64_t high, T& target) {
    Number(flag, low, high, false, target);
  }

  // A byte count in [low, high], with optional k/m/g suffix.
  template <class T>
  void Bytes(const char* flag, std::uint64_t low, std::uint64_t high, T& target) {
    Number(flag, low, high, true, target);
  }

  void Time(const char* flag, bool allow_zero, Duration& target) {
    const std::string* value = Value(flag);
    if (value == nullptr) return;
    const std::optional<Duration> parsed = ParseDuration(*value);
    if (!parsed) {
      return Fail(flag,
                  "invalid duration '" + *value + "' (use e.g. 500ms, 10s, 2m or plain seconds)");
    }
    if (!allow_zero && parsed->count() == 0) return Fail(flag, "must be longer than 0");
    target = *parsed;
  }

  const std::optional<std::string>& error() const { return error_; }

 private:
  // The flag's text, or null when it is absent or an earlier flag already failed.
  const std::string* Value(const char* flag) const {
    if (error_ || vm_.count(flag) == 0) return nullptr;
    return &vm_[flag].as<std::string>();
  }

  void Fail(const char* flag, const std::string& what) {
    error_ = "--" + std::string(flag) + ": " + what;
  }

  template <class T>
  void Number(const char* flag, std::uint64_t low, std::uint64_t high, bool bytes, T& target) {
    const std::string* value = Value(flag);
    if (value == nullptr) return;
    const std::optional<std::uint64_t> parsed = bytes ? ParseByteSize(*value) : ParseCount(*value);
    if (!parsed || *parsed < low || *parsed > high) {
      return Fail(flag, "invalid value '" + *value + "' (expected " +
                            (bytes ? "a byte count" : "a whole number") + " from " +
                            std::to_string(low) + " to " + std::to_string(high) + ")");
    }
    target = static_cast<T>(*parsed);
  }

  const po::variables_map& vm_;
  std::optional<std::string> error_;
};

// Reads every flag present in `vm` into `config`; returns the first bad value's error.
std::optional<std::string> Apply(const po::variables_map& vm, ServerConfig& config) {
  FlagReader flags(vm);
  flags.Text("host", config.host);
  flags.Count("port", 0, 65535, config.port);
  flags.Count("threads", 1, 256, config.threads);
  flags.Text("root", config.root);
  flags.Text("tls-cert", config.tls_cert);
  flags.Text("tls-key", config.tls_key);
  flags.Time("header-timeout", false, config.header_timeout);
  flags.Time("idle-timeout", false, config.idle_timeout);
  flags.Time("body-timeout", false, config.body_timeout);
  flags.Time("send-timeout", false, config.send_timeout);
  flags.Time("linger", true, config.linger);
  flags.Time("shutdown-grace", true, config.shutdown_grace);
  Limits& limits = config.limits;
  flags.Bytes("max-request-line", 16, kMaxHeadLimit, limits.max_request_line);
  // At least the longest method the server implements (OPTIONS), so every one still reaches it.
  flags.Count("max-method", 7, kMaxHeadLimit, limits.max_method);
  flags.Bytes("max-header-bytes", 2, kMaxHeadLimit, limits.max_header_section);
  flags.Count("max-fields", 1, 100000, limits.max_fields);
  flags.Bytes("max-body", 0, std::numeric_limits<std::uint64_t>::max() - 1, limits.max_body);
  flags.Bytes("max-chunk-extensions", 0, kMaxHeadLimit, limits.max_chunk_extensions);
  flags.Bytes("max-trailer-bytes", 2, kMaxHeadLimit, limits.max_trailer_section);
  flags.Count("max-connections", 1, 10000000, config.max_connections);
  limits.allow_bare_lf = vm["allow-bare-lf"].as<bool>();
  config.verbose = vm["verbose"].as<bool>();
  std::string io;
  flags.Text("io", io);
  if (!flags.error() && !io.empty()) {
    if (io != "epoll" && io != "uring") return "--io: unknown engine '" + io + "' (epoll or uring)";
    config.io = io == "uring" ? IoEngine::kUring : IoEngine::kEpoll;
  }
  if (!flags.error() && config.tls_cert.empty() != config.tls_key.empty()) {
    return config.tls_cert.empty() ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key";
  }
  if (!flags.error() && config.io == IoEngine::kUring && !config.tls_cert.empty()) {
    return "--io uring serves plain HTTP only: leave out --tls-cert, or use --io epoll";
  }
  return flags.error();
}

CommandLine UsageError(const std::string& message) {
  CommandLine result;
  result.action = CommandLine::Action::kUsageError;
  result.text = std::string(kProgram) + ": " + message + "\nTry '" + std::string(kProgram) +
                " --help' for the list of options.";
  return result;
}

}  // namespace

std::string_view VersionLine() {
  return "http-server (parley) " PARLEY_VERSION;
}

std::optional<Duration> ParseDuration(std::string_view text) {
  double factor = 1000;  // plain seconds
  if (text.ends_with("ms")) {
    factor = 1;
    text.remove_suffix(2);
  } else if (text.ends_with('s')) {
    text.remove_suffix(1);
  } else if (text.ends_with('m')) {
    factor = 60 * 1000;
    text.remove_suffix(1);
  }
  if (!StartsWithDigit(text) || text.back() == '.') return std::nullopt;
  double value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  const double ms = value * factor;
  if (!std::isfinite(ms) || ms < 0 || ms > kMaxDurationMs) return std::nullopt;
  return Duration(std::llround(ms));
}

std::optional<std::uint64_t> ParseByteSize(std::string_view text) {
  unsigned shift = 0;
  if (!text.empty()) {
    switch (text.back()) {
      case 'k':
      case 'K':
        shift = 10;
        break;
      case 'm':
      case 'M':
        shift = 20;
        break;
      case 'g':
      case 'G':
        shift = 30;
        break;
      default:
        break;
    }
    if (shift != 0) text.remove_suffix(1);
  }
  if (!StartsWithDigit(text)) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value > (std::numeric_limits<std::uint64_t>::max() >> shift)) return std::nullopt;
  return value << shift;
}

CommandLine ParseCommandLine(int argc, const char* const* argv) {
  const po::options_description options = Options();
  po::variables_map vm;
  try {
    // Stray arguments are collected only to be named in the error.
    po::options_description all;
    all.add(options).add_options()("argument", po::value<std::vector<std::string>>());
    po::positional_options_description stray;
    stray.add("argument", -1);
    po::store(po::command_line_parser(argc, argv).options(all).positional(stray).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return UsageError(e.what());
  }
  if (vm.count("argument") != 0) {
    return UsageError("unexpected argument '" + vm["argument"].as<std::vector<std::string>>()[0] +
                      "' (every option starts with --)");
  }
  CommandLine result;
  if (vm.count("help") != 0) {
    result.action = CommandLine::Action::kHelp;
    result.text = HelpText(options);
    return result;
  }
  if (vm.count("version") != 0) {
    result.action = CommandLine::Action::kVersion;
    result.text = std::string(VersionLine());
    return result;
  }
  if (auto error = Apply(vm, result.config)) return UsageError(*error);
  return result;
}

}  // namespace parley::http
