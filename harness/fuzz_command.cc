#include "harness/fuzz_command.h"

#include <signal.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "harness/cli.h"
#include "harness/cli_support.h"
#include "harness/netfuzz/campaign.h"
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

// The signatures of the findings an earlier campaign in `out` saved.
std::vector<std::string> KnownSignatures(const fs::path& out) {
  std::vector<std::string> signatures;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(out / "findings", ec)) {
    std::ifstream in(entry.path() / "report.txt");
    std::string line;
    while (std::getline(in, line)) {
      if (line.starts_with("signature: ")) signatures.push_back(line.substr(11));
    }
  }
  return signatures;
}

// DIR/queue/<id of the point's label>/: the inputs that showed new coverage, one file each
// (the bytes as sent; a split is not kept), and point.txt naming the fuzz point.
bool SaveQueues(const fs::path& out, const Campaign& campaign, std::string* error) {
  for (std::size_t i = 0; i < campaign.points().size(); ++i) {
    const auto& queue = campaign.queue(i);
    if (queue.empty()) continue;
    const fs::path dir = out / "queue" / FindingId(campaign.points()[i].label);
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir, ec);
    if (ec) {
      *error = "cannot create " + dir.string() + ": " + ec.message();
      return false;
    }
    if (!WriteFile((dir / "point.txt").string(), campaign.points()[i].label + "\n")) {
      *error = "cannot write " + (dir / "point.txt").string();
      return false;
    }
    for (std::size_t n = 0; n < queue.size(); ++n) {
      char name[32];
      std::snprintf(name, sizeof name, "%06zu.bin", n);
      if (!WriteFile((dir / name).string(), queue[n].bytes)) {
        *error = "cannot write " + (dir / name).string();
        return false;
      }
    }
  }
  return true;
}

