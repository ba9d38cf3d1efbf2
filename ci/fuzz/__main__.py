"""python3 -m ci.fuzz: the fuzzing campaign (ci/fuzz.sh --help)."""

import sys

from ci.fuzz.cli import main

sys.exit(main(sys.argv[1:]))
