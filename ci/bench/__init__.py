"""The benchmarks behind ci/bench.sh: parley's targets, runner and fuzzers measured next to real
peers in one run on this machine, and the table (also written as bench.md and bench.json).

Each figure has its reference measured in the same run, alternating (figure, reference, figure,
reference, ...), and both are medians over the rounds: absolute numbers drift on a shared machine,
ratios hold. docs/benchmarks.md explains every row.

  cli            options, setup, builds, the sections in turn, the output
  settings       how long and how often each section measures
  parser, http_server, memory, chat, runner, fuzz
                 the sections: each has run(ctx), its rows, and TARGETS, what it needs built
  profiles       --profile
  peers          starting, checking and stopping the targets, their peers and the load tools
  rows, table    a row of the table; the table, bench.md and bench.json
  build          the bench and fuzz presets
"""
