"""Judging long streams: `parley run` playing one expectation over a 64 MiB stream (`bytes` from
a file, and `contains` at its very end), and `contains` at the end of 1 GiB, against the plain
client bench_stream_client reading the same bytes from the same bench_stream_source, in
alternating rounds. Each command is timed whole, start-up included (the fastest of TRIES runs in
each round), and its peak memory read."""

import os

from ci.bench import peers
from ci.bench.context import log
from ci.bench.peers import PeerError
from ci.bench.rows import Row, fmt, median

TARGETS = ["parley", "bench_stream_source", "bench_stream_client"]

TAIL = "THE END"
# Runs of each command per round, of which the fastest counts: a transfer of 64 MiB lasts about
# 30 ms, and a stray scheduling delay on either side would otherwise decide single comparisons.
TRIES = 3
MIB = 1024 * 1024

SCENARIO = """\
- name: {name}
  target: stream
  timeout: 300s
  steps:
    - connect: c
    - expect: {{on: c, {expectation}}}
    - expect: {{on: c, closed: true}}
"""


def timed(args, log_path):
    """Runs a command to its end; returns its wall time in ms. Fails on a non-zero exit."""
    code, wall = peers.run_timed(args, log_path)
    if code != 0:
        raise PeerError("%s exited with %d; see %s" % (args[0], code, log_path))
    return wall


def peak_kib(args, log_path):
    """Runs a command once more for its peak RSS, from GNU time, which starts it from its own
    small process: a child of this Python process would count Python's pages in its own peak.
    (Not timed: time's own waiting sometimes adds tens of milliseconds.)"""
    rss_file = log_path.with_suffix(".rss")
    timed(["/usr/bin/time", "-f", "%M", "-o", str(rss_file)] + [str(a) for a in args], log_path)
    return int(rss_file.read_text().split()[-1])


def write_stream(path, size):
    """`size` bytes: pseudo-random ones, then the tail; written in pieces."""
    with open(path, "wb") as f:
        left = size - len(TAIL)
        while left > 0:
            piece = min(left, 8 * MIB)
            f.write(os.urandom(piece))
            left -= piece
        f.write(TAIL.encode())


def warm_up(path):
    """Asks the kernel to have a file's pages cached: some machines evict cold page cache on
    their own, and a measurement of the runner should not be one of the disk. (Reading the file
    here instead would fault 64 MiB into this process before every command.)"""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
    finally:
        os.close(fd)


def compare(ctx, name, port, size, expectation, check_args, rounds, warm=None):
    """Alternates the plain client, parley and the checking client, each timed whole (with
    `warm`, a file they read is read first); returns their samples."""
    logs = ctx.out / "logs"
    scenario = ctx.work / "stream" / (name + ".yaml")
    scenario.write_text(SCENARIO.format(name=name, expectation=expectation))
    client = [ctx.bin / "bench_stream_client", "--port", port]
    parley = [ctx.bin / "parley", "run", scenario, "--target", "stream=127.0.0.1:%s" % port,
              "--max-receive", "%dMiB" % (size // MIB + 1), "--color", "never", "--jobs", "1"]
    commands = (("plain", client), ("parley", parley), ("check", client + check_args))
    samples = {who + "_ms": [] for who, _ in commands}
    for r in range(rounds):
        log("stream: %s, round %d/%d" % (name, r + 1, rounds))
        for who, args in commands:
            runs = []
            for _ in range(TRIES):
                if warm:
                    warm_up(warm)
                runs.append(timed(args, logs / ("stream-%s.log" % who)))
            samples[who + "_ms"].append(min(runs))
    for who, args in commands:
        samples[who + "_kib"] = [peak_kib(args, logs / ("stream-%s.log" % who))]
    return samples


def row(what, samples):
    ratios = [p / c for p, c in zip(samples["parley_ms"], samples["plain_ms"])]
    notes = ("peak RSS parley %s MiB, plain client %s MiB; a client that also checks the bytes "
             "as parley does: %s ms (%s MiB)" % (
                 fmt(median(samples["parley_kib"]) / 1024), fmt(median(samples["plain_kib"]) / 1024),
                 fmt(median(samples["check_ms"])), fmt(median(samples["check_kib"]) / 1024)))
    return Row("stream", what, "ms", median(samples["parley_ms"]), "plain client reading it",
               median(samples["plain_ms"]), "<= 1.5x plain client", higher_is_better=False,
               target=1.5, notes=notes, samples=samples, ratios=ratios)


def serve(ctx, path):
    proc, match = ctx.procs.start_ready(
        "bench_stream_source", [ctx.bin / "bench_stream_source", "--file", path],
        ctx.out / "logs" / "stream-source.log", r"^listening on 127\.0\.0\.1:(\d+)$", timeout=60)
    return proc, match.group(1)


def run(ctx):
    s = ctx.settings
    (ctx.work / "stream").mkdir(parents=True, exist_ok=True)
    rows = []
    small = ctx.work / "stream" / "64mib.bin"
    write_stream(small, 64 * MIB)
    proc, port = serve(ctx, small)
    try:
        samples = compare(ctx, "bytes-64mib", port, 64 * MIB, "bytes: {file: '%s'}" % small,
                          ["--equal-file", small], s.stream_rounds, warm=small)
        rows.append(row("stream: `bytes: {file:}` of 64 MiB, `parley run` whole", samples))
        samples = compare(ctx, "contains-64mib", port, 64 * MIB, "contains: '%s'" % TAIL,
                          ["--contains", TAIL], s.stream_rounds)
        rows.append(row("stream: `contains` at the end of 64 MiB, `parley run` whole", samples))
    finally:
        ctx.procs.stop(proc)
        small.unlink()
    proc, match = ctx.procs.start_ready(
        "bench_stream_source", [ctx.bin / "bench_stream_source", "--size",
                                s.stream_big_mib * MIB - len(TAIL), "--tail", TAIL],
        ctx.out / "logs" / "stream-source.log", r"^listening on 127\.0\.0\.1:(\d+)$")
    try:
        samples = compare(ctx, "contains-big", match.group(1), s.stream_big_mib * MIB,
                          "contains: '%s'" % TAIL, ["--contains", TAIL], s.stream_big_rounds)
        rows.append(row("stream: `contains` at the end of %s MiB (`--max-receive` raised)"
                        % "{:,}".format(s.stream_big_mib), samples))
    finally:
        ctx.procs.stop(proc)
    return rows
