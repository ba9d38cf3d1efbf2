#!/usr/bin/env bash
# The test command: installs what is missing, builds the 'dev' preset (g++, ASan+UBSan, -Werror)
# and runs every test through CTest: unit tests, server tests, scenario suites, fuzz regressions.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ci/test.sh [--no-setup] [-- CTEST_ARGS...]

Installs missing Debian packages (ci/setup.sh), configures and builds the 'dev' preset into
build/dev, then runs `ctest --output-on-failure`. Arguments after `--` go to ctest
(for example: ci/test.sh -- -R request_parser).

  --no-setup   skip the package check (for machines already set up)
  -h, --help   this text
USAGE
}

setup=1
ctest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --no-setup) setup=0 ;;
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
