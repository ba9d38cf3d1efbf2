"""The command line of ci/fuzz.sh: its options, the settings a resumed campaign keeps from its
first run (OUT/campaign.env), the build, then the campaign or --list or --report-only."""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from ci.fuzz import build, conventions
from ci.fuzz.campaign import Campaign, Settings

USAGE = """\
usage: ci/fuzz.sh [OPTIONS] [FUZZER...]

Builds the 'fuzz' preset (clang-14, libFuzzer, ASan+UBSan), then runs each named fuzzer (default:
all of them, after 30 seconds of fuzz_empty, the exec/s ceiling) for --time, one after another,
each on --jobs cores (libFuzzer -fork), going on after crashes, timeouts and OOMs. Everything
goes under one output folder:

  OUT/report.md                the morning report (rewritten after each fuzzer and at the end)
  OUT/findings/<id>/           one folder per unique finding: input, minimized, stack.txt, repro.sh
  OUT/<fuzzer>/corpus/         new corpus entries
  OUT/<fuzzer>/artifacts/      raw crash-, timeout-, oom- and leak- inputs
  OUT/<fuzzer>/fuzz.N.log      the engine's log of run N

Stop it with Ctrl-C (or SIGTERM): the running fuzzer stops, the findings are triaged and the
report written. Run the same command again with --resume to go on where it stopped.

options:
  -t, --time DURATION   time per fuzzer: 90 (seconds), 30s, 10m, 8h (default 10m)
  -j, --jobs N          parallel fuzzing processes per fuzzer (default: all cores, nproc)
  -o, --out DIR         output folder (default fuzz-out/<date>-<time>)
      --resume          go on with the campaign in --out: finished fuzzers are skipped, a
                        stopped one gets the rest of its time; options default to the first run's
      --merge           afterwards, merge the new corpus entries that add coverage into
                        corpus/<fuzzer>/ (libFuzzer -merge=1)
      --engine ENGINE   libfuzzer (default) or afl (AFL++, built with afl-c++ into build/fuzz-afl;
                        findings are still triaged with the libFuzzer build)
      --timeout S       a single input running longer than S seconds is a timeout (default 10)
      --rss-limit MB    memory limit per process (default 2560)
      --progress S      print progress every S seconds (default 30)
      --build-dir DIR   the libFuzzer build to use (default build/fuzz; built there unless
                        --no-build)
      --no-build        use the binaries already built
      --no-setup        do not install missing Debian packages first (ci/setup.sh build)
      --report-only     triage and rewrite the report of --out, run nothing
  -l, --list            list the fuzzers and exit
  -h, --help            this text

examples:
  ci/fuzz.sh --time 8h --out fuzz-out/tonight            # every fuzzer, 8 hours each
  ci/fuzz.sh -t 10m fuzz_http_request fuzz_chat_line     # two fuzzers, 10 minutes each
  ci/fuzz.sh --resume --out fuzz-out/tonight --merge     # finish it, keep the new corpus
  ci/fuzz.sh --engine afl -t 1h fuzz_http_chunked        # the same target under AFL++
"""

DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class UsageError(Exception):
    pass


def seconds_of(duration):
    """'90' and '30s' -> seconds, '10m', '8h', '1d' too; None when it is none of these."""
    number = duration.rstrip("smhd")
    unit = duration[len(number):]
    if not number.isdigit() or not number.isascii() or len(unit) > 1:
        return None
    return int(number) * DURATION_UNITS[unit]


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        unknown = re.match(r"unrecognized arguments: (\S+)", message)
        if unknown:
            message = "unknown option '%s'" % unknown.group(1)
        raise UsageError(message + " (see --help)")


def parse_args(argv):
    p = _Parser(prog="ci/fuzz.sh", add_help=False, allow_abbrev=False)
    p.add_argument("-h", "--help", action="store_true")
    p.add_argument("-t", "--time")
    p.add_argument("-j", "--jobs")
    p.add_argument("-o", "--out")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--merge", action="store_true")
    p.add_argument("--engine")
    p.add_argument("--timeout", type=int, default=conventions.TIMEOUT_SECONDS)
    p.add_argument("--rss-limit", type=int, default=conventions.RSS_LIMIT_MB)
    p.add_argument("--progress", type=int, default=30)
    p.add_argument("--build-dir")
    p.add_argument("--no-build", action="store_true")
    p.add_argument("--no-setup", action="store_true")
    p.add_argument("--report-only", action="store_true")
    p.add_argument("-l", "--list", action="store_true")
    p.add_argument("fuzzers", nargs="*", metavar="FUZZER")
    return p.parse_intermixed_args(argv)


