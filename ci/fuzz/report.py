"""The morning report, OUT/report.md: per fuzzer the engine's own figures (libFuzzer's fork-mode
status lines and final stats, or AFL++'s fuzzer_stats), then every unique finding."""

import json
import time
from pathlib import Path

from ci.fuzz import afl, conventions, libfuzzer
from ci.fuzz.triage import log


def count_files(path):
    return sum(1 for p in Path(path).iterdir() if p.is_file()) if Path(path).is_dir() else 0


def fmt(n):
    return "-" if n is None else "{:,}".format(n)


def _fuzzer_rows(out, engine):
    """(name, stats, seed files, exec/s, state) per OUT/<fuzzer>/, and fuzz_empty's exec/s."""
    rows, ceiling = [], None
    for folder in conventions.fuzzer_folders(out):
        stats = afl.stats(folder) if engine == "afl" else libfuzzer.stats(folder)
        seeds = count_files(conventions.seeds(folder.name)) + count_files(
            conventions.regressions(folder.name))
        state = "done" if (folder / "done").exists() else "stopped" if stats["runs"] else "not run"
        rate = stats["execs"] // stats["seconds"] if stats["seconds"] else None
        if folder.name == conventions.CEILING:
            ceiling = rate
        rows.append((folder.name, stats, seeds, rate, state))
    return rows, ceiling


def _afl_table(rows):
    lines = ["| fuzzer | state | executions | exec/s | edges found | bitmap | seeds | "
             "corpus after | crashes | hangs |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, s, seeds, rate, state in rows:
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            name, state, fmt(s["execs"]), fmt(rate), fmt(s["cov"]), s["coverage_pct"] or "-",
            fmt(seeds), fmt(s["corpus_end"]), fmt(s["crashes"]), fmt(s["timeouts"])))
    return lines


def _libfuzzer_table(rows, ceiling):
    lines = ["| fuzzer | state | time | executions | exec/s | vs empty | edges (cov) | "
             "features (ft) | seed files | corpus before | corpus after | crash/timeout/oom |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
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
    return lines


def _findings(out, index):
    findings = sorted(index["findings"].items(), key=lambda kv: (kv[1]["fuzzer"], kv[0]))
    lines = ["## Findings: %d unique" % len(findings), ""]
    if not findings:
        lines.append("No crash, timeout, out-of-memory or leak.")
    for fid, f in findings:
        lines += ["### %s: %s" % (fid, f["kind"]), ""]
        lines.append("- fuzzer: `%s`; seen %d time%s; minimized input: %d bytes" % (
            f["fuzzer"], f["count"], "" if f["count"] == 1 else "s", f["size"]))
        lines.append("- top frames: %s" % (" < ".join("`%s`" % x for x in f["frames"]) or "-"))
        lines.append("- reproduce: `%s`" % f["repro"])
        lines.append("- files: `%s/`" % (out / "findings" / fid))
        lines += ["", "```", f["head"], "```", ""]
    return lines


def report(out, engine="libfuzzer"):
    """Writes OUT/report.md. The engine is the campaign's (OUT/campaign.json) when it says."""
    out = Path(out)
    index_path = out / "findings" / "index.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {"findings": {}}
    meta = {}
    if (out / "campaign.json").exists():
        meta = json.loads((out / "campaign.json").read_text())
    engine = meta.get("engine", engine)
    lines = ["# Fuzzing campaign report", ""]
    lines.append("- output folder: `%s`" % out)
    if meta:
        lines.append("- engine: %s, %s per fuzzer, %s parallel jobs, started %s" % (
            engine, meta.get("time"), meta.get("jobs"), meta.get("started")))
    lines.append("- report written: %s" % time.strftime("%Y-%m-%d %H:%M:%S"))
    lines += ["", "## Fuzzers", ""]
    rows, ceiling = _fuzzer_rows(out, engine)
    lines += _afl_table(rows) if engine == "afl" else _libfuzzer_table(rows, ceiling)
    lines.append("")
    lines += _findings(out, index)
    lines += ["## Next steps", ""]
    lines.append("Fix each finding, then keep its minimized input as a regression: copy it to "
                 "`corpus/regressions/<fuzzer>/` (docs/fuzzing.md). `ci/fuzz.sh --merge` adds "
                 "the new corpus entries that add coverage to `corpus/<fuzzer>/`.")
    (out / "report.md").write_text("\n".join(lines) + "\n")
    log("report: %s" % (out / "report.md"))
