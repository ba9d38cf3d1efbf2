#!/usr/bin/env python3
"""Triage and the morning report of a fuzzing campaign (ci/fuzz.sh runs it).

  campaign.py triage  --out OUT --bin-dir BUILD/bin [--minimize-seconds N] [--timeout S]
  campaign.py report  --out OUT [--bin-dir BUILD/bin] [--engine libfuzzer|afl]

triage: replays every crash, timeout, OOM and leak artifact under OUT/<fuzzer>/ (libFuzzer's
artifacts/ and AFL++'s crashes/ and hangs/) with the libFuzzer build, classifies it by sanitizer
error type and the top frames of its stack, and keeps one folder per unique finding in
OUT/findings/<id>/: the first input, a minimized input, the stack, and the one-line command that
reproduces it. Artifacts already triaged are skipped, so a resumed campaign only adds.

report: OUT/report.md, computed from the engines' own output: libFuzzer's fork-mode status lines
and final stats (OUT/<fuzzer>/fuzz.*.log), AFL++'s fuzzer_stats, and the findings.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ARTIFACT_PREFIXES = ("crash-", "timeout-", "oom-", "leak-", "deadly-")

# Frames that say nothing about where the bug is: runtimes, the engine, libc, the property check.
NOISE = re.compile(
    r"^(__sanitizer|__asan|__ubsan|__lsan|__interceptor|__cxa|__gnu_cxx|__libc|__GI_|"
    r"__pthread|_start|start_thread|fuzzer::|abort|raise|gsignal|std::|operator new|"
    r"operator delete|malloc|calloc|realloc|free|memcpy|memmove|memset|memcmp|strlen|"
    r"LLVMFuzzerTestOneInput$|parley::fuzz::PropertyFailed|boost::throw_exception|"
    r"boost::asio::detail::throw_error|boost::asio::detail::do_throw_error|main$)")
FRAME = re.compile(r"^\s*#(\d+) 0x[0-9a-f]+ in (.+?)(?: (/\S+|\(\S+\)))?$")


def log(message):
    print("campaign: " + message, flush=True)


def fuzzer_dirs(out):
    return sorted(p for p in Path(out).iterdir()
                  if p.is_dir() and p.name.startswith("fuzz_") and p.name != "findings")


def artifacts_of(fuzzer_dir):
    found = []
    artifacts = fuzzer_dir / "artifacts"
    if artifacts.is_dir():
        found += [p for p in sorted(artifacts.iterdir())
                  if p.is_file() and p.name.startswith(ARTIFACT_PREFIXES)]
    afl = fuzzer_dir / "afl"
    if afl.is_dir():
        for kind in ("crashes", "hangs"):
            found += [p for p in sorted(afl.glob("*/%s/id:*" % kind)) if p.is_file()]
    return found


def function_name(text):
    """'parley::http::Foo::Bar(int) const /src/x.cc:12:3' -> 'parley::http::Foo::Bar'."""
    text = re.sub(r"\s+\(BuildId: \w+\)$", "", text.strip())
    text = re.sub(r"\s+\(/[^()]*\+0x[0-9a-f]+\)$", "", text)  # (module+offset)
    text = re.sub(r"\s+/\S+$", "", text)  # file:line
    depth = 0
    for i, c in enumerate(text):  # cut the parameter list (the first '(' at template depth 0)
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
        elif c == "(" and depth == 0 and i > 0 and not text.startswith("(anonymous", i):
            return text[:i]
    return text


def classify(output, artifact_name):
    """(kind, [top frames], head of the report) of a replay's stderr."""
    kind = None
    patterns = [
        (r"==FUZZ== property violated: (.+)", lambda m: "property: " + m.group(1).strip()),
        (r"ERROR: AddressSanitizer: ([\w-]+)", lambda m: "asan: " + m.group(1)),
        (r"ERROR: LeakSanitizer: ([\w -]+)", lambda m: "leak"),
        (r"runtime error: ([^\n]+)",
         lambda m: "ubsan: " + re.sub(r"(0x)?[0-9a-f]{4,}|\d+", "N", m.group(1))[:80]),
        (r"ERROR: libFuzzer: timeout", lambda m: "timeout"),
        (r"ERROR: libFuzzer: out-of-memory", lambda m: "out-of-memory"),
        (r"ERROR: libFuzzer: fuzz target exited", lambda m: "exit"),
        (r"terminate called after throwing an instance of '([^']+)'",
         lambda m: "uncaught exception: " + m.group(1)),
        (r"ERROR: libFuzzer: deadly signal", lambda m: "deadly signal"),
    ]
    for pattern, name in patterns:
        m = re.search(pattern, output)
        if m:
            kind = name(m)
            break
    if kind is None:
        kind = "did not reproduce (%s)" % artifact_name.split("-")[0].split(":")[0]
    frames = []
    started = False
    for line in output.splitlines():
        m = FRAME.match(line)
        if not m:
            if started and frames:
                break  # only the first stack of the report
            continue
        started = True
        name = function_name(m.group(2))
        if NOISE.match(name) or name.startswith("0x") or not name:
            continue
        if name not in frames:
            frames.append(name)
        if len(frames) == 3:
            break
    lines = output.splitlines()
    first = next((i for i, l in enumerate(lines)
                  if "==FUZZ==" in l or "ERROR:" in l or "runtime error" in l), 0)
    head = "\n".join(lines[first:first + 14])
    return kind, frames, head


