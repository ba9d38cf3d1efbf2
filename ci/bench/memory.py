"""Memory per idle keep-alive connection: the RSS (and PSS) growth of http-server and of nginx
with one worker while bench_idle_clients holds many connections open."""

import select
import subprocess
import time

from ci.bench import peers
from ci.bench.context import log
from ci.bench.http_server import ENGINES
from ci.bench.peers import PeerError
from ci.bench.rows import Row, fmt, median

TARGETS = ["http-server", "bench_idle_clients"]


def idle_memory(ctx, name, start):
    """Starts a server with start(), opens the idle connections; returns bytes per connection
    (RSS, PSS)."""
    s = ctx.settings
    proc, port = start()
    try:
        peers.check_page(port, name)
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
    deadline = time.monotonic() + timeout
    stream = client.popen.stdout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.2)
        if ready:
            return stream.readline().decode(errors="replace").strip()
        if client.poll() is not None:
            return ""
    return ""


def run(ctx):
    s = ctx.settings
    ours = {engine: ([], []) for engine in ENGINES}  # (RSS, PSS) growth per round
    theirs, theirs_pss, detail = [], [], []
    for r in range(s.memory_rounds):
        log("memory: %d idle keep-alive connections, round %d/%d"
            % (s.idle_connections, r + 1, s.memory_rounds))
        for engine in ENGINES:
            rss, pss, before, after = idle_memory(
                ctx, "http-server", lambda engine=engine: peers.start_http_server(
                    ctx.procs, ctx.bin / "http-server", 1, ctx.out / "logs" / "http-server.log",
                    ["--idle-timeout", "10m", "--max-connections", "100000", "--io", engine]))
            ours[engine][0].append(rss)
            ours[engine][1].append(pss)
            detail.append({"server": "http-server --io " + engine, "before_kib": before,
                           "after_kib": after})
        rss, pss, before, after = idle_memory(ctx, "nginx", lambda: peers.start_nginx(
            ctx.procs, ctx.work / "nginx-memory", 1, ctx.out / "logs" / "nginx.log"))
        theirs.append(rss)
        theirs_pss.append(pss)
        detail.append({"server": "nginx", "before_kib": before, "after_kib": after})
    rows = []
    for engine in ENGINES:
        rss, pss = ours[engine]
        rows.append(Row(
            "memory", "http-server --io %s memory per idle keep-alive connection (%s connections, "
            "RSS growth)" % (engine, "{:,}".format(s.idle_connections)), "B", median(rss),
            "nginx, one worker", median(theirs), "<= 1.0x nginx", higher_is_better=False,
            target=1.0, notes="PSS growth: %s B vs nginx %s B" % (fmt(median(pss)),
                                                                 fmt(median(theirs_pss))),
            samples={"parley_rss": rss, "nginx_rss": theirs, "parley_pss": pss,
                     "nginx_pss": theirs_pss, "detail": detail},
            ratios=[a / b for a, b in zip(rss, theirs) if b > 0]))
    return rows
