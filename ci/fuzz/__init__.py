"""The fuzzing campaign behind ci/fuzz.sh (docs/fuzzing.md).

  conventions  where seeds, dictionaries, options and regressions live; limits; artifact names
  cli          the options, resumed settings, the build, then the campaign
  build        the fuzz preset, and the AFL++ build for --engine afl
  campaign     each fuzzer in turn, progress, stop and resume, merge
  libfuzzer    libFuzzer -fork: its command, progress line and figures
  afl          AFL++: its instances, progress line and figures
  processes    child processes in groups of their own, every wait bounded
  triage       replays, classifies, minimizes: OUT/findings/
  report       OUT/report.md
"""
