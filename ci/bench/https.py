"""http-server over TLS against nginx over TLS, same certificate (self-signed P-256, made for
the run) and the cipher both pick for wrk (TLS 1.3, OpenSSL's defaults): keep-alive requests/s
with wrk -t1 -c50, and full handshakes/s (wrk with `Connection: close`, so every request is a
new connection and a new handshake). One thread against one nginx worker."""

import re
import subprocess

from ci.bench import peers
from ci.bench.context import log
from ci.bench.peers import PeerError
from ci.bench.rows import Row, median

TARGETS = ["http-server"]


def wrk(ctx, port, seconds, tag, close=False):
    """Requests/s of wrk over https, and the problems it saw."""
    cmd = ["wrk", "-t1", "-c50" if not close else "-c8", "-d%ss" % seconds]
    if close:
        cmd += ["-H", "Connection: close"]
    cmd.append("https://127.0.0.1:%d/" % port)
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    with open(ctx.out / "logs" / "wrk-https.log", "a") as f:
        f.write("== %s: %s\n%s\n" % (tag, " ".join(cmd), result.stdout + result.stderr))
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if result.returncode != 0 or not match:
        raise PeerError("wrk failed against %s: %s" % (tag, result.stderr.strip()[-300:]))
    problems = []
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if errors:
        problems.append("%s non-2xx" % errors.group(1))
    socket_errors = re.search(r"Socket errors: (.*)", result.stdout)
    if socket_errors:
        problems.append("socket errors: " + socket_errors.group(1))
    return float(match.group(1)), problems


def run(ctx):
    s = ctx.settings
    cert, key = peers.make_certificate(ctx.work / "https-pki")
    server, port = peers.start_http_server(
        ctx.procs, ctx.bin / "http-server", 1, ctx.out / "logs" / "http-server-tls.log",
        ["--max-connections", "100000", "--tls-cert", str(cert), "--tls-key", str(key)])
    nginx, nginx_port = peers.start_nginx(ctx.procs, ctx.work / "nginx-tls", 1,
                                          ctx.out / "logs" / "nginx-tls.log", tls=(cert, key))
    rows = []
    try:
        for close, what in ((False, "keep-alive requests/s"), (True, "handshakes/s")):
            ours, theirs, problems = [], [], []
            for name, p in (("http-server", port), ("nginx", nginx_port)):
                wrk(ctx, p, s.wrk_warmup, "%s warm-up" % name, close)
            for r in range(s.http_rounds):
                log("https: %s, round %d/%d" % (what, r + 1, s.http_rounds))
                rate, trouble = wrk(ctx, port, s.wrk_seconds, "http-server tls", close)
                ours.append(rate)
                problems += ["http-server: " + t for t in trouble]
                rate, trouble = wrk(ctx, nginx_port, s.wrk_seconds, "nginx tls", close)
                theirs.append(rate)
                problems += ["nginx: " + t for t in trouble]
            how = "wrk -t1 -c8, Connection: close" if close else "wrk -t1 -c50"
            rows.append(Row("https", "http-server over TLS, %s, GET /, %s, one thread vs one "
                            "nginx worker" % (what, how), "req/s", median(ours), "nginx",
                            median(theirs), ">= 1.0x nginx", target=1.0,
                            extra_ok=not any(p.startswith("http-server") for p in problems),
                            notes="; ".join(sorted(set(problems))),
                            samples={"parley": ours, "nginx": theirs},
                            ratios=[a / b for a, b in zip(ours, theirs)]))
    finally:
        ctx.procs.stop(server)
        ctx.procs.stop(nginx)
    return rows
