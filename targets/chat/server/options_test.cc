#include "targets/chat/server/options.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace parley::chat {
namespace {

using std::chrono::milliseconds;

ParsedOptions Parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"chat-server"};
  argv.insert(argv.end(), args);
  return ParseOptions(static_cast<int>(argv.size()), argv.data());
}

TEST(ChatOptions, Defaults) {
  const ParsedOptions parsed = Parse({});
  EXPECT_EQ(parsed.action, OptionsAction::kRun);
  const ServerOptions& o = parsed.options;
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 8888);
  EXPECT_EQ(o.max_clients, 4096U);
  EXPECT_EQ(o.idle_timeout, milliseconds(0));
  EXPECT_EQ(o.udp_timeout, milliseconds(60'000));
  EXPECT_EQ(o.max_queue, 1024U * 1024U);
  EXPECT_EQ(o.tls_cert, "");
  EXPECT_EQ(o.tls_key, "");
  EXPECT_FALSE(o.verbose);
}

TEST(ChatOptions, EveryFlag) {
  const ServerOptions o = Parse({"--host", "::1", "--port", "0", "--max-clients", "10",
                                 "--idle-timeout", "500ms", "--udp-timeout", "2m", "--max-queue",
                                 "64k", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--verbose"})
                              .options;
  EXPECT_EQ(o.host, "::1");
  EXPECT_EQ(o.port, 0);
  EXPECT_EQ(o.max_clients, 10U);
  EXPECT_EQ(o.idle_timeout, milliseconds(500));
  EXPECT_EQ(o.udp_timeout, milliseconds(120'000));
  EXPECT_EQ(o.max_queue, 65536U);
  EXPECT_EQ(o.tls_cert, "c.pem");
  EXPECT_EQ(o.tls_key, "k.pem");
  EXPECT_TRUE(o.verbose);
  EXPECT_EQ(Parse({"--port=9000"}).options.port, 9000);
  EXPECT_TRUE(Parse({"-v"}).options.verbose);
}

TEST(ChatOptions, HelpAndVersion) {
  const ParsedOptions help = Parse({"--help"});
  EXPECT_EQ(help.action, OptionsAction::kHelp);
  EXPECT_NE(help.text.find("usage: chat-server"), std::string::npos);
  EXPECT_NE(help.text.find("--max-queue"), std::string::npos);
  EXPECT_NE(help.text.find("--tls-cert"), std::string::npos);
  EXPECT_NE(help.text.find("--tls-key"), std::string::npos);
  EXPECT_EQ(Parse({"-h"}).action, OptionsAction::kHelp);
  const ParsedOptions version = Parse({"--version"});
  EXPECT_EQ(version.action, OptionsAction::kVersion);
  EXPECT_EQ(version.text, "chat-server (parley) 0.1.0\n");
}

TEST(ChatOptions, UsageErrorsNameTheFlag) {
  auto message = [](std::initializer_list<const char*> args) -> std::string {
    try {
      Parse(args);
    } catch (const UsageError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(message({"--port", "70000"}).find("--port"), std::string::npos);
  EXPECT_NE(message({"--port", "-1"}).find("--port"), std::string::npos);
  EXPECT_NE(message({"--port", "http"}).find("--port"), std::string::npos);
  EXPECT_NE(message({"--max-clients", "0"}).find("--max-clients"), std::string::npos);
  EXPECT_NE(message({"--idle-timeout", "soon"}).find("--idle-timeout"), std::string::npos);
  EXPECT_NE(message({"--udp-timeout", "10x"}).find("--udp-timeout"), std::string::npos);
  EXPECT_NE(message({"--max-queue", "0"}).find("--max-queue"), std::string::npos);
  EXPECT_NE(message({"--max-queue", "1g"}).find("--max-queue"), std::string::npos);
  EXPECT_NE(message({"--host", ""}).find("--host"), std::string::npos);
  EXPECT_NE(message({"--bogus"}).find("bogus"), std::string::npos);
  EXPECT_NE(message({"--port"}).find("port"), std::string::npos);
  EXPECT_NE(message({"stray"}), "no error");
}

TEST(ChatOptions, TlsFlagsComeInPairs) {
  auto message = [](std::initializer_list<const char*> args) -> std::string {
    try {
      Parse(args);
    } catch (const UsageError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message({"--tls-cert", "c.pem"}), "--tls-cert needs --tls-key");
  EXPECT_EQ(message({"--tls-key", "k.pem"}), "--tls-key needs --tls-cert");
  EXPECT_EQ(message({"--tls-cert", "", "--tls-key", "k.pem"}), "--tls-cert must not be empty");
  EXPECT_EQ(message({"--tls-cert", "c.pem", "--tls-key", ""}), "--tls-key must not be empty");
  EXPECT_EQ(message({"--tls-cert", "c.pem", "--tls-key", "k.pem"}), "no error");
  // Files are read when the server starts (main.cc), not while parsing.
  EXPECT_EQ(message({"--tls-cert", "/no/such.pem", "--tls-key", "/no/such.key"}), "no error");
}

TEST(ChatOptions, Durations) {
  EXPECT_EQ(ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(ParseDuration("10s"), milliseconds(10'000));
  EXPECT_EQ(ParseDuration("2m"), milliseconds(120'000));
  EXPECT_EQ(ParseDuration("1h"), milliseconds(3'600'000));
  EXPECT_EQ(ParseDuration("30"), milliseconds(30'000));
  EXPECT_EQ(ParseDuration("0"), milliseconds(0));
  EXPECT_FALSE(ParseDuration(""));
  EXPECT_FALSE(ParseDuration("ms"));
  EXPECT_FALSE(ParseDuration("-5s"));
  EXPECT_FALSE(ParseDuration("1.5s"));
  EXPECT_FALSE(ParseDuration("5 s"));
  EXPECT_FALSE(ParseDuration("5d"));
  EXPECT_FALSE(ParseDuration("99999999999999999999"));
  EXPECT_FALSE(ParseDuration("9999999999999h"));
}

TEST(ChatOptions, ByteSizes) {
  EXPECT_EQ(ParseByteSize("65536"), 65536U);
  EXPECT_EQ(ParseByteSize("64k"), 65536U);
  EXPECT_EQ(ParseByteSize("64K"), 65536U);
  EXPECT_EQ(ParseByteSize("1m"), 1048576U);
  EXPECT_EQ(ParseByteSize("2M"), 2097152U);
  EXPECT_FALSE(ParseByteSize(""));
  EXPECT_FALSE(ParseByteSize("k"));
  EXPECT_FALSE(ParseByteSize("1kb"));
  EXPECT_FALSE(ParseByteSize("-1"));
  EXPECT_FALSE(ParseByteSize("18446744073709551615m"));
}

}  // namespace
}  // namespace parley::chat
