"""http-server against nginx: requests/s of wrk on keep-alive GET /, one thread against one
nginx worker and two against two, and the CPU time each server spends per request."""

import re
import subprocess

from ci.bench import peers
from ci.bench.context import log
from ci.bench.peers import PeerError
from ci.bench.rows import Row, median

TARGETS = ["http-server"]


def wrk(ctx, port, seconds, tag, server=None):
    """Requests/s of `wrk -t1 -c50`, problems seen, and (with `server`) the server's CPU
    microseconds per request."""
    cmd = ["wrk", "-t1", "-c50", "-d%ss" % seconds, "http://127.0.0.1:%d/" % port]
    cpu_before = peers.cpu_seconds(server.pid) if server else 0
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    cpu = peers.cpu_seconds(server.pid) - cpu_before if server else 0
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


def run(ctx):
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
            peers.check_page(port, "http-server")
            peers.check_page(nginx_port, "nginx")
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
