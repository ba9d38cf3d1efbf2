"""python3 -m ci.bench: the benchmarks (ci/bench.sh --help)."""

import sys

from ci.bench.cli import main

sys.exit(main(sys.argv[1:]))
