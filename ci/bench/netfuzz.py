"""Network fuzzing: `parley fuzz` iterations per second on a one-request scenario against the
in-tree http-server (kept up between iterations), next to `parley run --jobs 1` playing the same
scenario unmutated, as many times, in the same round: what a fuzz iteration costs over a plain
play. The issue's goal is absolute: at least 1,000 iterations per second on this machine."""

import re
import shutil
import subprocess
import time

from ci.bench.context import log
from ci.bench.peers import PeerError
from ci.bench.rows import Row, fmt, median
from ci.bench.runner import scenario_suite

TARGETS = ["parley", "http-server"]

GOAL = 1000.0
PLAYS = 1000

TARGETS_FILE = """\
targets:
  http:
    command: ["{bin}/http-server", "--host", "127.0.0.1", "--port", "0"]
    ready: '^listening on http://(?P<host>[^\\s:]+):(?P<port>\\d+)$'
    shared: true
"""


def fuzz_round(ctx, work, seed):
    out = work / ("out-%d" % seed)
    shutil.rmtree(out, ignore_errors=True)
    cmd = [str(ctx.bin / "parley"), "fuzz", str(work / "one.yaml"), "--targets",
           str(work / "targets.yaml"), "--time", "%ds" % ctx.settings.fuzz_seconds, "--out",
           str(out), "--seed", str(seed)]
    result = subprocess.run(cmd, capture_output=True, text=True,
                            timeout=ctx.settings.fuzz_seconds + 120)
    (ctx.out / "logs" / ("netfuzz-%d.log" % seed)).write_text(result.stderr)
    match = re.search(r"^fuzz: (\d+) iterations in ([\d.]+) s", result.stderr, re.M)
    if result.returncode not in (0, 1) or not match:
        raise PeerError("parley fuzz failed (%d): %s" % (result.returncode, result.stderr[-300:]))
    return int(match.group(1)) / float(match.group(2))


def play_round(ctx, work):
    cmd = [str(ctx.bin / "parley"), "run", str(work / "plays.yaml"), "--targets",
           str(work / "targets.yaml"), "--jobs", "1", "--color", "never"]
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise PeerError("parley run failed: " + (result.stdout + result.stderr)[-300:])
    return PLAYS / wall


def run(ctx):
    work = ctx.work / "netfuzz"
    work.mkdir(parents=True, exist_ok=True)
    (work / "targets.yaml").write_text(TARGETS_FILE.format(bin=ctx.bin))
    (work / "one.yaml").write_text(scenario_suite(1))
    (work / "plays.yaml").write_text(scenario_suite(PLAYS))
    fuzz, plays = [], []
    for r in range(ctx.settings.fuzz_rounds):
        log("netfuzz: round %d/%d" % (r + 1, ctx.settings.fuzz_rounds))
        fuzz.append(fuzz_round(ctx, work, r + 1))
        plays.append(play_round(ctx, work))
    figure = median(fuzz)
    notes = ("goal is absolute: >= %s iterations/s (met: %s); per round %s; the reference "
             "includes parley's start-up" % ("{:,}".format(int(GOAL)),
                                              "yes" if figure >= GOAL else "no",
                                              ", ".join(fmt(f) for f in fuzz)))
    return [Row("netfuzz", "netfuzz: `parley fuzz` of a one-request scenario vs http-server",
                "iter/s", figure, "`parley run --jobs 1` plays/s of it", median(plays),
                ">= 1,000 iter/s", target=0.0, extra_ok=figure >= GOAL, notes=notes,
                samples={"fuzz": fuzz, "plays": plays},
                ratios=[f / p for f, p in zip(fuzz, plays)])]
