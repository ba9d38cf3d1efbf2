#include "targets/http/server/command_line.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace parley::http {
namespace {

using namespace std::chrono_literals;
using Action = CommandLine::Action;

CommandLine Parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv = {"http-server"};
  argv.insert(argv.end(), args);
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data());
}

TEST(HttpServerCommandLine, DefaultsMatchTheDocumentation) {
  const CommandLine cl = Parse({});
  ASSERT_EQ(cl.action, Action::kRun) << cl.text;
  EXPECT_EQ(cl.config.host, "127.0.0.1");
  EXPECT_EQ(cl.config.port, 8080);
  EXPECT_EQ(cl.config.threads, 1);
  EXPECT_EQ(cl.config.io, IoEngine::kEpoll);
  EXPECT_EQ(cl.config.root, "");
  EXPECT_EQ(cl.config.header_timeout, 10s);
  EXPECT_EQ(cl.config.idle_timeout, 5s);
  EXPECT_EQ(cl.config.limits.max_request_line, 8192u);
  EXPECT_EQ(cl.config.limits.max_header_section, 16384u);
  EXPECT_EQ(cl.config.limits.max_method, 32u);
  EXPECT_EQ(cl.config.limits.max_fields, 100u);
  EXPECT_EQ(cl.config.limits.max_body, 1048576u);
  EXPECT_FALSE(cl.config.limits.allow_bare_lf);
  EXPECT_FALSE(cl.config.verbose);
}

TEST(HttpServerCommandLine, EveryFlagReachesTheConfig) {
  const CommandLine cl = Parse({"--host",
                                "0.0.0.0",
                                "--port=0",
                                "--threads",
                                "2",
                                "--root",
                                "site",
                                "--header-timeout",
                                "500ms",
                                "--idle-timeout",
                                "2m",
                                "--body-timeout",
                                "3",
                                "--send-timeout",
                                "1.5s",
                                "--linger",
                                "0",
                                "--shutdown-grace",
                                "250ms",
                                "--max-request-line",
                                "1k",
                                "--max-header-bytes",
                                "2048",
                                "--max-method",
                                "12",
                                "--max-fields",
                                "7",
                                "--max-body",
                                "1m",
                                "--max-chunk-extensions",
                                "64",
                                "--max-trailer-bytes",
                                "4k",
                                "--allow-bare-lf",
                                "--max-connections",
                                "9",
                                "--verbose"});
  ASSERT_EQ(cl.action, Action::kRun) << cl.text;
  const ServerConfig& c = cl.config;
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.threads, 2);
  EXPECT_EQ(c.root, "site");
  EXPECT_EQ(c.header_timeout, 500ms);
  EXPECT_EQ(c.idle_timeout, 120s);
  EXPECT_EQ(c.body_timeout, 3s);
  EXPECT_EQ(c.send_timeout, 1500ms);
  EXPECT_EQ(c.linger, 0ms);
  EXPECT_EQ(c.shutdown_grace, 250ms);
  EXPECT_EQ(c.limits.max_request_line, 1024u);
  EXPECT_EQ(c.limits.max_header_section, 2048u);
  EXPECT_EQ(c.limits.max_method, 12u);
  EXPECT_EQ(c.limits.max_fields, 7u);
  EXPECT_EQ(c.limits.max_body, 1048576u);
  EXPECT_EQ(c.limits.max_chunk_extensions, 64u);
  EXPECT_EQ(c.limits.max_trailer_section, 4096u);
  EXPECT_TRUE(c.limits.allow_bare_lf);
  EXPECT_EQ(c.max_connections, 9u);
  EXPECT_TRUE(c.verbose);
}

TEST(HttpServerCommandLine, IoPicksTheEngine) {
  EXPECT_EQ(Parse({"--io", "uring"}).config.io, IoEngine::kUring);
  EXPECT_EQ(Parse({"--io=epoll"}).config.io, IoEngine::kEpoll);
  EXPECT_EQ(Parse({"--io", "epoll", "--tls-cert", "c.pem", "--tls-key", "k.pem"}).action,
            Action::kRun);
}

