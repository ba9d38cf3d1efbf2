#!/usr/bin/env bash
# The runner's overhead: builds the bench preset into build/bench and plays 1,000
# one-request HTTP scenarios against http-server, next to a plain Asio client making the same
# 1,000 exchanges; prints both and the ratio (parley/plain).
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ci/bench-runner.sh [--no-setup] [--count N] [--rounds R]

Builds runner_bench, http-server and parley with the bench preset (-O2) into build/bench, then
runs runner_bench (median of R rounds of N exchanges each; default 1000 and 5).

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

cmake --preset bench >/dev/null
cmake --build --preset bench --target runner_bench http-server parley -j "$(nproc)"
build/bench/bin/runner_bench --server build/bench/bin/http-server "${bench_args[@]}"
