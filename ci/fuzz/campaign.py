"""The campaign: each fuzzer in turn for its share of the time, progress lines while it runs, a
stop on Ctrl-C or SIGTERM that leaves a resumable campaign, triage and the report after each
fuzzer, and at the end, with --merge, the new corpus entries merged into corpus/<fuzzer>/.

What a fuzzer has done survives in its folder, so --resume starts where it stopped:
OUT/<fuzzer>/elapsed (seconds fuzzed so far), OUT/<fuzzer>/done, OUT/<fuzzer>/fuzz.N.log."""

import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ci.fuzz import afl, conventions, libfuzzer
from ci.fuzz.processes import Running, run_bounded
from ci.fuzz.report import report
from ci.fuzz.triage import triage

ENGINES = {"libfuzzer": libfuzzer, "afl": afl}
# libFuzzer in fork mode lets its running jobs finish after -max_total_time; a run that outlasts
# its time by more than this is stopped.
OVERRUN_SECONDS = 600
# How long a stopped run may take to write its last stats before it is killed.
STOP_GRACE_SECONDS = 60
MERGE_SECONDS = 3600
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def say(message):
    print(message, flush=True)


@dataclass
class Settings:
    fuzzers: list
    time_arg: str  # as given, for the messages and campaign.env
    seconds: int  # per fuzzer
    jobs: int
    engine: str
    timeout: int
    rss_limit_mb: int
    progress: int
    build_dir: Path  # the libFuzzer build
    afl_dir: Path
    out: Path
    merge: bool

    @property
    def bin_dir(self):
        return self.build_dir / "bin"


class Stop:
    """Ctrl-C, SIGTERM or SIGHUP while the fuzzers run stops the running one; the campaign then
    triages, writes the report and ends, resumable. Any other such signal, or one during the
    merge, ends it at once (KeyboardInterrupt), every child process killed and reaped."""

    def __init__(self):
        self.requested = False
        self.armed = False
        self._previous = {}

    def __enter__(self):
        self.armed = True
        for number in STOP_SIGNALS:
            self._previous[number] = signal.signal(number, self._on_signal)
        return self

    def __exit__(self, *_):
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _on_signal(self, _number, _frame):
        if self.armed and not self.requested:
            self.requested = True
        else:
            raise KeyboardInterrupt


class Campaign:
    def __init__(self, settings):
        self.s = settings
        self.engine = ENGINES[settings.engine]
        self.stop = Stop()

    def finish(self):
        """Triage, then the report."""
        try:
            triage(self.s.out, self.s.bin_dir, self.s.timeout, self.s.rss_limit_mb)
        except Exception as e:  # noqa: BLE001 (whatever went wrong, the report is written)
            print("ci/fuzz.sh: triage failed: %s" % e, file=sys.stderr, flush=True)
        report(self.s.out, self.s.engine)

    def budget(self, fuzzer):
        if fuzzer == conventions.CEILING:
            return min(self.s.seconds, conventions.CEILING_SECONDS)
        return self.s.seconds

    def watch(self, fuzzer, folder, running, run, elapsed, budget, seconds):
        """Prints progress every --progress seconds until the run ends, stops it on request or
        when it overruns, kills it when it does not stop; returns the seconds it ran."""
        start = time.monotonic()
        next_progress = start + self.s.progress
        stopped_at = None
        while not running.wait(1):
            now = time.monotonic()
            if stopped_at is None and (self.stop.requested
                                       or now - start > seconds + OVERRUN_SECONDS):
                if not self.stop.requested:
                    say("ci/fuzz.sh: %s outlasts its time by %ds; stopping it"
                        % (fuzzer, OVERRUN_SECONDS))
                self.engine.stop(running)
                stopped_at = now
            elif stopped_at is not None and now - stopped_at > STOP_GRACE_SECONDS:
                break  # the caller kills it
            if now >= next_progress:
                next_progress = now + self.s.progress
                say("[%s %ds/%ds] %s  artifacts: %d" % (
                    fuzzer, elapsed + int(now - start), budget, self.engine.status(folder, run),
                    len(conventions.failures_in(folder))))
        return int(time.monotonic() - start)

    def fuzz(self, fuzzer):
        """Runs one fuzzer for the rest of its budget; False when there was nothing left to run."""
        folder = self.s.out / fuzzer
        (folder / "corpus").mkdir(parents=True, exist_ok=True)
        (folder / "artifacts").mkdir(exist_ok=True)
        if (folder / "done").exists():
            say("== %s: finished earlier, skipped" % fuzzer)
            return False
        elapsed_file = folder / "elapsed"
        elapsed = int(elapsed_file.read_text()) if elapsed_file.exists() else 0
        budget = self.budget(fuzzer)
        remaining = budget - elapsed
        if remaining <= 0:
            (folder / "done").touch()
            return False
        run = len(list(folder.glob("fuzz.*.log"))) + 1
        say("== %s: fuzzing for %ds (run %d)" % (fuzzer, remaining, run))
        running = Running()
        try:
            self.engine.start(running, self.s, fuzzer, folder, remaining, run)
            elapsed += self.watch(fuzzer, folder, running, run, elapsed, budget, remaining)
        finally:
            running.kill()
        elapsed_file.write_text("%d\n" % elapsed)
        if self.stop.requested:
            say("== %s: stopped after %ds of %ds; resume with: ci/fuzz.sh --resume --out %s"
                % (fuzzer, elapsed, budget, self.s.out))
        else:
            (folder / "done").touch()
            say("== %s: done after %ds: %s" % (fuzzer, elapsed, self.engine.status(folder, run)))
        return True

    def merge(self, fuzzer):
        """libFuzzer -merge=1 of the campaign's new inputs into corpus/<fuzzer>/."""
        folder = self.s.out / fuzzer
        new = [folder / "corpus"] + sorted((folder / "afl").glob("*/queue"))
        corpus = conventions.seeds(fuzzer)
        corpus.mkdir(parents=True, exist_ok=True)
        before = sum(1 for p in corpus.iterdir() if p.is_file())
        args = [self.s.bin_dir / fuzzer, "-merge=1"]
        args += conventions.limit_flags(self.s.timeout, self.s.rss_limit_mb) + [corpus] + new
        code, text = run_bounded(args, MERGE_SECONDS)
        (folder / "merge.log").write_text(text)
        if code != 0:
            print("ci/fuzz.sh: merge of %s failed, see %s" % (fuzzer, folder / "merge.log"),
                  file=sys.stderr, flush=True)
        after = sum(1 for p in corpus.iterdir() if p.is_file())
        say("== %s: corpus/%s grew from %d to %d files" % (fuzzer, fuzzer, before, after))

    def run(self):
        """The whole campaign; returns the exit status (130 when stopped)."""
        say("== campaign: %s; %s each on %d cores (%s); output %s" % (
            " ".join(self.s.fuzzers), self.s.time_arg, self.s.jobs, self.s.engine, self.s.out))
        with self.stop:
            for fuzzer in self.s.fuzzers:
                if self.stop.requested:
                    break
                if self.fuzz(fuzzer):
                    self.finish()
            self.stop.armed = False
            if self.s.merge and not self.stop.requested:
                for fuzzer in self.s.fuzzers:
                    self.merge(fuzzer)
            self.finish()
        say("== report: %s" % (self.s.out / "report.md"))
        return 130 if self.stop.requested else 0
