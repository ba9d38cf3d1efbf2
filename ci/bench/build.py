"""The builds: the bench preset (g++, -O2 -g, no sanitizers) for the targets, the load tools and
the benchmark programs, and the fuzz preset (clang-14, libFuzzer, ASan+UBSan) for the fuzzers,
each in a folder of its own (--build-dir, --fuzz-build-dir)."""

import os
import subprocess

from ci.bench.context import ROOT, log


def _build_preset(preset, build_dir, targets):
    subprocess.run(["cmake", "--preset", preset, "-S", str(ROOT), "-B", str(build_dir)],
                   check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    subprocess.run(["cmake", "--build", str(build_dir), "--target"] + targets
                   + ["-j", str(os.cpu_count() or 2)], check=True)


def build(ctx, targets, fuzzers):
    """Builds `targets` into ctx.build and, with `fuzzers`, every fuzzer into ctx.fuzz_build."""
    if targets:
        log("building %s into %s" % (" ".join(targets), ctx.build))
        _build_preset("bench", ctx.build, targets)
    if fuzzers:
        log("building the fuzzers (fuzz preset) into %s" % ctx.fuzz_build)
        _build_preset("fuzz", ctx.fuzz_build, ["fuzzers"])
