"""chat-server against ncat --chat: the fan-out of one sender's lines to every member (deliveries
per second, every line checked intact and in order), and the latency of one line to the last of
many receivers."""

import json
import subprocess

from ci.bench import peers
from ci.bench.context import log
from ci.bench.peers import PeerError
from ci.bench.rows import Row, fmt, median

TARGETS = ["chat-server", "bench_chat_load"]


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


def run(ctx):
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