TEST(HttpServerCommandLine, HelpAndVersion) {
  const CommandLine help = Parse({"--help"});
  EXPECT_EQ(help.action, Action::kHelp);
  EXPECT_NE(help.text.find("--max-header-bytes"), std::string::npos);
  EXPECT_NE(help.text.find("usage: http-server"), std::string::npos);
  const CommandLine version = Parse({"--version"});
  EXPECT_EQ(version.action, Action::kVersion);
  EXPECT_EQ(version.text, "http-server (parley) " PARLEY_VERSION);
  EXPECT_EQ(VersionLine(), version.text);
}

TEST(HttpServerCommandLine, UsageErrorsNameTheProblem) {
  struct Case {
    std::vector<const char*> args;
    const char* expected;
  };
  const Case cases[] = {
      {{"--bogus"}, "unrecognised option '--bogus'"},
      {{"--port"}, "--port"},
      {{"--port", "65536"}, "--port: invalid value '65536'"},
      {{"--port", "-1"}, "--port: invalid value '-1'"},
      {{"--port", "80x"}, "--port: invalid value '80x'"},
      {{"--threads", "0"}, "--threads: invalid value '0'"},
      {{"--max-method", "6"}, "--max-method: invalid value '6'"},
      {{"--idle-timeout", "soon"}, "--idle-timeout: invalid duration 'soon'"},
      {{"--idle-timeout", "0"}, "--idle-timeout: must be longer than 0"},
      {{"--header-timeout", "-5s"}, "--header-timeout: invalid duration '-5s'"},
      {{"--max-body", "lots"}, "--max-body: invalid value 'lots'"},
      {{"--max-fields", "1k"}, "--max-fields: invalid value '1k'"},
      {{"--root", ""}, "--root: must not be empty"},
      {{"--io", "kqueue"}, "--io: unknown engine 'kqueue' (epoll or uring)"},
      {{"--io", "uring", "--tls-cert", "c.pem", "--tls-key", "k.pem"},
       "--io uring serves plain HTTP only"},
      {{"extra"}, "unexpected argument 'extra'"},
      {{"--port", "0", "8080"}, "unexpected argument '8080'"},
  };
  for (const Case& c : cases) {
    std::vector<const char*> argv = {"http-server"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    const CommandLine cl = ParseCommandLine(static_cast<int>(argv.size()), argv.data());
    EXPECT_EQ(cl.action, Action::kUsageError) << c.expected;
    EXPECT_NE(cl.text.find(c.expected), std::string::npos) << cl.text;
    EXPECT_NE(cl.text.find("--help"), std::string::npos) << cl.text;
  }
}

TEST(HttpServerCommandLine, DurationSpellings) {
  EXPECT_EQ(ParseDuration("500ms"), 500ms);
  EXPECT_EQ(ParseDuration("10s"), 10s);
  EXPECT_EQ(ParseDuration("2m"), 120s);
  EXPECT_EQ(ParseDuration("5"), 5s);
  EXPECT_EQ(ParseDuration("0.25"), 250ms);
  EXPECT_EQ(ParseDuration("1.5s"), 1500ms);
  EXPECT_EQ(ParseDuration("0"), 0ms);
  for (const char* bad : {"", "s", "ms", "-1", "1h", "1e3", "inf", "nan", ".5", "5.", "1 s",
                          "10sec", "2d", "100000000s"}) {
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
  }
}

TEST(HttpServerCommandLine, ByteSizeSpellings) {
  EXPECT_EQ(ParseByteSize("0"), 0u);
  EXPECT_EQ(ParseByteSize("16384"), 16384u);
  EXPECT_EQ(ParseByteSize("16k"), 16384u);
  EXPECT_EQ(ParseByteSize("16K"), 16384u);
  EXPECT_EQ(ParseByteSize("1m"), 1048576u);
  EXPECT_EQ(ParseByteSize("2G"), 2147483648u);
  for (const char* bad :
       {"", "k", "-1", "1.5k", "1kb", "0x10", "99999999999999999999", "99999999999999g"}) {
    EXPECT_EQ(ParseByteSize(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace parley::http
