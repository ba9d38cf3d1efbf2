// End-to-end tests of the `parley` command: real processes, real sockets, real reports. The
// targets are parley-fake-target (misbehaving on request) and, when they are built, the
// in-tree http-server and chat-server.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const std::string kBin = PARLEY_BIN_DIR;

struct Outcome {
  int code = -1;  // exit code, or 128+signal
  std::string out;
  std::string err;
  long peak_kib = 0;  // the most memory (VmHWM) parley held, as last seen while it ran
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The VmHWM of a live process in KiB, or 0. (A child's rusage would count the pages of this
// process that it had before its exec.)
long PeakKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::atol(line.c_str() + 6);
  }
  return 0;
}

// Runs parley with `args` in `dir`; kills it after `limit`. `on_start` may act on the pid.
Outcome Parley(const fs::path& dir, std::vector<std::string> args,
               std::chrono::seconds limit = std::chrono::seconds(60),
               const std::function<void(pid_t)>& on_start = nullptr) {
  args.insert(args.begin(), kBin + "/parley");
  fs::path out = dir / "stdout.txt";
  fs::path err = dir / "stderr.txt";
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(127);
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::setenv("NO_COLOR", "1", 1);
    std::vector<char*> argv;
    for (std::string& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (on_start) on_start(pid);
  Outcome o;
  int status = 0;
  auto deadline = Clock::now() + limit;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    o.peak_kib = std::max(o.peak_kib, PeakKib(pid));
    if (Clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      ADD_FAILURE() << "parley did not finish within the limit";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  o.out = ReadFile(out);
  o.err = ReadFile(err);
  return o;
}

class ParleyE2e : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("parley-e2e-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "s");
    fs::create_directories(dir_ / "pids");
    Write("s/targets.yaml", R"(targets:
  recorded:
    command: ["${bin}/parley-fake-target", "--pid-dir", ")" +
                                (dir_ / "pids").string() + R"("]
    ready: '^listening on ([^:]+):(\d+)$'
    shared: true
  fake:
    command: ["${bin}/parley-fake-target", "--host", "127.0.0.1", "--port", "0"]
    ready: '^listening on (?P<host>[^:]+):(?P<port>\d+)$'
    ready_timeout: 5s
    shared: true
  web:
    command: ["${bin}/parley-fake-target", "--http", "--port", "0"]
    ready: '^listening on ([^:]+):(\d+)$'
  never:
    command: ["${bin}/parley-fake-target", "--never-ready"]
    ready: '^listening on ([^:]+):(\d+)$'
    ready_timeout: 300ms
  broken:
    command: ["${bin}/parley-fake-target", "--stderr", "fake-target: bad config", "--exit-before-ready", "4"]
    ready: '^listening on ([^:]+):(\d+)$'
  stubborn:
    command: ["${bin}/parley-fake-target", "--ignore-term"]
    ready: '^listening on ([^:]+):(\d+)$'
    stop_timeout: 200ms
  fragile:
    command: ["${bin}/parley-fake-target", "--fragile"]
    ready: '^listening on ([^:]+):(\d+)$'
    shared: true
)");
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  void Write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name) << text;
  }
  fs::path dir_;
};

constexpr const char* kPassing = R"(- name: greets and echoes
  tags: [smoke]
  target: fake
  timeout: 2s
  vars: {who: nobody}
  steps:
    - connect: a
    - expect: {line: hello}
    - send: {text: "hi ${who}\n"}
    - expect: {line: {regex: '^echo: (hi \w+)$'}, capture: said}
    - send: {text: "again: ${said}\n", split: 3, delay: 1ms}
    - expect: {line: "echo: again: hi there"}
    - expect: {silence: 50ms}
    - send: {text: "close\n"}
    - expect: {closed: true}
- name: udp echo
  target: fake
  steps:
    - connect: {name: u, protocol: udp}
    - send: {text: "ping"}
    - expect: {line: "echo: ping"}
- name: http by hand
  tags: [http]
  target: web
  steps:
    - connect: c
    - send: {text: "HEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n"}
    - expect: {http: {status: 200, headers: {Content-Length: "5"}, body: {length: 0}}}
    - expect: {http: {status: 200, body: hello, responses: 2}}
    - expect: {silence: 20ms}
)";

TEST_F(ParleyE2e, APassingSuiteExitsZeroAndWritesReports) {
  Write("s/pass.yaml", kPassing);
  Outcome o = Parley(dir_, {"run", "s", "--var", "who=there", "--junit", "junit.xml", "--json",
                            "r.json", "-j", "2"});
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("PASS  greets and echoes"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("PASS  http by hand"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("\nparley: 3 passed, 0 failed, 0 skipped\n"), std::string::npos) << o.out;
  std::string junit = ReadFile(dir_ / "junit.xml");
  EXPECT_NE(junit.find("tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"0\""), std::string::npos)
      << junit;
  EXPECT_NE(junit.find("<testcase name=\"udp echo\" classname=\"s/pass.yaml\""), std::string::npos)
      << junit;
  std::string json = ReadFile(dir_ / "r.json");
  EXPECT_NE(json.find("\"passed\": 3"), std::string::npos) << json;
}

TEST_F(ParleyE2e, AMissingLineFailsWithTheStepTheDiffAndTheTranscript) {
  Write("s/fail.yaml", R"(name: wrong echo
target: fake
timeout: 300ms
steps:
  - connect: a
  - expect: {line: hello}
  - send: {text: "ping\r\n"}
  - expect: {line: "echo: pong"}
)");
  Outcome o = Parley(dir_, {"run", "s/fail.yaml", "--junit", "junit.xml"});
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("FAIL  wrong echo"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("  at s/fail.yaml:8:5 (expect on a)\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("  expected: \"echo: pong\"\n    actual: \"echo: ping\"\n"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("> \"ping\\r\\n\""), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("parley: 0 passed, 1 failed, 0 skipped"), std::string::npos);
  EXPECT_NE(ReadFile(dir_ / "junit.xml").find("<failure message=\"the line differs:\">"),
            std::string::npos);
}

TEST_F(ParleyE2e, ALineThatNeverComesTimesOut) {
  Write("s/hang.yaml", R"(name: waits in vain
target: fake
steps:
  - connect: a
  - expect: {line: hello}
  - expect: {line: "more", timeout: 200ms}
)");
  auto start = Clock::now();
  Outcome o = Parley(dir_, {"run", "s"});
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("nothing arrived within 200ms (expected a line exactly \"more\")"),
            std::string::npos)
      << o.out;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
}

TEST_F(ParleyE2e, AWrongStatusFails) {
  Write("s/status.yaml", R"(name: expects a 404
target: web
steps:
  - connect: c
  - send: {text: "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"}
  - expect: {http: {status: 404}}
)");
  Outcome o = Parley(dir_, {"run", "s"});
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("  - status is 200 (expected 404)"), std::string::npos) << o.out;
}

