# Shared by the chat-server scripts that test it with real clients (sourced, not run): a
# temporary folder, servers and clients started in the background with their output in files,
# waits that each have a deadline, and a cleanup on exit that stops everything started.
#
# Requires: server_bin (the chat-server to run) is set; `set -euo pipefail` in the caller.

work=$(mktemp -d)
pids=()
declare -A fds=()

cleanup() {
  for fd in "${fds[@]}"; do exec {fd}>&- || true; done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for file in "$work"/*.out "$work"/*.err; do
    [ -s "$file" ] && { echo "--- ${file##*/}"; cat "$file"; } >&2
  done
  exit 1
}

# Microseconds since the epoch: deadlines finer than $SECONDS, which ticks whole seconds.
now_us() { echo "${EPOCHREALTIME/./}"; }

# wait_for FILE LINE [SECONDS]: until FILE holds LINE as a whole line.
wait_for() {
  local file=$1 line=$2 deadline=$(($(now_us) + ${3:-10} * 1000000))
  until grep -qxF -- "$line" "$file" 2>/dev/null; do
    [ "$(now_us)" -lt "$deadline" ] || fail "${file##*/} never got: $line"
    sleep 0.05
  done
}

# wait_exit PID SECONDS: until PID has exited; sets exit_status.
wait_exit() {
  local pid=$1 deadline=$(($(now_us) + $2 * 1000000))
  local state=
  while kill -0 "$pid" 2>/dev/null; do
    read -r _ _ state _ <"/proc/$pid/stat" 2>/dev/null || break
    [ "$state" != Z ] || break  # exited, not yet reaped
    [ "$(now_us)" -lt "$deadline" ] || fail "process $pid still running after $2 s"
    sleep 0.05
  done
  exit_status=0
  wait "$pid" || exit_status=$?
}

# start_server NAME FLAGS...: sets server_pid and port. The ready line is
# "listening on 127.0.0.1:PORT", or "listening on tls://127.0.0.1:PORT" with TLS.
start_server() {
  local name=$1
  shift
  "$server_bin" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  server_pid=$!
  pids+=("$server_pid")
  local ready='^listening on (tls://)?127\.0\.0\.1:([0-9]+)$'
  local deadline=$(($(now_us) + 10000000))
  until grep -qE "$ready" "$work/$name.out" 2>/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || fail "$name exited before listening"
    [ "$(now_us)" -lt "$deadline" ] || fail "$name never printed its listening line"
    sleep 0.05
  done
  port=$(sed -En "s#$ready#\\2#p" "$work/$name.out")
}

# start_client NAME COMMAND...: runs COMMAND with its stdin on a FIFO we hold open; sets
# client_pid. `say NAME LINE` types a line into it.
start_client() {
  local name=$1
  shift
  mkfifo "$work/$name.in"
  (
    # Not the other clients' FIFOs: their input must end when we close them.
    for fd in "${fds[@]}"; do exec {fd}>&-; done
    exec "$@"
  ) <"$work/$name.in" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=("$!")
  client_pid=$!
  local fd
  exec {fd}>"$work/$name.in"
  fds[$name]=$fd
}

say() { printf '%s\n' "$2" >&"${fds[$1]}"; }

# end_input NAME: closes the client's stdin.
end_input() {
  local fd=${fds[$1]}
  exec {fd}>&-
  unset "fds[$1]"
}
