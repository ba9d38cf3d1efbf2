"""The output: the table on the terminal, OUT/bench.md and OUT/bench.json."""

import json
import os
import platform
import time

from ci.bench.rows import fmt

COLUMNS = ["what", "figure", "unit", "reference", "ratio", "goal", "met"]


def table_cells(row):
    return [row.what, fmt(row.figure), row.unit,
            "%s (%s)" % (fmt(row.reference), row.reference_name) if row.reference_name else "-",
            "%.2fx" % row.ratio if row.ratio is not None else "-", row.goal, row.met]


def print_table(rows):
    cells = [COLUMNS] + [table_cells(r) for r in rows]
    widths = [min(max(len(c[i]) for c in cells), 70 if i == 0 else 40) for i in range(len(COLUMNS))]
    for n, line in enumerate(cells):
        print("  ".join(c[:widths[i]].ljust(widths[i]) if i == 0 else c.ljust(widths[i])
                        for i, c in enumerate(line)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    for row in rows:
        if row.notes:
            print("  * %s: %s" % (row.what, row.notes))


def write_outputs(ctx, rows, profiles, started):
    meta = {
        "date": started.isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - ctx.t0, 1),
        "machine": {"cpus": os.cpu_count(), "kernel": platform.release(),
                    "loadavg_at_start": ctx.loadavg},
        "settings": ctx.settings.describe(),
        "sections": ctx.sections,
    }
    (ctx.out / "bench.json").write_text(json.dumps(
        {"meta": meta, "rows": [r.as_dict() for r in rows], "profiles": profiles}, indent=2) + "\n")
    lines = ["# parley benchmarks", "",
             "%s, %d CPUs, Linux %s, load average at start %s; %s rounds; %.0f s." % (
                 meta["date"], meta["machine"]["cpus"], meta["machine"]["kernel"],
                 " ".join("%.2f" % x for x in ctx.loadavg), ctx.settings.rounds,
                 meta["seconds"]),
             "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in table_cells(row)) + " |")
    notes = [r for r in rows if r.notes]
    if notes:
        lines += ["", "Notes:", ""]
        lines += ["- %s: %s" % (r.what, r.notes) for r in notes]
    if profiles:
        lines += ["", "## Profiles", ""]
        for text in profiles:
            lines += ["```", text.rstrip(), "```", ""]
    (ctx.out / "bench.md").write_text("\n".join(lines) + "\n")