TEST_F(ParleyE2e, ATargetThatCrashesIsReportedWithItsStderr) {
  Write("s/crash.yaml", R"(name: crashes the target
target: {name: fake, fresh: true}
steps:
  - connect: a
  - expect: {line: hello}
  - send: {text: "crash\n"}
  - expect: {line: "never"}
)");
  Outcome o = Parley(dir_, {"run", "s", "--junit", "junit.xml"});
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("target 'fake' exited unexpectedly (killed by signal 6 (SIGABRT))"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("| fake-target: crashing on request"), std::string::npos) << o.out;
  EXPECT_NE(ReadFile(dir_ / "junit.xml").find("<system-err>== target fake"), std::string::npos);
}

// --rerun-failed plays a failed scenario again: one that then passes is a pass marked flaky
// (console, JUnit flakyFailure); without the option the same run fails. The target here
// exits before it is ready the first time it is started, and works after that.
TEST_F(ParleyE2e, RerunFailedMarksAScenarioThatPassesOnASecondPlayFlaky) {
  const std::string marker = (dir_ / "started-once").string();
  Write("r/targets.yaml", R"(targets:
  moody:
    command: [sh, -c, 'if mkdir "$1" 2>/dev/null; then exit 3; fi; exec "$0" --host 127.0.0.1 --port 0',
              "${bin}/parley-fake-target", ")" +
                              marker + R"("]
    ready: '^listening on (?P<host>[^:]+):(?P<port>\d+)$'
)");
  Write("r/moody.yaml", R"(name: moody start
target: moody
steps:
  - connect: a
  - expect: {line: hello}
)");
  Outcome once = Parley(dir_, {"run", "r"});
  EXPECT_EQ(once.code, 3) << once.out << once.err;
  Outcome o = Parley(dir_, {"run", "r", "--rerun-failed", "2", "--junit", "junit.xml"});
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  fs::remove_all(marker);
  o = Parley(dir_, {"run", "r", "--rerun-failed", "2", "--junit", "junit.xml"});
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("FLAKY  moody start  (play 2, "), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("flaky (failed, then passed when played again):\n  moody start  (2 plays): "
                       "target 'moody' did not become ready"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("parley: 1 passed (1 flaky), 0 failed, 0 skipped"), std::string::npos)
      << o.out;
  EXPECT_NE(
      ReadFile(dir_ / "junit.xml").find("<flakyFailure message=\"target &apos;moody&apos; did not"),
      std::string::npos)
      << ReadFile(dir_ / "junit.xml");
}

// --repeat ends with a table of the scenarios that did not pass every time.
TEST_F(ParleyE2e, RepeatTablesTheScenariosThatDidNotPassEveryTime) {
  Write("r/targets.yaml", R"(targets:
  fake:
    command: ["${bin}/parley-fake-target", "--host", "127.0.0.1", "--port", "0"]
    ready: '^listening on (?P<host>[^:]+):(?P<port>\d+)$'
)");
  Write("r/odd.yaml", R"(- name: odd plays fail
  target: fake
  steps:
    - connect: a
    - expect: {line: hello}
    - send: {text: "${repeat}\n"}
    - expect: {line: {regex: '[02468]$'}}
- name: always passes
  target: fake
  steps:
    - connect: a
    - expect: {line: hello}
)");
  Outcome o = Parley(dir_, {"run", "r", "--repeat", "4"});
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("not passing every time:\n  scenario        passed  failures\n"
                       "  odd plays fail  2 of 4  2x r/odd.yaml:7 expect: the line differs"),
            std::string::npos)
      << o.out;
  EXPECT_EQ(o.out.find("always passes", o.out.find("not passing every time:")), std::string::npos)
      << o.out;
}

TEST_F(ParleyE2e, ASharedTargetThatCrashesFailsTheScenarioAndIsRestarted) {
  Write("s/a.yaml", R"(- name: crashes the shared target
  target: fake
  steps:
    - connect: a
    - expect: {line: hello}
    - send: {text: "crash\n"}
    - expect: {line: never}
- name: gets a new one
  target: fake
  steps:
    - connect: a
    - expect: {line: hello}
)");
  Outcome o = Parley(dir_, {"run", "s", "-j", "1"});
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("FAIL  crashes the shared target"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("exited unexpectedly (killed by signal 6 (SIGABRT))"), std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("PASS  gets a new one"), std::string::npos) << o.out;
}

