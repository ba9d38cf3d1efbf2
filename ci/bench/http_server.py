"""http-server against nginx: requests/s of wrk on keep-alive GET /, one thread against one
nginx worker and two against two, and the CPU time each server spends per request, for each of
http-server's engines (--io epoll, --io uring), all three servers taking turns in every round."""


from ci.bench import peers
from ci.bench.context import log
from ci.bench.rows import Row, median

TARGETS = ["http-server"]


def wrk(ctx, port, seconds, tag, server=None):
    """A peers.WrkRun of `wrk -t1 -c50` (with `server`, the server's CPU microseconds per
    request)."""
    cmd = ["wrk", "-t1", "-c50", "-d%ss" % seconds, "http://127.0.0.1:%d/" % port]
    return peers.run_wrk(cmd, seconds, ctx.out / "logs" / "wrk.log", tag, server)


# http-server's two engines (--io): Asio's epoll reactor and an io_uring per thread.
ENGINES = ("epoll", "uring")


class Samples:
    """What the rounds measured for one server: rates, CPU per request, wrk's load, problems."""

    def __init__(self):
        self.rates, self.cpu, self.load, self.problems = [], [], [], []

    def add(self, run, who):
        self.rates.append(run.rate)
        self.cpu.append(run.server_us)
        self.load.append(run.client_load)
        self.problems += ["%s: %s" % (who, t) for t in run.problems]


def run(ctx):
    rows = []
    s = ctx.settings
    for threads in (1, 2):
        label = "one thread vs one nginx worker" if threads == 1 else \
            "--threads 2 vs two nginx workers"
        servers = {}
        nginx = None
        try:
            for engine in ENGINES:
                servers[engine] = peers.start_http_server(
                    ctx.procs, ctx.bin / "http-server", threads,
                    ctx.out / "logs" / ("http-server-%s.log" % engine),
                    ["--max-connections", "100000", "--io", engine])
            nginx, nginx_port = peers.start_nginx(
                ctx.procs, ctx.work / ("nginx-%d" % threads), threads,
                ctx.out / "logs" / "nginx.log")
            for engine, (_, port) in servers.items():
                peers.check_page(port, "http-server --io " + engine)
            peers.check_page(nginx_port, "nginx")
            sizes = (peers.keep_alive_response_size(servers["epoll"][1]),
                     peers.keep_alive_response_size(nginx_port))
            ours = {engine: Samples() for engine in ENGINES}
            theirs = Samples()
            for engine, (_, port) in servers.items():
                wrk(ctx, port, s.wrk_warmup, "http-server --io %s warm-up (%d)" % (engine, threads))
            wrk(ctx, nginx_port, s.wrk_warmup, "nginx warm-up (%d)" % threads)
            for r in range(s.http_rounds):
                log("http-server: %s, round %d/%d" % (label, r + 1, s.http_rounds))
                for engine, (server, port) in servers.items():
                    ours[engine].add(wrk(ctx, port, s.wrk_seconds, "http-server --io %s --threads %d"
                                         % (engine, threads), server), "http-server")
                theirs.add(wrk(ctx, nginx_port, s.wrk_seconds, "nginx %d worker(s)" % threads,
                               nginx), "nginx")
        finally:
            for server, _ in servers.values():
                ctx.procs.stop(server)
            if nginx:
                ctx.procs.stop(nginx)
        for engine in ENGINES:
            rows += engine_rows(engine, label, ours[engine], theirs, sizes)
    return rows


def engine_rows(engine, label, ours, theirs, sizes):
    """The requests/s row and the CPU-per-request row of one engine against nginx."""
    what = "http-server --io %s" % engine
    problems = ours.problems + theirs.problems
    notes = "responses %d B (nginx %d B); %s" % (
        sizes + (peers.client_load_note(ours.load, theirs.load, "nginx"),))
    if problems:
        notes += "; " + "; ".join(sorted(set(problems)))
    # A client-bound rate measures wrk, not the servers: reported, not judged; the CPU row
    # below is then the server's figure.
    bound = peers.client_bound(ours.load, theirs.load)
    return [
        Row("http-server", "%s requests/s, keep-alive GET /, wrk -t1 -c50, %s" % (what, label),
            "req/s", median(ours.rates), "nginx", median(theirs.rates),
            ">= 1.2x nginx (not judged: client-bound)" if bound else ">= 1.2x nginx",
            target=None if bound else 1.2, extra_ok=not ours.problems, notes=notes,
            samples={"parley": ours.rates, "nginx": theirs.rates},
            ratios=[a / b for a, b in zip(ours.rates, theirs.rates)]),
        Row("http-server", "%s CPU time per request in those runs, %s" % (what, label), "us",
            median(ours.cpu), "nginx", median(theirs.cpu),
            "<= 0.83x nginx (1.2x its requests per CPU-second)", higher_is_better=False,
            target=1 / 1.2, samples={"parley": ours.cpu, "nginx": theirs.cpu},
            ratios=[a / b for a, b in zip(ours.cpu, theirs.cpu) if a and b]),
    ]