def replay(binary, path, timeout):
    cmd = [str(binary), "-runs=1", "-timeout=%d" % timeout, "-rss_limit_mb=2560", str(path)]
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "symbolize=1:detect_leaks=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    try:
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout * 3 + 60, env=env)
        return done.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        text = (e.stdout or b"").decode("utf-8", "replace")
        return text + "\nERROR: libFuzzer: timeout (killed by triage)\n"


def minimize(binary, source, target, seconds, timeout):
    cmd = [str(binary), "-minimize_crash=1", "-max_total_time=%d" % seconds,
           "-timeout=%d" % timeout, "-rss_limit_mb=2560", "-exact_artifact_path=%s" % target,
           str(source)]
    try:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=seconds * 2 + 60)
    except subprocess.TimeoutExpired:
        pass
    if not Path(target).is_file():
        shutil.copyfile(source, target)


def triage(args):
    out = Path(args.out)
    findings_dir = out / "findings"
    findings_dir.mkdir(exist_ok=True)
    index_path = findings_dir / "index.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {
        "artifacts": {}, "findings": {}}
    for fdir in fuzzer_dirs(out):
        fuzzer = fdir.name
        binary = Path(args.bin_dir).resolve() / fuzzer
        for artifact in artifacts_of(fdir):
            key = str(artifact.relative_to(out))
            if key in index["artifacts"]:
                continue
            if not binary.exists():
                log("no binary for %s; %s left for later" % (fuzzer, key))
                continue
            output = replay(binary, artifact, args.timeout)
            kind, frames, head = classify(output, artifact.name)
            signature = fuzzer + " | " + kind + " | " + " < ".join(frames)
            # A differential disagreement is told apart by what each parser said.
            said = re.search(r"^==FUZZ== (parley: .*, Beast: [^(]*)", output, re.M)
            if said:
                signature += " | " + said.group(1).strip()
            fid = fuzzer + "-" + hashlib.sha1(signature.encode()).hexdigest()[:10]
            index["artifacts"][key] = fid
            finding = index["findings"].get(fid)
            if finding is None:
                log("new finding %s: %s" % (fid, kind))
                folder = findings_dir / fid
                folder.mkdir(exist_ok=True)
                shutil.copyfile(artifact, folder / "input")
                minimize(binary, artifact, folder / "minimized", args.minimize_seconds,
                         args.timeout)
                stack = replay(binary, folder / "minimized", args.timeout)
                if classify(stack, artifact.name)[0] != kind:
                    # Minimizing changed the bug; keep the original as the reproducer.
                    shutil.copyfile(artifact, folder / "minimized")
                    stack = output
                (folder / "stack.txt").write_text(stack)
                repro = "%s -runs=1 -timeout=%d %s" % (binary, args.timeout, folder / "minimized")
                (folder / "repro.sh").write_text(
                    "#!/bin/sh\n# %s\nexec %s \"$@\"\n" % (signature, repro))
                os.chmod(folder / "repro.sh", 0o755)
                finding = {"fuzzer": fuzzer, "kind": kind, "frames": frames,
                           "signature": signature, "head": classify(stack, artifact.name)[2],
                           "repro": repro, "size": (folder / "minimized").stat().st_size,
                           "first_seen": time.strftime("%Y-%m-%d %H:%M:%S"), "count": 0}
                index["findings"][fid] = finding
            finding["count"] += 1
            index_path.write_text(json.dumps(index, indent=1, sort_keys=True))
    index_path.write_text(json.dumps(index, indent=1, sort_keys=True))
    unique = len(index["findings"])
    log("triage: %d artifacts, %d unique findings" % (len(index["artifacts"]), unique))
    return 0


