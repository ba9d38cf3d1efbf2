"""The Python side of the ci/ scripts, run from the repository root: `python3 -m ci.fuzz` (the
fuzzing campaign behind ci/fuzz.sh) and `python3 -m ci.bench` (the benchmarks behind
ci/bench.sh)."""
