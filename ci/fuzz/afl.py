"""AFL++ in a campaign: one main instance and --jobs - 1 secondaries of afl-fuzz on the build in
build/fuzz-afl, their progress line, and the report's figures from their fuzzer_stats."""

import os
import shutil
import signal

from ci.fuzz import conventions

# How the instances run: no screen UI, no CPU binding, sanitizers that abort so AFL++ sees a crash.
ENVIRONMENT = {
    "AFL_NO_UI": "1", "AFL_SKIP_CPUFREQ": "1", "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES": "1",
    "AFL_NO_AFFINITY": "1", "AFL_SUPPRESS_SANITIZER_ERRORS": "1",
    "ASAN_OPTIONS": "abort_on_error=1:symbolize=0:detect_leaks=0",
    "UBSAN_OPTIONS": "halt_on_error=1:abort_on_error=1",
}
STATUS_KEYS = ("execs_done", "execs_per_sec", "edges_found", "corpus_count", "saved_crashes",
               "saved_hangs")


def _seed_folder(fuzzer, folder):
    """The -i argument: the seeds and regressions AFL++ accepts, copied into one folder; or "-"
    when an earlier run left a queue to resume from."""
    if (folder / "afl" / "main").is_dir():
        return "-"
    seeds = folder / "afl-seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    for d in conventions.input_dirs(fuzzer):
        for f in d.iterdir():
            if f.is_file() and f.stat().st_size <= conventions.AFL_MAX_SEED_BYTES:
                shutil.copy(f, seeds / f.name)
    if not any(seeds.iterdir()):
        (seeds / "empty").write_text("x")
    return seeds


def start(running, campaign, fuzzer, folder, seconds, run):
    common = ["-i", _seed_folder(fuzzer, folder), "-o", folder / "afl", "-V", seconds,
              "-t", campaign.timeout * 1000, "-m", "none"]
    if conventions.dictionary(fuzzer).is_file():
        common += ["-x", conventions.dictionary(fuzzer)]
    binary = campaign.afl_dir / "bin" / fuzzer
    env = dict(os.environ, **ENVIRONMENT)
    for i in range(1, campaign.jobs):
        running.start(["afl-fuzz"] + common + ["-S", "s%d" % i, "--", binary],
                      folder / ("afl-s%d.%d.log" % (i, run)), env)
    running.start(["afl-fuzz"] + common + ["-M", "main", "--", binary],
                  folder / ("fuzz.%d.log" % run), env)


def stop(running):
    """Each afl-fuzz stops its fork server and writes its stats on SIGINT."""
    running.signal(signal.SIGINT, group=False)


def _read_stats(path):
    values = {}
    for line in path.read_text(errors="replace").splitlines():
        key, _, value = line.partition(":")
        values[key.strip()] = value.strip()
    return values


def status(folder, run):
    """The main instance's latest figures, in one line, or "starting"."""
    path = folder / "afl" / "main" / "fuzzer_stats"
    if not path.is_file():
        return "starting"
    return "".join("%s %s  " % kv for kv in _read_stats(path).items()
                   if kv[0].startswith(STATUS_KEYS))


def stats(folder):
    """The report's figures over every instance."""
    stats = {"execs": 0, "seconds": 0, "cov": None, "ft": None, "corpus_start": None,
             "corpus_end": 0, "crashes": 0, "timeouts": 0, "ooms": 0, "runs": 0,
             "final": {}, "coverage_pct": None}
    for path in sorted(folder.glob("afl/*/fuzzer_stats")):
        values = _read_stats(path)
        stats["runs"] += 1
        stats["execs"] += int(values.get("execs_done", 0))
        stats["seconds"] = max(stats["seconds"], int(values.get("run_time", 0)))
        edges = int(values.get("edges_found", 0))
        stats["cov"] = max(stats["cov"] or 0, edges)
        stats["coverage_pct"] = values.get("bitmap_cvg")
        stats["corpus_end"] = max(stats["corpus_end"], int(values.get("corpus_count", 0)))
        stats["crashes"] += int(values.get("saved_crashes", values.get("unique_crashes", 0)))
        stats["timeouts"] += int(values.get("saved_hangs", values.get("unique_hangs", 0)))
        if stats["corpus_start"] is None and "corpus_found" in values:
            stats["corpus_start"] = int(values.get("corpus_count", 0)) - int(
                values.get("corpus_found", 0))
    return stats
