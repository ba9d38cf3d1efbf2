#!/usr/bin/env python3
"""The engine of ci/bench.sh: measures parley's targets, runner and fuzzers next to real peers in
one run on this machine and prints the table (also written as bench.md and bench.json).

Each figure has its reference measured in the same run, alternating (figure, reference, figure,
reference, ...), and both are medians over the rounds: absolute numbers drift on a shared machine,
ratios hold. docs/benchmarks.md explains every row.
"""

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import peers
from peers import PeerError

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ["parser", "http-server", "memory", "chat", "runner", "fuzz"]
RELEASE_TARGETS = {
    "parser": ["http_parser_bench"],
    "http-server": ["http-server"],
    "memory": ["http-server", "bench_idle_clients"],
    "chat": ["chat-server", "bench_chat_load"],
    "runner": ["runner_bench", "parley", "http-server"],
}


def log(message):
    print("bench: " + message, flush=True)


def median(values):
    return statistics.median(values) if values else None


class Settings:
    """How long and how often to measure: the full run, or --quick."""

    def __init__(self, args):
        quick = args.quick
        self.rounds = args.rounds or (1 if quick else 3)
        self.parser_rounds = 3 if quick else 4 * self.rounds
        self.parser_min_time = 0.05 if quick else 0.1
        self.wrk_seconds = args.duration or (2 if quick else 3)
        self.http_rounds = args.rounds or (1 if quick else 5)
        self.wrk_warmup = 1
        self.idle_connections = 2000 if quick else 10000
        self.memory_rounds = 1 if quick else 2
        self.chat_clients = 100
        self.chat_lines = 10000
        # A fan-out run lasts about 50 ms, and ncat's speed is bimodal from one start to the
        # next: more rounds than elsewhere (each costs about a second).
        self.chat_rounds = args.rounds or (1 if quick else 7)
        self.latency_clients = 201 if quick else 1001
        self.latency_lines = 11 if quick else 31
        self.latency_rounds = 1
        self.runner_count = 200 if quick else 1000
        self.runner_rounds = 1 if quick else 5
        self.fuzz_seconds = 3 if quick else 10
        self.fuzz_rounds = 1 if quick else 2

    def describe(self):
        return dict(vars(self))


class Row:
    def __init__(self, section, what, unit, figure, reference_name, reference, goal,
                 higher_is_better=True, target=None, notes="", extra_ok=True, samples=None,
                 ratios=None):
        self.section = section
        self.what = what
        self.unit = unit
        self.figure = figure
        self.reference_name = reference_name
        self.reference = reference
        self.goal = goal
        self.notes = notes
        self.samples = samples or {}
        # The median of the rounds' own ratios (figure and reference measured back to back)
        # when there are rounds: it holds while the machine's speed drifts between rounds.
        ratios = [r for r in (ratios or []) if r is not None]
        if ratios:
            self.ratio = median(ratios)
        else:
            self.ratio = (figure / reference) if figure is not None and reference else None
        if ratios:
            self.samples = dict(self.samples, ratios=ratios)
        if self.ratio is None:
            self.met = "n/a"
        elif target is None:
            self.met = "-"
        else:
            ok = self.ratio >= target if higher_is_better else self.ratio <= target
            self.met = "yes" if ok and extra_ok else "no"

    def as_dict(self):
        return {
            "section": self.section, "what": self.what, "figure": self.figure, "unit": self.unit,
            "reference": self.reference_name, "reference_figure": self.reference,
            "ratio": self.ratio, "goal": self.goal, "met": self.met, "notes": self.notes,
            "samples": self.samples,
        }


def unavailable(section, what, why):
    return Row(section, what, "", None, "", None, "", notes="not available: " + why)


def fmt(value):
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return "{:,.0f}".format(value)
    if abs(value) >= 10:
        return "{:.1f}".format(value)
    return "{:.3g}".format(value)


