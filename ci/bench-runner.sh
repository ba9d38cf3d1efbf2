#!/usr/bin/env bash
# The runner's overhead: builds the release flavour into build/bench-runner and plays 1,000
# one-request HTTP scenarios against http-server, next to a plain Asio client making the same
# 1,000 exchanges; prints both and the ratio (parley/plain).
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ci/bench-runner.sh [--no-setup] [--count N] [--rounds R]

Builds runner_bench, http-server and parley with -O2 into build/bench-runner, then runs
runner_bench (median of R rounds of N exchanges each; default 1000 and 5).

  --no-setup   skip the package check
  -h, --help   this text
USAGE
}

setup=1
bench_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --no-setup) setup=0 ;;
    --count | --rounds) bench_args+=("$1" "${2:?$1 needs a value}"); shift ;;
    *) echo "ci/bench-runner.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

cd "$(dirname "$0")/.."
[ "$setup" -eq 0 ] || ci/setup.sh build

build=build/bench-runner
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O2 -g -DNDEBUG" -DPARLEY_BENCHMARKS=ON >/dev/null
cmake --build "$build" --target runner_bench http-server parley -j "$(nproc)"
"$build/bin/runner_bench" --server "$build/bin/http-server" "${bench_args[@]}"