TEST_F(ParleyE2e, ATargetThatNeverBecomesReadyExitsThree) {
  Write("s/never.yaml", "name: never ready\ntarget: never\nsteps:\n  - connect: a\n");
  auto start = Clock::now();
  Outcome o = Parley(dir_, {"run", "s"});
  EXPECT_EQ(o.code, 3) << o.out << o.err;
  EXPECT_NE(o.out.find("ERROR  never ready"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("target 'never' did not become ready: it printed no line matching"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("fake-target: never becoming ready, as asked"), std::string::npos) << o.out;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
}

TEST_F(ParleyE2e, ATargetThatExitsBeforeReadyExitsThree) {
  Write("s/broken.yaml", "name: broken\ntarget: broken\nsteps:\n  - connect: a\n");
  Outcome o = Parley(dir_, {"run", "s"});
  EXPECT_EQ(o.code, 3) << o.out << o.err;
  EXPECT_NE(o.out.find("it exited (exit code 4) before printing a line"), std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("fake-target: bad config"), std::string::npos) << o.out;
}

TEST_F(ParleyE2e, ATargetThatIgnoresSigtermIsKilledAndFailsTheScenario) {
  Write("s/stubborn.yaml",
        "name: stubborn\ntarget: stubborn\nsteps:\n  - connect: a\n  - expect: {line: hello}\n");
  Outcome o = Parley(dir_, {"run", "s"});
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find(
                "target 'stubborn' did not exit within its stop_timeout of SIGTERM and was killed"),
            std::string::npos)
      << o.out;
}

TEST_F(ParleyE2e, SignalAndExitSteps) {
  Write("s/signal.yaml", R"(name: stops on TERM
target: fake
steps:
  - connect: a
  - expect: {line: hello}
  - signal: TERM
  - expect: {on: a, closed: true}
  - expect: {exit: 0}
)");
  Outcome o = Parley(dir_, {"run", "s"});
  EXPECT_EQ(o.code, 0) << o.out << o.err;
}

TEST_F(ParleyE2e, LoadErrorsExitTwoWithTheirPosition) {
  Write("s/bad.yaml",
        "name: bad\ntarget: fake\nsteps:\n  - connect: a\n  - expect: {line: x, tiemout: 1s}\n");
  Write("s/unknown.yaml", "name: unknown target\ntarget: nosuch\nsteps:\n  - connect: a\n");
  Outcome o = Parley(dir_, {"run", "s"});
  EXPECT_EQ(o.code, 2) << o.out << o.err;
  EXPECT_NE(
      o.err.find("s/bad.yaml:5:23: unknown key 'tiemout' in 'expect' (did you mean 'timeout'?)"),
      std::string::npos)
      << o.err;
  EXPECT_NE(o.err.find(
                "s/unknown.yaml:2:9: unknown target 'nosuch' (known: broken, fake, fragile, never, "
                "recorded, stubborn, web)"),
            std::string::npos)
      << o.err;
  EXPECT_NE(o.err.find("parley: 2 errors; nothing was played"), std::string::npos);
  Outcome v = Parley(dir_, {"validate", "s"});
  EXPECT_EQ(v.code, 2);
}

TEST_F(ParleyE2e, ListValidateAndSelection) {
  Write("s/pass.yaml", kPassing);
  Outcome v = Parley(dir_, {"validate", "s"});
  EXPECT_EQ(v.code, 0) << v.err;
  EXPECT_EQ(v.out, "ok: 3 scenarios in 1 file\n");
  Outcome l = Parley(dir_, {"list", "s", "--tag", "smoke"});
  EXPECT_EQ(l.out, "s/pass.yaml:1  greets and echoes  [smoke]\n1 scenario\n");
  Outcome f = Parley(dir_, {"list", "s", "--filter", "*echo*", "--exclude-tag", "smoke"});
  EXPECT_EQ(f.out, "s/pass.yaml:16  udp echo\n1 scenario\n");
  Outcome s1 = Parley(dir_, {"list", "s", "--shard", "1/2"});
  Outcome s2 = Parley(dir_, {"list", "s", "--shard", "2/2"});
  EXPECT_NE(s1.out.find("2 scenarios"), std::string::npos) << s1.out;
  EXPECT_NE(s2.out.find("1 scenario"), std::string::npos) << s2.out;
}

TEST_F(ParleyE2e, CommandLineBasics) {
  Outcome version = Parley(dir_, {"--version"});
  EXPECT_EQ(version.code, 0);
  EXPECT_EQ(version.out, "parley 0.1.0\n");
  Outcome help = Parley(dir_, {"run", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--timeout-scale"), std::string::npos);
  EXPECT_EQ(Parley(dir_, {"run", "--no-such-flag"}).code, 2);
  EXPECT_EQ(Parley(dir_, {"frobnicate"}).code, 2);
  EXPECT_EQ(Parley(dir_, {"run", "--shard", "3/2", "s"}).code, 2);
  EXPECT_EQ(Parley(dir_, {"run", "does-not-exist"}).code, 2);
  Outcome bad_var = Parley(dir_, {"list", "--var", "novalue", "s"});
  EXPECT_EQ(bad_var.code, 2);
  EXPECT_NE(bad_var.err.find("--var takes NAME=VALUE"), std::string::npos) << bad_var.err;
  Outcome bad_size = Parley(dir_, {"run", "--max-receive", "64MB", "s"});
  EXPECT_EQ(bad_size.code, 2);
  EXPECT_NE(bad_size.err.find("--max-receive: '64MB' is not a size (write 1048576, 64KiB, 64MiB "
                              "or 2GiB)"),
            std::string::npos)
      << bad_size.err;
}

TEST_F(ParleyE2e, InterruptStopsTargetsAndWritesPartialReports) {
  Write("s/slow.yaml", R"(- name: quick
  target: recorded
  steps:
    - connect: a
    - expect: {line: hello}
- name: slow
  target: {name: recorded, fresh: true}
  steps:
    - connect: a
    - expect: {line: hello}
    - sleep: 30s
)");
  Outcome o =
      Parley(dir_, {"run", "s", "-j", "1", "--junit", "junit.xml"}, std::chrono::seconds(30),
             [&](pid_t pid) {
               // Wait (bounded) until the slow scenario is sleeping, then press Ctrl-C.
               auto deadline = Clock::now() + std::chrono::seconds(15);
               while (Clock::now() < deadline &&
                      ReadFile(dir_ / "stdout.txt").find("PASS  quick") == std::string::npos) {
                 std::this_thread::sleep_for(std::chrono::milliseconds(10));
               }
               std::this_thread::sleep_for(std::chrono::milliseconds(300));
               ::kill(pid, SIGINT);
             });
  EXPECT_EQ(o.code, 130) << o.out << o.err;
  EXPECT_NE(o.out.find("STOP  slow"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("interrupted by signal 2"), std::string::npos) << o.out;
  std::string junit = ReadFile(dir_ / "junit.xml");
  EXPECT_NE(junit.find("tests=\"2\" failures=\"0\" errors=\"1\""), std::string::npos) << junit;
  // Both targets parley started (the shared one and the slow scenario's own) are gone.
  int targets = 0;
  for (const auto& entry : fs::directory_iterator(dir_ / "pids")) {
    ++targets;
    pid_t pid = std::stoi(entry.path().filename().string());
    EXPECT_NE(::kill(pid, 0), 0) << "target " << pid << " is still running";
  }
  EXPECT_EQ(targets, 2);
}

TEST_F(ParleyE2e, ExternalTargetsAreUsedAsTheyAre) {
  // A server parley did not start: the fake target, run here.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t server = ::fork();
  if (server == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::execl((kBin + "/parley-fake-target").c_str(), "parley-fake-target", nullptr);
    ::_exit(127);
  }
  ::close(fds[1]);
  char line[128] = {};
  ssize_t n = ::read(fds[0], line, sizeof line - 1);  // blocks until the ready line (or exit)
  ::close(fds[0]);
  ASSERT_GT(n, 0);
  std::string ready(line, static_cast<std::size_t>(n));
  std::string address = ready.substr(ready.find("on ") + 3);
  address = address.substr(0, address.find('\n'));
  Write("s/ext.yaml", R"(- name: talks to the running server
  target: fake
  steps:
    - connect: a
    - expect: {line: hello}
- name: needs its own process
  target: {name: fake, args: [--flag]}
  steps:
    - connect: a
)");
  Outcome o = Parley(dir_, {"run", "s", "--target", "fake=" + address});
  ::kill(server, SIGTERM);
  int status = 0;
  ::waitpid(server, &status, 0);
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("PASS  talks to the running server"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("SKIP  needs its own process"), std::string::npos) << o.out;
}

// A GiB judged by `contains` and by an HTTP body length needs no more memory than 16 MiB does:
// what cannot start a match and a body that is only measured are not kept.
TEST_F(ParleyE2e, AGibibyteIsJudgedInBoundedMemory) {
  Write("s/targets.yaml", R"(targets:
  stream:
    command: ["${bin}/bench_stream_source", "--port", "0"]
    ready: '^listening on ([^:]+):(\d+)$'
)");
  auto play = [&](const std::string& size) {
    Write("s/streams.yaml", R"(- name: contains at the end
  target: {name: stream, args: ["--size", ")" +
                                size + R"(", "--tail", "THE END"]}
  timeout: 120s
  steps:
    - connect: c
    - expect: {on: c, contains: "THE END"}
    - expect: {on: c, closed: true}
- name: the length of a body
  target: {name: stream, args: ["--size", ")" +
                                size + R"(", "--http"]}
  timeout: 120s
  steps:
    - connect: c
    - send: {on: c, text: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"}
    - expect: {on: c, http: {status: 200, body: {length: )" +
                                size + R"(}}}
    - expect: {on: c, closed: true}
)");
    return Parley(dir_, {"run", "s", "-j", "1", "--max-receive", "1100M"},
                  std::chrono::seconds(300));
  };
  // Under AddressSanitizer freed memory waits in a quarantine (256 MiB by default) before it is
  // used again, so every allocation made per read would count in the peak as if it were held.
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::string asan_options = asan == nullptr ? "" : asan;
  ::setenv("ASAN_OPTIONS", (asan_options + ":quarantine_size_mb=4").c_str(), 1);
  Outcome small = play("16777216");
  ASSERT_EQ(small.code, 0) << small.out << small.err;
  Outcome big = play("1073741824");
  if (asan == nullptr) {
    ::unsetenv("ASAN_OPTIONS");
  } else {
    ::setenv("ASAN_OPTIONS", asan_options.c_str(), 1);
  }
  ASSERT_EQ(big.code, 0) << big.out << big.err;
  EXPECT_NE(big.out.find("parley: 2 passed"), std::string::npos) << big.out;
  ASSERT_GT(small.peak_kib, 0);
  EXPECT_LT(big.peak_kib, small.peak_kib + 16 * 1024)
      << "16 MiB: " << small.peak_kib << " KiB, 1 GiB: " << big.peak_kib << " KiB";
}

TEST_F(ParleyE2e, ExportSeedsWritesEverySendPayload) {
  Write("s/pass.yaml", kPassing);
  Outcome o = Parley(dir_, {"export-seeds", "s", "--out", "seeds"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "wrote 5 seeds to seeds\n");
  EXPECT_EQ(ReadFile(dir_ / "seeds/fake/pass--udp-echo--L20"), "ping");
  EXPECT_EQ(ReadFile(dir_ / "seeds/web/pass--http-by-hand--L27"),
            "HEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
}

// The in-tree targets, when this build has them: scenarios that must fail against them.
class RealTargets : public ParleyE2e {
 protected:
  void SetUp() override {
    ParleyE2e::SetUp();
    if (!fs::exists(kBin + "/http-server") || !fs::exists(kBin + "/chat-server")) {
      GTEST_SKIP() << "http-server and chat-server are not built in " << kBin;
    }
  }
  Outcome Play(const std::string& scenario) {
    Write("real/s.yaml", scenario);
    return Parley(
        dir_, {"run", "real/s.yaml", "--targets",
               std::string(PARLEY_SOURCE_DIR) + "/scenarios/targets.yaml", "--timeout-scale", "3"});
  }
};

TEST_F(RealTargets, AWrongStatusFromHttpServerFails) {
  Outcome o = Play(R"(name: wrong status
target: http
steps:
  - connect: c
  - send: {text: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"}
  - expect: {http: {status: 404}}
)");
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("  - status is 200 (expected 404)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("response head: \"HTTP/1.1 200 OK\\r\\n"), std::string::npos) << o.out;
}

// parley fuzz through TLS: the mutated bytes go inside TLS records, and every prefix (the
// handshake included) is reached.
TEST_F(RealTargets, FuzzWorksThroughTls) {
  const std::string pki = (dir_ / "pki").string();
  ASSERT_EQ(std::system((kBin + "/parley-test-pki '" + pki + "'").c_str()), 0);
  ::setenv("PARLEY_TLS_PKI", pki.c_str(), 1);
  Write("real/tls.yaml", R"(name: over tls
target: https
steps:
  - connect: c
  - expect: {on: c, tls: {version: "1.3"}}
  - send: {on: c, text: "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"}
  - expect: {on: c, http: {status: 200}}
)");
  Outcome o = Parley(dir_,
                     {"fuzz", "real/tls.yaml", "--targets",
                      std::string(PARLEY_SOURCE_DIR) + "/scenarios/targets.yaml", "--time", "60s",
                      "--runs", "30", "--out", "out"},
                     std::chrono::seconds(120));
  ::unsetenv("PARLEY_TLS_PKI");
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  const std::string report = ReadFile(dir_ / "out" / "report.md");
  EXPECT_NE(report.find("- iterations: 30 "), std::string::npos) << report;
  EXPECT_NE(report.find("was not reached): 0"), std::string::npos) << report;
}

TEST_F(RealTargets, AMissingChatLineFailsWithADiff) {
  Outcome o = Play(R"(name: missing line
target: chat
timeout: 500ms
steps:
  - connect: alice
  - expect: {line: "* welcome nobody"}
)");
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("  expected: \"* welcome nobody\"\n    actual: \"* welcome guest1\"\n"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("target chat (127.0.0.1:"), std::string::npos) << o.out;
}

TEST_F(RealTargets, ALineThatNeverArrivesFromChatServerTimesOut) {
  Outcome o = Play(R"(name: nobody else
target: chat
steps:
  - connect: alice
  - expect: {lines: [{regex: '^\* welcome '}, {regex: '^\* online: '}]}
  - expect: {line: {regex: 'joined$'}, timeout: 200ms}
)");
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("nothing arrived within 600ms (expected a line matching /joined$/)"),
            std::string::npos)
      << o.out;
}

}  // namespace

// `parley fuzz` finds the bug --fragile plants in the fake target (a NUL byte in a line), from
// a scenario that never sends one, and writes a minimized regression scenario that fails on
// the fragile target and passes on a fixed one.
TEST_F(ParleyE2e, FuzzFindsAPlantedCrashAndWritesARegressionScenario) {
  Write("s/echo.yaml", R"(name: echo a line
target: fragile
steps:
  - connect: c
  - expect: {on: c, line: hello}
  - send: {on: c, text: "say something\n"}
  - expect: {on: c, line: "echo: say something"}
  - close: c
)");
  Outcome o = Parley(
      dir_,
      {"fuzz", "s", "--time", "50s", "--out", "campaign", "--seed", "3", "--timeout-scale", "3"},
      std::chrono::seconds(120), [&](pid_t pid) {
        // Stop the campaign as soon as its finding is on disk.
        auto deadline = Clock::now() + std::chrono::seconds(60);
        while (Clock::now() < deadline && !fs::exists(dir_ / "campaign" / "findings")) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        while (Clock::now() < deadline && fs::is_empty(dir_ / "campaign" / "findings")) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ::kill(pid, SIGINT);
      });
  EXPECT_EQ(o.code, 130) << o.err;
  EXPECT_NE(o.err.find("caught signal 2"), std::string::npos) << o.err;
  ASSERT_FALSE(fs::is_empty(dir_ / "campaign" / "findings")) << o.err;
  fs::path finding = fs::directory_iterator(dir_ / "campaign" / "findings")->path();
  std::string report = ReadFile(finding / "report.txt");
  EXPECT_NE(report.find("kind: crash"), std::string::npos) << report;
  EXPECT_NE(report.find("fake-target: a NUL byte in a line"), std::string::npos) << report;
  EXPECT_EQ(ReadFile(finding / "input.bin").find('\0') != std::string::npos, true);
  std::string summary = ReadFile(dir_ / "campaign" / "report.md");
  EXPECT_NE(summary.find("stopped: interrupted"), std::string::npos) << summary;
  EXPECT_NE(summary.find(finding.filename().string()), std::string::npos) << summary;

  // The regression scenario fails on the faulty target...
  fs::copy_file(finding / "scenario.yaml", dir_ / "s" / "regression.yaml");
  Outcome faulty = Parley(dir_, {"run", "s/regression.yaml", "--targets", "s/targets.yaml"});
  EXPECT_EQ(faulty.code, 1) << faulty.out << faulty.err;
  EXPECT_NE(faulty.out.find("target 'fragile' exited unexpectedly"), std::string::npos)
      << faulty.out;
  // ...and passes on a fixed build of it (the same target without the planted bug).
  Write("fixed/targets.yaml", R"(targets:
  fragile:
    command: ["${bin}/parley-fake-target"]
    ready: '^listening on ([^:]+):(\d+)$'
)");
  Outcome fixed = Parley(dir_, {"run", "s/regression.yaml", "--targets", "fixed/targets.yaml"});
  EXPECT_EQ(fixed.code, 0) << fixed.out << fixed.err;

  // A resumed campaign knows the finding: it counts hits instead of writing it again.
  Outcome resumed = Parley(dir_, {"fuzz", "s", "--time", "3s", "--out", "campaign", "--resume"},
                           std::chrono::seconds(60));
  EXPECT_NE(resumed.err.find("fuzz: report:"), std::string::npos) << resumed.err;
  EXPECT_EQ(resumed.err.find("new crash"), std::string::npos) << resumed.err;
}

TEST_F(ParleyE2e, FuzzRefusesBadInputBeforeFuzzing) {
  Write("s/echo.yaml", R"(name: echo
target: fake
steps:
  - connect: c
  - send: {on: c, text: "hi\n", fuzz: false}
)");
  Outcome none = Parley(dir_, {"fuzz", "s", "--time", "5s", "--out", "o1"});
  EXPECT_EQ(none.code, 2) << none.err;
  EXPECT_NE(none.err.find("no send step to mutate"), std::string::npos) << none.err;

  Outcome no_time = Parley(dir_, {"fuzz", "s", "--out", "o2"});
  EXPECT_EQ(no_time.code, 2) << no_time.err;
  EXPECT_NE(no_time.err.find("--time"), std::string::npos) << no_time.err;

  Write("o3/something", "x");
  Write("s/echo.yaml", R"(name: echo
target: fake
steps:
  - connect: c
  - send: {on: c, text: "hi\n"}
)");
  Outcome busy = Parley(dir_, {"fuzz", "s", "--time", "5s", "--out", "o3"});
  EXPECT_EQ(busy.code, 2) << busy.err;
  EXPECT_NE(busy.err.find("o3 is not empty: give --resume"), std::string::npos) << busy.err;

  Write("bad.dict", "\"GET\"\nnot a token\n");
  Outcome dict = Parley(dir_, {"fuzz", "s", "--time", "5s", "--out", "o4", "--dict", "bad.dict"});
  EXPECT_EQ(dict.code, 2) << dict.err;
  EXPECT_NE(dict.err.find("bad.dict:2:1: expected a quoted token"), std::string::npos) << dict.err;

  Write("s/broken.yaml", "name: [unclosed\n");
  Outcome broken = Parley(dir_, {"fuzz", "s", "--time", "5s", "--out", "o5"});
  EXPECT_EQ(broken.code, 2) << broken.err;
  EXPECT_NE(broken.err.find("broken.yaml:"), std::string::npos) << broken.err;
}

// A target that dies before any mutation (here: one that never becomes ready) stops the
// campaign with a clear reason and exit code 3.
TEST_F(ParleyE2e, FuzzStopsWhenTheTargetCannotStart) {
  Write("s/never.yaml", R"(name: never ready
target: never
steps:
  - connect: c
  - send: {on: c, text: "hi\n"}
)");
  Outcome o = Parley(dir_, {"fuzz", "s", "--time", "20s", "--out", "out"});
  EXPECT_EQ(o.code, 3) << o.err;
  EXPECT_NE(o.err.find("a target could not be started"), std::string::npos) << o.err;
  EXPECT_TRUE(fs::exists(dir_ / "out" / "report.md"));
}

// An expectation marked `invariant: true` is still checked after a mutated send; when it fails,
// the finding's regression scenario ends with it.
TEST_F(ParleyE2e, FuzzReportsABrokenInvariant) {
  Write("s/echo.yaml", R"(name: every line is echoed
target: fake
steps:
  - connect: c
  - expect: {on: c, line: hello}
  - send: {on: c, text: "hello close\n"}
  - expect: {on: c, line: {regex: "^echo: "}, invariant: true, timeout: 200ms}
)");
  Outcome o =
      Parley(dir_, {"fuzz", "s", "--time", "8s", "--runs", "300", "--out", "out", "--seed", "5"},
             std::chrono::seconds(90));
  EXPECT_EQ(o.code, 1) << o.err;
  EXPECT_NE(o.err.find("fuzz: invariant "), std::string::npos) << o.err;
  std::string summary = ReadFile(dir_ / "out" / "report.md");
  EXPECT_NE(summary.find("| invariant | invariant \\| s/echo.yaml:7 |"), std::string::npos)
      << summary;
  fs::path finding = fs::directory_iterator(dir_ / "out" / "findings")->path();
  std::string yaml = ReadFile(finding / "scenario.yaml");
  EXPECT_NE(yaml.find("invariant: true"), std::string::npos) << yaml;
  Outcome replay =
      Parley(dir_, {"run", (finding / "scenario.yaml").string(), "--targets", "s/targets.yaml"});
  EXPECT_EQ(replay.code, 1) << replay.out << replay.err;
}

// A target that stops serving but still accepts connections is a hang: the liveness check
// plays the --health scenario, the finding's regression scenario ends with its steps, and the
// hung target is stopped so that the campaign goes on with a fresh one.
TEST_F(ParleyE2e, FuzzReportsAHangWithTheHealthScenario) {
  Write("s/stall.yaml", R"(name: almost stalls
target: fragile
steps:
  - connect: c
  - expect: {on: c, line: hello}
  - send: {on: c, text: "x stall\n"}
)");
  Write("health.yaml", R"(name: greets
target: fragile
steps:
  - connect: h
  - expect: {on: h, line: hello, timeout: 300ms}
)");
  Outcome o = Parley(dir_,
                     {"fuzz", "s", "--time", "30s", "--runs", "10", "--out", "out", "--seed", "4",
                      "--health", "health.yaml", "--probe-every", "1"},
                     std::chrono::seconds(60));
  EXPECT_EQ(o.code, 1) << o.err;
  EXPECT_NE(o.err.find("fuzz: hang "), std::string::npos) << o.err;
  fs::path finding;
  for (const auto& entry : fs::directory_iterator(dir_ / "out" / "findings")) {
    if (ReadFile(entry.path() / "report.txt").find("kind: hang") != std::string::npos) {
      finding = entry.path();
    }
  }
  ASSERT_FALSE(finding.empty()) << o.err;
  Outcome faulty =
      Parley(dir_, {"run", (finding / "scenario.yaml").string(), "--targets", "s/targets.yaml"});
  EXPECT_EQ(faulty.code, 1) << faulty.out << faulty.err;
  Write("fixed/targets.yaml", R"(targets:
  fragile:
    command: ["${bin}/parley-fake-target"]
    ready: '^listening on ([^:]+):(\d+)$'
)");
  Outcome fixed = Parley(
      dir_, {"run", (finding / "scenario.yaml").string(), "--targets", "fixed/targets.yaml"});
  EXPECT_EQ(fixed.code, 0) << fixed.out << fixed.err;
}

// With a target built with AFL++'s instrumentation, `parley fuzz` is guided by its edge
// coverage: it keeps the inputs that pass each step of --deep's planted bug and builds on them
// until the target crashes, while a black-box campaign of the same length does not get there.
TEST_F(ParleyE2e, FuzzWithCoverageFindsADeepBugThatBlackBoxMisses) {
#ifndef PARLEY_HAVE_AFL
  GTEST_SKIP() << "afl-clang-fast++ was not found at configure time (Debian package afl++)";
#else
  Write("s/targets.yaml", R"(targets:
  deep:
    command: ["${bin}/parley-fake-target-afl", "--deep"]
    ready: '^listening on ([^:]+):(\d+)$'
    shared: true
)");
  Write("s/deep.yaml", R"(name: a plain line
target: deep
steps:
  - connect: c
  - expect: {on: c, line: hello}
  - send: {on: c, text: "x hello\n"}
)");
  Outcome grey = Parley(dir_,
                        {"fuzz", "s", "--time", "150s", "--runs", "40000", "--max-findings", "1",
                         "--out", "grey", "--seed", "2"},
                        std::chrono::seconds(240));
  EXPECT_EQ(grey.code, 1) << grey.err;
  EXPECT_NE(grey.err.find("target 'deep' ("), std::string::npos) << grey.err;
  EXPECT_NE(grey.err.find("is instrumented: AFL++ map of"), std::string::npos) << grey.err;
  EXPECT_NE(grey.err.find("stopped: findings"), std::string::npos) << grey.err;
  std::string report = ReadFile(dir_ / "grey" / "report.md");
  EXPECT_NE(report.find("- feedback: grey-box: deep (AFL++ map of"), std::string::npos) << report;
  EXPECT_NE(report.find("## Coverage over time"), std::string::npos) << report;
  EXPECT_NE(ReadFile(dir_ / "grey" / "coverage.svg").find("<polyline"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "grey" / "queue")) << grey.err;
  std::string finding;
  for (const auto& entry : fs::directory_iterator(dir_ / "grey" / "findings"))
    finding = ReadFile(entry.path() / "report.txt");
  EXPECT_NE(finding.find("the deep bug --deep plants"), std::string::npos) << finding;

  Outcome black = Parley(dir_,
                         {"fuzz", "s", "--time", "150s", "--runs", "3000", "--out", "black",
                          "--seed", "2", "--coverage", "off"},
                         std::chrono::seconds(240));
  EXPECT_EQ(black.code, 0) << black.err;
  EXPECT_NE(ReadFile(dir_ / "black" / "report.md").find("- feedback: black-box (--coverage off)"),
            std::string::npos);
#endif
}

// A target that is not instrumented is fuzzed black-box, and the log and report say so.
TEST_F(ParleyE2e, FuzzSaysWhenATargetIsNotInstrumented) {
  Write("s/echo.yaml", R"(name: echo
target: fake
steps:
  - connect: c
  - expect: {on: c, line: hello}
  - send: {on: c, text: "hello\n"}
)");
  Outcome o = Parley(dir_, {"fuzz", "s", "--time", "20s", "--runs", "20", "--out", "out"},
                     std::chrono::seconds(60));
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.err.find("is not built with AFL++ instrumentation: black-box"), std::string::npos)
      << o.err;
  std::string report = ReadFile(dir_ / "out" / "report.md");
  EXPECT_NE(report.find("- feedback: black-box (no target was built with AFL++ instrumentation: "
                        "fake (black-box: not built with AFL++ instrumentation))"),
            std::string::npos)
      << report;
}

// With --jobs, workers with their own target processes fuzz at once and share one book of
// findings: the planted crash is saved once, whichever worker saw it, and the report counts the
// iterations of all of them.
TEST_F(ParleyE2e, FuzzWorkersShareTheirFindings) {
  Write("s/echo.yaml", R"(name: echo a line
target: fragile
steps:
  - connect: c
  - expect: {on: c, line: hello}
  - send: {on: c, text: "say something\n"}
)");
  Outcome o = Parley(dir_,
                     {"fuzz", "s", "--jobs", "2", "--time", "60s", "--max-findings", "1", "--out",
                      "out", "--seed", "3", "--timeout-scale", "3"},
                     std::chrono::seconds(120));
  EXPECT_EQ(o.code, 1) << o.err;
  EXPECT_NE(o.err.find(", 2 workers,"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("stopped: findings"), std::string::npos) << o.err;
  std::size_t saved = 0;
  for (const auto& entry : fs::directory_iterator(dir_ / "out" / "findings")) {
    EXPECT_NE(ReadFile(entry.path() / "report.txt").find("a NUL byte in a line"),
              std::string::npos);
    ++saved;
  }
  EXPECT_EQ(saved, 1u) << o.err;
  std::string summary = ReadFile(dir_ / "out" / "report.md");
  EXPECT_NE(summary.find("- workers: 2 (each with its own target processes"), std::string::npos)
      << summary;
}

// A target the targets file does not mark `shared: true` is started afresh for each iteration,
// as `parley run` would for each scenario (its scenarios may expect a new server); --persistent
// keeps it up instead.
TEST_F(ParleyE2e, FuzzStartsUnsharedTargetsAfreshUnlessPersistent) {
  Write("t/targets.yaml", R"(targets:
  counted:
    command: ["${bin}/parley-fake-target", "--pid-dir", ")" +
                              (dir_ / "pids").string() + R"("]
    ready: '^listening on ([^:]+):(\d+)$'
)");
  Write("t/echo.yaml", R"(name: echo
target: counted
steps:
  - connect: c
  - expect: {on: c, line: hello}
  - send: {on: c, text: "hello\n"}
)");
  auto started = [&] {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_ / "pids"))
      ++n;
    return n;
  };
  Outcome fresh = Parley(dir_, {"fuzz", "t", "--time", "30s", "--runs", "6", "--out", "fresh"},
                         std::chrono::seconds(60));
  EXPECT_EQ(fresh.code, 0) << fresh.err;
  EXPECT_GE(started(), 6u) << fresh.err;
  fs::remove_all(dir_ / "pids");
  fs::create_directories(dir_ / "pids");
  Outcome kept =
      Parley(dir_, {"fuzz", "t", "--time", "30s", "--runs", "6", "--out", "kept", "--persistent"},
             std::chrono::seconds(60));
  EXPECT_EQ(kept.code, 0) << kept.err;
  EXPECT_EQ(started(), 1u) << kept.err;
}

// A target that dies only after the iteration that killed it was judged is found dead by the
// next one; its report still holds what the target wrote to stderr when it was hit.
TEST_F(ParleyE2e, FuzzKeepsTheStderrOfADeathFoundByTheNextIteration) {
  Write("late/targets.yaml", R"(targets:
  slow:
    command: ["${bin}/parley-fake-target", "--fragile", "--die-late"]
    ready: '^listening on ([^:]+):(\d+)$'
    shared: true
)");
  Write("s/echo.yaml", R"(name: echo a line
target: slow
steps:
  - connect: c
  - expect: {on: c, line: hello}
  - send: {on: c, text: "say something\n"}
)");
  Outcome o = Parley(dir_,
                     {"fuzz", "s", "--targets", "late/targets.yaml", "--time", "60s",
                      "--max-findings", "1", "--out", "out", "--seed", "3", "--drain", "0"},
                     std::chrono::seconds(120));
  EXPECT_EQ(o.code, 1) << o.err;
  std::string report;
  for (const auto& entry : fs::directory_iterator(dir_ / "out" / "findings"))
    report = ReadFile(entry.path() / "report.txt");
  EXPECT_NE(report.find("found at the start of the next iteration"), std::string::npos)
      << report << o.err;
  EXPECT_NE(report.find("fake-target: a NUL byte in a line"), std::string::npos) << report << o.err;
}

// A target that stalls only after it has answered the liveness check passes that check; the
// next iteration's prefix fails, the check runs again and fails, and the hang is charged to the
// previous iteration's input.
TEST_F(ParleyE2e, FuzzChargesAHangFoundByTheNextPrefixToThePreviousInput) {
  Write("late/targets.yaml", R"(targets:
  late:
    command: ["${bin}/parley-fake-target", "--fragile", "--stall-late"]
    ready: '^listening on ([^:]+):(\d+)$'
    shared: true
    health: ../health.yaml  # the liveness check of parley fuzz, beside the targets file
)");
  Write("s/stall.yaml", R"(name: almost stalls
target: late
steps:
  - connect: c
  - expect: {on: c, line: hello, timeout: 500ms}
  - send: {on: c, text: "x stall\n"}
)");
  Write("health.yaml", R"(name: greets
target: late
steps:
  - connect: h
  - expect: {on: h, line: hello, timeout: 300ms}
)");
  Outcome o = Parley(dir_,
                     {"fuzz", "s", "--targets", "late/targets.yaml", "--time", "30s", "--runs",
                      "10", "--out", "out", "--seed", "4", "--probe-every", "1"},
                     std::chrono::seconds(60));
  EXPECT_EQ(o.code, 1) << o.err;
  std::string summary = ReadFile(dir_ / "out" / "report.md");
  EXPECT_NE(summary.find("was not reached): 1\n"), std::string::npos) << summary;
  std::string report;
  for (const auto& entry : fs::directory_iterator(dir_ / "out" / "findings")) {
    std::string text = ReadFile(entry.path() / "report.txt");
    if (text.find("kind: hang") != std::string::npos) report = text;
  }
  EXPECT_NE(report.find("found at the start of the next iteration"), std::string::npos)
      << report << o.err;
  EXPECT_NE(report.find("stall"), std::string::npos) << report;
}
