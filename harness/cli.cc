#include "harness/cli.h"

#include <signal.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/program_options.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "harness/cli_support.h"
#include "harness/fuzz_command.h"
#include "harness/init_command.h"
#include "harness/play/runner.h"
#include "harness/play/target_pool.h"
#include "harness/record_command.h"
#include "harness/report/console_report.h"
#include "harness/report/html_report.h"
#include "harness/report/json_report.h"
#include "harness/report/junit_report.h"
#include "harness/run_setup.h"
#include "harness/scenario/byte_size.h"
#include "harness/scenario/seeds.h"

namespace parley::harness {
namespace {

namespace po = boost::program_options;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage = R"(usage: parley COMMAND [OPTIONS] [PATHS...]

Plays YAML scenarios (socket conversations) against the in-tree targets or any HOST:PORT.

commands:
  run            play the scenarios and report
  list           show the scenarios a run would play
  validate       load and check every scenario without playing
  export-seeds   write every send payload to files, as fuzzing seeds
  fuzz           mutate the scenarios' sends against their targets: a fuzz campaign
  record         a recording proxy: what clients and a server say becomes a scenario
  init           scaffold a repository: targets.yaml, an example scenario, a CI workflow

PATHS are scenario files or folders (searched for *.yaml); default: scenarios
'parley COMMAND --help' shows the options of a command; docs/runner.md has the details.

exit codes: 0 passed, 1 a scenario failed, 2 cannot load or bad command line,
            3 a target could not be started, 130/143 interrupted by SIGINT/SIGTERM
)";

po::options_description RunOptionsDescription(Options* o) {
  po::options_description d("running");
  d.add_options()("jobs,j", po::value(&o->jobs),
                  "scenarios played at once (default: 4 per core, at least 4 and at most 64: "
                  "scenarios mostly wait on sockets)")(
      "repeat", po::value(&o->repeat),
      "play each scenario N times; the summary tables those that did not pass every time")(
      "rerun-failed", po::value(&o->rerun_failed),
      "play a failed scenario up to K more times; one that then passes is reported flaky "
      "(default: 0)")("fail-fast", po::bool_switch(&o->fail_fast),
                      "start no new scenario after a failure")(
      "timeout-scale", po::value(&o->timeout_scale),
      "multiply every timeout by X (slow machines, sanitizers)")(
      "verbose,v", po::bool_switch(&o->verbose),
      "show every connection's transcript, also for passing scenarios")(
      "junit", po::value(&o->junit), "write a JUnit XML report to FILE")(
      "json", po::value(&o->json), "write a JSON report to FILE")(
      "html", po::value(&o->html), "write an HTML report to FILE (one page, for people)")(
      "color", po::value(&o->color),
      "auto (default: on a terminal unless NO_COLOR is set), always or never")(
      "bin-dir", po::value(&o->bin_dir),
      "the folder of the target binaries, ${bin} in targets.yaml (default: parley's own folder)")(
      "max-receive", po::value(&o->max_receive),
      "SIZE a connection may receive before it is cut off: bytes, or with K, M or G (powers of "
      "1024, e.g. 2GiB; default: 64MiB)");
  return d;
}

constexpr std::chrono::milliseconds kTickEvery{250};

// Scenarios spend most of their time waiting for bytes, timeouts and target start-ups, so
// more of them than cores play well at once: on two cores the in-tree suites took 10.7 s at
// -j 2, 5.8 s at -j 4, 4.9 s at -j 8 and 3.7 s at -j 16 (docs/runner.md). Four per core keeps
// most of that gain and leaves headroom for targets that start slowly under load.
int DefaultJobs() {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<int>(std::clamp(4u * cores, 4u, 64u));
}

// "chat: flood, expect at line 14, 3.2s": the active scenario that began first, its step.
std::string Activity(const std::vector<Player*>& active) {
  const Player* oldest = nullptr;
  for (const Player* p : active) {
    if (p->scenario() != nullptr && (oldest == nullptr || p->started() < oldest->started())) {
      oldest = p;
    }
  }
  if (oldest == nullptr) return "";
  std::string text = oldest->scenario()->name;
  if (const Step* step = oldest->current_step()) {
    text += ", " + step->keyword + " at line " + std::to_string(step->where.line);
  }
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, ", %.1fs",
                std::chrono::duration<double>(Clock::now() - oldest->started()).count());
  return text + seconds;
}

bool Failed(const ScenarioResult& r) {
  return r.status == ScenarioResult::Status::kFailed ||
         r.status == ScenarioResult::Status::kTargetError;
}

