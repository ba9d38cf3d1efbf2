#!/usr/bin/env bash
# chat-server with real clients: two nc (netcat-openbsd) and one ncat over TCP and one nc over
# UDP talk through the built binary; then its command line: --help, --version, usage errors,
# port in use, SIGTERM and SIGINT. Every wait has a deadline; everything started is stopped on
# exit, failed or not. Exits 77 (skipped) when a client tool is missing.
#
# usage: real_clients_test.sh PATH/TO/chat-server
set -euo pipefail

server_bin=${1:?usage: real_clients_test.sh PATH/TO/chat-server}
for tool in nc ncat timeout; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed (ci/setup.sh test installs it)"
    exit 77
  fi
done
if ! nc -h 2>&1 | grep -q OpenBSD; then
  echo "SKIP: nc is not netcat-openbsd"
  exit 77
fi

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

# start_server NAME FLAGS...: sets server_pid and port.
start_server() {
  local name=$1
  shift
  "$server_bin" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  server_pid=$!
  pids+=("$server_pid")
  local deadline=$(($(now_us) + 10000000))
  until grep -qE '^listening on 127\.0\.0\.1:[0-9]+$' "$work/$name.out" 2>/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || fail "$name exited before listening"
    [ "$(now_us)" -lt "$deadline" ] || fail "$name never printed its listening line"
    sleep 0.05
  done
  port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/$name.out")
}

# start_client NAME COMMAND...: runs COMMAND with its stdin on a FIFO we hold open.
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

# --- talk ------------------------------------------------------------------------------------
start_server server --port 0
[ "$(wc -l <"$work/server.out")" -eq 1 ] || fail "more than one line on stdout"

start_client alice nc 127.0.0.1 "$port"
wait_for "$work/alice.out" "* welcome guest1"
wait_for "$work/alice.out" "* online: guest1"
start_client bob nc 127.0.0.1 "$port"
bob_pid=$client_pid
wait_for "$work/bob.out" "* welcome guest2"
wait_for "$work/bob.out" "* online: guest1 guest2"
wait_for "$work/alice.out" "* guest2 joined"
start_client carol ncat 127.0.0.1 "$port"
wait_for "$work/carol.out" "* welcome guest3"
wait_for "$work/carol.out" "* online: guest1 guest2 guest3"

say alice "/nick alice"
wait_for "$work/alice.out" "* you are now alice"
wait_for "$work/bob.out" "* guest1 is now alice"
say bob "/nick bob"
wait_for "$work/carol.out" "* guest2 is now bob"
say carol "/nick carol"
wait_for "$work/alice.out" "* guest3 is now carol"

say alice "hello from nc"
wait_for "$work/bob.out" "<alice> hello from nc"
wait_for "$work/carol.out" "<alice> hello from nc"
say carol "hi from ncat"
wait_for "$work/alice.out" "<carol> hi from ncat"
wait_for "$work/bob.out" "<carol> hi from ncat"
say bob "/msg carol psst"
wait_for "$work/carol.out" "*bob* psst"
say carol "/me waves"
wait_for "$work/alice.out" "* carol waves"

start_client dave nc -u 127.0.0.1 "$port"
say dave "hi over udp"
wait_for "$work/dave.out" "* welcome guest4"
wait_for "$work/alice.out" "<guest4> hi over udp"
say alice "/who"
wait_for "$work/alice.out" "* online: alice bob carol guest4"
say carol "to everyone"
wait_for "$work/dave.out" "<carol> to everyone"

# Nobody heard themselves.
! grep -qF "<alice>" "$work/alice.out" || fail "alice got an echo"
! grep -qF "<carol>" "$work/carol.out" || fail "carol got an echo"
! grep -qF "*bob* psst" "$work/alice.out" || fail "a private message leaked"

say bob "/quit see you"
wait_for "$work/alice.out" "* bob left (see you)"
wait_for "$work/dave.out" "* bob left (see you)"
# The server closed bob's connection: with its input ended too, his nc has nothing left to do.
exec {fds[bob]}>&-
unset 'fds[bob]'
wait_exit "$bob_pid" 10
[ "$exit_status" -eq 0 ] || fail "bob's nc ended with status $exit_status after /quit"

# --- shutdown on SIGTERM: everyone is told, exit 0 within 2 s ----------------------------------
kill -TERM "$server_pid"
wait_exit "$server_pid" 2
[ "$exit_status" -eq 0 ] || fail "exit status $exit_status after SIGTERM"
wait_for "$work/alice.out" "* server shutting down"
wait_for "$work/carol.out" "* server shutting down"
wait_for "$work/dave.out" "* server shutting down"

# --- the command line -----------------------------------------------------------------------
[ "$(timeout 10 "$server_bin" --version)" = "chat-server (parley) 0.1.0" ] || fail "--version"
timeout 10 "$server_bin" --help | grep -q "^usage: chat-server" || fail "--help"
status=0
timeout 10 "$server_bin" --bogus 2>"$work/usage.err" || status=$?
[ "$status" -eq 2 ] || fail "--bogus exited $status, not 2"
grep -q "bogus" "$work/usage.err" || fail "--bogus: no clear error"
status=0
timeout 10 "$server_bin" --port 70000 2>/dev/null || status=$?
[ "$status" -eq 2 ] || fail "--port 70000 exited $status, not 2"

start_server first --port 0
status=0
timeout 10 "$server_bin" --port "$port" 2>"$work/in-use.err" || status=$?
[ "$status" -eq 1 ] || fail "a port in use exited $status, not 1"
grep -q "cannot listen on 127.0.0.1:$port" "$work/in-use.err" || fail "port in use: no clear error"
kill -INT "$server_pid"
wait_exit "$server_pid" 2
[ "$exit_status" -eq 0 ] || fail "exit status $exit_status after SIGINT"

echo "PASS: nc, ncat and nc -u talked through chat-server; its command line behaves"
