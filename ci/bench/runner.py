"""The runner against a plain Asio client: runner_bench plays one-request HTTP scenarios in
process, then `parley run --jobs 1` and `--jobs 2` play the same scenarios from a file."""

import re
import subprocess
import time

from ci.bench import peers
from ci.bench.context import log
from ci.bench.peers import PeerError
from ci.bench.rows import Row, fmt, median

TARGETS = ["runner_bench", "parley", "http-server"]



def scenario_suite(count):
    one = ("- name: one request {i}\n  target: http\n  steps:\n    - connect: c\n"
           "    - send: {{text: \"GET / HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n\"}}\n"
           "    - expect: {{http: {{status: 200, body: {{contains: Hola}}}}}}\n"
           "    - close: c\n")
    return "".join(one.format(i=i) for i in range(count))


def run(ctx):
    s = ctx.settings
    log("runner: runner_bench, %d scenarios, %d rounds" % (s.runner_count, s.runner_rounds))
    cmd = [str(ctx.bin / "runner_bench"), "--server", str(ctx.bin / "http-server"), "--count",
           str(s.runner_count), "--rounds", str(s.runner_rounds)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    (ctx.out / "logs" / "runner-bench.log").write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        raise PeerError("runner_bench failed: " + (result.stderr or result.stdout)[-300:])
    figures = {}
    for line in result.stdout.splitlines():
        match = re.match(r"^(plain Asio client[^:]*|parley scenarios)\s*:\s*([\d.]+) ms", line)
        if match:
            figures[match.group(1).strip()] = float(match.group(2))
    plain_name = next((n for n in figures if n.startswith("plain") and "block" in n),
                      next((n for n in figures if n.startswith("plain")), None))
    plain = figures.get(plain_name)
    in_process = figures.get("parley scenarios")
    others = ", ".join("%s %s ms" % (n, fmt(v)) for n, v in figures.items()
                       if n.startswith("plain") and n != plain_name)
    rows = [Row("runner", "runner: %s one-request HTTP scenarios, in process (runner_bench)"
                % "{:,}".format(s.runner_count), "ms", in_process, plain_name or "plain Asio client", plain,
                "<= 1.5x plain client", higher_is_better=False, target=1.5, notes=others,
                samples={"runner_bench": result.stdout})]

    suite = ctx.work / "runner" / "one-request.yaml"
    suite.parent.mkdir(parents=True, exist_ok=True)
    suite.write_text(scenario_suite(s.runner_count))
    server, port = peers.start_http_server(ctx.procs, ctx.bin / "http-server", 1,
                                           ctx.out / "logs" / "http-server.log")
    plays = {1: [], 2: []}
    walls = {1: [], 2: []}
    try:
        for r in range(s.rounds):
            for jobs in (1, 2):
                log("runner: parley run --jobs %d, round %d/%d" % (jobs, r + 1, s.rounds))
                start = time.monotonic()
                result = subprocess.run(
                    [str(ctx.bin / "parley"), "run", str(suite), "--target",
                     "http=127.0.0.1:%d" % port, "--jobs", str(jobs), "--color", "never"],
                    capture_output=True, text=True, timeout=600)
                wall = (time.monotonic() - start) * 1000
                with open(ctx.out / "logs" / "parley-run.log", "a") as f:
                    f.write("== --jobs %d\n%s%s" % (jobs, result.stdout[-2000:], result.stderr))
                match = re.search(r"(\d+) scenario\(s\) in ([\d.]+)(ms|s)\b", result.stdout)
                if result.returncode != 0 or not match:
                    raise PeerError("parley run --jobs %d failed (exit %d); see logs/parley-run.log"
                                    % (jobs, result.returncode))
                plays[jobs].append(float(match.group(2)) * (1 if match.group(3) == "ms" else 1000))
                walls[jobs].append(wall)
    finally:
        ctx.procs.stop(server)
    for jobs in (1, 2):
        rows.append(Row("runner", "runner: `parley run --jobs %d`, %s one-request scenarios"
                        % (jobs, "{:,}".format(s.runner_count)), "ms", median(plays[jobs]),
                        plain_name or "plain Asio client", plain, "<= 1.5x plain client",
                        higher_is_better=False, target=1.5,
                        notes="play time as parley reports it; whole command incl. start-up and "
                              "loading: %s ms" % fmt(median(walls[jobs])),
                        samples={"play_ms": plays[jobs], "wall_ms": walls[jobs]}))
    return rows