# ---------------------------------------------------------------------------------------------
# Sections


def run_parser(ctx):
    """http_parser_bench: parley and Beast in one binary. Each round runs every benchmark once, in
    the order parley, Beast, parley, Beast..., so each pair is measured back to back."""
    binary = ctx.bin / "http_parser_bench"
    s = ctx.settings
    rates = {}
    rounds = []
    for r in range(s.parser_rounds):
        out = ctx.out / "logs" / "parser.json"
        cmd = [str(binary), "--benchmark_out=%s" % out, "--benchmark_out_format=json",
               "--benchmark_min_time=%s" % s.parser_min_time]
        if r == 0:
            log("parser: %s, %d rounds" % (" ".join(cmd[:1] + cmd[3:]), s.parser_rounds))
        with open(ctx.out / "logs" / "parser.log", "a") as err:
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=err)
        this = {}
        for b in json.loads(out.read_text())["benchmarks"]:
            if "error_occurred" not in b:
                this[b["run_name"]] = b["bytes_per_second"] / 1e6
                rates.setdefault(b["run_name"], []).append(b["bytes_per_second"] / 1e6)
        rounds.append(this)
    m = {name: median(values) for name, values in rates.items()}

    def ratios(a, b):
        return [x[a] / x[b] for x in rounds if a in x and b in x]

    rows = []
    for request, label in (("Firefox", "703-byte Firefox GET"),
                           ("ChunkedPost", "520-byte chunked POST")):
        pw, bw = "Parley%s/whole" % request, "Beast%s/whole" % request
        pb, bb = "Parley%s/bytewise" % request, "Beast%s/bytewise" % request
        floor = "Floor%s/bytewise" % request
        rows.append(Row("parser", "HTTP parser, %s, whole" % label, "MB/s", m.get(pw),
                        "Boost.Beast request_parser", m.get(bw), ">= 3x Beast", target=3.0,
                        ratios=ratios(pw, bw),
                        samples={"parley": rates.get(pw), "beast": rates.get(bw)}))
        rows.append(Row("parser", "HTTP parser, %s, 1-byte pieces" % label, "MB/s", m.get(pb),
                        "parley whole", m.get(pw), ">= 0.5x whole (within 2x)", target=0.5,
                        ratios=ratios(pb, pw),
                        notes=per_call_note(m.get(pw), m.get(pb), m.get(bw), m.get(bb),
                                            m.get(floor), ratios(floor, pw)),
                        samples={"parley": rates.get(pb), "beast": rates.get(bb),
                                 "floor": rates.get(floor)}))
    return rows


