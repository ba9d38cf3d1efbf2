"""--profile: callgrind of the parser on both requests, perf of http-server under wrk and of
each fuzzer on its seeds; the full reports go to OUT/profile/, their heads into bench.md."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from ci.bench import fuzz, peers
from ci.bench.context import log
from ci.bench.http_server import wrk
from ci.fuzz import conventions

TARGETS = ["http_parser_bench", "http-server"]
SAMPLE = ["perf", "record", "-e", "cpu-clock", "-F", "999"]


def _perf_report(data, text_path, options):
    """perf report of `data`, written to `text_path`; returns its sample lines."""
    report = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--stdio",
                             "--sort", "dso,symbol"] + options,
                            capture_output=True, text=True).stdout
    text_path.write_text(report)
    return [line for line in report.splitlines() if re.match(r"^\s+[\d.]+%", line)]


def parser_callgrind(ctx, out):
    texts = []
    for flt in ("ParleyFirefox/whole", "ParleyChunkedPost/whole"):
        name = flt.split("/")[0]
        data = out / ("%s.callgrind" % name)
        log("profile: callgrind of %s" % flt)
        subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=%s" % data,
                        str(ctx.bin / "http_parser_bench"), "--benchmark_filter=%s" % flt,
                        "--benchmark_min_time=0.05"], capture_output=True, check=True)
        report = subprocess.run(["callgrind_annotate", str(data)], capture_output=True,
                                text=True).stdout
        top = [line for line in report.splitlines()
               if re.match(r"^\s*[\d,]+ \(", line) and "PROGRAM TOTALS" not in line]
        top = [line for line in top if "ld-linux" not in line and "libbenchmark" not in line
               and "dl-" not in line][:15]
        (out / ("%s.txt" % name)).write_text(report)
        texts.append("callgrind, %s (instructions, self):\n%s\n" % (flt, "\n".join(top)))
    return texts


def http_server_perf(ctx, out):
    server, port = peers.start_http_server(ctx.procs, ctx.bin / "http-server", 1,
                                           ctx.out / "logs" / "http-server.log")
    data = out / "http-server.perf.data"
    try:
        log("profile: perf record of http-server under wrk")
        perf = ctx.procs.start("perf", SAMPLE + ["-g", "-o", data, "-p", str(server.pid)],
                               ctx.out / "logs" / "perf.log")
        time.sleep(0.5)
        wrk(ctx, port, ctx.settings.wrk_seconds, "http-server under perf", server)
        os.killpg(perf.pid, signal.SIGINT)
        perf.popen.wait(30)
        ctx.procs.stop(perf)
    finally:
        ctx.procs.stop(server)
    top = _perf_report(data, out / "http-server.txt", ["-g", "none", "--percent-limit", "0.7"])
    return ["perf (cpu-clock samples, self), http-server under wrk -t1 -c50:\n%s\n"
            % "\n".join(top[:25])]


def fuzzers_perf(ctx, out):
    """Each fuzzer run as the fuzz section runs it."""
    texts = []
    seconds = ctx.settings.fuzz_seconds
    for name in conventions.fuzzers_in(ctx.fuzz_build / "bin"):
        if name == conventions.CEILING:
            continue
        log("profile: perf record of %s" % name)
        work = Path(tempfile.mkdtemp(prefix=name + "-", dir=ctx.work))
        data = out / ("%s.perf.data" % name)
        args = SAMPLE + ["-o", str(data), "--"] + fuzz.command(
            ctx.fuzz_build / "bin" / name, name, seconds, work)
        subprocess.run(args, capture_output=True, timeout=seconds + 120)
        shutil.rmtree(work, ignore_errors=True)
        top = _perf_report(data, out / ("%s.txt" % name), ["--percent-limit", "1"])
        texts.append("perf (cpu-clock samples, self), %s with its seeds for %ds:\n%s\n"
                     % (name, seconds, "\n".join(line.rstrip()[:150] for line in top[:12])))
    return texts


def profile(ctx):
    out = ctx.out / "profile"
    out.mkdir(parents=True, exist_ok=True)
    texts = []
    if shutil.which("valgrind") and (ctx.bin / "http_parser_bench").exists():
        texts += parser_callgrind(ctx, out)
    if shutil.which("perf") and shutil.which("wrk"):
        texts += http_server_perf(ctx, out)
    if shutil.which("perf") and (ctx.fuzz_build / "bin").is_dir():
        texts += fuzzers_perf(ctx, out)
    return texts
