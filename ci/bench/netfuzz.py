"""Network fuzzing: `parley fuzz` iterations per second against the in-tree http-server (kept
up between iterations), each row next to a reference measured in the same round:

- netfuzz: a one-request scenario, black-box, vs `parley run --jobs 1` playing the same
  scenario unmutated, as many times: what a fuzz iteration costs over a plain play. The issue's
  goal is absolute: at least 1,000 iterations per second on this machine.
- netfuzz-3step: the same for a three-request keep-alive scenario (three fuzz points).
- netfuzz-grey, netfuzz-grey-3step: grey-box (AFL++ coverage) against http-server built with
  the afl preset (afl-clang-fast++, ASan+UBSan), vs black-box against that same build: what
  coverage feedback costs.
- netfuzz-ceiling: black-box against the afl build vs the in-process fuzz_http_server (libFuzzer,
  ASan+UBSan) of the fuzz build: how far an iteration over real sockets is from the ceiling.

The afl rows need afl-clang-fast++ (Debian afl++) and the ceiling row the fuzz build; without
them those rows say so."""

import re
import shutil
import subprocess
import time

from ci.bench.context import log
from ci.bench.peers import PeerError
from ci.bench.rows import Row, fmt, median, unavailable
from ci.bench.runner import scenario_suite
from ci.bench import fuzz as libfuzzer

TARGETS = ["parley", "http-server"]

GOAL = 1000.0
PLAYS = 1000
PLAYS_3STEP = 400

TARGETS_FILE = """\
targets:
  http:
    command: ["${{bin}}/http-server", "--host", "127.0.0.1", "--port", "0"]
    ready: '^listening on http://(?P<host>[^\\s:]+):(?P<port>\\d+)$'
    shared: true
"""

THREE_STEPS = (
    "- name: three requests {i}\n  target: http\n  steps:\n    - connect: c\n"
    "    - send: {{text: \"GET / HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n\"}}\n"
    "    - expect: {{http: {{status: 200}}}}\n"
    "    - send: {{text: \"GET /echo?x=1 HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n\"}}\n"
    "    - expect: {{http: {{status: 200}}}}\n"
    "    - send: {{text: \"HEAD / HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n\"}}\n"
    "    - expect: {{http: {{status: 200}}}}\n"
    "    - close: c\n")


def three_step_suite(count):
    return "".join(THREE_STEPS.format(i=i) for i in range(count))


def fuzz_round(ctx, work, scenario, seed, bin_dir, coverage):
    out = work / ("out-%s-%d-%s" % (scenario, seed, coverage))
    shutil.rmtree(out, ignore_errors=True)
    cmd = [str(ctx.bin / "parley"), "fuzz", str(work / scenario), "--targets",
           str(work / "targets.yaml"), "--bin-dir", str(bin_dir), "--time",
           "%ds" % ctx.settings.fuzz_seconds, "--out", str(out), "--seed", str(seed),
           "--coverage", coverage]
    result = subprocess.run(cmd, capture_output=True, text=True,
                            timeout=ctx.settings.fuzz_seconds + 120)
    (ctx.out / "logs" / ("netfuzz-%s-%d-%s.log" % (scenario, seed, coverage))).write_text(
        result.stderr)
    match = re.search(r"^fuzz: (\d+) iterations in ([\d.]+) s", result.stderr, re.M)
    if result.returncode not in (0, 1) or not match:
        raise PeerError("parley fuzz failed (%d): %s" % (result.returncode, result.stderr[-300:]))
    if coverage == "auto" and "is instrumented" not in result.stderr:
        raise PeerError("the target was not seen as instrumented: " + result.stderr[-300:])
    edges = re.search(r"^fuzz: coverage: (\d+) edges", result.stderr, re.M)
    return int(match.group(1)) / float(match.group(2)), int(edges.group(1)) if edges else 0


def play_round(ctx, work, scenario, count):
    cmd = [str(ctx.bin / "parley"), "run", str(work / scenario), "--targets",
           str(work / "targets.yaml"), "--bin-dir", str(ctx.bin), "--jobs", "1", "--color",
           "never"]
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise PeerError("parley run failed: " + (result.stdout + result.stderr)[-300:])
    return count / wall