def cpu_seconds(pid):
    """User and system CPU seconds of `pid` and its descendants so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in peers.process_tree(pid):
        try:
            fields = Path("/proc/%d/stat" % p).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def per_call_note(parley_whole, parley_bytes, beast_whole, beast_bytes, floor=None,
                  floor_ratios=()):
    """Whole: ns per byte. Bytewise: what each extra Parse call adds (one call per byte), and the
    floor: a scanner that only finds line ends, fed the same way, against parley whole."""
    if not all((parley_whole, parley_bytes, beast_whole, beast_bytes)):
        return ""
    note = ("whole costs %.2f ns per byte; each 1-byte call adds %.2f ns (Beast: %.2f ns per "
            "byte whole, %.2f ns per call; %s MB/s in 1-byte pieces)" % (
                1e3 / parley_whole, 1e3 / parley_bytes - 1e3 / parley_whole, 1e3 / beast_whole,
                1e3 / beast_bytes - 1e3 / beast_whole, fmt(beast_bytes)))
    if floor and floor_ratios:
        # A parser does whole's work plus at least the floor's cost per call, so in 1-byte
        # pieces it takes at least 1 + whole/floor times as long as whole.
        bound = 1 + 1 / median(floor_ratios)
        note += ("; floor, a scanner that only finds line ends fed the same way: %.2f ns per "
                 "call, so any parser fed 1 byte per call takes at least %.2fx its whole time%s"
                 % (1e3 / floor, bound,
                    " (the goal asks for 2x: out of reach here)" if bound > 2 else ""))
    return note


def wrk(ctx, port, seconds, tag, server=None):
    """Requests/s of `wrk -t1 -c50`, problems seen, and (with `server`) the server's CPU
    microseconds per request."""
    cmd = ["wrk", "-t1", "-c50", "-d%ss" % seconds, "http://127.0.0.1:%d/" % port]
    cpu_before = cpu_seconds(server.pid) if server else 0
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    cpu = cpu_seconds(server.pid) - cpu_before if server else 0
    with open(ctx.out / "logs" / "wrk.log", "a") as f:
        f.write("== %s: %s\n%s\n" % (tag, " ".join(cmd), result.stdout + result.stderr))
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if result.returncode != 0 or not match:
        raise PeerError("wrk failed against %s: %s" % (tag, result.stderr.strip()[-300:]))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    socket_errors = re.search(r"Socket errors: (.*)", result.stdout)
    problems = []
    if errors:
        problems.append("%s non-2xx" % errors.group(1))
    if socket_errors:
        problems.append("socket errors: " + socket_errors.group(1))
    requests = re.search(r"(\d+) requests in", result.stdout)
    per_request = cpu * 1e6 / int(requests.group(1)) if server and requests else None
    return float(match.group(1)), problems, per_request


def check_page(port, name):
    status, head, body = peers.get(port)
    if status != 200 or body != peers.HOLA_MUNDO:
        raise PeerError("%s does not serve the page: %d %r" % (name, status, body[:80]))


def run_http_server(ctx):
    rows = []
    s = ctx.settings
    for threads in (1, 2):
        label = "one thread vs one nginx worker" if threads == 1 else \
            "--threads 2 vs two nginx workers"
        server, port = peers.start_http_server(
            ctx.procs, ctx.bin / "http-server", threads, ctx.out / "logs" / "http-server.log",
            ["--max-connections", "100000"])
        nginx, nginx_port = peers.start_nginx(
            ctx.procs, ctx.work / ("nginx-%d" % threads), threads, ctx.out / "logs" / "nginx.log")
        try:
            check_page(port, "http-server")
            check_page(nginx_port, "nginx")
            sizes = (peers.keep_alive_response_size(port),
                     peers.keep_alive_response_size(nginx_port))
            ours, theirs, problems, our_cpu, their_cpu = [], [], [], [], []
            for name, p in (("http-server", port), ("nginx", nginx_port)):
                wrk(ctx, p, s.wrk_warmup, "%s warm-up (%d)" % (name, threads))
            for r in range(s.http_rounds):
                log("http-server: %s, round %d/%d" % (label, r + 1, s.http_rounds))
                rate, trouble, cpu = wrk(ctx, port, s.wrk_seconds,
                                         "http-server --threads %d" % threads, server)
                ours.append(rate)
                our_cpu.append(cpu)
                problems += ["http-server: " + t for t in trouble]
                rate, trouble, cpu = wrk(ctx, nginx_port, s.wrk_seconds,
                                         "nginx %d worker(s)" % threads, nginx)
                theirs.append(rate)
                their_cpu.append(cpu)
                problems += ["nginx: " + t for t in trouble]
        finally:
            ctx.procs.stop(server)
            ctx.procs.stop(nginx)
        notes = "responses %d B (nginx %d B)" % sizes
        if problems:
            notes += "; " + "; ".join(sorted(set(problems)))
        rows.append(Row("http-server", "http-server requests/s, keep-alive GET /, wrk -t1 -c50, "
                        + label, "req/s", median(ours), "nginx", median(theirs), ">= 1.0x nginx",
                        target=1.0, extra_ok=not any(p.startswith("http-server") for p in problems),
                        notes=notes, samples={"parley": ours, "nginx": theirs},
                        ratios=[a / b for a, b in zip(ours, theirs)]))
        rows.append(Row("http-server", "http-server CPU time per request in those runs, " + label,
                        "us", median(our_cpu), "nginx", median(their_cpu),
                        "report (lower is better)", higher_is_better=False,
                        samples={"parley": our_cpu, "nginx": their_cpu},
                        ratios=[a / b for a, b in zip(our_cpu, their_cpu) if a and b]))
    return rows


def idle_memory(ctx, name, start):
    """Starts a server with start(), opens the idle connections; returns bytes per connection
    (RSS, PSS)."""
    s = ctx.settings
    proc, port = start()
    try:
        check_page(port, name)
        time.sleep(0.2)
        before = peers.memory_kib(proc.pid)
        client = ctx.procs.start(
            "bench_idle_clients",
            [ctx.bin / "bench_idle_clients", "--port", str(port), "--count",
             str(s.idle_connections), "--timeout-ms", "120000"],
            ctx.out / "logs" / "idle-clients.log", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        try:
            line = read_line(client, 150)
            if not line.startswith("ready"):
                raise PeerError("bench_idle_clients against %s failed (exit %s); see %s"
                                % (name, client.poll(), client.log))
            time.sleep(0.5)
            after = peers.memory_kib(proc.pid)
            if proc.poll() is not None:
                raise PeerError("%s exited under the idle connections" % name)
        finally:
            try:
                client.popen.stdin.close()
            except OSError:
                pass
            ctx.procs.stop(client)
    finally:
        ctx.procs.stop(proc)
    n = s.idle_connections
    return ((after[0] - before[0]) * 1024 / n, (after[1] - before[1]) * 1024 / n,
            before, after)


def read_line(client, timeout):
    import select
    deadline = time.monotonic() + timeout
    stream = client.popen.stdout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.2)
        if ready:
            return stream.readline().decode(errors="replace").strip()
        if client.poll() is not None:
            return ""
    return ""


def run_memory(ctx):
    s = ctx.settings
    ours, theirs, ours_pss, theirs_pss, detail = [], [], [], [], []
    for r in range(s.memory_rounds):
        log("memory: %d idle keep-alive connections, round %d/%d"
            % (s.idle_connections, r + 1, s.memory_rounds))
        rss, pss, before, after = idle_memory(ctx, "http-server", lambda: peers.start_http_server(
            ctx.procs, ctx.bin / "http-server", 1, ctx.out / "logs" / "http-server.log",
            ["--idle-timeout", "10m", "--max-connections", "100000"]))
        ours.append(rss)
        ours_pss.append(pss)
        detail.append({"server": "http-server", "before_kib": before, "after_kib": after})
        rss, pss, before, after = idle_memory(ctx, "nginx", lambda: peers.start_nginx(
            ctx.procs, ctx.work / "nginx-memory", 1, ctx.out / "logs" / "nginx.log"))
        theirs.append(rss)
        theirs_pss.append(pss)
        detail.append({"server": "nginx", "before_kib": before, "after_kib": after})
    return [Row("memory", "http-server memory per idle keep-alive connection (%s connections, "
                "RSS growth)" % "{:,}".format(s.idle_connections), "B", median(ours), "nginx, one worker",
                median(theirs), "<= 1.0x nginx", higher_is_better=False, target=1.0,
                notes="PSS growth: %s B vs nginx %s B" % (fmt(median(ours_pss)),
                                                         fmt(median(theirs_pss))),
                samples={"parley_rss": ours, "nginx_rss": theirs, "parley_pss": ours_pss,
                         "nginx_pss": theirs_pss, "detail": detail},
                ratios=[a / b for a, b in zip(ours, theirs) if b > 0])]


def chat_load(ctx, port, mode, clients, lines, timeout_ms):
    cmd = [str(ctx.bin / "bench_chat_load"), "--port", str(port), "--mode", mode, "--clients",
           str(clients), "--lines", str(lines), "--timeout-ms", str(timeout_ms)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_ms / 1000 + 60)
    with open(ctx.out / "logs" / "chat-load.log", "a") as f:
        f.write(" ".join(cmd) + "\n" + result.stdout + result.stderr)
    try:
        data = json.loads(result.stdout)
    except ValueError:
        raise PeerError("bench_chat_load failed: " + result.stderr.strip()[-300:])
    if data["error"]:
        raise PeerError("bench_chat_load: " + data["error"])
    return data


def run_chat(ctx):
    s = ctx.settings
    start_ours = lambda: peers.start_chat_server(ctx.procs, ctx.bin / "chat-server",  # noqa: E731
                                                 ctx.out / "logs" / "chat-server.log")
    start_ncat = lambda clients: peers.start_ncat_chat(  # noqa: E731
        ctx.procs, ctx.out / "logs" / "ncat.log", clients + 100)

    def once(start, mode, clients, lines, timeout_ms):
        proc, port = start()
        try:
            return chat_load(ctx, port, mode, clients, lines, timeout_ms)
        finally:
            ctx.procs.stop(proc)

    ours, theirs = [], []
    for r in range(s.chat_rounds):
        log("chat: fan-out, %d clients, %d lines, round %d/%d"
            % (s.chat_clients, s.chat_lines, r + 1, s.chat_rounds))
        ours.append(once(start_ours, "fanout", s.chat_clients, s.chat_lines, 60000))
        theirs.append(once(lambda: start_ncat(s.chat_clients), "fanout", s.chat_clients,
                           s.chat_lines, 60000))
    lost = sum(d["missing"] + d["damaged"] + d["unprefixed"] for d in ours)
    rows = [Row("chat", "chat-server fan-out: line deliveries/s, %d clients, one sends %s lines"
                % (s.chat_clients, "{:,}".format(s.chat_lines)), "lines/s",
                median([d["deliveries_per_second"] for d in ours]), "ncat --chat",
                median([d["deliveries_per_second"] for d in theirs]),
                ">= 1.0x ncat, no line lost or damaged", target=1.0, extra_ok=lost == 0,
                notes="chat-server: %d lines lost or damaged; ncat: %s of %s deliveries damaged, "
                      "%d missing" % (lost, fmt(median([d["damaged"] for d in theirs])),
                                     "{:,}".format(theirs[0]["receivers"] * s.chat_lines),
                                     max(d["missing"] for d in theirs)),
                samples={"parley": ours, "ncat": theirs},
                ratios=[a["deliveries_per_second"] / b["deliveries_per_second"]
                        for a, b in zip(ours, theirs)])]

    ours, theirs = [], []
    for r in range(s.latency_rounds):
        log("chat: latency to the %dth receiver, %d lines, round %d/%d (ncat takes a while to "
            "seat %d clients)" % (s.latency_clients - 1, s.latency_lines, r + 1,
                                  s.latency_rounds, s.latency_clients))
        ours.append(once(start_ours, "latency", s.latency_clients, s.latency_lines, 300000))
        theirs.append(once(lambda: start_ncat(s.latency_clients), "latency", s.latency_clients,
                           s.latency_lines, 600000))
    rows.append(Row("chat", "chat-server latency: one line to its %dth receiver (median)"
                    % (s.latency_clients - 1), "ms",
                    median([x for d in ours for x in d["samples_ms"]]), "ncat --chat",
                    median([x for d in theirs for x in d["samples_ms"]]),
                    "report (lower is better)", higher_is_better=False,
                    samples={"parley_ms": [d["samples_ms"] for d in ours],
                             "ncat_ms": [d["samples_ms"] for d in theirs]},
                    ratios=[a["median_ms"] / b["median_ms"] for a, b in zip(ours, theirs)]))
    return rows


def scenario_suite(count):
    one = ("- name: one request {i}\n  target: http\n  steps:\n    - connect: c\n"
           "    - send: {{text: \"GET / HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n\"}}\n"
           "    - expect: {{http: {{status: 200, body: {{contains: Hola}}}}}}\n"
           "    - close: c\n")
    return "".join(one.format(i=i) for i in range(count))


def run_runner(ctx):
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


def fuzz_once(ctx, binary, name, seconds):
    work = Path(tempfile.mkdtemp(prefix=name + "-", dir=ctx.work))
    (work / "corpus").mkdir()
    args = [str(binary), "-max_total_time=%d" % seconds, "-print_final_stats=1", "-timeout=10",
            "-rss_limit_mb=2560", "-artifact_prefix=%s/" % work]
    if (ROOT / "corpus" / (name + ".dict")).is_file():
        args.append("-dict=%s" % (ROOT / "corpus" / (name + ".dict")))
    args.append(str(work / "corpus"))
    for seeds in (ROOT / "corpus" / name, ROOT / "corpus" / "regressions" / name):
        if seeds.is_dir():
            args.append(str(seeds))
    result = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 120)
    with open(ctx.out / "logs" / "fuzz.log", "a") as f:
        f.write("== %s\n%s\n" % (" ".join(args), result.stderr[-3000:]))
    rate = re.search(r"stat::average_exec_per_sec:\s+(\d+)", result.stderr)
    units = re.search(r"stat::number_of_executed_units:\s+(\d+)", result.stderr)
    # A finding is kept, never lost with the scratch folder: OUT/fuzz-findings/<fuzzer>/.
    artifacts = [a for a in work.iterdir() if a.is_file() and
                 a.name.startswith(("crash-", "timeout-", "oom-", "leak-", "slow-unit-"))]
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


def run_fuzz(ctx):
    s = ctx.settings
    bin_dir = ctx.fuzz_build / "bin"
    fuzzers = sorted(p.name for p in bin_dir.glob("fuzz_*") if p.is_file() and
                     os.access(p, os.X_OK)) if bin_dir.is_dir() else []
    if "fuzz_empty" not in fuzzers:
        return [unavailable("fuzz", "fuzzers' exec/s under ASan+UBSan",
                            "no fuzz build with fuzz_empty in %s" % ctx.fuzz_build)]
    others = [f for f in fuzzers if f != "fuzz_empty"]
    rates = {f: [] for f in fuzzers}
    notes = {f: [] for f in fuzzers}
    for r in range(s.fuzz_rounds):
        for name in ["fuzz_empty"] + others:
            log("fuzz: %s for %ds, round %d/%d" % (name, s.fuzz_seconds, r + 1, s.fuzz_rounds))
            rate, _, code = fuzz_once(ctx, bin_dir / name, name, s.fuzz_seconds)
            rates[name].append(rate)
            if code != 0:
                notes[name].append("exit %d: a finding, kept in fuzz-findings/%s/ (replay it: "
                                   "%s/bin/%s FILE; see logs/fuzz.log)"
                                   % (code, name, ctx.fuzz_build, name))
    empty = median(rates["fuzz_empty"])
    rows = []
    for f in others:
        rows.append(Row("fuzz", "%s exec/s under ASan+UBSan (%ds runs with its seeds)"
                        % (f, s.fuzz_seconds), "exec/s", median(rates[f]),
                        "fuzz_empty, same build", empty, "report; investigate < 0.1x",
                        target=0.1, notes="; ".join(sorted(set(notes[f]))),
                        samples={"fuzzer": rates[f], "fuzz_empty": rates["fuzz_empty"]},
                        ratios=[a / b for a, b in zip(rates[f], rates["fuzz_empty"]) if b]))
    return rows


RUNNERS = {
    "parser": run_parser,
    "http-server": run_http_server,
    "memory": run_memory,
    "chat": run_chat,
    "runner": run_runner,
    "fuzz": run_fuzz,
}

# ---------------------------------------------------------------------------------------------
# Profiles


def profile(ctx):
    out = ctx.out / "profile"
    out.mkdir(parents=True, exist_ok=True)
    texts = []
    if shutil.which("valgrind") and (ctx.bin / "http_parser_bench").exists():
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
            text = "callgrind, %s (instructions, self):\n%s\n" % (flt, "\n".join(top))
            (out / ("%s.txt" % name)).write_text(report)
            texts.append(text)
    if shutil.which("perf") and shutil.which("wrk"):
        server, port = peers.start_http_server(ctx.procs, ctx.bin / "http-server", 1,
                                               ctx.out / "logs" / "http-server.log")
        data = out / "http-server.perf.data"
        try:
            log("profile: perf record of http-server under wrk")
            perf = ctx.procs.start("perf", ["perf", "record", "-e", "cpu-clock", "-F", "999",
                                            "-g", "-o", data, "-p", str(server.pid)],
                                   ctx.out / "logs" / "perf.log")
            time.sleep(0.5)
            wrk(ctx, port, ctx.settings.wrk_seconds, "http-server under perf", server)
            os.killpg(perf.pid, signal.SIGINT)
            perf.popen.wait(30)
            ctx.procs.stop(perf)
        finally:
            ctx.procs.stop(server)
        report = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--stdio",
                                 "--sort", "dso,symbol", "-g", "none", "--percent-limit", "0.7"],
                                capture_output=True, text=True).stdout
        (out / "http-server.txt").write_text(report)
        top = [line for line in report.splitlines() if re.match(r"^\s+[\d.]+%", line)][:25]
        texts.append("perf (cpu-clock samples, self), http-server under wrk -t1 -c50:\n%s\n"
                     % "\n".join(top))
    bin_dir = ctx.fuzz_build / "bin"
    if shutil.which("perf") and bin_dir.is_dir():
        for binary in sorted(bin_dir.glob("fuzz_*")):
            if binary.name == "fuzz_empty" or not os.access(binary, os.X_OK):
                continue
            log("profile: perf record of %s" % binary.name)
            work = Path(tempfile.mkdtemp(prefix=binary.name + "-", dir=ctx.work))
            data = out / ("%s.perf.data" % binary.name)
            args = ["perf", "record", "-e", "cpu-clock", "-F", "999", "-o", str(data), "--",
                    str(binary), "-max_total_time=%d" % ctx.settings.fuzz_seconds,
                    "-artifact_prefix=%s/" % work, str(work)]
            seeds = ROOT / "corpus" / binary.name
            if seeds.is_dir():
                args.append(str(seeds))
            subprocess.run(args, capture_output=True, timeout=ctx.settings.fuzz_seconds + 120)
            shutil.rmtree(work, ignore_errors=True)
            report = subprocess.run(["perf", "report", "-i", str(data), "--no-children",
                                     "--stdio", "--sort", "dso,symbol", "--percent-limit", "1"],
                                    capture_output=True, text=True).stdout
            (out / ("%s.txt" % binary.name)).write_text(report)
            top = [line.rstrip()[:150] for line in report.splitlines()
                   if re.match(r"^\s+[\d.]+%", line)][:12]
            texts.append("perf (cpu-clock samples, self), %s with its seeds for %ds:\n%s\n"
                         % (binary.name, ctx.settings.fuzz_seconds, "\n".join(top)))
    return texts


# ---------------------------------------------------------------------------------------------
# Output


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


# ---------------------------------------------------------------------------------------------
# Main


class Context:
    pass


def build(ctx, args):
    targets = sorted({t for s in ctx.sections for t in RELEASE_TARGETS.get(s, [])}
                     | ({"http_parser_bench", "http-server"} if args.profile else set()))
    if targets:
        log("building %s into %s" % (" ".join(targets), ctx.build))
        subprocess.run(["cmake", "-S", str(ROOT), "-B", str(ctx.build), "-G", "Ninja",
                        "-DCMAKE_CXX_COMPILER=g++", "-DCMAKE_BUILD_TYPE=Release",
                        "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -g -DNDEBUG", "-DPARLEY_BENCHMARKS=ON",
                        "-DPARLEY_SANITIZE=OFF", "-DPARLEY_FUZZ=OFF"], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", str(ctx.build), "--target"] + targets
                       + ["-j", str(os.cpu_count() or 2)], check=True)
    if "fuzz" in ctx.sections:
        # The project's fuzz preset (clang-14, libFuzzer, ASan+UBSan), in a folder of its own.
        log("building the fuzzers (fuzz preset) into %s" % ctx.fuzz_build)
        subprocess.run(["cmake", "--preset", "fuzz", "-S", str(ROOT), "-B", str(ctx.fuzz_build)],
                       check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        subprocess.run(["cmake", "--build", str(ctx.fuzz_build), "--target", "fuzzers", "-j",
                        str(os.cpu_count() or 2)], check=True)


DESCRIPTION = """\
Measures parley next to real peers, side by side in one run on this machine, and prints a table
(also OUT/bench.md and OUT/bench.json): each figure, its reference from the same run, the ratio
and the goal. Sections: the HTTP parser (vs Boost.Beast), http-server requests/s (vs nginx, with
wrk) and memory per idle connection (vs nginx), chat-server fan-out and latency (vs ncat --chat),
the runner (vs a plain Asio client) and the fuzzers' exec/s (vs an empty fuzz target).

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