# ---------------------------------------------------------------------------------------------

STATUS = re.compile(r"^#(\d+): cov: (\d+) ft: (\d+) corp: (\d+) exec/s (\d+) "
                    r"oom/timeout/crash: (\d+)/(\d+)/(\d+) time: (\d+)s")
PLAIN = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/\S+ .*?exec/s: (\d+)")
SEEDS = re.compile(r"-fork=\d+: (\d+) seed inputs")
FINAL = re.compile(r"^stat::(\w+):\s+(\d+)")


def libfuzzer_stats(fdir):
    """Totals over every run (fuzz.N.log) of one fuzzer."""
    stats = {"execs": 0, "seconds": 0, "cov": None, "ft": None, "corpus_start": None,
             "corpus_end": None, "crashes": 0, "timeouts": 0, "ooms": 0, "runs": 0,
             "final": {}}
    for path in sorted(fdir.glob("fuzz.*.log"), key=lambda p: int(p.name.split(".")[1])):
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


def afl_stats(fdir):
    stats = {"execs": 0, "seconds": 0, "cov": None, "ft": None, "corpus_start": None,
             "corpus_end": 0, "crashes": 0, "timeouts": 0, "ooms": 0, "runs": 0,
             "final": {}, "coverage_pct": None}
    for path in sorted(fdir.glob("afl/*/fuzzer_stats")):
        values = {}
        for line in path.read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            values[key.strip()] = value.strip()
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


def count_files(path):
    return sum(1 for p in Path(path).iterdir() if p.is_file()) if Path(path).is_dir() else 0


def fmt(n):
    return "-" if n is None else "{:,}".format(n)


