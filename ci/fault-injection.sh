#!/usr/bin/env bash
# Proves that the scenario suites catch real bugs: applies each deliberate fault in ci/faults/ to
# a copy of the tree, rebuilds the release flavour there, plays scenarios/http and scenarios/chat
# with that copy's binaries, and reports which scenarios caught the fault. A fault is caught when
# at least one scenario that passes on the unpatched copy fails with the fault applied.
set -uo pipefail

usage() {
  cat <<'USAGE'
usage: ci/fault-injection.sh [--work DIR] [--jobs N] [--no-setup] [--check] [--fuzz DURATION]
                             [--oracles] [--time SECONDS] [FAULT...]

Plays the HTTP and chat suites once against an unpatched copy of the tree (the baseline), then
once per fault in ci/faults/*.patch (or only the named ones, e.g. chat-sender-echoed), and prints
a table: fault, caught or not, and by which scenarios.

A fault whose patch names an oracle (a header line "Oracle: FUZZER NAME") is one the suites are
not meant to catch: it proves a fuzz oracle. The suites run reports it as "oracle" when no
scenario catches it, and as an error when one does (the fault then proves nothing about the
oracle). --oracles checks those faults instead: for each, it builds FUZZER with libFuzzer
(clang-14, AddressSanitizer, the 'fuzz' preset's flags) in the patched copy and runs it from its
seeds for --time seconds twice: with the oracle on, it must stop on a property violation; with
the oracle off (PARLEY_FUZZ_ORACLES_OFF=NAME), it must run the whole time without a finding.

With --fuzz DURATION it asks instead whether `parley fuzz` finds each fault: a campaign of that
length (e.g. 5m) over the fault's suite (scenarios/http for http-*, scenarios/chat for chat-*),
seed 1, against the patched build; the baseline is the same campaign against the unpatched
build. A fault is found when its campaign saves a finding whose signature the baseline's did
not have.

  --work DIR   where the copy, its release build and the reports go
               (default: build/fault-injection)
  --jobs N     build jobs and scenarios played at once (default: the number of cores)
  --no-setup   do not install missing Debian packages first (ci/setup.sh build test)
  --check      only check that each patch still applies to the tree (no copy, no build);
               CTest runs this as fault_patches_apply
  --fuzz DURATION  judge with `parley fuzz` campaigns of DURATION instead of the suites
  --oracles    check the faults that name an oracle (see above) instead of playing the suites
  --time SECONDS  length of each --oracles run (default 120)
  -h, --help   this text

Exit status: 0 when every fault was caught, 1 when one was not (or its patch did not apply or
build), 2 for a usage error or a baseline that could not be built or played.
USAGE
}

cd "$(dirname "$0")/.." || exit 2
repo=$(pwd)
work="$repo/build/fault-injection"
jobs=$(nproc)
setup=1
check=0
fuzz_time=""
oracles=0
oracle_time=120
selected=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --work) work=$(realpath -m "$2"); shift ;;
    --jobs) jobs=$2; shift ;;
    --no-setup) setup=0 ;;
    --check) check=1 ;;
    --fuzz) fuzz_time=$2; shift ;;
    --oracles) oracles=1 ;;
    --time) oracle_time=$2; shift ;;
    -*) echo "fault-injection: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) selected+=("$1") ;;
  esac
  shift
done

# The compilers, libraries and patch(1) come from Debian packages, installed when missing.
[ "$setup" -eq 0 ] || ci/setup.sh build test

faults=()
if [ ${#selected[@]} -eq 0 ]; then
  for patch in ci/faults/*.patch; do faults+=("$(basename "$patch" .patch)"); done
else
  for name in "${selected[@]}"; do
    if [ ! -f "ci/faults/$name.patch" ]; then
      echo "fault-injection: no fault '$name' (see ci/faults/)" >&2
      exit 2
    fi
    faults+=("$name")
  done
fi

# "FUZZER NAME" from fault $1's "Oracle:" header line, or nothing.
oracle_of() { sed -n '/^--- /q; s/^Oracle: *//p' "ci/faults/$1.patch" | head -1; }

if [ "$check" -eq 1 ]; then
  stale=0
  for fault in "${faults[@]}"; do
    read -r fuzzer oracle <<<"$(oracle_of "$fault")"
    if [ -n "$fuzzer" ] && { ! grep -q "parley_fuzzer($fuzzer " harness/fuzz/CMakeLists.txt ||
      ! grep -q "OracleEnabled(\"$oracle\")" "harness/fuzz/$fuzzer.cc" 2>/dev/null; }; then
      printf 'fault-injection: %s names "Oracle: %s %s", but harness/fuzz/%s.cc has no such oracle\n' \
        "$fault" "$fuzzer" "$oracle" "$fuzzer"
      stale=$((stale + 1))
    elif patch -p1 --dry-run --forward --silent <"ci/faults/$fault.patch" >/dev/null 2>&1; then
      printf 'fault-injection: %s applies\n' "$fault"
    else
      printf 'fault-injection: %s does not apply (the code moved on: update ci/faults/%s.patch)\n' \
        "$fault" "$fault"
      stale=$((stale + 1))
    fi
  done
  [ "$stale" -eq 0 ] || exit 1
  exit 0
fi

src="$work/src"
build="$work/build"
reports="$work/reports"
log="$work/log"
mkdir -p "$work" "$reports" "$log"

say() { printf 'fault-injection: %s\n' "$*"; }

# A fresh copy of the tree, without build outputs or git metadata. tar keeps modification times,
# so the release build in $build stays incremental; the files the faults patch are touched so
# that a fault left in an object file by an interrupted run is always rebuilt away.
copy_tree() {
  rm -rf "$src"
  mkdir -p "$src"
  tar -C "$repo" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf - || return 1
  local patched
  patched=$(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' ci/faults/*.patch | sort -u)
  for file in $patched; do touch "$src/$file"; done
}

build_targets() {
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$src" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release \
      "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -g -DNDEBUG" -DPARLEY_BENCHMARKS=OFF >"$log/$1.configure" 2>&1 ||
      return 1
  fi
  cmake --build "$build" --target parley http-server chat-server -j "$jobs" >"$log/$1.build" 2>&1
}

# Plays both suites; the JSON report lists every scenario with its status.
play() {
  (cd "$src" && "$build/bin/parley" run scenarios/http scenarios/chat --targets scenarios/targets.yaml \
    --bin-dir "$build/bin" --jobs "$jobs" --color never --json "$reports/$1.json" >"$log/$1.play" 2>&1)
  local status=$?
  # 0: all passed, 1: some failed, 3: a target could not start. Anything else is no verdict.
  [ "$status" -le 1 ] || [ "$status" -eq 3 ]
}

# Prints "<count>\t<names>" for the scenarios that did not pass in $2 but passed in $1.
newly_failing() {
  python3 - "$1" "$2" <<'PY'
import json, sys
def not_passed(path):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    return {(s["file"], s["name"]) for s in report["scenarios"] if s["status"] != "passed"
            and s["status"] != "skipped"}
baseline, faulty = not_passed(sys.argv[1]), not_passed(sys.argv[2])
caught = sorted(faulty - baseline)
print(f"{len(caught)}\t" + "; ".join(f"{name} ({file})" for file, name in caught))
PY
}

# `parley fuzz` of suite $2 for $fuzz_time into $work/fuzz/$1; prints the signatures it saved,
# one per line. The campaign's exit status says little here (1 when it found something).
fuzz_signatures() {
  local out="$work/fuzz/$1"
  rm -rf "$out"
  (cd "$src" && "$build/bin/parley" fuzz "scenarios/$2" --targets scenarios/targets.yaml \
    --bin-dir "$build/bin" --time "$fuzz_time" --seed 1 --out "$out" >"$log/$1.fuzz" 2>&1)
  local status=$?
  cat "$out"/findings/*/report.txt 2>/dev/null | sed -n 's/^signature: //p' | sort -u
  # 0: nothing found, 1: findings. Anything else (a crash of parley itself) is no verdict.
  [ "$status" -le 1 ]
}

# Takes fault $1's patch back out of the copy.
revert_fault() {
  patch -p1 -R -d "$src" --silent <"$repo/ci/faults/$1.patch" >>"$log/$1.patch" 2>&1 ||
    { say "  could not take the patch back out"; exit 2; }
}

# Notes fault $1's row: caught when $3 (what caught it) is not empty, with $2 as the verdict.
record() {
  if [ -n "$3" ]; then
    results+=("$1"$'\t'"$2"$'\t'"$3")
  else
    results+=("$1"$'\t'"NO"$'\t'"-")
    missed=$((missed + 1))
  fi
}

# The results table: fault, then columns titled $1 (the verdict) and $2 (the evidence).
print_table() {
  echo
  printf '%-36s %-10s %s\n' "fault" "$1" "$2"
  printf '%-36s %-10s %s\n' "-----" "------" "--"
  local row fault verdict names
  for row in "${results[@]}"; do
    IFS=$'\t' read -r fault verdict names <<<"$row"
    printf '%-36s %-10s %s\n' "$fault" "$verdict" "$names"
  done
  echo
}

suite_of() { case "$1" in http-*) echo http ;; *) echo chat ;; esac; }

# Runs fuzzer $2 of the fuzz build for $oracle_time seconds from its seeds, logging to $log/$1;
# the extra arguments go before it (e.g. env PARLEY_FUZZ_ORACLES_OFF=room). Prints "found" when it
# stopped on a property violation, "clean" when it ran out its time, "error" otherwise.
run_fuzzer() {
  local name=$1 fuzzer=$2
  shift 2
  local corpus="$src/corpus" out="$work/oracles/$name"
  rm -rf "$out"
  mkdir -p "$out/corpus"
  local options=(-max_total_time="$oracle_time" -timeout=10 -rss_limit_mb=2560 -seed=1
    -print_final_stats=1 -artifact_prefix="$out/")
  [ -f "$corpus/$fuzzer.dict" ] && options+=(-dict="$corpus/$fuzzer.dict")
  local max_len
  max_len=$(sed -n 's/^max_len *= *//p' "$corpus/$fuzzer.options" 2>/dev/null)
  [ -n "$max_len" ] && options+=(-max_len="$max_len")
  local started=$SECONDS
  "$@" "$work/fuzz-build/bin/$fuzzer" "${options[@]}" "$out/corpus" "$corpus/$fuzzer" \
    >"$log/$name" 2>&1
  local status=$?
  local runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log/$name" | tail -1)
  local how="after $((SECONDS - started)) s and ${runs:-?} runs"
  if grep -q 'property violated' "$log/$name"; then
    echo "found $how"
  elif [ "$status" -eq 0 ]; then
    echo "clean $how"
  else
    echo "error $how"
  fi
}

if [ "$oracles" -eq 1 ]; then
  mkdir -p "$work/oracles"
  say "copying the tree to $src"
  copy_tree || { say "could not copy the tree"; exit 2; }
  results=()
  missed=0
  for fault in "${faults[@]}"; do
    read -r fuzzer oracle <<<"$(oracle_of "$fault")"
    [ -n "$oracle" ] || continue
    say "fault $fault ($fuzzer, oracle $oracle): $(head -1 "ci/faults/$fault.patch" | sed 's/^Fault: //')"
    if ! patch -p1 -d "$src" --forward --silent <"ci/faults/$fault.patch" >"$log/$fault.patch" 2>&1; then
      results+=("$fault"$'\t'"ERROR"$'\t'"patch does not apply")
      missed=$((missed + 1))
      continue
    fi
    if [ ! -f "$work/fuzz-build/CMakeCache.txt" ]; then
      cmake -S "$src" -B "$work/fuzz-build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARLEY_FUZZ=ON -DPARLEY_BENCHMARKS=OFF \
        >"$log/fuzz-build.configure" 2>&1
    fi
    if ! cmake --build "$work/fuzz-build" --target "$fuzzer" -j "$jobs" >"$log/$fault.fuzz-build" 2>&1; then
      results+=("$fault"$'\t'"ERROR"$'\t'"$fuzzer does not build (log: $log/$fault.fuzz-build)")
      missed=$((missed + 1))
    else
      on=$(run_fuzzer "$fault.on" "$fuzzer")
      say "  oracle on: $on"
      off=$(run_fuzzer "$fault.off" "$fuzzer" env PARLEY_FUZZ_ORACLES_OFF="$oracle")
      say "  oracle off: $off"
      if [ "${on%% *}" = found ] && [ "${off%% *}" = clean ]; then
        results+=("$fault"$'\t'"yes"$'\t'"$fuzzer with $oracle: $on; without: $off")
      else
        results+=("$fault"$'\t'"NO"$'\t'"with oracle $oracle on: $on; off: $off (logs: $log/$fault.on, .off)")
        missed=$((missed + 1))
      fi
    fi
    revert_fault "$fault"
  done
  if [ ${#results[@]} -eq 0 ]; then
    say "no fault names an oracle"
    exit 2
  fi
  print_table "proven" "how"
  [ "$missed" -eq 0 ] || exit 1
  exit 0
fi

if [ -n "$fuzz_time" ]; then
  say "copying the tree to $src"
  copy_tree || { say "could not copy the tree"; exit 2; }
  build_targets baseline || { say "the unpatched tree does not build"; exit 2; }
  mkdir -p "$work/fuzz"
  for suite in http chat; do
    say "baseline campaign over scenarios/$suite ($fuzz_time)"
    if ! fuzz_signatures "baseline-$suite" "$suite" >"$work/fuzz/baseline-$suite.signatures"; then
      say "the baseline campaign gave no verdict (log: $log/baseline-$suite.fuzz)"
      exit 2
    fi
    say "  $(grep -c . "$work/fuzz/baseline-$suite.signatures") finding(s); $(grep 'iterations in' "$log/baseline-$suite.fuzz")"
  done
  results=()
  missed=0
  for fault in "${faults[@]}"; do
    patch_file="$repo/ci/faults/$fault.patch"
    if [ -n "$(oracle_of "$fault")" ]; then
      results+=("$fault"$'\t'"oracle"$'\t'"left to $(oracle_of "$fault") (--oracles)")
      continue
    fi
    suite=$(suite_of "$fault")
    say "fault $fault: $(head -1 "$patch_file" | sed 's/^Fault: //')"
    if ! patch -p1 -d "$src" --forward --silent <"$patch_file" >"$log/$fault.patch" 2>&1; then
      results+=("$fault"$'\t'"ERROR"$'\t'"patch does not apply")
      missed=$((missed + 1))
      continue
    fi
    if ! build_targets "$fault"; then
      results+=("$fault"$'\t'"ERROR"$'\t'"does not build")
      missed=$((missed + 1))
    else
      if ! found=$(fuzz_signatures "$fault" "$suite"); then
        say "  the campaign gave no verdict (log: $log/$fault.fuzz)"
        results+=("$fault"$'\t'"ERROR"$'\t'"no verdict")
        missed=$((missed + 1))
      else
        new=$(echo "$found" | grep -vxF -f "$work/fuzz/baseline-$suite.signatures")
        say "  $(grep 'iterations in' "$log/$fault.fuzz")"
        record "$fault" "yes" "$(echo "$new" | paste -sd ';' -)"
      fi
    fi
    revert_fault "$fault"
  done
  build_targets final >/dev/null 2>&1
  print_table "found" "new findings (signatures)"
  say "parley fuzz ($fuzz_time per suite) found $((${#faults[@]} - missed)) of ${#faults[@]} faults"
  [ "$missed" -eq 0 ] || exit 1
  exit 0
fi

say "copying the tree to $src"
copy_tree || { say "could not copy the tree"; exit 2; }
say "building the release flavour in $build (log: $log/baseline.build)"
if ! build_targets baseline; then
  say "the unpatched tree does not build:"
  tail -20 "$log/baseline.build" "$log/baseline.configure" 2>/dev/null
  exit 2
fi
say "playing the suites on the unpatched tree"
if ! play baseline; then
  say "the baseline run gave no verdict:"
  tail -20 "$log/baseline.play"
  exit 2
fi
baseline_failures=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
print(sum(1 for s in r["scenarios"] if s["status"] not in ("passed", "skipped")))' "$reports/baseline.json")
say "baseline: $(tail -1 "$log/baseline.play") ($baseline_failures not passing there are ignored below)"

results=()
missed=0
for fault in "${faults[@]}"; do
  patch_file="$repo/ci/faults/$fault.patch"
  say "fault $fault: $(head -1 "$patch_file" | sed 's/^Fault: //')"
  if ! patch -p1 -d "$src" --forward --silent <"$patch_file" >"$log/$fault.patch" 2>&1; then
    say "  the patch does not apply (the code moved on: update ci/faults/$fault.patch)"
    cat "$log/$fault.patch"
    results+=("$fault"$'\t'"ERROR"$'\t'"patch does not apply")
    missed=$((missed + 1))
    continue
  fi
  if ! build_targets "$fault"; then
    say "  the patched tree does not build (log: $log/$fault.build)"
    results+=("$fault"$'\t'"ERROR"$'\t'"does not build")
    missed=$((missed + 1))
  elif ! play "$fault"; then
    say "  the run gave no verdict (log: $log/$fault.play)"
    results+=("$fault"$'\t'"ERROR"$'\t'"no verdict")
    missed=$((missed + 1))
  else
    caught=$(newly_failing "$reports/baseline.json" "$reports/$fault.json")
    count=${caught%%$'\t'*}
    names=${caught#*$'\t'}
    say "  $count scenario(s) caught it"
    oracle=$(oracle_of "$fault")
    if [ -z "$oracle" ]; then
      record "$fault" "yes ($count)" "$([ "$count" -gt 0 ] && echo "$names")"
    elif [ "$count" -eq 0 ]; then
      results+=("$fault"$'\t'"oracle"$'\t'"left to $oracle (ci/fault-injection.sh --oracles)")
    else
      results+=("$fault"$'\t'"ERROR"$'\t'"the suites catch it, so it proves nothing about $oracle: $names")
      missed=$((missed + 1))
    fi
  fi
  revert_fault "$fault"
done
# Leave the build matching the unpatched copy.
build_targets final >/dev/null 2>&1

print_table "caught" "by"
if [ "$missed" -eq 0 ]; then
  say "every fault was caught, or left to the oracle it names"
  exit 0
fi
say "$missed of ${#faults[@]} faults were not caught"
exit 1
