"""libFuzzer in a campaign: one fuzzer on --jobs cores in fork mode, its progress line, and the
report's figures, read from its own output (OUT/<fuzzer>/fuzz.N.log): the fork-mode status lines
and -print_final_stats."""

import re
import signal

from ci.fuzz import conventions

STATUS = re.compile(r"^#(\d+): cov: (\d+) ft: (\d+) corp: (\d+) exec/s (\d+) "
                    r"oom/timeout/crash: (\d+)/(\d+)/(\d+) time: (\d+)s")
SEEDS = re.compile(r"-fork=\d+: (\d+) seed inputs")
FINAL = re.compile(r"^stat::(\w+):\s+(\d+)")


def log_path(folder, run):
    return folder / ("fuzz.%d.log" % run)


def start(running, campaign, fuzzer, folder, seconds, run):
    """Fuzzes from OUT/<fuzzer>/corpus/ (which receives the new inputs), the seeds and the
    regressions, going on after crashes, timeouts and OOMs."""
    args = [campaign.bin_dir / fuzzer, "-fork=%d" % campaign.jobs, "-ignore_crashes=1",
            "-ignore_timeouts=1", "-ignore_ooms=1", "-max_total_time=%d" % seconds]
    args += conventions.limit_flags(campaign.timeout, campaign.rss_limit_mb)
    args += ["-print_final_stats=1", "-artifact_prefix=%s/" % (folder / "artifacts")]
    args += conventions.libfuzzer_flags(fuzzer)
    args += [folder / "corpus"] + conventions.input_dirs(fuzzer)
    running.start(args, log_path(folder, run))


def stop(running):
    """The fork-mode parent and its jobs all stop on SIGTERM, as on Ctrl-C."""
    running.signal(signal.SIGTERM)


def status(folder, run):
    """The last fork-mode status line of run `run`, or "starting"."""
    last = None
    try:
        with open(log_path(folder, run), "rb") as log:
            for line in log:
                if re.match(rb"^#[0-9]+: cov:", line):
                    last = line
    except OSError:
        pass
    return last.decode("utf-8", "replace").rstrip("\n") if last else "starting"


def stats(folder):
    """The report's figures, summed over every run (fuzz.N.log) of one fuzzer."""
    stats = {"execs": 0, "seconds": 0, "cov": None, "ft": None, "corpus_start": None,
             "corpus_end": None, "crashes": 0, "timeouts": 0, "ooms": 0, "runs": 0,
             "final": {}}
    for path in sorted(folder.glob("fuzz.*.log"), key=lambda p: int(p.name.split(".")[1])):
        last = None
        for line in path.read_text(errors="replace").splitlines():
            m = SEEDS.search(line)
            if m and stats["corpus_start"] is None:
                stats["corpus_start"] = int(m.group(1))
            m = STATUS.match(line)
            if m:
                last = m
            m = FINAL.match(line)
            if m:
                stats["final"][m.group(1)] = int(m.group(2))
        if last is None:
            continue
        stats["runs"] += 1
        stats["execs"] += int(last.group(1))
        stats["seconds"] += int(last.group(9))
        stats["cov"], stats["ft"], stats["corpus_end"] = (int(last.group(2)), int(last.group(3)),
                                                          int(last.group(4)))
        stats["ooms"] += int(last.group(6))
        stats["timeouts"] += int(last.group(7))
        stats["crashes"] += int(last.group(8))
    return stats
