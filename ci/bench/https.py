"""http-server over TLS against nginx over TLS, same certificate (self-signed P-256, made for
the run) and the cipher both pick for wrk (TLS 1.3, OpenSSL's defaults): keep-alive requests/s
with wrk -t1 -c50, and full handshakes/s (wrk with `Connection: close`, so every request is a
new connection and a new handshake). One thread against one nginx worker.

On a machine with two cores both rates are bound by wrk: wrk makes its own key share for every
connection and decrypts every response, and its thread is busy 96 to 99 % of each run against
either server. Such a client-bound rate is reported, not judged. The row after each rate gives
what the server itself spends: its CPU time per request or per handshake (user + system, from
/proc), which does not depend on the client."""


from ci.bench import peers
from ci.bench.context import log
from ci.bench.rows import Row, median

TARGETS = ["http-server"]


def wrk(ctx, port, seconds, tag, close=False, server=None):
    """A peers.WrkRun of wrk over https (with `server`, the server's CPU microseconds per
    request)."""
    cmd = ["wrk", "-t1", "-c50" if not close else "-c8", "-d%ss" % seconds]
    if close:
        cmd += ["-H", "Connection: close"]
    cmd.append("https://127.0.0.1:%d/" % port)
    return peers.run_wrk(cmd, seconds, ctx.out / "logs" / "wrk-https.log", tag, server)


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
            ours, theirs, problems, our_cpu, their_cpu = [], [], [], [], []
            our_load, their_load = [], []
            for name, p in (("http-server", port), ("nginx", nginx_port)):
                wrk(ctx, p, s.wrk_warmup, "%s warm-up" % name, close)
            for r in range(s.http_rounds):
                log("https: %s, round %d/%d" % (what, r + 1, s.http_rounds))
                run = wrk(ctx, port, s.wrk_seconds, "http-server tls", close, server)
                ours.append(run.rate)
                our_cpu.append(run.server_us)
                our_load.append(run.client_load)
                problems += ["http-server: " + t for t in run.problems]
                run = wrk(ctx, nginx_port, s.wrk_seconds, "nginx tls", close, nginx)
                theirs.append(run.rate)
                their_cpu.append(run.server_us)
                their_load.append(run.client_load)
                problems += ["nginx: " + t for t in run.problems]
            how = "wrk -t1 -c8, Connection: close" if close else "wrk -t1 -c50"
            # As for http-server: a client-bound rate measures wrk and is reported, not judged;
            # the CPU row below is then the server's figure.
            bound = peers.client_bound(our_load, their_load)
            rows.append(Row("https", "http-server over TLS, %s, GET /, %s, one thread vs one "
                            "nginx worker" % (what, how), "req/s", median(ours), "nginx",
                            median(theirs),
                            ">= 1.0x nginx (not judged: client-bound)" if bound
                            else ">= 1.0x nginx", target=None if bound else 1.0,
                            extra_ok=not any(p.startswith("http-server") for p in problems),
                            notes="; ".join(sorted(set(problems)) + [peers.client_load_note(
                                our_load, their_load, "nginx")]),
                            samples={"parley": ours, "nginx": theirs},
                            ratios=[a / b for a, b in zip(ours, theirs)]))
            unit = "handshake" if close else "request"
            rows.append(Row("https", "http-server over TLS, CPU time per %s in those runs (the "
                            "server's own cost; the rate above shares two cores with wrk)" % unit,
                            "us", median(our_cpu), "nginx", median(their_cpu),
                            "<= nginx (lower is better)", higher_is_better=False, target=1.0,
                            samples={"parley": our_cpu, "nginx": their_cpu},
                            ratios=[a / b for a, b in zip(our_cpu, their_cpu) if a and b]))
    finally:
        ctx.procs.stop(server)
        ctx.procs.stop(nginx)
    return rows
