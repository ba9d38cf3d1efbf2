"""http-server against nginx: requests/s of wrk on keep-alive GET /, one thread against one
nginx worker and two against two, and the CPU time each server spends per request."""


from ci.bench import peers
from ci.bench.context import log
from ci.bench.rows import Row, median

TARGETS = ["http-server"]


def wrk(ctx, port, seconds, tag, server=None):
    """A peers.WrkRun of `wrk -t1 -c50` (with `server`, the server's CPU microseconds per
    request)."""
    cmd = ["wrk", "-t1", "-c50", "-d%ss" % seconds, "http://127.0.0.1:%d/" % port]
    return peers.run_wrk(cmd, seconds, ctx.out / "logs" / "wrk.log", tag, server)


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
            our_load, their_load = [], []
            for name, p in (("http-server", port), ("nginx", nginx_port)):
                wrk(ctx, p, s.wrk_warmup, "%s warm-up (%d)" % (name, threads))
            for r in range(s.http_rounds):
                log("http-server: %s, round %d/%d" % (label, r + 1, s.http_rounds))
                run = wrk(ctx, port, s.wrk_seconds, "http-server --threads %d" % threads, server)
                ours.append(run.rate)
                our_cpu.append(run.server_us)
                our_load.append(run.client_load)
                problems += ["http-server: " + t for t in run.problems]
                run = wrk(ctx, nginx_port, s.wrk_seconds, "nginx %d worker(s)" % threads, nginx)
                theirs.append(run.rate)
                their_cpu.append(run.server_us)
                their_load.append(run.client_load)
                problems += ["nginx: " + t for t in run.problems]
        finally:
            ctx.procs.stop(server)
            ctx.procs.stop(nginx)
        notes = "responses %d B (nginx %d B); %s" % (
            sizes + (peers.client_load_note(our_load, their_load, "nginx"),))
        if problems:
            notes += "; " + "; ".join(sorted(set(problems)))
        rows.append(Row("http-server", "http-server requests/s, keep-alive GET /, wrk -t1 -c50, "
                        + label, "req/s", median(ours), "nginx", median(theirs), ">= 1.2x nginx",
                        target=1.2, extra_ok=not any(p.startswith("http-server") for p in problems),
                        notes=notes, samples={"parley": ours, "nginx": theirs},
                        ratios=[a / b for a, b in zip(ours, theirs)]))
        rows.append(Row("http-server", "http-server CPU time per request in those runs, " + label,
                        "us", median(our_cpu), "nginx", median(their_cpu),
                        "<= 0.83x nginx (1.2x its requests per CPU-second)",
                        higher_is_better=False, target=1 / 1.2,
                        samples={"parley": our_cpu, "nginx": their_cpu},
                        ratios=[a / b for a, b in zip(our_cpu, their_cpu) if a and b]))
    return rows
