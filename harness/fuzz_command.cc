#include "harness/fuzz_command.h"

#include <signal.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>

#include "harness/cli.h"
#include "harness/cli_support.h"
#include "harness/netfuzz/campaign.h"
#include "harness/netfuzz/campaign_files.h"
#include "harness/netfuzz/campaign_report.h"
#include "harness/netfuzz/coverage.h"
#include "harness/netfuzz/dictionary.h"
#include "harness/netfuzz/fuzz_plan.h"
#include "harness/scenario/byte_size.h"
#include "harness/scenario/loader.h"
#include "harness/scenario/payload.h"

namespace parley::harness {
namespace {

namespace po = boost::program_options;
namespace asio = boost::asio;
namespace fs = std::filesystem;

constexpr std::size_t kMostTokens = 1024;

struct FuzzFlags {
  std::string time;
  std::string out;
  std::string seed;
  std::vector<std::string> dicts;
  bool resume = false;
  std::uint64_t runs = 0;
  std::size_t max_findings = 0;
  std::string health;
  std::string max_len = "64KiB";
  int most_deaths = 10;
  int probe_every = 10;
  std::string coverage = "auto";
  int jobs = 1;
  bool persistent = false;
  std::string drain = "200ms";
};

// "--time": ParseDuration's forms, and hours ("8h") for overnight campaigns.
Duration ParseTime(const std::string& text) {
  std::string error;
  if (text.size() > 1 && text.back() == 'h') {
    std::optional<Duration> minutes = ParseDuration(text.substr(0, text.size() - 1) + "m", &error);
    if (minutes) return *minutes * 60;
  }
  std::optional<Duration> d = ParseDuration(text, &error);
  if (!d) UsageError("fuzz", "--time: " + error + " (e.g. 30s, 10m, 8h)");
  return *d;
}

// A campaign folder remembers how far it got, so that --resume goes on counting.
struct State {
  std::uint64_t iterations = 0;
  std::uint64_t seed = 0;
};

bool ReadState(const fs::path& path, State* state) {
  std::ifstream in(path);
  std::string key;
  bool any = false;
  while (in >> key) {
    if (key == "iterations") in >> state->iterations;
    if (key == "seed") in >> state->seed;
    any = true;
  }
  return any;
}

// --dict files, every payload of the selected scenarios, and the project's corpus/*.dict (in
// the targets file's folder or the one above it).
std::vector<std::string> Dictionary(const FuzzFlags& f, const Loaded& loaded,
                                    const std::vector<FuzzPoint>& points) {
  std::vector<std::string> tokens;
  for (const std::string& path : f.dicts) {
    std::string error;
    if (!LoadDictionary(path, &tokens, &error)) UsageError("fuzz", "--dict: " + error);
  }
  for (const FuzzPoint& p : points) {
    std::string bytes;
    std::string error;
    const auto& send = std::get<SendStep>(p.mutated().action);
    if (RenderPayload(send.payload, loaded.vars, &bytes, &error)) AddPayloadTokens(bytes, &tokens);
  }
  if (loaded.setup.have_targets) {
    fs::path dir = fs::path(loaded.setup.targets.file).parent_path();
    for (const fs::path& d : {dir / "corpus", dir.parent_path() / "corpus"}) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(d, ec)) {
        if (entry.path().extension() != ".dict") continue;
        std::string error;
        LoadDictionary(entry.path().string(), &tokens, &error);  // a bad one is only skipped
      }
    }
  }
  TidyTokens(&tokens, kMostTokens);
  return tokens;
}

}  // namespace