def saved_settings(out):
    """What the first run of the campaign in `out` was given (OUT/campaign.env)."""
    env = Path(out) / "campaign.env"
    if not env.is_file():
        raise UsageError("%s is not a campaign folder (no campaign.env)" % out)
    return dict(line.split("=", 1) for line in env.read_text().splitlines() if "=" in line)


def settings_of(args):
    """The campaign's settings: the options, else (with --resume or --report-only) the first
    run's, else the defaults. Checks them."""
    if args.resume or args.report_only:
        if not args.out:
            raise UsageError("--resume and --report-only need --out")
        saved = saved_settings(args.out)
        args.time = args.time or saved.get("time")
        args.jobs = args.jobs or saved.get("jobs")
        args.engine = args.engine or saved.get("engine")
        args.fuzzers = args.fuzzers or saved.get("fuzzers", "").split()
    time_arg = args.time or "10m"
    seconds = seconds_of(time_arg)
    if seconds is None:
        raise UsageError("bad --time '%s' (e.g. 90, 30s, 10m, 8h)" % time_arg)
    if seconds <= 0:
        raise UsageError("--time must be positive")
    jobs = args.jobs or str(len(os.sched_getaffinity(0)))
    if not jobs.isdigit() or int(jobs) == 0:
        raise UsageError("bad --jobs '%s'" % jobs)
    engine = args.engine or "libfuzzer"
    if engine not in ("libfuzzer", "afl"):
        raise UsageError("bad --engine '%s' (libfuzzer or afl)" % engine)
    build_dir = Path(args.build_dir).resolve() if args.build_dir else (
        conventions.ROOT / "build" / "fuzz")
    out = args.out or "fuzz-out/" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Settings(fuzzers=list(args.fuzzers), time_arg=time_arg, seconds=seconds,
                    jobs=int(jobs), engine=engine, timeout=args.timeout,
                    rss_limit_mb=args.rss_limit, progress=args.progress, build_dir=build_dir,
                    afl_dir=conventions.ROOT / "build" / "fuzz-afl", out=Path(out),
                    merge=args.merge)


def choose_fuzzers(s):
    """Every fuzzer built, after the ceiling, unless some are named; each must be built."""
    available = conventions.fuzzers_in(s.bin_dir)
    if not s.fuzzers:
        s.fuzzers = [f for f in available if f != conventions.CEILING]
        if conventions.CEILING in available:
            s.fuzzers.insert(0, conventions.CEILING)
    for f in s.fuzzers:
        if f not in available:
            raise UsageError("no such fuzzer: %s (see --list)" % f)


def open_output(s):
    """Creates OUT; its first run records the settings a resumed run keeps (campaign.env), and
    every run the ones the report shows (campaign.json)."""
    s.out.mkdir(parents=True, exist_ok=True)
    s.out = s.out.resolve()
    env = s.out / "campaign.env"
    if not env.exists():
        env.write_text("time=%s\njobs=%d\nengine=%s\nfuzzers=%s\nstarted=%s\n" % (
            s.time_arg, s.jobs, s.engine, " ".join(s.fuzzers),
            datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")))
    started = saved_settings(s.out).get("started")
    (s.out / "campaign.json").write_text(json.dumps(
        {"time": s.time_arg, "jobs": s.jobs, "engine": s.engine, "started": started}))


def run(args):
    s = settings_of(args)
    builds = not (args.no_build or args.report_only or args.list)
    if builds and not args.no_setup:
        # The compilers and libraries come from Debian packages, installed when missing.
        subprocess.run([conventions.ROOT / "ci" / "setup.sh", "build"], check=True)
    if builds:
        targets = s.fuzzers or ["fuzzers"]  # named fuzzers build alone
        build.libfuzzer(s.build_dir, targets)
        if s.engine == "afl":
            build.afl(s.afl_dir, targets)
    available = conventions.fuzzers_in(s.bin_dir)
    if not available:
        raise UsageError("no fuzzers in %s (build first, without --no-build)" % s.bin_dir)
    if args.list:
        print("\n".join(available))
        return 0
    choose_fuzzers(s)
    open_output(s)
    campaign = Campaign(s)
    if args.report_only:
        campaign.finish()
        return 0
    return campaign.run()


def main(argv):
    # Python reads every module of this package when it starts, so a campaign that lasts the
    # night is not disturbed when the files change under it (a pull, a checkout).
    try:
        args = parse_args(argv)
        if args.help:
            print(USAGE, end="")
            return 0
        return run(args)
    except (UsageError, build.BuildError) as e:
        print("ci/fuzz.sh: %s" % e, file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as e:
        return e.returncode
    except OSError as e:  # a program that cannot start (afl-fuzz missing), a folder not writable
        print("ci/fuzz.sh: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