// --rerun-failed: plays each failed run again, up to `times` more plays; a run that passes
// takes the place of the failure, marked flaky with the first failure's message.
asio::awaitable<void> RerunFailed(Runner& runner, ConsoleReport& console, int times,
                                  std::vector<ScenarioResult>* results) {
  for (int attempt = 2; attempt <= times + 1 && !runner.interrupted(); ++attempt) {
    std::vector<std::size_t> failed;
    std::vector<PlannedRun> plan;
    for (std::size_t i = 0; i < results->size(); ++i) {
      const ScenarioResult& r = (*results)[i];
      if (Failed(r) && !r.flaky) {
        failed.push_back(i);
        plan.push_back({r.scenario, r.repeat});
      }
    }
    if (plan.empty()) co_return;
    std::vector<ScenarioResult> again = co_await runner.Run(plan);
    for (std::size_t j = 0; j < again.size(); ++j) {
      ScenarioResult& first = (*results)[failed[j]];
      first.attempts = attempt;
      if (again[j].status == ScenarioResult::Status::kInterrupted) continue;
      console.OnRerun(again[j], attempt);
      if (again[j].passed()) {
        std::string message = std::move(first.message);
        first = std::move(again[j]);
        first.flaky = true;
        first.flaky_message = std::move(message);
        first.attempts = attempt;
      }
    }
  }
}

int CommandRun(const std::vector<std::string>& args) {
  Options o;
  po::options_description options;
  options.add(SelectionOptions(&o)).add(RunOptionsDescription(&o));
  if (!Parse("run", args, options, &o)) return kExitPassed;
  if (o.jobs == 0) o.jobs = DefaultJobs();
  if (o.jobs < 1 || o.jobs > 1024) UsageError("run", "--jobs must be between 1 and 1024");
  if (o.repeat < 1 || o.repeat > 100000) UsageError("run", "--repeat must be between 1 and 100000");
  if (o.rerun_failed < 0 || o.rerun_failed > 100) {
    UsageError("run", "--rerun-failed must be between 0 and 100");
  }
  if (!(o.timeout_scale > 0 && o.timeout_scale <= 1000)) {
    UsageError("run", "--timeout-scale must be a number above 0 and at most 1000");
  }
  if (o.color != "auto" && o.color != "always" && o.color != "never") {
    UsageError("run", "--color must be auto, always or never");
  }
  std::string size_error;
  std::optional<std::uint64_t> max_receive = ParseByteSize(o.max_receive, &size_error);
  if (!max_receive) UsageError("run", "--max-receive: " + size_error);
  if (*max_receive < 1024) UsageError("run", "--max-receive must be at least 1024 bytes");
  Loaded loaded;
  if (int code = Load("run", o, &loaded, o.repeat); code != kExitPassed) return code;

  bool tty = ::isatty(STDOUT_FILENO) == 1;
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  const bool dumb = term != nullptr && std::string(term) == "dumb";
  bool color = o.color == "always" ||
               (o.color == "auto" && tty && (no_color == nullptr || *no_color == '\0') && !dumb);
  // The progress line is rewritten in place with escape codes: a terminal that can take them.
  const bool progress = tty && !dumb;
  ConsoleReport console(stdout, color, progress, o.verbose);
  if (loaded.setup.plan.empty()) {
    std::printf("no scenario matches the selection\n");
  }

  asio::io_context io;
  PoolOptions pool_options;
  pool_options.bin_dir = o.bin_dir.empty() ? SelfDirectory() : o.bin_dir;
  pool_options.external = loaded.external;
  pool_options.timeout_scale = o.timeout_scale;
  TargetPool pool(io.get_executor(), loaded.setup.have_targets ? &loaded.setup.targets : nullptr,
                  pool_options);
  RunOptions run_options;
  run_options.jobs = o.jobs;
  run_options.fail_fast = o.fail_fast;
  run_options.play.timeout_scale = o.timeout_scale;
  run_options.play.limits.max_receive = static_cast<std::size_t>(*max_receive);
  run_options.play.variables = loaded.vars;
  bool rerunning = false;
  Runner runner(io.get_executor(), &pool, run_options,
                [&](const ScenarioResult& r, std::size_t done, std::size_t total) {
                  // Plays again (--rerun-failed) are shown by RerunFailed, one line each.
                  if (!rerunning) console.OnResult(r, done, total);
                });
  asio::signal_set signals(io, SIGINT, SIGTERM);
  int caught = 0;
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    caught = signal;
    std::fprintf(stderr, "\nparley: caught signal %d; stopping the targets\n", signal);
    runner.Interrupt();
  });
  // Passing results off a terminal are written in batches; this bounds how long one waits.
  asio::steady_timer flush_timer(io);
  std::function<void()> flush_later = [&] {
    flush_timer.expires_after(ConsoleReport::kFlushEvery);
    flush_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      console.Flush();
      flush_later();
    });
  };
  if (!tty) flush_later();
  // On a terminal the progress line also shows the scenario that has been playing longest.
  asio::steady_timer tick_timer(io);
  std::function<void()> tick_later = [&] {
    tick_timer.expires_after(kTickEvery);
    tick_timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      console.Tick(Activity(runner.active()));
      tick_later();
    });
  };
  if (progress) tick_later();
  std::vector<ScenarioResult> results;
  bool internal_error = false;
  auto start = Clock::now();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        results = co_await runner.Run(loaded.setup.plan);
        rerunning = true;
        co_await RerunFailed(runner, console, o.rerun_failed, &results);
      },
      [&](std::exception_ptr e) {
        if (e) internal_error = true;
        signals.cancel();
        flush_timer.cancel();
        tick_timer.cancel();
        io.stop();
      });
  io.run();
  auto elapsed = Clock::now() - start;

  bool reports_ok = true;
  if (!o.junit.empty())
    reports_ok = WriteFile(o.junit, JunitReport(results, elapsed)) && reports_ok;
  if (!o.json.empty())
    reports_ok = WriteFile(o.json, JsonReport(results, elapsed, caught)) && reports_ok;
  if (!o.html.empty())
    reports_ok = WriteFile(o.html, HtmlReport(results, elapsed, caught)) && reports_ok;
  console.Summary(results, elapsed, caught);
  if (caught != 0) return 128 + caught;
  if (internal_error) {
    std::fprintf(stderr, "parley: internal error; the results are incomplete\n");
    return kExitUsage;
  }
  if (!reports_ok) return kExitUsage;
  Tally tally = Tally::Of(results);
  if (tally.target_errors > 0) return kExitTarget;
  if (tally.failed > 0) return kExitFailed;
  return kExitPassed;
}