int CommandFuzz(const std::vector<std::string>& args) {
  Options o;
  FuzzFlags f;
  po::options_description options = SelectionOptions(&o);
  po::options_description fuzz("fuzzing");
  fuzz.add_options()("time", po::value(&f.time)->required(),
                     "DURATION of the campaign: 30s, 10m, 8h")(
      "out,o", po::value(&f.out)->required(),
      "DIR for findings/ and report.md (must be new or empty unless --resume)")(
      "seed", po::value(&f.seed), "N for the random source (default: from the clock; printed)")(
      "dict", po::value(&f.dicts)->composing(),
      "FILE of tokens, AFL/libFuzzer format (repeatable; payload words and corpus/*.dict too)")(
      "resume", po::bool_switch(&f.resume), "go on with the campaign in --out")(
      "runs", po::value(&f.runs), "stop after N iterations (default: only --time)")(
      "persistent", po::bool_switch(&f.persistent),
      "keep every target up between iterations, also those the targets file does not mark "
      "'shared: true' (faster, when the scenarios do not need a fresh server)")(
      "jobs,j", po::value(&f.jobs),
      "N workers at once, each with its own target processes (default 1)")(
      "max-findings", po::value(&f.max_findings),
      "stop once N distinct findings are saved (default: no bound)")(
      "health", po::value(&f.health),
      "FILE: a scenario that must pass after every iteration (default: a TCP connect)")(
      "probe-every", po::value(&f.probe_every),
      "N: the liveness check after every N-th iteration (and after any that failed past the "
      "mutation); default 10")("max-len", po::value(&f.max_len),
                               "SIZE of the longest mutated payload (default 64KiB)")(
      "coverage", po::value(&f.coverage),
      "auto: AFL++ edge coverage from each target built with AFL++ instrumentation (the others "
      "black-box); off: black-box (default auto)")(
      "drain", po::value(&f.drain),
      "DURATION to wait, after each iteration, for the target to close the connection (so it "
      "has read the input); 0 skips it (default 200ms)")(
      "max-deaths", po::value(&f.most_deaths),
      "stop when the target dies after N iterations in a row (default 10)")(
      "timeout-scale", po::value(&o.timeout_scale), "multiply every timeout by X")(
      "bin-dir", po::value(&o.bin_dir), "the folder of the target binaries, ${bin}");
  options.add(fuzz);
  if (!Parse("fuzz", args, options, &o)) return kExitPassed;
  const Duration time = ParseTime(f.time);
  if (!(o.timeout_scale > 0 && o.timeout_scale <= 1000)) {
    UsageError("fuzz", "--timeout-scale must be a number above 0 and at most 1000");
  }
  if (f.most_deaths < 1) UsageError("fuzz", "--max-deaths must be at least 1");
  if (f.probe_every < 1) UsageError("fuzz", "--probe-every must be at least 1");
  if (f.jobs < 1 || f.jobs > 64) UsageError("fuzz", "--jobs must be from 1 to 64");
  if (f.coverage != "auto" && f.coverage != "off") {
    UsageError("fuzz", "--coverage takes auto or off, not '" + f.coverage + "'");
  }
  std::string drain_error;
  std::optional<Duration> drain =
      f.drain == "0" ? std::optional<Duration>(Duration(0)) : ParseDuration(f.drain, &drain_error);
  if (!drain) UsageError("fuzz", "--drain: " + drain_error + " (e.g. 200ms, 0)");
  std::string size_error;
  std::optional<std::uint64_t> max_len = ParseByteSize(f.max_len, &size_error);
  if (!max_len || *max_len < 1 || *max_len > (64u << 20)) {
    UsageError("fuzz", "--max-len must be a size from 1 byte to 64MiB" +
                           (size_error.empty() ? "" : ": " + size_error));
  }

  Loaded loaded;
  if (int code = Load("fuzz", o, &loaded, 1); code != kExitPassed) return code;
  std::vector<const Scenario*> scenarios;
  for (const PlannedRun& run : loaded.setup.plan)
    scenarios.push_back(run.scenario);
  std::vector<FuzzPoint> points = FuzzPoints(scenarios);
  if (points.empty()) {
    std::fprintf(stderr,
                 "parley fuzz: the selected scenarios (%zu) have no send step to mutate "
                 "(none, or all marked 'fuzz: false')\n",
                 scenarios.size());
    return kExitUsage;
  }
  // The liveness checks: --health for every target, else each target's `health:` file.
  std::map<std::string, LoadResult> health;  // by path
  auto load_health = [&](const std::string& path, const std::string& what) -> const Scenario* {
    auto [it, fresh] = health.try_emplace(path);
    if (fresh) {
      std::ifstream in(path, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) UsageError("fuzz", what + ": cannot read " + path);
      it->second = LoadScenarios(text.str(), path, LoadOptions{});
      if (it->second.error) {
        std::fprintf(stderr, "%s\n", it->second.error->ToString().c_str());
        std::exit(kExitUsage);
      }
      if (it->second.scenarios.empty())
        UsageError("fuzz", what + ": " + path + " holds no scenario");
    }
    return &it->second.scenarios.front();
  };
  const Scenario* global_health = f.health.empty() ? nullptr : load_health(f.health, "--health");
  std::map<std::string, const Scenario*> target_health;
  if (global_health == nullptr && loaded.setup.have_targets) {
    for (const auto& [name, spec] : loaded.setup.targets.targets) {
      if (!spec.health.empty())
        target_health[name] = load_health(spec.health, "target '" + name + "' health");
    }
  }

  // The output folder: new, empty, or resumed.
  const fs::path out(f.out);
  const fs::path state_path = out / "state.txt";
  State state;
  std::error_code ec;
  bool has_state = ReadState(state_path, &state);
  if (f.resume && !has_state) {
    UsageError("fuzz", "--resume: " + f.out + " holds no campaign (no state.txt)");
  }
  if (!f.resume && fs::exists(out, ec) && !fs::is_empty(out, ec)) {
    UsageError("fuzz", f.out +
                           " is not empty: give --resume to go on with its campaign, or "
                           "another --out");
  }
  fs::create_directories(out / "findings", ec);
  if (ec) {
    std::fprintf(stderr, "parley fuzz: cannot create %s: %s\n", (out / "findings").c_str(),
                 ec.message().c_str());
    return kExitUsage;
  }
  std::uint64_t seed = 0;
  if (!f.seed.empty()) {
    try {
      seed = std::stoull(f.seed);
    } catch (const std::exception&) {
      UsageError("fuzz", "--seed takes a number");
    }
  } else if (f.resume) {
    seed = state.seed + state.iterations;  // not the same inputs again
  } else {
    seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count() ^
                                      ::getpid());
  }

  CampaignOptions co;
  co.time = time;
  co.max_iterations = f.runs;
  co.max_findings = f.max_findings;
  co.out = f.out;
  co.mutator.seed = seed;
  co.mutator.max_len = static_cast<std::size_t>(*max_len);
  co.dictionary = Dictionary(f, loaded, points);
  co.health = global_health;
  co.target_health = target_health;
  co.most_deaths_in_a_row = f.most_deaths;
  co.probe_every = f.probe_every;
  co.play.timeout_scale = o.timeout_scale;
  co.play.variables = loaded.vars;
  co.first_iteration = f.resume ? state.iterations : 0;
  co.play.drain = *drain;
  co.log_status = f.jobs == 1;
  const std::uint64_t earlier = co.first_iteration;

  // One worker per job: its own target processes (TargetPool), coverage maps and random source
  // (seed + its number), all sharing one book of findings and the io_context's thread.
  asio::io_context io;
  FindingBook book;
  if (f.resume) {
    for (const std::string& s : KnownSignatures(out))
      book.AddKnown(s);
  }
  struct Worker {
    std::unique_ptr<CoverageMaps> coverage;
    std::unique_ptr<TargetPool> pool;
    std::unique_ptr<Campaign> campaign;
  };
  std::vector<Worker> workers(static_cast<std::size_t>(f.jobs));
  std::vector<const Campaign*> campaigns;
  const std::size_t point_count = points.size();
  std::size_t requeued = 0;
  for (std::size_t w = 0; w < workers.size(); ++w) {
    Worker& worker = workers[w];
    worker.coverage = std::make_unique<CoverageMaps>();
    CampaignOptions options = co;
    options.mutator.seed = seed + w;
    if (f.runs != 0)
      options.max_iterations = f.runs / workers.size() + (w < f.runs % workers.size());
    if (f.coverage == "auto") options.coverage = worker.coverage.get();
    PoolOptions pool_options;
    pool_options.bin_dir = o.bin_dir.empty() ? SelfDirectory() : o.bin_dir;
    pool_options.external = loaded.external;
    pool_options.timeout_scale = o.timeout_scale;
    // Shared targets stay up between iterations (restarted only when they die); the others
    // start afresh for each, as in `parley run`, since their scenarios expect a new server.
    pool_options.share_all = f.persistent;
    if (options.coverage != nullptr) {
      CoverageMaps* coverage = worker.coverage.get();
      const bool first = w == 0;
      pool_options.environment =
          [coverage, first](const std::string& target, const std::vector<std::string>& argv,
                            std::vector<std::string>* environment, std::string* error) {
            bool ok = coverage->Environment(target, argv, environment, error);
            for (const std::string& note : coverage->TakeNotes()) {
              if (first) std::fprintf(stderr, "fuzz: %s\n", note.c_str());
            }
            return ok;
          };
    }
    worker.pool = std::make_unique<TargetPool>(
        io.get_executor(), loaded.setup.have_targets ? &loaded.setup.targets : nullptr,
        pool_options);
    std::string prefix = f.jobs == 1 ? "fuzz: " : "fuzz: [" + std::to_string(w) + "] ";
    worker.campaign =
        std::make_unique<Campaign>(io.get_executor(), worker.pool.get(), points, std::move(options),
                                   &book, [prefix](const std::string& line) {
                                     std::fprintf(stderr, "%s%s\n", prefix.c_str(), line.c_str());
                                   });
    if (f.resume) requeued += LoadQueues(out, worker.campaign.get());
    campaigns.push_back(worker.campaign.get());
  }
  std::fprintf(
      stderr, "fuzz: %zu fuzz point%s in %zu scenario%s, seed %llu, %s, %s%s, findings in %s\n",
      point_count, point_count == 1 ? "" : "s", scenarios.size(), scenarios.size() == 1 ? "" : "s",
      static_cast<unsigned long long>(seed), FormatDuration(time).c_str(),
      f.coverage == "auto" ? "coverage from AFL++-instrumented targets"
                           : "black-box (--coverage off)",
      f.jobs == 1 ? "" : (", " + std::to_string(f.jobs) + " workers").c_str(),
      (out / "findings").c_str());
  if (requeued > 0) std::fprintf(stderr, "fuzz: %zu queued inputs resumed\n", requeued);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::steady_timer status_timer(io);
  int caught = 0;
  signals.async_wait([&](const boost::system::error_code& e, int signal) {
    if (e) return;
    caught = signal;
    std::fprintf(stderr, "\nfuzz: caught signal %d; stopping and writing the report\n", signal);
    for (Worker& worker : workers) {
      worker.campaign->Interrupt();
      worker.pool->TerminateAll();
    }
  });
  bool internal_error = false;
  std::size_t running = workers.size();
  for (Worker& worker : workers) {
    asio::co_spawn(
        io,
        [&worker]() -> asio::awaitable<void> {
          co_await worker.campaign->Run();
          co_await worker.pool->StopShared();
        },
        [&](std::exception_ptr e) {
          if (e) internal_error = true;
          if (--running > 0) return;
          signals.cancel();
          status_timer.cancel();
          io.stop();
        });
  }
  if (f.jobs > 1) {
    // The workers' status as one line every 5 s (a single worker prints its own).
    const auto started = std::chrono::steady_clock::now();
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          for (;;) {
            status_timer.expires_after(std::chrono::seconds(5));
            boost::system::error_code ec;
            co_await status_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            if (ec || running == 0) co_return;
            const CampaignStats merged = MergeStats(campaigns);
            const double s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            std::string line = std::to_string(static_cast<long long>(s)) +
                               " s: " + std::to_string(merged.iterations) + " iterations (" +
                               std::to_string(static_cast<long long>(merged.iterations / s)) +
                               "/s), " + std::to_string(book.size()) + " finding" +
                               (book.size() == 1 ? "" : "s") + ", " +
                               std::to_string(merged.prefix_failures) + " prefix failure" +
                               (merged.prefix_failures == 1 ? "" : "s");
            if (workers.front().coverage->active()) {
              line += ", " + std::to_string(merged.edges) + " edges (best worker), " +
                      std::to_string(merged.queued) + " queued";
            }
            std::fprintf(stderr, "fuzz: %s\n", line.c_str());
          }
        },
        asio::detached);
  }
  io.run();

  // The report and the state, whatever happened.
  const CoverageMaps& coverage = *workers.front().coverage;
  std::string command = "parley fuzz";
  for (const std::string& a : args)
    command += " " + a;
  ReportContext context;
  context.command = command;
  context.seed = seed;
  context.earlier_iterations = earlier;
  context.jobs = f.jobs;
  context.mode =
      coverage.active() ? "grey-box: " + coverage.Describe()
      : f.coverage == "off"
          ? "black-box (--coverage off)"
          : "black-box (no target was built with AFL++ instrumentation" +
                (coverage.Describe().empty() ? std::string(")") : ": " + coverage.Describe() + ")");
  const CampaignStats stats = MergeStats(campaigns);
  bool saved = WriteFile((out / "report.md").string(), CampaignReport(campaigns, book, context));
  if (std::string chart = CoverageChart(stats); !chart.empty())
    saved = WriteFile((out / "coverage.svg").string(), chart) && saved;
  std::string queue_error;
  if (!SaveQueues(out, campaigns, &queue_error)) {
    std::fprintf(stderr, "parley fuzz: %s\n", queue_error.c_str());
    saved = false;
  }
  std::ostringstream state_text;
  state_text << "iterations " << earlier + stats.iterations << "\nseed " << seed << "\n";
  saved = WriteFile(state_path.string(), state_text.str()) && saved;

  const double seconds = std::chrono::duration<double>(stats.elapsed).count();
  std::fprintf(stderr, "fuzz: %llu iterations in %.1f s (%.0f/s), stopped: %s\n",
               static_cast<unsigned long long>(stats.iterations), seconds,
               seconds > 0 ? static_cast<double>(stats.iterations) / seconds : 0.0,
               stats.stop_reason.c_str());
  if (coverage.active()) {
    std::fprintf(stderr, "fuzz: coverage: %zu edges, %llu inputs queued\n", stats.edges,
                 static_cast<unsigned long long>(stats.queued));
  }
  for (const Finding& finding : book.findings()) {
    std::fprintf(stderr, "fuzz: %s %s (%llu hit%s): %s\n  replay: parley run %s\n",
                 KindName(finding.kind), finding.id.c_str(),
                 static_cast<unsigned long long>(finding.hits), finding.hits == 1 ? "" : "s",
                 finding.signature.c_str(),
                 (out / "findings" / finding.id / "scenario.yaml").c_str());
  }
  std::fprintf(stderr, "fuzz: report: %s\n", (out / "report.md").c_str());
  if (caught != 0) return 128 + caught;
  if (internal_error) {
    std::fprintf(stderr, "parley fuzz: internal error; the campaign stopped early\n");
    return kExitUsage;
  }
  if (!saved || !book.write_errors().empty()) return kExitUsage;
  if (stats.gave_up) {
    std::fprintf(stderr, "parley fuzz: %s\n", stats.stop_reason.c_str());
    return book.findings().empty() ? kExitTarget : kExitFailed;
  }
  return book.findings().empty() ? kExitPassed : kExitFailed;
}

}  // namespace parley::harness