def report(args):
    out = Path(args.out)
    root = Path(__file__).resolve().parent.parent.parent
    index_path = out / "findings" / "index.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {"findings": {}}
    meta = {}
    if (out / "campaign.json").exists():
        meta = json.loads((out / "campaign.json").read_text())
    engine = meta.get("engine", args.engine)
    ceiling = None
    lines = ["# Fuzzing campaign report", ""]
    lines.append("- output folder: `%s`" % out)
    if meta:
        lines.append("- engine: %s, %s per fuzzer, %s parallel jobs, started %s" % (
            engine, meta.get("time"), meta.get("jobs"), meta.get("started")))
    lines.append("- report written: %s" % time.strftime("%Y-%m-%d %H:%M:%S"))
    lines.append("")
    rows = []
    for fdir in fuzzer_dirs(out):
        stats = afl_stats(fdir) if engine == "afl" else libfuzzer_stats(fdir)
        seeds = count_files(root / "corpus" / fdir.name) + count_files(
            root / "corpus" / "regressions" / fdir.name)
        state = "done" if (fdir / "done").exists() else "stopped" if stats["runs"] else "not run"
        rate = stats["execs"] // stats["seconds"] if stats["seconds"] else None
        if fdir.name == "fuzz_empty":
            ceiling = rate
        rows.append((fdir.name, stats, seeds, rate, state))
    lines.append("## Fuzzers")
    lines.append("")
    if engine == "afl":
        lines.append("| fuzzer | state | executions | exec/s | edges found | bitmap | seeds | "
                     "corpus after | crashes | hangs |")
        lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, s, seeds, rate, state in rows:
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                name, state, fmt(s["execs"]), fmt(rate), fmt(s["cov"]), s["coverage_pct"] or "-",
                fmt(seeds), fmt(s["corpus_end"]), fmt(s["crashes"]), fmt(s["timeouts"])))
    else:
        lines.append("| fuzzer | state | time | executions | exec/s | vs empty | edges (cov) | "
                     "features (ft) | seed files | corpus before | corpus after | "
                     "crash/timeout/oom |")
        lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
                     "| ---: |")
        for name, s, seeds, rate, state in rows:
            ratio = "%.1f%%" % (100.0 * rate / ceiling) if ceiling and rate is not None else "-"
            lines.append("| %s | %s | %ss | %s | %s | %s | %s | %s | %s | %s | %s | %d/%d/%d |" % (
                name, state, fmt(s["seconds"]), fmt(s["execs"]), fmt(rate), ratio, fmt(s["cov"]),
                fmt(s["ft"]), fmt(seeds), fmt(s["corpus_start"]), fmt(s["corpus_end"]),
                s["ooms"], s["timeouts"], s["crashes"]))
        lines.append("")
        lines.append("Executions, exec/s, edges and features are libFuzzer's own numbers (its "
                     "fork-mode status lines, summed over resumed runs). *corpus before* is "
                     "the seed corpus after libFuzzer's initial merge, *corpus after* the corpus "
                     "at the end. *vs empty* compares exec/s with `fuzz_empty` when it ran in "
                     "the same campaign.")
    lines.append("")
    findings = sorted(index["findings"].items(), key=lambda kv: (kv[1]["fuzzer"], kv[0]))
    lines.append("## Findings: %d unique" % len(findings))
    lines.append("")
    if not findings:
        lines.append("No crash, timeout, out-of-memory or leak.")
    for fid, f in findings:
        lines.append("### %s: %s" % (fid, f["kind"]))
        lines.append("")
        lines.append("- fuzzer: `%s`; seen %d time%s; minimized input: %d bytes" % (
            f["fuzzer"], f["count"], "" if f["count"] == 1 else "s", f["size"]))
        lines.append("- top frames: %s" % (" < ".join("`%s`" % x for x in f["frames"]) or "-"))
        lines.append("- reproduce: `%s`" % f["repro"])
        lines.append("- files: `%s/`" % (out / "findings" / fid))
        lines.append("")
        lines.append("```")
        lines.append(f["head"])
        lines.append("```")
        lines.append("")
    lines.append("## Next steps")
    lines.append("")
    lines.append("Fix each finding, then keep its minimized input as a regression: copy it to "
                 "`corpus/regressions/<fuzzer>/` (docs/fuzzing.md). `ci/fuzz.sh --merge` adds "
                 "the new corpus entries that add coverage to `corpus/<fuzzer>/`.")
    (out / "report.md").write_text("\n".join(lines) + "\n")
    log("report: %s" % (out / "report.md"))
    return 0


def main():
    parser = argparse.ArgumentParser(description="fuzz campaign triage and report")
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("triage")
    t.add_argument("--out", required=True)
    t.add_argument("--bin-dir", required=True)
    t.add_argument("--minimize-seconds", type=int, default=60)
    t.add_argument("--timeout", type=int, default=10)
    r = sub.add_parser("report")
    r.add_argument("--out", required=True)
    r.add_argument("--engine", default="libfuzzer")
    args = parser.parse_args()
    return triage(args) if args.command == "triage" else report(args)


if __name__ == "__main__":
    sys.exit(main())
