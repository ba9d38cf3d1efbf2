# Sourced by the `parley record` end-to-end scripts (not run): a temporary folder, servers and a
# recorder started in the background with their output in files, waits that each have a
# deadline, replays, and a cleanup on exit that stops every process the script started (by its
# pid, never by name).
#
# Requires: parley (the parley binary) is set; `set -euo pipefail` in the caller.
#
#   start_server NAME COMMAND...        # sets server_addr (HOST:PORT) from its "listening on"
#   start_recorder NAME OPTIONS...      # sets rec_addr, rec_host, rec_port, rec_pid
#   stop_recorder NAME [CODE]           # SIGTERM; the exit code must be CODE (default 0)
#   replay FILE [OPTION VALUE]...       # parley validate, then parley run: both must pass

work=$(mktemp -d "${TMPDIR:-/tmp}/parley-record-XXXXXX")
pids=()
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# scenarios/targets.yaml names ${env.PARLEY_TLS_PKI} (for its TLS targets, which these tests do
# not start); it must be set for the file to load.
export PARLEY_TLS_PKI=${PARLEY_TLS_PKI:-$work}

cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${PARLEY_KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  local file
  for file in "$work"/*.out "$work"/*.err "$work"/*.yaml; do
    [ -s "$file" ] && { echo "--- ${file##*/}"; head -c 20000 "$file"; } >&2
  done
  exit 1
}

now_us() { echo "${EPOCHREALTIME/./}"; }

# wait_for_line FILE REGEX [SECONDS]: until a line of FILE matches REGEX (grep -E).
wait_for_line() {
  local file=$1 regex=$2 deadline=$(($(now_us) + ${3:-10} * 1000000))
  until grep -qE -- "$regex" "$file" 2>/dev/null; do
    [ "$(now_us)" -lt "$deadline" ] || fail "${file##*/} never got a line matching: $regex"
    sleep 0.05
  done
}

# wait_exit PID SECONDS: until PID has exited; sets exit_status.
wait_exit() {
  local pid=$1 deadline=$(($(now_us) + $2 * 1000000)) state=
  while kill -0 "$pid" 2>/dev/null; do
    read -r _ _ state _ <"/proc/$pid/stat" 2>/dev/null || break
    [ "$state" != Z ] || break
    [ "$(now_us)" -lt "$deadline" ] || fail "process $pid still running after $2 s"
    sleep 0.05
  done
  exit_status=0
  wait "$pid" || exit_status=$?
}

# The HOST:PORT of a "listening on [scheme://]HOST:PORT" line in FILE.
listening_address() {
  sed -nE 's#^listening on ([a-z]+://)?([^ ]+:[0-9]+)$#\2#p' "$1" | head -n 1
}

start_server() {
  local name=$1
  shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=("$!")
  server_pid=$!
  wait_for_line "$work/$name.out" '^listening on '
  server_addr=$(listening_address "$work/$name.out")
}

start_recorder() {
  local name=$1
  shift
  "$parley" record --listen 127.0.0.1:0 "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=("$!")
  rec_pid=$!
  wait_for_line "$work/$name.out" '^listening on '
  rec_addr=$(listening_address "$work/$name.out")
  rec_host=${rec_addr%:*}
  rec_port=${rec_addr##*:}
}

stop_recorder() {
  local name=$1 want=${2:-0}
  kill -TERM "$rec_pid" 2>/dev/null || true
  wait_exit "$rec_pid" 15
  [ "$exit_status" -eq "$want" ] ||
    fail "parley record ($name) exited with $exit_status after SIGTERM, not $want"
}

replay() {
  local file=$1
  shift
  # validate takes the options that say what to load: all but --bin-dir.
  local select=() args=("$@") i
  for ((i = 0; i < ${#args[@]}; i += 2)); do
    [ "${args[i]}" = --bin-dir ] || select+=("${args[i]}" "${args[i + 1]}")
  done
  "$parley" validate "$file" "${select[@]}" >"$work/validate.out" 2>&1 ||
    fail "parley validate $file: $(cat "$work/validate.out")"
  "$parley" run "$file" --timeout-scale 3 "$@" >"$work/run.out" 2>&1 ||
    fail "parley run $file $*: $(cat "$work/run.out")"
  grep -q '1 passed, 0 failed' "$work/run.out" || fail "replay of $file: $(cat "$work/run.out")"
}

# expect_in FILE TEXT: the recorded file holds TEXT (fixed string).
expect_in() {
  grep -qF -- "$2" "$1" || fail "${1##*/} does not hold: $2"
}

# Interactive clients: `client NAME COMMAND...` runs COMMAND reading from a FIFO this shell keeps
# open (so the client does not see the end of its input), writing to $work/NAME.out;
# `say NAME LINE` types a line into it, `hang_up NAME` closes its input.
declare -A inputs=()
client() {
  local name=$1 fd
  shift
  mkfifo "$work/$name.in"
  # Opened read-write, so opening does not wait for the client.
  exec {fd}<>"$work/$name.in"
  (
    # Not the other clients' inputs: each must end when this shell closes it.
    for other in "${inputs[@]}"; do exec {other}>&-; done
    exec {fd}>&-
    exec "$@"
  ) <"$work/$name.in" >"$work/$name.out" 2>"$work/$name.err" &
  inputs[$name]=$fd
  pids+=("$!")
  client_pid=$!
}
say() { printf '%s\n' "$2" >&"${inputs[$1]}"; }
hang_up() {
  local fd=${inputs[$1]}
  exec {fd}>&-
  unset "inputs[$1]"
}
