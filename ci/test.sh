#!/usr/bin/env bash
# The test command: installs what is missing, builds the 'dev' preset (g++, ASan+UBSan, -Werror)
# and runs every test through CTest: unit tests, server tests, scenario suites, fuzz regressions.
# Then it builds the 'fuzz' preset (clang-14, libFuzzer) and runs each fuzzer's short smoke.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ci/test.sh [--no-setup] [--no-fuzz] [-- CTEST_ARGS...]

Installs missing Debian packages (ci/setup.sh), configures and builds the 'dev' preset into
build/dev, then runs `ctest --output-on-failure`. Arguments after `--` go to ctest
(for example: ci/test.sh -- -R request_parser). Then builds the 'fuzz' preset into build/fuzz
and runs every fuzzer for PARLEY_FUZZ_SMOKE_SECONDS (20 s) under ASan+UBSan, failing on any
finding (docs/fuzzing.md).

  --no-setup   skip the package check (for machines already set up)
  --no-fuzz    skip the fuzz build and smoke runs
  -h, --help   this text
USAGE
}

setup=1
fuzz=1
ctest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --no-setup) setup=0 ;;
    --no-fuzz) fuzz=0 ;;
    --) shift; ctest_args=("$@"); break ;;
    *) echo "ci/test.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

cd "$(dirname "$0")/.."
[ "$setup" -eq 0 ] || ci/setup.sh build test

jobs=$(nproc)
cmake --preset dev
cmake --build --preset dev -j "$jobs"
ctest --preset dev -j "$jobs" "${ctest_args[@]}"

if [ "$fuzz" -eq 1 ]; then
  cmake --preset fuzz
  cmake --build --preset fuzz --target fuzzers -j "$jobs"
  ctest --test-dir build/fuzz -L 'fuzz-(smoke|replay|oss)' -j "$jobs" --output-on-failure
fi