// Puts back the queues an earlier campaign in `out` saved; returns how many inputs.
std::size_t LoadQueues(const fs::path& out, Campaign* campaign) {
  std::size_t loaded = 0;
  for (std::size_t i = 0; i < campaign->points().size(); ++i) {
    const fs::path dir = out / "queue" / FindingId(campaign->points()[i].label);
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".bin") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      std::ifstream in(file, std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      campaign->Requeue(i, FuzzInput{bytes.str(), {}, Duration(0)});
      ++loaded;
    }
  }
  return loaded;
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
  LoadResult health;
  if (!f.health.empty()) {
    std::ifstream in(f.health, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) UsageError("fuzz", "--health: cannot read " + f.health);
    health = LoadScenarios(text.str(), f.health, LoadOptions{});
    if (health.error) {
      std::fprintf(stderr, "%s\n", health.error->ToString().c_str());
      return kExitUsage;
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
  co.health = health.scenarios.empty() ? nullptr : &health.scenarios.front();
  co.most_deaths_in_a_row = f.most_deaths;
  co.probe_every = f.probe_every;
  co.play.timeout_scale = o.timeout_scale;
  co.play.variables = loaded.vars;
  co.first_iteration = f.resume ? state.iterations : 0;
  co.play.drain = *drain;
  CoverageMaps coverage;
  if (f.coverage == "auto") co.coverage = &coverage;
  const std::uint64_t earlier = co.first_iteration;

  asio::io_context io;
  PoolOptions pool_options;
  pool_options.bin_dir = o.bin_dir.empty() ? SelfDirectory() : o.bin_dir;
  pool_options.external = loaded.external;
  pool_options.timeout_scale = o.timeout_scale;
  pool_options.share_all = true;  // persistent targets: restarted only when they die
  if (co.coverage != nullptr) {
    pool_options.environment = [&coverage](
                                   const std::string& target, const std::vector<std::string>& argv,
                                   std::vector<std::string>* environment, std::string* error) {
      bool ok = coverage.Environment(target, argv, environment, error);
      for (const std::string& note : coverage.TakeNotes())
        std::fprintf(stderr, "fuzz: %s\n", note.c_str());
      return ok;
    };
  }
  TargetPool pool(io.get_executor(), loaded.setup.have_targets ? &loaded.setup.targets : nullptr,
                  pool_options);
  const std::size_t point_count = points.size();
  Campaign campaign(
      io.get_executor(), &pool, std::move(points), std::move(co),
      [](const std::string& line) { std::fprintf(stderr, "fuzz: %s\n", line.c_str()); });
  std::size_t requeued = 0;
  if (f.resume) {
    for (const std::string& s : KnownSignatures(out))
      campaign.AddKnown(s);
    requeued = LoadQueues(out, &campaign);
  }
  std::fprintf(
      stderr, "fuzz: %zu fuzz point%s in %zu scenario%s, seed %llu, %s, %s, findings in %s\n",
      point_count, point_count == 1 ? "" : "s", scenarios.size(), scenarios.size() == 1 ? "" : "s",
      static_cast<unsigned long long>(seed), FormatDuration(time).c_str(),
      f.coverage == "auto" ? "coverage from AFL++-instrumented targets"
                           : "black-box (--coverage off)",
      (out / "findings").c_str());
  if (requeued > 0) std::fprintf(stderr, "fuzz: %zu queued inputs resumed\n", requeued);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  int caught = 0;
  signals.async_wait([&](const boost::system::error_code& e, int signal) {
    if (e) return;
    caught = signal;
    std::fprintf(stderr, "\nfuzz: caught signal %d; stopping and writing the report\n", signal);
    campaign.Interrupt();
    pool.TerminateAll();
  });
  bool internal_error = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await campaign.Run();
        co_await pool.StopShared();
      },
      [&](std::exception_ptr e) {
        if (e) internal_error = true;
        signals.cancel();
        io.stop();
      });
  io.run();

  // The report and the state, whatever happened.
  std::string command = "parley fuzz";
  for (const std::string& a : args)
    command += " " + a;
  ReportContext context;
  context.command = command;
  context.seed = seed;
  context.earlier_iterations = earlier;
  context.mode =
      coverage.active() ? "grey-box: " + coverage.Describe()
      : f.coverage == "off"
          ? "black-box (--coverage off)"
          : "black-box (no target was built with AFL++ instrumentation" +
                (coverage.Describe().empty() ? std::string(")") : ": " + coverage.Describe() + ")");
  bool saved = WriteFile((out / "report.md").string(), CampaignReport(campaign, context));
  if (std::string chart = CoverageChart(campaign.stats()); !chart.empty())
    saved = WriteFile((out / "coverage.svg").string(), chart) && saved;
  std::string queue_error;
  if (!SaveQueues(out, campaign, &queue_error)) {
    std::fprintf(stderr, "parley fuzz: %s\n", queue_error.c_str());
    saved = false;
  }
  std::ostringstream state_text;
  state_text << "iterations " << earlier + campaign.stats().iterations << "\nseed " << seed << "\n";
  saved = WriteFile(state_path.string(), state_text.str()) && saved;

  const CampaignStats& stats = campaign.stats();
  const double seconds = std::chrono::duration<double>(stats.elapsed).count();
  std::fprintf(stderr, "fuzz: %llu iterations in %.1f s (%.0f/s), stopped: %s\n",
               static_cast<unsigned long long>(stats.iterations), seconds,
               seconds > 0 ? static_cast<double>(stats.iterations) / seconds : 0.0,
               stats.stop_reason.c_str());
  if (coverage.active()) {
    std::fprintf(stderr, "fuzz: coverage: %zu edges, %llu inputs queued\n", stats.edges,
                 static_cast<unsigned long long>(stats.queued));
  }
  for (const Finding& finding : campaign.findings()) {
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
  if (!saved || !campaign.write_errors().empty()) return kExitUsage;
  if (stats.gave_up) {
    std::fprintf(stderr, "parley fuzz: %s\n", stats.stop_reason.c_str());
    return campaign.findings().empty() ? kExitTarget : kExitFailed;
  }
  return campaign.findings().empty() ? kExitPassed : kExitFailed;
}

}  // namespace parley::harness
