"""The campaign's child processes: each leads a process group of its own, so that stopping one
reaches everything it started (libFuzzer's fork-mode jobs, AFL++'s fork server), and every wait
for one is bounded and ends with it reaped."""

import os
import signal
import subprocess


def _signal_group(popen, number):
    try:
        os.killpg(popen.pid, number)
    except (ProcessLookupError, PermissionError):
        pass


class Running:
    """The processes of one fuzzer's run. The terminal's Ctrl-C does not reach them (they are in
    groups of their own); the campaign forwards it with stop()."""

    def __init__(self):
        self._procs = []

    def start(self, args, log, env=None):
        """Starts `args` with stdout and stderr to the file `log`, stdin from /dev/null."""
        with open(log, "wb") as out:
            popen = subprocess.Popen([str(a) for a in args], stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT, env=env,
                                     process_group=0)
        self._procs.append(popen)
        return popen

    def alive(self):
        return any(p.poll() is None for p in self._procs)

    def signal(self, number, group=True):
        """Sends `number` to each running process, or to its whole group with `group`."""
        for p in self._procs:
            if p.poll() is None:
                if group:
                    _signal_group(p, number)
                else:
                    p.send_signal(number)

    def wait(self, seconds):
        """Waits up to `seconds` for every process to exit; True when they all have."""
        for p in self._procs:
            try:
                p.wait(max(0.0, seconds))
            except subprocess.TimeoutExpired:
                return False
        return True

    def kill(self):
        """SIGKILL to every group, and reaps every process. Safe to call more than once."""
        for p in self._procs:
            _signal_group(p, signal.SIGKILL)
            p.wait()


def run_bounded(args, seconds, env=None, output=True):
    """Runs `args` in a process group of its own for at most `seconds`, then kills the group.
    Returns (exit code or None when killed, stdout and stderr as text, or "" without `output`).
    Any exception (a second Ctrl-C) kills and reaps the group before it goes on."""
    popen = subprocess.Popen([str(a) for a in args], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE if output else subprocess.DEVNULL,
                             stderr=subprocess.STDOUT if output else subprocess.DEVNULL,
                             env=env, process_group=0)
    try:
        data, _ = popen.communicate(timeout=seconds)
        code = popen.returncode
    except subprocess.TimeoutExpired:
        _signal_group(popen, signal.SIGKILL)
        data, _ = popen.communicate()
        code = None
    except BaseException:
        _signal_group(popen, signal.SIGKILL)
        popen.wait()
        raise
    # Whatever the process left in its group (a minimizer's or a merge's children) goes too.
    _signal_group(popen, signal.SIGKILL)
    return code, (data or b"").decode("utf-8", "replace")
