"""What every section gets: the settings, the builds, the output folder and the processes."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def log(message):
    print("bench: " + message, flush=True)


class Context:
    """settings: Settings; build, bin: the release build and its bin/; fuzz_build: the fuzz
    build; afl_build: the targets built with AFL++ instrumentation; out: the output folder
    (logs in out/logs); work: a scratch folder removed at the end; procs: peers.Processes,
    every process a section starts; sections: the sections that run; t0, loadavg: when the run
    started, and the load average then."""
