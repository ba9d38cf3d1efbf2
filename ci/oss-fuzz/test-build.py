#!/usr/bin/env python3
"""usage: ci/oss-fuzz/test-build.py DIR [--cxx COMPILER] [--no-build]

Runs the services' build as ClusterFuzzLite does, without Docker: .clusterfuzzlite/build.sh
(which runs ci/oss-fuzz/build.sh) as $SRC/build.sh, with the source at $SRC/parley, the
environment OSS-Fuzz sets for libFuzzer under AddressSanitizer (its CC, CXX, CFLAGS, CXXFLAGS
and LIB_FUZZING_ENGINE), and SRC, WORK and OUT under DIR. $OUT is emptied first, as the services
hand over an empty one; $WORK is kept, so a second run only rebuilds what changed.

Then checks $OUT against what the project defines:
  - one binary per parley_fuzzer() in the CMakeLists, but fuzz_empty, and no other fuzz_*;
  - <fuzzer>_seed_corpus.zip when corpus/<fuzzer>/ or corpus/regressions/<fuzzer>/ has inputs:
    not empty, holding each of them once, named by the SHA-1 of its content;
  - <fuzzer>.dict, a copy of corpus/<fuzzer>.dict, and <fuzzer>.options, a [libfuzzer] section
    with corpus/<fuzzer>.options' settings and `dict = <fuzzer>.dict`;
  - every shared library a fuzzer loads is a C or C++ runtime, or in $OUT/lib;
  - each fuzzer runs the first input of its seed archive (an empty input without one), with its
    dictionary, and exits 0.
Exits 0 when all holds, 1 otherwise. CTest runs it in the 'fuzz' preset (test oss_fuzz_build)."""

import argparse
import hashlib
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ci.fuzz import conventions  # noqa: E402

# OSS-Fuzz's flags for SANITIZER=address with FUZZING_ENGINE=libfuzzer (docs/fuzzing.md).
CFLAGS = ("-O1 -fno-omit-frame-pointer -gline-tables-only "
          "-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -fsanitize=address "
          "-fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link")
RUNTIMES = re.compile(r"^(linux-vdso|ld-linux[^/]*|lib(c|m|dl|rt|pthread|resolv|stdc\+\+|gcc_s))"
                      r"\.so(\.[0-9.]+)?$")


def declared_fuzzers(root):
    """The names of the parley_fuzzer() calls in the project's CMakeLists.txt files."""
    names = set()
    for cmake in root.rglob("CMakeLists.txt"):
        if "build" in cmake.relative_to(root).parts[:1]:
            continue
        names.update(re.findall(r"^\s*parley_fuzzer\(\s*([A-Za-z0-9_]+)", cmake.read_text(), re.M))
    return sorted(names - {conventions.CEILING})


def input_hashes(fuzzer):
    """The SHA-1 names of the distinct inputs in the fuzzer's seed and regression folders."""
    return {hashlib.sha1(path.read_bytes()).hexdigest()
            for folder in conventions.input_dirs(fuzzer)
            for path in folder.iterdir() if path.is_file()}


def environment(directory, cxx):
    cc = re.sub(r"clang\+\+", "clang", cxx)
    env = dict(os.environ)
    env.pop("LD_LIBRARY_PATH", None)
    env.update(CC=cc, CXX=cxx, CFLAGS=CFLAGS, CXXFLAGS=CFLAGS + " -stdlib=libc++",
               LIB_FUZZING_ENGINE="-fsanitize=fuzzer", SANITIZER="address",
               FUZZING_ENGINE="libfuzzer", ARCHITECTURE="x86_64", FUZZING_LANGUAGE="c++",
               SRC=str(directory / "src"), WORK=str(directory / "work"),
               OUT=str(directory / "out"))
    env.pop("PARLEY_SRC", None)
    return env


def build(directory, env):
    """Lays out $SRC as the Dockerfile does and runs $SRC/build.sh in $SRC/parley."""
    src, out, work = (pathlib.Path(env[k]) for k in ("SRC", "OUT", "WORK"))
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    work.mkdir(parents=True, exist_ok=True)
    src.mkdir(parents=True, exist_ok=True)
    project = src / "parley"
    if project.is_symlink() or project.exists():
        project.unlink()
    project.symlink_to(ROOT, target_is_directory=True)
    shutil.copy(ROOT / ".clusterfuzzlite" / "build.sh", src / "build.sh")
    subprocess.run(["bash", "-eu", str(src / "build.sh")], cwd=project, env=env, check=True)


