"""The command line of ci/bench.sh: the options, the setup and the builds, each section in turn,
then the table, bench.md and bench.json. Every process a section starts is stopped and reaped on
every way out, Ctrl-C, SIGTERM and SIGHUP included."""

import argparse
import datetime
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from ci.bench import (chat, fuzz, http_server, https, memory, netfuzz, parser, peers, profiles,
                      runner, stream)
from ci.bench.build import build
from ci.bench.context import ROOT, Context, log
from ci.bench.peers import PeerError
from ci.bench.rows import unavailable
from ci.bench.settings import Settings
from ci.bench.table import print_table, write_outputs

# Each section's module has run(ctx), which returns its rows, and TARGETS, what it needs built.
SECTIONS = {"parser": parser, "http-server": http_server, "https": https, "memory": memory,
            "chat": chat, "runner": runner, "stream": stream, "fuzz": fuzz, "netfuzz": netfuzz}

DESCRIPTION = """\
Measures parley next to real peers, side by side in one run on this machine, and prints a table
(also OUT/bench.md and OUT/bench.json): each figure, its reference from the same run, the ratio
and the goal. Sections: the HTTP parser (vs Boost.Beast), http-server requests/s (vs nginx, with
wrk) and memory per idle connection (vs nginx), chat-server fan-out and latency (vs ncat --chat),
the runner (vs a plain Asio client), judging long streams (vs a plain client reading them) and
the fuzzers' exec/s (vs an empty fuzz target).

Installs the peers (ci/setup.sh build bench), builds the release flavour into build/bench (and
the fuzzers with the fuzz preset into build/bench-fuzz), starts and stops every process itself on
127.0.0.1. Figures and references alternate over the rounds and both are medians. See
docs/benchmarks.md."""

EXAMPLES = """\
examples:
  ci/bench.sh                          everything (about 10 minutes, plus the first builds)
  ci/bench.sh --quick                  a smoke run of everything (about 2 minutes)
  ci/bench.sh --only http-server       one section
  ci/bench.sh --only parser --profile  the parser, and profiles of the parser and http-server"""


def parse_args(argv):
    p = argparse.ArgumentParser(prog="ci/bench.sh", description=DESCRIPTION, epilog=EXAMPLES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", action="append", default=[], metavar="SECTION",
                   help="run only these sections (repeatable or comma-separated): "
                        + ", ".join(SECTIONS))
    p.add_argument("--skip", action="append", default=[], metavar="SECTION",
                   help="leave these sections out")
    p.add_argument("--quick", action="store_true",
                   help="a smoke run: one round, short runs, smaller loads")
    p.add_argument("--rounds", type=int, help="alternating rounds per comparison (default 3; by default "
                   "http-server has 5, the chat fan-out 7, and the parser 4 per round)")
    p.add_argument("--duration", type=int, help="seconds per wrk run (default 3)")
    p.add_argument("--out", type=Path, help="where bench.md, bench.json and the logs go "
                   "(default build/bench-results)")
    p.add_argument("--build-dir", type=Path, default=ROOT / "build" / "bench",
                   help="the release build (default build/bench)")
    p.add_argument("--fuzz-build-dir", type=Path, default=ROOT / "build" / "bench-fuzz",
                   help="the fuzz build (default build/bench-fuzz)")
    p.add_argument("--afl-build-dir", type=Path, default=ROOT / "build" / "bench-afl",
                   help="the afl build, for grey-box parley fuzz (default build/bench-afl)")
    p.add_argument("--no-setup", action="store_true", help="skip installing packages")
    p.add_argument("--no-build", action="store_true", help="use the binaries already built")
    p.add_argument("--profile", action="store_true",
                   help="also profile the parser (callgrind) and http-server under wrk (perf)")
    p.add_argument("--list", action="store_true", help="list the sections and exit")
    args = p.parse_args(argv)
    sections = [s for group in args.only for s in group.split(",") if s] or list(SECTIONS)
    skip = {s for group in args.skip for s in group.split(",") if s}
    for s in sections + list(skip):
        if s not in SECTIONS:
            p.error("unknown section %r (sections: %s)" % (s, ", ".join(SECTIONS)))
    args.sections = [s for s in SECTIONS if s in sections and s not in skip]
    if args.rounds is not None and args.rounds < 1:
        p.error("--rounds must be at least 1")
    return args


def run_sections(ctx, profile, rows, texts):
    """Runs the sections, adding their rows to `rows` (a failed one gives a row that says why),
    then with `profile` the profiles' heads to `texts`."""
    for section in ctx.sections:
        log("== %s" % section)
        try:
            rows += SECTIONS[section].run(ctx)
        except (PeerError, subprocess.SubprocessError, OSError) as e:
            log("%s failed: %s" % (section, e))
            rows.append(unavailable(section, section, str(e)))
        finally:
            ctx.procs.stop_all()
    if profile:
        try:
            texts += profiles.profile(ctx)
        except (PeerError, subprocess.SubprocessError, OSError) as e:
            log("profiling failed: %s" % e)


def new_context(args):
    ctx = Context()
    ctx.t0 = time.monotonic()
    ctx.loadavg = os.getloadavg()
    ctx.sections = args.sections
    ctx.settings = Settings(args)
    ctx.build = args.build_dir.resolve()
    ctx.bin = ctx.build / "bin"
    ctx.fuzz_build = args.fuzz_build_dir.resolve()
    ctx.afl_build = args.afl_build_dir.resolve()
    ctx.out = (args.out or ROOT / "build" / "bench-results").resolve()
    (ctx.out / "logs").mkdir(parents=True, exist_ok=True)
    for old in (ctx.out / "logs").iterdir():
        old.unlink()
    ctx.procs = peers.Processes()
    return ctx


def main(argv):
    args = parse_args(argv)
    if args.list:
        print("\n".join(SECTIONS))
        return 0
    started = datetime.datetime.now()
    ctx = new_context(args)

    # Many connections need many descriptors: soft limit up to the hard one, for every child.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < ctx.settings.idle_connections + 1000 and "memory" in ctx.sections:
        log("warning: the descriptor limit (%d) is low for %d idle connections"
            % (hard, ctx.settings.idle_connections))

    def on_signal(number, _frame):
        raise KeyboardInterrupt("signal %d" % number)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    if not args.no_setup:
        subprocess.run(["bash", str(ROOT / "ci" / "setup.sh"), "build", "bench", "fuzz"],
                       check=True)
    for tool in ("wrk", "nginx", "ncat"):
        if shutil.which(tool) is None:
            log("warning: %s is missing (ci/setup.sh bench)" % tool)
    if not args.no_build:
        targets = {t for s in ctx.sections for t in SECTIONS[s].TARGETS}
        build(ctx, sorted(targets | (set(profiles.TARGETS) if args.profile else set())),
              "fuzz" in ctx.sections or "netfuzz" in ctx.sections, "netfuzz" in ctx.sections)

    rows, texts = [], []
    ctx.work = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    try:
        run_sections(ctx, args.profile, rows, texts)
    except KeyboardInterrupt:
        log("interrupted; stopping everything")
        ctx.procs.stop_all()
        write_outputs(ctx, rows, texts, started)
        return 130
    finally:
        ctx.procs.stop_all()
        shutil.rmtree(ctx.work, ignore_errors=True)

    print()
    print_table(rows)
    write_outputs(ctx, rows, texts, started)
    print()
    log("wrote %s and %s (%.0f s)" % (ctx.out / "bench.md", ctx.out / "bench.json",
                                      time.monotonic() - ctx.t0))
    return 0
