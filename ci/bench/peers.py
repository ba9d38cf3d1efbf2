"""Processes for ci/bench.sh: the targets, their real peers (nginx, ncat) and the load tools.

Every process starts in a process group of its own and is registered; Processes.stop_all() (run on
every exit path) stops each one with SIGTERM to its whole process group, then SIGKILL after a
grace period, and reaps it.
"""

import os
import re
import resource
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import NamedTuple, Optional

from ci.bench.rows import median

HOLA_MUNDO = "<h1>Hola Mundo</h1>\n"


class PeerError(RuntimeError):
    pass


def run_timed(args, log_path, limit=600.0):
    """Runs a command to its end, its output appended to `log_path`; returns (exit code, wall
    ms). The wait blocks in waitpid, so the time is exact: Popen.wait(timeout) polls with sleeps
    of up to 50 ms, which would round every time up to the next poll. A timer kills the command
    after `limit` seconds."""
    with open(log_path, "ab") as log_file:
        start = time.monotonic()
        proc = subprocess.Popen([str(a) for a in args], stdout=log_file, stderr=log_file,
                                stdin=subprocess.DEVNULL)
    watchdog = threading.Timer(limit, proc.kill)
    watchdog.start()
    try:
        code = proc.wait()
    finally:
        watchdog.cancel()
    return code, (time.monotonic() - start) * 1000


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise PeerError("%s exited with %s before listening" % (proc.name, proc.returncode))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    raise PeerError("nothing listens on 127.0.0.1:%d after %ss" % (port, timeout))


def check_page(port, name):
    """Raises PeerError unless the server on `port` serves the benchmark's page."""
    status, _, body = get(port)
    if status != 200 or body != HOLA_MUNDO:
        raise PeerError("%s does not serve the page: %d %r" % (name, status, body[:80]))


def get(port, path="/", timeout=5.0):
    """One HTTP/1.1 request on a fresh connection; returns (status, headers text, body)."""
    request = "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" % path
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request.encode())
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.") else 0
    return status, head.decode("latin-1"), body.decode("latin-1")


def keep_alive_response_size(port):
    """Bytes of the response to a keep-alive GET / (what wrk receives per request)."""
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
        while len(body) < length:
            body += s.recv(65536)
        return len(head) + 4 + length


class Proc:
    def __init__(self, name, popen, log):
        self.name = name
        self.popen = popen
        self.log = log
        self.pid = popen.pid

    def poll(self):
        return self.popen.poll()

    @property
    def returncode(self):
        return self.popen.returncode


class Processes:
    def __init__(self):
        self.live = []

    def start(self, name, args, log, stdin=None, stdout=None, env=None, cwd=None):
        log = Path(log)
        log.parent.mkdir(parents=True, exist_ok=True)
        out = open(log, "ab")
        try:
            popen = subprocess.Popen(
                [str(a) for a in args], stdin=stdin if stdin is not None else subprocess.DEVNULL,
                stdout=stdout if stdout is not None else out, stderr=out, env=env, cwd=cwd,
                preexec_fn=os.setpgrp)
        finally:
            out.close()
        proc = Proc(name, popen, log)
        self.live.append(proc)
        return proc

    def start_ready(self, name, args, log, ready, timeout=15.0):
        """Starts a program that prints a ready line; returns (proc, match of `ready`)."""
        log = Path(log)
        offset = log.stat().st_size if log.exists() else 0  # logs collect every run
        proc = self.start(name, args, log)
        pattern = re.compile(ready, re.M)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(log, "rb") as f:
                f.seek(offset)
                text = f.read().decode(errors="replace")
            match = pattern.search(text)
            if match:
                return proc, match
            if proc.poll() is not None:
                raise PeerError("%s exited with %s before it was ready; see %s"
                                % (name, proc.returncode, log))
            time.sleep(0.02)
        self.stop(proc)
        raise PeerError("%s printed no ready line within %ss; see %s" % (name, timeout, log))

    def stop(self, proc, grace=5.0):
        if proc not in self.live:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.popen.wait(grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.popen.wait()
        else:
            proc.popen.wait()
        # Whatever the process left in its group (nginx workers, say) goes too.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.live.remove(proc)

    def stop_all(self):
        for proc in list(reversed(self.live)):
            self.stop(proc, grace=3.0)


def process_tree(pid):
    """`pid` and its descendants (nginx: the master and its workers)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path("/proc/%s/stat" % entry).read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, []))
    return tree


def cpu_seconds(pid):
    """User and system CPU seconds of `pid` and its descendants so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in process_tree(pid):
        try:
            fields = Path("/proc/%d/stat" % p).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def memory_kib(pid):
    """(RSS, PSS) in KiB of `pid` and its descendants."""
    rss = pss = 0
    for p in process_tree(pid):
        try:
            status = Path("/proc/%d/status" % p).read_text()
            rollup = Path("/proc/%d/smaps_rollup" % p).read_text()
        except OSError:
            continue
        rss += int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1))
        pss += int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1))
    return rss, pss