def main(argv):
    args = parse_args(argv)
    if args.list:
        print("\n".join(SECTIONS))
        return 0
    ctx = Context()
    ctx.t0 = time.monotonic()
    started = datetime.datetime.now()
    ctx.loadavg = os.getloadavg()
    ctx.sections = args.sections
    ctx.settings = Settings(args)
    ctx.build = args.build_dir.resolve()
    ctx.bin = ctx.build / "bin"
    ctx.fuzz_build = args.fuzz_build_dir.resolve()
    ctx.out = (args.out or ROOT / "build" / "bench-results").resolve()
    (ctx.out / "logs").mkdir(parents=True, exist_ok=True)
    for old in (ctx.out / "logs").iterdir():
        old.unlink()
    ctx.procs = peers.Processes()

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
        subprocess.run(["bash", str(ROOT / "ci" / "setup.sh"), "build", "bench"], check=True)
    for tool in ("wrk", "nginx", "ncat"):
        if shutil.which(tool) is None:
            log("warning: %s is missing (ci/setup.sh bench)" % tool)
    if not args.no_build:
        build(ctx, args)

    rows, profiles = [], []
    ctx.work = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    try:
        for section in ctx.sections:
            log("== %s" % section)
            try:
                rows += RUNNERS[section](ctx)
            except (PeerError, subprocess.SubprocessError, OSError) as e:
                log("%s failed: %s" % (section, e))
                rows.append(unavailable(section, section, str(e)))
            finally:
                ctx.procs.stop_all()
        if args.profile:
            try:
                profiles = profile(ctx)
            except (PeerError, subprocess.SubprocessError, OSError) as e:
                log("profiling failed: %s" % e)
    except KeyboardInterrupt:
        log("interrupted; stopping everything")
        ctx.procs.stop_all()
        write_outputs(ctx, rows, profiles, started)
        return 130
    finally:
        ctx.procs.stop_all()
        shutil.rmtree(ctx.work, ignore_errors=True)

    print()
    print_table(rows)
    write_outputs(ctx, rows, profiles, started)
    print()
    log("wrote %s and %s (%.0f s)" % (ctx.out / "bench.md", ctx.out / "bench.json",
                                      time.monotonic() - ctx.t0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
