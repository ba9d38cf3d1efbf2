#!/usr/bin/env bash
# The benchmarks against real peers, side by side in one run on this machine: the HTTP parser
# (Boost.Beast), http-server (nginx, wrk), its memory per idle connection (nginx), chat-server
# (ncat --chat), the runner (a plain Asio client) and the fuzzers (an empty fuzz target). Installs
# the peers (ci/setup.sh bench), builds the release flavour into build/bench, starts and stops
# everything itself on loopback, prints the table and writes bench.md and bench.json.
# See docs/benchmarks.md; `ci/bench.sh --help` for the options.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 -m ci.bench "$@"
