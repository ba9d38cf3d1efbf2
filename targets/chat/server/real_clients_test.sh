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

source "$(dirname "$0")/clients_for_test.sh"

# --- talk ------------------------------------------------------------------------------------
start_server server --port 0
[ "$(cat "$work/server.out")" = "listening on 127.0.0.1:$port" ] || fail "not one plain ready line"

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
end_input bob
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
