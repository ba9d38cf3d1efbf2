#include "harness/play/target_pool.h"

#include <gtest/gtest.h>

#include "harness/play/target_test_util.h"

namespace parley::harness {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using test::RunCoroutine;

// Targets started from a targets.yaml in a fresh folder, with server.py beside it.
class TargetPoolStart : public test::TargetFolder {
 protected:
  void LoadTargets(const std::string& yaml) {
    Write("targets.yaml", yaml);
    LoadError error;
    ASSERT_TRUE(LoadTargetsFile(Path("targets.yaml"), &config_, &error)) << error.ToString();
  }

  // Acquires target `name`, calls `check` with the lease, releases it; returns the start error.
  std::string Use(const std::string& name,
                  std::function<void(const TargetPool::Lease&)> check = nullptr) {
    std::string error;
    RunCoroutine([&](asio::any_io_executor ex) -> asio::awaitable<void> {
      TargetPool pool(ex, &config_, PoolOptions());
      TargetUse use;
      use.name = name;
      TargetPool::Acquired acquired = co_await pool.Acquire(use, Variables());
      error = acquired.error;
      if (!acquired.lease) co_return;
      if (check) check(*acquired.lease);
      co_await pool.Release(*acquired.lease);
    });
    return error;
  }

  TargetsConfig config_;
};

TEST_F(TargetPoolStart, PortAutoRendersTheConfigEnvAndFolder) {
  Write("server.conf", "${host} ${port}\n${tmp}\n");
  Write("www/index.html", "hola\n");
  LoadTargets(R"(targets:
  t:
    command: [python3, "${targets_dir}/server.py", --config, "${config}"]
    port: auto
    config: server.conf
    env: {GREETING: "hola ${port}"}
    cwd: www
    ready: {connect: true}
)");
  std::string tmp;
  EXPECT_EQ(
      Use("t",
          [&](const TargetPool::Lease& lease) {
            EXPECT_EQ(lease.endpoint.host, "127.0.0.1");
            std::string line = test::FirstLine(lease.endpoint.port);
            const std::string head =
                "hello cwd=" + Path("www") + " greeting=hola " + lease.endpoint.port + " extra=";
            EXPECT_EQ(line.substr(0, head.size()), head) << line;
            tmp = line.substr(std::min(line.size(), head.size()));
            EXPECT_EQ(tmp.rfind("/tmp/parley-t-", 0), 0u) << tmp;
            EXPECT_TRUE(fs::exists(tmp + "/server.conf"));
            EXPECT_EQ(lease.command, "GREETING='hola " + lease.endpoint.port + "' python3 " +
                                         Path("server.py") + " --config " + tmp + "/server.conf");
          }),
      "");
  EXPECT_FALSE(tmp.empty());
  EXPECT_FALSE(fs::exists(tmp));  // removed when the process stopped
}

TEST_F(TargetPoolStart, EachReadyForm) {
  Write("ready.yaml", R"(name: greets
target: checked
steps:
  - connect: c
  - expect: {on: c, line: {regex: '^hello '}}
)");
  LoadTargets(R"(targets:
  by-stdout:
    command: [python3, "${targets_dir}/server.py", "${host}", "${port}", "0", stdout]
    port: auto
    ready: '^up$'
  by-stderr:
    command: [python3, "${targets_dir}/server.py", "${host}", "${port}", "0", stderr]
    port: auto
    ready: {stderr: '^up$'}
  by-connect:
    command: [python3, "${targets_dir}/server.py", "${host}", "${port}", "0.2", none]
    port: auto
    ready: {connect: true}
  checked:
    command: [python3, "${targets_dir}/server.py", "${host}", "${port}", "0.2", none]
    port: auto
    ready: {scenario: ready.yaml}
)");
  for (const char* name : {"by-stdout", "by-stderr", "by-connect", "checked"}) {
    EXPECT_EQ(Use(name,
                  [&](const TargetPool::Lease& lease) {
                    EXPECT_EQ(test::FirstLine(lease.endpoint.port).substr(0, 6), "hello ") << name;
                  }),
              "")
        << name;
  }
}

TEST_F(TargetPoolStart, AFailedStartShowsTheCommandFolderStatusAndOutput) {
  LoadTargets(R"(targets:
  broken:
    command: [/bin/sh, -c, "echo out1; echo out2; echo \"it's bad\" >&2; exit 4", "with space"]
    env: {MODE: "a b"}
    cwd: .
    ready: '^listening (\S+):(\d+)$'
)");
  EXPECT_EQ(Use("broken"),
            "target 'broken' did not become ready: it exited (exit code 4) before printing a "
            "line that matches /^listening (\\S+):(\\d+)$/\n"
            "command: MODE='a b' /bin/sh -c 'echo out1; echo out2; echo \"it'\\''s bad\" >&2; "
            "exit 4' 'with space'\n"
            "cwd: " +
                dir_.string() +
                "\n"
                "exit status: exit code 4\n"
                "its stdout (the last lines):\n"
                "  out1\n"
                "  out2\n\n"
                "its stderr:\n"
                "it's bad\n");
}

TEST_F(TargetPoolStart, ANeverReadyTargetIsStoppedAndItsFolderRemoved) {
  LoadTargets(R"(targets:
  stuck:
    command: [/bin/sh, -c, "echo waiting; exec sleep 30", "${tmp}", "${port}"]
    port: auto
    ready: {connect: true}
    ready_timeout: 300ms
)");
  std::string error = Use("stuck");
  EXPECT_NE(error.find("target 'stuck' did not become ready: it accepted no TCP connection on "
                       "127.0.0.1:"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("\nexit status: still running, so parley stopped it (killed by signal 15 "
                       "(SIGTERM))\n"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("\n(it wrote nothing to stderr)"), std::string::npos) << error;
  std::size_t at = error.find("/tmp/parley-stuck-");
  ASSERT_NE(at, std::string::npos) << error;
  std::string tmp = error.substr(at, error.find(' ', at) - at);
  EXPECT_FALSE(fs::exists(tmp)) << tmp;
  EXPECT_EQ(error.find("started 3 times"), std::string::npos);  // only exits are retried
}

TEST_F(TargetPoolStart, PortAutoIsRetriedWhenTheServerExits) {
  // Fails twice (as a server would whose port was taken), then listens.
  LoadTargets(R"(targets:
  flaky:
    command: [/bin/sh, -c, 'n=$(cat "$0" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$0";
               [ $n -ge 3 ] || exit 1; exec python3 "$1" 127.0.0.1 "$2"',
              "${targets_dir}/count", "${targets_dir}/server.py", "${port}"]
    port: auto
    ready: '^up$'
  broken:
    command: [/bin/sh, -c, 'echo cannot bind >&2; exit 1', "${port}"]
    port: auto
    ready: {connect: true}
)");
  EXPECT_EQ(Use("flaky"), "");
  std::ifstream count(Path("count"));
  int n = 0;
  count >> n;
  EXPECT_EQ(n, 3);
  std::string error = Use("broken");
  EXPECT_NE(error.find("cannot bind"), std::string::npos) << error;
  EXPECT_NE(error.find("\n(started 3 times, each on a new free port, in case another process "
                       "had taken the port)"),
            std::string::npos)
      << error;
}

TEST_F(TargetPoolStart, AMissingFolderIsAStartError) {
  LoadTargets(R"(targets:
  t:
    command: [python3, server.py, "${port}"]
    port: 1
    cwd: nowhere
    ready: {connect: true}
)");
  EXPECT_EQ(Use("t"),
            "cannot start target 't' (python3 server.py 1): cannot change to the folder '" +
                Path("nowhere") + "': No such file or directory");
}

}  // namespace
}  // namespace parley::harness
