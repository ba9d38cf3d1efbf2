#!/usr/bin/env bash
# The main job: installs what is missing, builds the 'release' preset, starts the in-tree targets
# and plays every scenario under scenarios/, printing the results (and writing JUnit and JSON
# reports under build/release/).
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ci/play.sh [--no-setup] [-- PARLEY_RUN_ARGS...]

Installs missing Debian packages (ci/setup.sh build), builds the 'release' preset into
build/release, then runs `parley run scenarios`: parley starts http-server and chat-server on
free loopback ports, plays every scenario, stops the targets and prints a summary.
Reports: build/release/scenarios.junit.xml and build/release/scenarios.json.
Arguments after `--` go to `parley run` (for example: ci/play.sh -- --tag smoke --verbose).
Exit status is parley's: 0 all passed, 1 a scenario failed, 2 bad scenarios, 3 a target
could not start.

  --no-setup   skip the package check
  -h, --help   this text
USAGE
}

setup=1
run_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --no-setup) setup=0 ;;
    --) shift; run_args=("$@"); break ;;
    *) echo "ci/play.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

cd "$(dirname "$0")/.."
[ "$setup" -eq 0 ] || ci/setup.sh build

cmake --preset release
cmake --build --preset release -j "$(nproc)" --target parley http-server chat-server \
  parley-test-pki
# The TLS targets (scenarios/targets.yaml) use a throw-away PKI, made afresh for each run.
build/release/bin/parley-test-pki build/release/tls-pki
export PARLEY_TLS_PKI="$PWD/build/release/tls-pki"
exec build/release/bin/parley run scenarios \
  --junit build/release/scenarios.junit.xml --json build/release/scenarios.json \
  "${run_args[@]}"
