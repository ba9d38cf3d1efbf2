#!/usr/bin/env bash
# The fuzzing campaign command: builds the fuzzers, runs them, triages what they find and writes
# the morning report. See docs/fuzzing.md.
set -euo pipefail

# The whole script is one compound command, read before it runs, so a campaign that lasts the
# night is not disturbed when the file changes under it (a pull, a checkout).
{

usage() {
  cat <<'USAGE'
usage: ci/fuzz.sh [OPTIONS] [FUZZER...]

Builds the 'fuzz' preset (clang-14, libFuzzer, ASan+UBSan), then runs each named fuzzer (default:
all of them, after 30 seconds of fuzz_empty, the exec/s ceiling) for --time, one after another,
each on --jobs cores (libFuzzer -fork), going on after crashes, timeouts and OOMs. Everything
goes under one output folder:

  OUT/report.md                the morning report (rewritten after each fuzzer and at the end)
  OUT/findings/<id>/           one folder per unique finding: input, minimized, stack.txt, repro.sh
  OUT/<fuzzer>/corpus/         new corpus entries
  OUT/<fuzzer>/artifacts/      raw crash-, timeout-, oom- and leak- inputs
  OUT/<fuzzer>/fuzz.N.log      the engine's log of run N

Stop it with Ctrl-C (or SIGTERM): the running fuzzer stops, the findings are triaged and the
report written. Run the same command again with --resume to go on where it stopped.

options:
  -t, --time DURATION   time per fuzzer: 90 (seconds), 30s, 10m, 8h (default 10m)
  -j, --jobs N          parallel fuzzing processes per fuzzer (default: all cores, nproc)
  -o, --out DIR         output folder (default fuzz-out/<date>-<time>)
      --resume          go on with the campaign in --out: finished fuzzers are skipped, a
                        stopped one gets the rest of its time; options default to the first run's
      --merge           afterwards, merge the new corpus entries that add coverage into
                        corpus/<fuzzer>/ (libFuzzer -merge=1)
      --engine ENGINE   libfuzzer (default) or afl (AFL++, built with afl-c++ into build/fuzz-afl;
                        findings are still triaged with the libFuzzer build)
      --timeout S       a single input running longer than S seconds is a timeout (default 10)
      --rss-limit MB    memory limit per process (default 2560)
      --progress S      print progress every S seconds (default 30)
      --build-dir DIR   the libFuzzer build to use (default build/fuzz; built there unless
                        --no-build)
      --no-build        use the binaries already built
      --no-setup        do not install missing Debian packages first (ci/setup.sh build)
      --report-only     triage and rewrite the report of --out, run nothing
  -l, --list            list the fuzzers and exit
  -h, --help            this text

examples:
  ci/fuzz.sh --time 8h --out fuzz-out/tonight            # every fuzzer, 8 hours each
  ci/fuzz.sh -t 10m fuzz_http_request fuzz_chat_line     # two fuzzers, 10 minutes each
  ci/fuzz.sh --resume --out fuzz-out/tonight --merge     # finish it, keep the new corpus
  ci/fuzz.sh --engine afl -t 1h fuzz_http_chunked        # the same target under AFL++
USAGE
}

die() {
  echo "ci/fuzz.sh: $*" >&2
  exit 2
}

seconds_of() {
  local value=$1
  case "$value" in
    *[!0-9smhd]* | "") return 1 ;;
    *s) echo $((${value%s})) ;;
    *m) echo $((${value%m} * 60)) ;;
    *h) echo $((${value%h} * 3600)) ;;
    *d) echo $((${value%d} * 86400)) ;;
    *) echo $((value)) ;;
  esac
}

cd "$(dirname "$0")/.."
root=$(pwd)

time_arg="" jobs="" out="" resume=0 merge=0 engine="" timeout=10 rss=2560 progress=30
build=1 setup=1 report_only=0 list=0 build_dir_arg=""
fuzzers=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    -t | --time) time_arg=${2:?--time needs a value}; shift ;;
    -j | --jobs) jobs=${2:?--jobs needs a value}; shift ;;
    -o | --out) out=${2:?--out needs a folder}; shift ;;
    --resume) resume=1 ;;
    --merge) merge=1 ;;
    --engine) engine=${2:?--engine needs libfuzzer or afl}; shift ;;
    --timeout) timeout=${2:?--timeout needs seconds}; shift ;;
    --rss-limit) rss=${2:?--rss-limit needs megabytes}; shift ;;
    --progress) progress=${2:?--progress needs seconds}; shift ;;
    --build-dir) build_dir_arg=${2:?--build-dir needs a folder}; shift ;;
    --no-build) build=0 ;;
    --no-setup) setup=0 ;;
    --report-only) report_only=1 ;;
    -l | --list) list=1 ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) fuzzers+=("$1") ;;
  esac
  shift