def check_package(out, fuzzer):
    """Problems of one fuzzer's files in out."""
    problems = []
    binary = out / fuzzer
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        return ["no executable %s" % fuzzer]
    inputs = input_hashes(fuzzer)
    archive = out / (fuzzer + "_seed_corpus.zip")
    if inputs:
        if not archive.is_file():
            problems.append("no %s (corpus has %d inputs)" % (archive.name, len(inputs)))
        else:
            with zipfile.ZipFile(archive) as z:
                names = set(z.namelist())
            if names != set(inputs):
                problems.append("%s holds %d entries, the corpus %d distinct inputs (%d differ)"
                                % (archive.name, len(names), len(inputs),
                                   len(names.symmetric_difference(inputs))))
    elif archive.exists():
        problems.append("%s, but the corpus has no inputs" % archive.name)
    options = out / (fuzzer + ".options")
    lines = [] if not options.is_file() else \
        [l.strip() for l in options.read_text().splitlines() if l.strip()]
    if not lines or lines[0] != "[libfuzzer]":
        problems.append("%s missing or without a [libfuzzer] section" % options.name)
    if conventions.max_len(fuzzer) is not None and \
            "max_len = %d" % conventions.max_len(fuzzer) not in lines:
        problems.append("%s lacks max_len = %d" % (options.name, conventions.max_len(fuzzer)))
    if conventions.dictionary(fuzzer).is_file():
        dictionary = out / (fuzzer + ".dict")
        if not dictionary.is_file() or \
                dictionary.read_bytes() != conventions.dictionary(fuzzer).read_bytes():
            problems.append("%s missing or not corpus/%s" % (dictionary.name, dictionary.name))
        if "dict = %s" % dictionary.name not in lines:
            problems.append("%s does not name %s" % (options.name, dictionary.name))
    return problems + check_libraries(out, binary)


def check_libraries(out, binary):
    """The shared libraries the binary loads that the runner image would not have."""
    result = subprocess.run(["ldd", str(binary)], stdout=subprocess.PIPE, text=True,
                            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
    problems = []
    for line in result.stdout.splitlines():
        words = line.split()
        name = words[0] if words else ""
        path = words[2] if len(words) > 2 and words[1] == "=>" else name
        if "not found" in line:
            problems.append("%s: %s not found" % (binary.name, name))
        elif not RUNTIMES.match(pathlib.Path(name).name) and \
                not pathlib.Path(path).resolve().is_relative_to((out / "lib").resolve()):
            problems.append("%s loads %s from %s, not from $OUT/lib" % (binary.name, name, path))
    return problems


def check_runs(out, fuzzer):
    """Runs the fuzzer once on its first seed (or an empty input) with its dictionary."""
    binary = out / fuzzer
    archive = out / (fuzzer + "_seed_corpus.zip")
    with tempfile.TemporaryDirectory() as tmp:
        sample = pathlib.Path(tmp) / "input"
        if archive.is_file():
            with zipfile.ZipFile(archive) as z:
                first = sorted(z.namelist())[0]
                sample.write_bytes(z.read(first))
        else:
            sample.write_bytes(b"")
        command = [str(binary), "-runs=1", "-timeout=%d" % conventions.TIMEOUT_SECONDS,
                   "-rss_limit_mb=%d" % conventions.RSS_LIMIT_MB]
        if (out / (fuzzer + ".dict")).is_file():
            command.append("-dict=%s" % (out / (fuzzer + ".dict")))
        result = subprocess.run(command + [str(sample)], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace",
                                timeout=120, cwd=tmp)
    if result.returncode != 0:
        tail = "\n    ".join(result.stdout.strip().splitlines()[-8:])
        return ["%s exited %d on one input:\n    %s" % (fuzzer, result.returncode, tail)]
    return []


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=pathlib.Path)
    parser.add_argument("--cxx", default="clang++-14")
    parser.add_argument("--no-build", action="store_true", help="check the last build's $OUT")
    args = parser.parse_args(argv)
    directory = args.directory.resolve()
    env = environment(directory, args.cxx)
    out = pathlib.Path(env["OUT"])

    started = time.monotonic()
    if not args.no_build:
        try:
            build(directory, env)
        except subprocess.CalledProcessError as e:
            print("FAIL: $SRC/build.sh exited %d" % e.returncode)
            return 1
    built = time.monotonic()

    expected = declared_fuzzers(ROOT)
    problems = []
    present = {p.name for p in out.iterdir() if p.is_file() and os.access(p, os.X_OK)
               and p.name.startswith(conventions.NAME_PREFIX)}
    for extra in sorted(present - set(expected)):
        problems.append("%s in $OUT, but not a fuzzer the project defines for the services"
                        % extra)
    for fuzzer in expected:
        found = check_package(out, fuzzer)
        if not found:
            found = check_runs(out, fuzzer)
        problems += found
        print("%s %s" % ("FAIL" if found else "ok  ", fuzzer))
    for problem in problems:
        print("  " + problem)
    print("%d fuzzers; build %.0f s, checks %.0f s; %d problems"
          % (len(expected), built - started, time.monotonic() - built, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
