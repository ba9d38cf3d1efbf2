"""The builds a campaign runs on: the fuzz preset (clang-14, libFuzzer, ASan+UBSan), which also
triages every finding, and for --engine afl the same targets built with afl-c++ and ASan+UBSan."""

import os
import shutil
import subprocess

from ci.fuzz import conventions


class BuildError(RuntimeError):
    pass


def _jobs():
    return str(len(os.sched_getaffinity(0)))


def libfuzzer(build_dir, targets):
    print("== building the fuzz preset into %s" % build_dir, flush=True)
    subprocess.run(["cmake", "--preset", "fuzz", "-S", conventions.ROOT, "-B", build_dir],
                   check=True, stdout=subprocess.DEVNULL, cwd=conventions.ROOT)
    subprocess.run(["cmake", "--build", build_dir, "--target"] + targets + ["-j", _jobs()],
                   check=True)


def afl(afl_dir, targets):
    if shutil.which("afl-fuzz") is None or shutil.which("afl-c++") is None:
        raise BuildError("AFL++ is missing: ci/setup.sh fuzz")
    print("== building the fuzzers with AFL++ into build/fuzz-afl", flush=True)
    env = dict(os.environ, AFL_QUIET="1")
    sanitizers = "-fsanitize=address,undefined"
    subprocess.run(["cmake", "-S", conventions.ROOT, "-B", afl_dir, "-G", "Ninja",
                    "-DCMAKE_CXX_COMPILER=afl-c++", "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                    "-DPARLEY_BENCHMARKS=OFF", "-DPARLEY_WERROR=OFF",
                    "-DCMAKE_CXX_FLAGS=%s -fno-sanitize-recover=all -fno-omit-frame-pointer"
                    % sanitizers, "-DCMAKE_EXE_LINKER_FLAGS=%s" % sanitizers,
                    "-DPARLEY_FUZZ_ENGINE=-fsanitize=fuzzer"],
                   check=True, stdout=subprocess.DEVNULL, env=env)
    subprocess.run(["cmake", "--build", afl_dir, "--target"] + targets + ["-j", _jobs()],
                   check=True, env=env)