done

# A resumed campaign keeps the settings of its first run unless they are given again.
if [ "$resume" -eq 1 ] || [ "$report_only" -eq 1 ]; then
  [ -n "$out" ] || die "--resume and --report-only need --out"
  [ -f "$out/campaign.env" ] || die "$out is not a campaign folder (no campaign.env)"
  # shellcheck disable=SC1091
  saved_time=$(sed -n 's/^time=//p' "$out/campaign.env")
  saved_jobs=$(sed -n 's/^jobs=//p' "$out/campaign.env")
  saved_engine=$(sed -n 's/^engine=//p' "$out/campaign.env")
  saved_fuzzers=$(sed -n 's/^fuzzers=//p' "$out/campaign.env")
  time_arg=${time_arg:-$saved_time}
  jobs=${jobs:-$saved_jobs}
  engine=${engine:-$saved_engine}
  [ ${#fuzzers[@]} -gt 0 ] || read -r -a fuzzers <<<"$saved_fuzzers"
fi
time_arg=${time_arg:-10m}
jobs=${jobs:-$(nproc)}
engine=${engine:-libfuzzer}
total=$(seconds_of "$time_arg") || die "bad --time '$time_arg' (e.g. 90, 30s, 10m, 8h)"
[ "$total" -gt 0 ] || die "--time must be positive"
case "$jobs" in '' | *[!0-9]* | 0) die "bad --jobs '$jobs'" ;; esac
case "$engine" in libfuzzer | afl) ;; *) die "bad --engine '$engine' (libfuzzer or afl)" ;; esac

# The compilers and libraries come from Debian packages, installed when missing.
if [ "$setup" -eq 1 ] && [ "$build" -eq 1 ] && [ "$report_only" -eq 0 ] && [ "$list" -eq 0 ]; then
  "$root/ci/setup.sh" build
fi

build_dir=$root/build/fuzz
[ -z "$build_dir_arg" ] || build_dir=$(cd "$build_dir_arg" && pwd)
afl_dir=$root/build/fuzz-afl
campaign=$root/harness/fuzz/campaign.py

build_libfuzzer() {
  echo "== building the fuzz preset into $build_dir"
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARLEY_FUZZ=ON -DPARLEY_WERROR=ON \
    -DPARLEY_BENCHMARKS=OFF >/dev/null
  cmake --build "$build_dir" --target "${targets[@]}" -j "$(nproc)"
}

build_afl() {
  command -v afl-fuzz >/dev/null && command -v afl-c++ >/dev/null ||
    die "AFL++ is missing: ci/setup.sh fuzz"
  echo "== building the fuzzers with AFL++ into build/fuzz-afl"
  AFL_QUIET=1 cmake -S "$root" -B "$afl_dir" -G Ninja -DCMAKE_CXX_COMPILER=afl-c++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARLEY_BENCHMARKS=OFF -DPARLEY_WERROR=OFF \
    "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
    "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" \
    -DPARLEY_FUZZ_ENGINE=-fsanitize=fuzzer >/dev/null
  AFL_QUIET=1 cmake --build "$afl_dir" --target "${targets[@]}" -j "$(nproc)"
}

