#!/usr/bin/env bash
# The fuzzing campaign command: builds the fuzzers, runs them, triages what they find and writes
# the morning report. The campaign is the Python package ci/fuzz (`ci/fuzz.sh --help` for the
# options); see docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# python3 is one of the packages ci/setup.sh installs; the campaign runs the rest of the setup.
if ! command -v python3 >/dev/null && [[ " $* " != *" --no-setup "* ]]; then
  ci/setup.sh build
fi
# Python reads all of ci/fuzz when it starts, and bash reads no further than this line, so a
# campaign that lasts the night is not disturbed when the files change under it (a pull).
exec python3 -m ci.fuzz "$@"
