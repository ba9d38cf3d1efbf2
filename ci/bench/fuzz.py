"""The fuzzers' exec/s under ASan+UBSan, each from its seeds, dictionary and max_len as a
campaign runs it (ci/fuzz/conventions.py), against fuzz_empty built the same way."""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ci.bench.context import log
from ci.bench.peers import PeerError
from ci.bench.rows import Row, median, unavailable
from ci.fuzz import conventions

TARGETS = []  # the fuzzers come from the fuzz build (ctx.fuzz_build), not the bench one
# What a run leaves that is worth keeping: the failing inputs, and the slow ones.
KEPT_PREFIXES = conventions.FAILURE_PREFIXES + (conventions.SLOW_UNIT_PREFIX,)


def command(binary, name, seconds, work):
    """A libFuzzer run of `seconds`; new inputs go to work/corpus/, artifacts to work/."""
    (work / "corpus").mkdir(exist_ok=True)
    return ([str(binary), "-max_total_time=%d" % seconds, "-print_final_stats=1"]
            + conventions.limit_flags() + ["-artifact_prefix=%s/" % work]
            + conventions.libfuzzer_flags(name)
            + [str(work / "corpus")] + [str(d) for d in conventions.input_dirs(name)])


def fuzz_once(ctx, binary, name, seconds):
    work = Path(tempfile.mkdtemp(prefix=name + "-", dir=ctx.work))
    args = command(binary, name, seconds, work)
    result = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 120)
    with open(ctx.out / "logs" / "fuzz.log", "a") as f:
        f.write("== %s\n%s\n" % (" ".join(args), result.stderr[-3000:]))
    rate = re.search(r"stat::average_exec_per_sec:\s+(\d+)", result.stderr)
    units = re.search(r"stat::number_of_executed_units:\s+(\d+)", result.stderr)
    # A finding is kept, never lost with the scratch folder: OUT/fuzz-findings/<fuzzer>/.
    artifacts = [a for a in work.iterdir() if a.is_file() and a.name.startswith(KEPT_PREFIXES)]
    if artifacts:
        keep = ctx.out / "fuzz-findings" / name
        keep.mkdir(parents=True, exist_ok=True)
        for a in artifacts:
            shutil.copy2(a, keep / a.name)
    shutil.rmtree(work, ignore_errors=True)
    if not rate:
        raise PeerError("%s printed no final stats (exit %d); see logs/fuzz.log"
                        % (name, result.returncode))
    return int(rate.group(1)), int(units.group(1)) if units else 0, result.returncode


def run(ctx):
    s = ctx.settings
    bin_dir = ctx.fuzz_build / "bin"
    fuzzers = conventions.fuzzers_in(bin_dir)
    if conventions.CEILING not in fuzzers:
        return [unavailable("fuzz", "fuzzers' exec/s under ASan+UBSan",
                            "no fuzz build with fuzz_empty in %s" % ctx.fuzz_build)]
    others = [f for f in fuzzers if f != conventions.CEILING]
    rates = {f: [] for f in fuzzers}
    notes = {f: [] for f in fuzzers}
    for r in range(s.fuzz_rounds):
        for name in [conventions.CEILING] + others:
            log("fuzz: %s for %ds, round %d/%d" % (name, s.fuzz_seconds, r + 1, s.fuzz_rounds))
            rate, _, code = fuzz_once(ctx, bin_dir / name, name, s.fuzz_seconds)
            rates[name].append(rate)
            if code != 0:
                notes[name].append("exit %d: a finding, kept in fuzz-findings/%s/ (replay it: "
                                   "%s/bin/%s FILE; see logs/fuzz.log)"
                                   % (code, name, ctx.fuzz_build, name))
    empty = median(rates[conventions.CEILING])
    rows = []
    for f in others:
        ratios = [a / b for a, b in zip(rates[f], rates[conventions.CEILING]) if b]
        # The table rounds ratios to two decimals; every fuzzer but the ceiling is below 0.05x.
        exact = "per-round ratios " + ", ".join("%.4fx" % r for r in ratios)
        rows.append(Row("fuzz", "%s exec/s under ASan+UBSan (%ds runs with its seeds)"
                        % (f, s.fuzz_seconds), "exec/s", median(rates[f]),
                        "fuzz_empty, same build", empty, "report; investigate < 0.1x",
                        target=0.1, notes="; ".join([exact] + sorted(set(notes[f]))),
                        samples={"fuzzer": rates[f], "fuzz_empty": rates[conventions.CEILING]},
                        ratios=ratios))
    return rows