NGINX_CONF = """\
# nginx as the reference for http-server: one (or two) workers serving the same 20-byte page
# from memory, with the settings a tuned deployment uses for this load.
worker_processes {workers};
daemon off;
master_process on;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
worker_rlimit_nofile {nofile};

events {{
    use epoll;
    worker_connections {connections};
}}

http {{
    access_log off;
    keepalive_timeout 600s;
    keepalive_requests 1000000;
    server_tokens off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    server {{
        listen 127.0.0.1:{port} reuseport;
        location / {{
            default_type "text/html; charset=utf-8";
            return 200 "<h1>Hola Mundo</h1>\\n";
        }}
    }}
}}
"""


def start_nginx(procs, workdir, workers, log, tls=None):
    """nginx with `workers` workers in `workdir`; returns (proc, port). With `tls`, a pair
    (certificate file, key file), it serves HTTPS with them."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    # Workers may run as another user (nobody) when started as root.
    os.chmod(workdir, 0o755)
    port = free_port()
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    conf = workdir / "nginx.conf"
    text = NGINX_CONF.format(workers=workers, dir=workdir, port=port, nofile=nofile,
                             connections=max(1024, nofile - 64))
    if tls:
        text = text.replace("listen 127.0.0.1:%d reuseport;" % port,
                            "listen 127.0.0.1:%d reuseport ssl;\n"
                            "        ssl_certificate %s;\n"
                            "        ssl_certificate_key %s;\n"
                            "        ssl_protocols TLSv1.2 TLSv1.3;\n"
                            "        ssl_session_cache shared:tls:10m;" % (port, tls[0], tls[1]))
    conf.write_text(text)
    proc = procs.start("nginx", ["nginx", "-p", workdir, "-e", workdir / "error.log", "-c", conf],
                       log)
    wait_for_port(port, 10, proc)
    return proc, port


def start_http_server(procs, binary, threads, log, extra=()):
    scheme = "https" if "--tls-cert" in extra else "http"
    proc, match = procs.start_ready(
        "http-server", [binary, "--host", "127.0.0.1", "--port", "0", "--threads", str(threads)]
        + list(extra), log, r"^listening on %s://127\.0\.0\.1:(\d+)$" % scheme)
    return proc, int(match.group(1))


def make_certificate(workdir):
    """A self-signed P-256 certificate for 127.0.0.1 in `workdir`: (cert file, key file)."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    os.chmod(workdir, 0o755)
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True, timeout=30)
    os.chmod(key, 0o644)  # nginx's workers may run as another user
    return cert, key


def start_chat_server(procs, binary, log):
    proc, match = procs.start_ready("chat-server", [binary, "--host", "127.0.0.1", "--port", "0"],
                                    log, r"^listening on 127\.0\.0\.1:(\d+)$")
    return proc, int(match.group(1))


def start_ncat_chat(procs, log, max_conns):
    port = free_port()
    proc = procs.start("ncat", ["ncat", "--chat", "-l", "127.0.0.1", str(port),
                                "--max-conns", str(max_conns)], log)
    wait_for_port(port, 10, proc)
    return proc, port


class WrkRun(NamedTuple):
    """One wrk run: requests/s, the problems wrk saw (non-2xx answers, socket errors), the
    server's CPU microseconds per request (None without a server to watch) and the cores wrk
    itself kept busy, per wrk thread (1.0: each of its threads ran all the time)."""
    rate: float
    problems: list
    server_us: Optional[float]
    client_load: float


# A wrk thread busy this share of the run or more sets the pace: the rate is then the client's
# ceiling on this machine, not the server's, and says little about the server.
CLIENT_BOUND = 0.9


def run_wrk(cmd, seconds, log_path, tag, server=None):
    """Runs the wrk command `cmd` (a run of `seconds`), appends its output to `log_path`, and
    returns a WrkRun. wrk's own CPU time comes from the kernel's accounting of reaped children,
    so it is exact and costs nothing during the run."""
    cpu_before = cpu_seconds(server.pid) if server else 0
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    wall = time.monotonic() - started
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = cpu_seconds(server.pid) - cpu_before if server else 0
    with open(log_path, "a") as f:
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
    requests = re.search(r"(\d+) requests in", result.stdout)
    per_request = cpu * 1e6 / int(requests.group(1)) if server and requests else None
    wrk_cpu = (children_after.ru_utime + children_after.ru_stime
               - children_before.ru_utime - children_before.ru_stime)
    return WrkRun(float(match.group(1)), problems, per_request,
                  wrk_cpu / wall / wrk_threads(cmd) if wall > 0 else 0.0)


def wrk_threads(cmd):
    """The number of threads a wrk command line asks for (wrk's default is 2)."""
    for i, arg in enumerate(cmd):
        if arg.startswith("-t") and len(arg) > 2:
            return int(arg[2:])
        if arg in ("-t", "--threads") and i + 1 < len(cmd):
            return int(cmd[i + 1])
    return 2


def client_bound(ours, theirs):
    """Whether wrk set the pace against both servers (lists of WrkRun.client_load)."""
    return bool(ours and theirs) and min(median(ours), median(theirs)) >= CLIENT_BOUND


def client_load_note(ours, theirs, reference):
    """A row note on how busy wrk was in the runs against us (`ours`) and against the reference
    (`theirs`), lists of WrkRun.client_load; it says when wrk set the pace."""
    a, b = median(ours), median(theirs)
    note = "wrk busy %.0f %% of its thread's time against http-server, %.0f %% against %s" % (
        100 * a, 100 * b, reference)
    if client_bound(ours, theirs):
        note += " (client-bound: the rate is wrk's ceiling on this machine for both)"
    return note

