"""The builds: the bench preset (g++, -O2 -g, no sanitizers) for the targets, the load tools and
the benchmark programs, the fuzz preset (clang-14, libFuzzer, ASan+UBSan) for the fuzzers, and
the afl preset for grey-box `parley fuzz`, each in a folder of its own (--build-dir,
--fuzz-build-dir, --afl-build-dir)."""

import os
import shutil
import subprocess

from ci.bench.context import ROOT, log


def _build_preset(preset, build_dir, targets):
    subprocess.run(["cmake", "--preset", preset, "-S", str(ROOT), "-B", str(build_dir)],
                   check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    subprocess.run(["cmake", "--build", str(build_dir), "--target"] + targets
                   + ["-j", str(os.cpu_count() or 2)], check=True)


def build(ctx, targets, fuzzers, afl=False):
    """Builds `targets` into ctx.build; with `fuzzers`, every fuzzer into ctx.fuzz_build; with
    `afl`, http-server and chat-server with AFL++ instrumentation into ctx.afl_build (when
    afl-clang-fast++ is there)."""
    if targets:
        log("building %s into %s" % (" ".join(targets), ctx.build))
        _build_preset("bench", ctx.build, targets)
    if fuzzers:
        log("building the fuzzers (fuzz preset) into %s" % ctx.fuzz_build)
        _build_preset("fuzz", ctx.fuzz_build, ["fuzzers"])
    if afl:
        if shutil.which("afl-clang-fast++") is None:
            log("warning: afl-clang-fast++ is missing (ci/setup.sh fuzz): no grey-box rows")
            return
        log("building the targets with AFL++ instrumentation (afl preset) into %s"
            % ctx.afl_build)
        os.environ["AFL_QUIET"] = "1"
        _build_preset("afl", ctx.afl_build, ["http-server", "chat-server"])