int CommandList(const std::vector<std::string>& args) {
  Options o;
  if (!Parse("list", args, SelectionOptions(&o), &o)) return kExitPassed;
  Loaded loaded;
  if (int code = Load("list", o, &loaded, 1); code != kExitPassed) return code;
  for (const PlannedRun& run : loaded.setup.plan) {
    const Scenario& s = *run.scenario;
    std::string tags;
    for (const std::string& t : s.tags)
      tags += (tags.empty() ? "" : ", ") + t;
    std::printf("%s:%d  %s%s%s\n", s.file.c_str(), s.where.line, s.name.c_str(),
                tags.empty() ? "" : ("  [" + tags + "]").c_str(),
                s.skip.empty() ? "" : ("  (skip: " + s.skip + ")").c_str());
  }
  std::printf("%zu scenario%s\n", loaded.setup.plan.size(),
              loaded.setup.plan.size() == 1 ? "" : "s");
  return kExitPassed;
}

int CommandValidate(const std::vector<std::string>& args) {
  Options o;
  if (!Parse("validate", args, SelectionOptions(&o), &o)) return kExitPassed;
  Loaded loaded;
  if (int code = Load("validate", o, &loaded, 1); code != kExitPassed) return code;
  std::printf("ok: %zu scenario%s in %zu file%s\n", loaded.setup.catalog.scenarios.size(),
              loaded.setup.catalog.scenarios.size() == 1 ? "" : "s",
              loaded.setup.catalog.files.size(), loaded.setup.catalog.files.size() == 1 ? "" : "s");
  return kExitPassed;
}

int CommandExportSeeds(const std::vector<std::string>& args) {
  Options o;
  po::options_description options = SelectionOptions(&o);
  po::options_description out("output");
  out.add_options()("out,o", po::value(&o.out)->required(),
                    "the folder to write <target>/<seed> files into");
  options.add(out);
  if (!Parse("export-seeds", args, options, &o)) return kExitPassed;
  Loaded loaded;
  if (int code = Load("export-seeds", o, &loaded, 1); code != kExitPassed) return code;
  std::vector<const Scenario*> scenarios;
  for (const PlannedRun& run : loaded.setup.plan)
    scenarios.push_back(run.scenario);
  std::string error;
  int written = WriteSeeds(CollectSeeds(scenarios, loaded.vars), o.out, &error);
  if (written < 0) {
    std::fprintf(stderr, "parley: %s\n", error.c_str());
    return kExitUsage;
  }
  std::printf("wrote %d seed%s to %s\n", written, written == 1 ? "" : "s", o.out.c_str());
  return kExitPassed;
}

}  // namespace

int RunParley(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return kExitPassed;
  }
  if (command == "--version" || command == "version") {
    std::printf("parley %s\n", PARLEY_VERSION);
    return kExitPassed;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (command == "run") return CommandRun(args);
    if (command == "list") return CommandList(args);
    if (command == "validate") return CommandValidate(args);
    if (command == "export-seeds") return CommandExportSeeds(args);
    if (command == "fuzz") return CommandFuzz(args);
    if (command == "record") return CommandRecord(args);
    if (command == "init") return CommandInit(args);
    std::fprintf(stderr, "parley: unknown command '%s'\n%s", command.c_str(), kUsage);
    return kExitUsage;
  } catch (const po::error& e) {
    std::string message = e.what();
    if (message.find("--help") == std::string::npos) {
      message += "\nTry 'parley " + command + " --help'.";
    }
    std::fprintf(stderr, "parley %s: %s\n", command.c_str(), message.c_str());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parley: %s\n", e.what());
    return kExitUsage;
  }
}

}  // namespace parley::harness