# Named fuzzers build alone; otherwise every fuzzer (the 'fuzzers' target).
targets=("${fuzzers[@]}")
[ ${#targets[@]} -gt 0 ] || targets=(fuzzers)
if [ "$build" -eq 1 ] && [ "$report_only" -eq 0 ] && [ "$list" -eq 0 ]; then
  build_libfuzzer
  [ "$engine" = libfuzzer ] || build_afl
fi

available=()
for bin in "$build_dir"/bin/fuzz_*; do
  [ -x "$bin" ] && available+=("$(basename "$bin")")
done
[ ${#available[@]} -gt 0 ] || die "no fuzzers in build/fuzz/bin (build first, without --no-build)"
if [ "$list" -eq 1 ]; then
  printf '%s\n' "${available[@]}"
  exit 0
fi
if [ ${#fuzzers[@]} -eq 0 ]; then
  # Every fuzzer, after a short run of fuzz_empty: its exec/s is the ceiling the report
  # compares the others with.
  for f in "${available[@]}"; do
    [ "$f" = fuzz_empty ] || fuzzers+=("$f")
  done
  [ ! -x "$build_dir/bin/fuzz_empty" ] || fuzzers=(fuzz_empty "${fuzzers[@]}")
fi
for f in "${fuzzers[@]}"; do
  [ -x "$build_dir/bin/$f" ] || die "no such fuzzer: $f (see --list)"
done

out=${out:-fuzz-out/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ ! -f "$out/campaign.env" ]; then
  printf 'time=%s\njobs=%s\nengine=%s\nfuzzers=%s\nstarted=%s\n' "$time_arg" "$jobs" "$engine" \
    "${fuzzers[*]}" "$(date '+%Y-%m-%d %H:%M:%S')" >"$out/campaign.env"
fi
python3 - "$out" "$time_arg" "$jobs" "$engine" <<'PY'
import json, sys
out, time_arg, jobs, engine = sys.argv[1:]
env = dict(l.split("=", 1) for l in open(out + "/campaign.env").read().splitlines() if "=" in l)
json.dump({"time": time_arg, "jobs": int(jobs), "engine": engine,
           "started": env.get("started")}, open(out + "/campaign.json", "w"))
PY

finish() {
  python3 "$campaign" triage --out "$out" --bin-dir "$build_dir/bin" --timeout "$timeout" || true
  python3 "$campaign" report --out "$out" --engine "$engine"
}

if [ "$report_only" -eq 1 ]; then
  finish
  exit 0
fi

stop=0
child=""
on_signal() {
  stop=1
  if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || true; fi
}
trap on_signal INT TERM

# The latest status of a running fuzzer, in one line.
status_line() {
  local f=$1 dir=$2
  if [ "$engine" = afl ]; then
    local stats=$dir/afl/main/fuzzer_stats
    [ -f "$stats" ] || { echo "starting"; return; }
    awk -F' *: *' '/^(execs_done|execs_per_sec|edges_found|corpus_count|saved_crashes|saved_hangs)/ {
      printf "%s %s  ", $1, $2 }' "$stats"
  else
    local line
    line=$(grep -a -E '^#[0-9]+: cov:' "$dir/fuzz.$run.log" 2>/dev/null | tail -n 1 || true)
    echo "${line:-starting}"
  fi
}

run_libfuzzer() {
  local f=$1 dir=$2 seconds=$3
  local args=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
    -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss" -print_final_stats=1
    -artifact_prefix="$dir/artifacts/")
  [ -f "corpus/$f.dict" ] && args+=(-dict="corpus/$f.dict")
  local max_len
  max_len=$(sed -n 's/^max_len *= *\([0-9]*\)$/\1/p' "corpus/$f.options" 2>/dev/null || true)
  [ -z "$max_len" ] || args+=(-max_len="$max_len")
  local seeds=("$dir/corpus")
  for d in "corpus/$f" "corpus/regressions/$f"; do
    [ -d "$d" ] && seeds+=("$d")
  done
  "$build_dir/bin/$f" "${args[@]}" "${seeds[@]}" >"$dir/fuzz.$run.log" 2>&1 &
  child=$!
}

run_afl() {
  local f=$1 dir=$2 seconds=$3
  local input=$dir/afl-seeds
  if [ -d "$dir/afl/main" ]; then
    input=-  # AFL++ resumes from its own queue
  else
    mkdir -p "$input"
    for d in "corpus/$f" "corpus/regressions/$f"; do
      [ -d "$d" ] && find "$d" -maxdepth 1 -type f -size -1000k -exec cp -t "$input" {} +
    done
    [ -n "$(ls -A "$input")" ] || printf 'x' >"$input/empty"
  fi
  local common=(-i "$input" -o "$dir/afl" -V "$seconds" -t "$((timeout * 1000))" -m none)
  [ -f "corpus/$f.dict" ] && common+=(-x "corpus/$f.dict")
  export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
  export AFL_NO_AFFINITY=1 AFL_SUPPRESS_SANITIZER_ERRORS=1
  export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0
  export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1
  (
    pids=()
    trap 'kill -INT "${pids[@]}" 2>/dev/null || true' INT TERM
    for ((i = 1; i < jobs; i++)); do
      afl-fuzz "${common[@]}" -S "s$i" -- "$afl_dir/bin/$f" >"$dir/afl-s$i.$run.log" 2>&1 &
      pids+=($!)
    done
    afl-fuzz "${common[@]}" -M main -- "$afl_dir/bin/$f" >"$dir/fuzz.$run.log" 2>&1 &
    pids+=($!)
    wait
  ) &
  child=$!
}

count_artifacts() {
  local dir=$1 n=0 path
  for path in "$dir"/artifacts/{crash,timeout,oom,leak}-* "$dir"/afl/*/{crashes,hangs}/id:*; do
    [ -e "$path" ] && n=$((n + 1))
  done
  echo "$n"
}

merge_corpus() {
  local f=$1 dir=$2
  local new=("$dir/corpus")
  [ -d "$dir/afl" ] && for q in "$dir"/afl/*/queue; do new+=("$q"); done
  mkdir -p "corpus/$f"
  local before after
  before=$(find "corpus/$f" -maxdepth 1 -type f | wc -l)
  "$build_dir/bin/$f" -merge=1 -timeout="$timeout" -rss_limit_mb="$rss" "corpus/$f" "${new[@]}" \
    >"$dir/merge.log" 2>&1 || echo "ci/fuzz.sh: merge of $f failed, see $dir/merge.log" >&2
  after=$(find "corpus/$f" -maxdepth 1 -type f | wc -l)
  echo "== $f: corpus/$f grew from $before to $after files"
}

echo "== campaign: ${fuzzers[*]}; $time_arg each on $jobs cores ($engine); output $out"
for f in "${fuzzers[@]}"; do
  [ "$stop" -eq 0 ] || break
  dir=$out/$f
  mkdir -p "$dir/corpus" "$dir/artifacts"
  if [ -f "$dir/done" ]; then
    echo "== $f: finished earlier, skipped"
    continue
  fi
  elapsed=$(cat "$dir/elapsed" 2>/dev/null || echo 0)
  budget=$total
  [ "$f" != fuzz_empty ] || budget=$((total < 30 ? total : 30))
  remaining=$((budget - elapsed))
  if [ "$remaining" -le 0 ]; then
    touch "$dir/done"
    continue
  fi
  run=$(($(find "$dir" -maxdepth 1 -name 'fuzz.*.log' | wc -l) + 1))
  echo "== $f: fuzzing for ${remaining}s (run $run)"
  start=$SECONDS
  if [ "$engine" = afl ]; then
    run_afl "$f" "$dir" "$remaining"
  else
    run_libfuzzer "$f" "$dir" "$remaining"
  fi
  next=$((SECONDS + progress))
  while kill -0 "$child" 2>/dev/null; do
    sleep 1
    if [ "$SECONDS" -ge "$next" ]; then
      next=$((SECONDS + progress))
      found=$(count_artifacts "$dir")
      printf '[%s %ds/%ds] %s  artifacts: %s\n' "$f" "$((elapsed + SECONDS - start))" "$budget" \
        "$(status_line "$f" "$dir")" "$found"
    fi
  done
  wait "$child" 2>/dev/null || true
  child=""
  elapsed=$((elapsed + SECONDS - start))
  echo "$elapsed" >"$dir/elapsed"
  if [ "$stop" -eq 0 ]; then
    touch "$dir/done"
    echo "== $f: done after ${elapsed}s: $(status_line "$f" "$dir")"
  else
    echo "== $f: stopped after ${elapsed}s of ${budget}s; resume with: ci/fuzz.sh --resume --out $out"
  fi
  finish
done
trap - INT TERM

if [ "$merge" -eq 1 ] && [ "$stop" -eq 0 ]; then
  for f in "${fuzzers[@]}"; do
    merge_corpus "$f" "$out/$f"
  done
fi
finish
echo "== report: $out/report.md"
[ "$stop" -eq 0 ] || exit 130
exit 0
}