def against_plays(ctx, work, name, title, scenario, plays_file, count, goal=True):
    """`parley fuzz` black-box vs `parley run` plays of `scenario`; the 1,000 iterations/s goal
    applies when `goal` (the one-request scenario), the rest is reported."""
    fuzz, plays = [], []
    for r in range(ctx.settings.fuzz_rounds):
        log("%s: round %d/%d" % (name, r + 1, ctx.settings.fuzz_rounds))
        fuzz.append(fuzz_round(ctx, work, scenario, r + 1, ctx.bin, "off")[0])
        plays.append(play_round(ctx, work, plays_file, count))
    figure = median(fuzz)
    rounds = ", ".join(fmt(f) for f in fuzz)
    if not goal:
        return Row("netfuzz", title, "iter/s", figure, "`parley run --jobs 1` plays/s of it",
                   median(plays), "report", notes="per round %s" % rounds,
                   samples={"fuzz": fuzz, "plays": plays},
                   ratios=[f / p for f, p in zip(fuzz, plays)])
    notes = ("goal is absolute: >= %s iterations/s (met: %s); per round %s; the reference "
             "includes parley's start-up" % ("{:,}".format(int(GOAL)),
                                              "yes" if figure >= GOAL else "no", rounds))
    return Row("netfuzz", title, "iter/s", figure, "`parley run --jobs 1` plays/s of it",
               median(plays), ">= 1,000 iter/s", target=0.0, extra_ok=figure >= GOAL,
               notes=notes, samples={"fuzz": fuzz, "plays": plays},
               ratios=[f / p for f, p in zip(fuzz, plays)])


def grey_against_black(ctx, work, name, title, scenario, afl_bin):
    grey, black, edges = [], [], []
    for r in range(ctx.settings.fuzz_rounds):
        log("%s: round %d/%d" % (name, r + 1, ctx.settings.fuzz_rounds))
        rate, reached = fuzz_round(ctx, work, scenario, r + 1, afl_bin, "auto")
        grey.append(rate)
        edges.append(reached)
        black.append(fuzz_round(ctx, work, scenario, r + 1, afl_bin, "off")[0])
    notes = "edges reached per round: %s; per round %s" % (
        ", ".join(str(e) for e in edges), ", ".join(fmt(g) for g in grey))
    return Row("netfuzz", title, "iter/s", median(grey), "black-box iter/s, same afl build",
               median(black), "report", notes=notes,
               samples={"grey": grey, "black": black, "edges": edges},
               ratios=[g / b for g, b in zip(grey, black)])


def ceiling(ctx, work, afl_bin):
    binary = ctx.fuzz_build / "bin" / "fuzz_http_server"
    if not binary.exists():
        return unavailable("netfuzz", "netfuzz: vs the in-process fuzz_http_server",
                           "no fuzz build with fuzz_http_server in %s" % ctx.fuzz_build)
    net, in_process = [], []
    for r in range(ctx.settings.fuzz_rounds):
        log("netfuzz-ceiling: round %d/%d" % (r + 1, ctx.settings.fuzz_rounds))
        net.append(fuzz_round(ctx, work, "one.yaml", r + 1, afl_bin, "off")[0])
        in_process.append(float(libfuzzer.fuzz_once(ctx, binary, "fuzz_http_server",
                                                    ctx.settings.fuzz_seconds)[0]))
    return Row("netfuzz",
               "netfuzz: one-request, black-box, afl build vs in-process fuzz_http_server",
               "iter/s", median(net), "fuzz_http_server exec/s (libFuzzer, ASan+UBSan)",
               median(in_process), "report",
               notes="per round %s vs %s" % (", ".join(fmt(n) for n in net),
                                             ", ".join(fmt(i) for i in in_process)),
               samples={"net": net, "in_process": in_process},
               ratios=[n / i for n, i in zip(net, in_process)])


def run(ctx):
    work = ctx.work / "netfuzz"
    work.mkdir(parents=True, exist_ok=True)
    (work / "targets.yaml").write_text(TARGETS_FILE.format())
    (work / "one.yaml").write_text(scenario_suite(1))
    (work / "plays.yaml").write_text(scenario_suite(PLAYS))
    (work / "three.yaml").write_text(three_step_suite(1))
    (work / "plays3.yaml").write_text(three_step_suite(PLAYS_3STEP))
    rows = [
        against_plays(ctx, work, "netfuzz",
                      "netfuzz: `parley fuzz` of a one-request scenario vs http-server",
                      "one.yaml", "plays.yaml", PLAYS),
        against_plays(ctx, work, "netfuzz-3step",
                      "netfuzz: `parley fuzz` of a three-request scenario vs http-server",
                      "three.yaml", "plays3.yaml", PLAYS_3STEP, goal=False),
    ]
    afl_bin = ctx.afl_build / "bin"
    if not (afl_bin / "http-server").exists():
        reason = "no afl build in %s (afl-clang-fast++ missing?)" % ctx.afl_build
        rows.append(unavailable("netfuzz", "netfuzz: grey-box one-request", reason))
        rows.append(unavailable("netfuzz", "netfuzz: grey-box three-request", reason))
        rows.append(unavailable("netfuzz", "netfuzz: vs fuzz_http_server", reason))
        return rows
    rows.append(grey_against_black(ctx, work, "netfuzz-grey",
                                   "netfuzz: grey-box one-request vs http-server (afl build)",
                                   "one.yaml", afl_bin))
    rows.append(grey_against_black(ctx, work, "netfuzz-grey-3step",
                                   "netfuzz: grey-box three-request vs http-server (afl build)",
                                   "three.yaml", afl_bin))
    rows.append(ceiling(ctx, work, afl_bin))
    return rows
