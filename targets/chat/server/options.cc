#include "targets/chat/server/options.h"

#include <boost/program_options.hpp>
#include <charconv>
#include <limits>
#include <sstream>
#include <vector>

#ifndef PARLEY_VERSION
#error "PARLEY_VERSION must be defined by the build"
#endif

namespace parley::chat {
namespace {

namespace po = boost::program_options;

std::optional<std::uint64_t> ParseUnsigned(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// Splits "123abc" into the digits and the suffix.
std::pair<std::string_view, std::string_view> SplitNumber(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
    ++digits;
  return {text.substr(0, digits), text.substr(digits)};
}

std::optional<std::uint64_t> Scale(std::uint64_t value, std::uint64_t unit) {
  if (value > std::numeric_limits<std::uint64_t>::max() / unit) return std::nullopt;
  return value * unit;
}

UsageError BadValue(std::string_view flag, std::string_view value, std::string_view expected) {
  std::ostringstream message;
  message << "invalid value '" << value << "' for --" << flag << ": expected " << expected;
  return UsageError(message.str());
}

std::uint64_t CountFlag(const po::variables_map& vm, const char* flag, std::uint64_t min,
                        std::uint64_t max) {
  const std::string& text = vm[flag].as<std::string>();
  std::optional<std::uint64_t> value = ParseUnsigned(text);
  if (!value || *value < min || *value > max) {
    throw BadValue(flag, text,
                   "a number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return *value;
}

std::chrono::milliseconds DurationFlag(const po::variables_map& vm, const char* flag) {
  const std::string& text = vm[flag].as<std::string>();
  std::optional<std::chrono::milliseconds> value = ParseDuration(text);
  if (!value) throw BadValue(flag, text, "a duration such as 500ms, 10s, 2m or 30");
  return *value;
}

po::options_description Describe() {
  po::options_description desc("Options");
  // One flag per entry; clang-format would run them together.
  // clang-format off
  desc.add_options()
      ("host", po::value<std::string>()->default_value("127.0.0.1"),
       "address or name to listen on (TCP and UDP)")
      ("port", po::value<std::string>()->default_value("8888"),
       "port to listen on; 0 picks a free one")
      ("max-clients", po::value<std::string>()->default_value("4096"),
       "most members at once, TCP and UDP together; beyond it a newcomer gets "
       "'! error server-full'")
      ("idle-timeout", po::value<std::string>()->default_value("0"),
       "disconnect a TCP member that sends nothing for this long; 0 = never")
      ("udp-timeout", po::value<std::string>()->default_value("60s"),
       "forget a UDP peer silent for this long; 0 = never")
      ("max-queue", po::value<std::string>()->default_value("1m"),
       "outbound bytes queued per member before it is dropped as too slow (plain bytes, "
       "or k/m for KiB/MiB)")
      ("tls-cert", po::value<std::string>(),
       "speak TLS to every TCP client with this PEM certificate chain (needs --tls-key; UDP "
       "stays plain)")
      ("tls-key", po::value<std::string>(), "the PEM private key of --tls-cert")
      ("verbose,v", "log joins, nick changes, departures and connection errors to stderr")
      ("help,h", "print this help and exit")
      ("version", "print the version and exit");
  // clang-format on
  return desc;
}

std::string HelpText(const po::options_description& desc) {
  std::ostringstream out;
  out << "usage: chat-server [OPTIONS]\n\n"
      << "A multi-client chat room on one port, over TCP and UDP. Join with `nc HOST PORT`\n"
      << "(or `nc -u HOST PORT`); type a line to talk, /who, /nick NAME, /me, /msg, /quit.\n"
      << "With --tls-cert and --tls-key, TCP clients speak TLS (`ncat --ssl HOST PORT`).\n"
      << "Durations: 500ms, 10s, 2m or plain seconds.\n\n"
      << desc;
  return out.str();
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  auto [digits, unit] = SplitNumber(text);
  std::optional<std::uint64_t> value = ParseUnsigned(digits);
  if (!value) return std::nullopt;
  std::optional<std::uint64_t> ms;
  if (unit == "ms") {
    ms = value;
  } else if (unit.empty() || unit == "s") {
    ms = Scale(*value, 1000);
  } else if (unit == "m") {
    ms = Scale(*value, 60'000);
  } else if (unit == "h") {
    ms = Scale(*value, 3'600'000);
  }
  // Keep far from the steady clock's range so deadlines never overflow.
  constexpr std::uint64_t kMaxMs = std::uint64_t{1} << 40;
  if (!ms || *ms > kMaxMs) return std::nullopt;
  return std::chrono::milliseconds(*ms);
}

std::optional<std::size_t> ParseByteSize(std::string_view text) {
  auto [digits, unit] = SplitNumber(text);
  std::optional<std::uint64_t> value = ParseUnsigned(digits);
  if (!value) return std::nullopt;
  std::optional<std::uint64_t> bytes;
  if (unit.empty()) {
    bytes = value;
  } else if (unit == "k" || unit == "K") {
    bytes = Scale(*value, 1024);
  } else if (unit == "m" || unit == "M") {
    bytes = Scale(*value, 1024 * 1024);
  }
  if (!bytes || *bytes > std::numeric_limits<std::size_t>::max()) return std::nullopt;
  return static_cast<std::size_t>(*bytes);
}

std::string VersionText() {
  return std::string("chat-server (parley) ") + PARLEY_VERSION + "\n";
}

ParsedOptions ParseOptions(int argc, const char* const* argv) {
  const po::options_description desc = Describe();
  po::variables_map vm;
  try {
    const po::positional_options_description no_positionals;
    po::store(po::command_line_parser(argc, argv).options(desc).positional(no_positionals).run(),
              vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }

  ParsedOptions parsed;
  if (vm.count("help")) {
    parsed.action = OptionsAction::kHelp;
    parsed.text = HelpText(desc);
    return parsed;
  }
  if (vm.count("version")) {
    parsed.action = OptionsAction::kVersion;
    parsed.text = VersionText();
    return parsed;
  }

  ServerOptions& options = parsed.options;
  options.host = vm["host"].as<std::string>();
  if (options.host.empty()) throw UsageError("--host must not be empty");
  options.port = static_cast<std::uint16_t>(CountFlag(vm, "port", 0, 65535));
  options.max_clients = CountFlag(vm, "max-clients", 1, 1'000'000);
  options.idle_timeout = DurationFlag(vm, "idle-timeout");
  options.udp_timeout = DurationFlag(vm, "udp-timeout");
  const std::string& queue = vm["max-queue"].as<std::string>();
  std::optional<std::size_t> max_queue = ParseByteSize(queue);
  if (!max_queue || *max_queue == 0) {
    throw BadValue("max-queue", queue, "a byte count above 0 such as 65536, 64k or 1m");
  }
  options.max_queue = *max_queue;
  for (auto [flag, file] :
       {std::pair{"tls-cert", &options.tls_cert}, std::pair{"tls-key", &options.tls_key}}) {
    if (!vm.count(flag)) continue;
    *file = vm[flag].as<std::string>();
    if (file->empty()) throw UsageError(std::string("--") + flag + " must not be empty");
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    throw UsageError(options.tls_cert.empty() ? "--tls-key needs --tls-cert"
                                              : "--tls-cert needs --tls-key");
  }
  options.verbose = vm.count("verbose") > 0;
  return parsed;
}

}  // namespace parley::chat
