#!/usr/bin/env bash
# chat-server over TLS with real clients: ncat --ssl and openssl s_client, both verifying the
# server's certificate, join the room through the built binary and talk; a plain TCP client and
# one that never starts a handshake are closed while the room goes on; /quit and SIGTERM end
# the TLS clients cleanly. Then the TLS flags' errors: half a pair (exit 2), a missing file, a
# file that is not PEM and a key that does not match (exit 1). The certificates are made by
# openssl at test time in a temporary folder, removed on exit. Every wait has a deadline;
# everything started is stopped on exit, failed or not. Exits 77 (skipped) when a tool is
# missing.
#
# usage: tls_clients_test.sh PATH/TO/chat-server
set -euo pipefail

server_bin=${1:?usage: tls_clients_test.sh PATH/TO/chat-server}
for tool in ncat openssl nc timeout; do
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

# make_certificate NAME: a self-signed P-256 certificate for localhost and 127.0.0.1, in
# $work/NAME.pem with its key in $work/NAME.key.
make_certificate() {
  timeout 30 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$work/$1.key" -out "$work/$1.pem" 2>"$work/openssl-$1.err" ||
    fail "openssl could not make a certificate"
}
make_certificate server
make_certificate other
cert=$work/server.pem
key=$work/server.key

# --- talk -------------------------------------------------------------------------------------
start_server server --port 0 --tls-cert "$cert" --tls-key "$key" --verbose
[ "$(cat "$work/server.out")" = "listening on tls://127.0.0.1:$port" ] ||
  fail "not one TLS ready line"

# ncat checks the certificate against --ssl-servername (it does not match IP addresses).
start_client alice ncat --ssl --ssl-verify --ssl-trustfile "$cert" --ssl-servername localhost \
  127.0.0.1 "$port"
alice_pid=$client_pid
wait_for "$work/alice.out" "* welcome guest1"
wait_for "$work/alice.out" "* online: guest1"
start_client bob openssl s_client -quiet -connect "127.0.0.1:$port" -CAfile "$cert" \
  -verify_return_error -verify_ip 127.0.0.1
bob_pid=$client_pid
wait_for "$work/bob.out" "* welcome guest2"
wait_for "$work/bob.out" "* online: guest1 guest2"
wait_for "$work/alice.out" "* guest2 joined"

say alice "/nick alice"
wait_for "$work/alice.out" "* you are now alice"
wait_for "$work/bob.out" "* guest1 is now alice"
say alice "hello from ncat --ssl"
wait_for "$work/bob.out" "<alice> hello from ncat --ssl"
say bob "hi from openssl s_client"
wait_for "$work/alice.out" "<guest2> hi from openssl s_client"
say bob "/msg alice psst"
wait_for "$work/alice.out" "*guest2* psst"
! grep -qF "<alice>" "$work/alice.out" || fail "alice got an echo"
! grep -qF "<guest2>" "$work/bob.out" || fail "bob got an echo"

# --- clients that do not speak TLS ------------------------------------------------------------
# Plain text on the TLS port: the handshake fails, the connection closes, the room goes on.
status=0
printf 'hello in plain text\n' | timeout 10 nc -N 127.0.0.1 "$port" >"$work/plain.out" || status=$?
[ "$status" -eq 0 ] || fail "the plain TCP client ended with status $status (124: never closed)"
grep -qE '^chat-server: 127\.0\.0\.1:[0-9]+: TLS handshake failed: ' "$work/server.err" ||
  fail "no 'TLS handshake failed' in the verbose log"
# Silence: closed once the close grace period (0.5 s) is over.
start_us=$(now_us)
status=0
timeout 10 nc 127.0.0.1 "$port" </dev/null >"$work/silent.out" || status=$?
took_ms=$((($(now_us) - start_us) / 1000))
[ "$status" -eq 0 ] || fail "the silent client ended with status $status (124: never closed)"
[ "$took_ms" -ge 400 ] && [ "$took_ms" -lt 5000 ] ||
  fail "the silent client was closed after $took_ms ms, not about 500"
grep -qE '^chat-server: 127\.0\.0\.1:[0-9]+: TLS handshake timed out$' "$work/server.err" ||
  fail "no 'TLS handshake timed out' in the verbose log"
kill -0 "$server_pid" 2>/dev/null || fail "the server died"
say alice "/who"
wait_for "$work/alice.out" "* online: alice guest2"

# --- leaving ----------------------------------------------------------------------------------
# /quit: the server writes close_notify and closes; s_client reads a clean end and exits 0.
say bob "/quit over and out"
wait_for "$work/alice.out" "* guest2 left (over and out)"
wait_exit "$bob_pid" 10
[ "$exit_status" -eq 0 ] || fail "s_client ended with status $exit_status after /quit"
# SIGTERM: alice is told and the server exits 0. (ncat, plain or --ssl, stays up after its
# peer closes until its own input ends.)
kill -TERM "$server_pid"
wait_exit "$server_pid" 2
[ "$exit_status" -eq 0 ] || fail "exit status $exit_status after SIGTERM"
wait_for "$work/alice.out" "* server shutting down"
end_input alice
wait_exit "$alice_pid" 10
[ "$exit_status" -eq 0 ] || fail "ncat ended with status $exit_status after the shutdown"

# --- the TLS flags' errors --------------------------------------------------------------------
# expect_error STATUS MESSAGE FLAGS...: chat-server FLAGS exits STATUS and prints MESSAGE as its
# first line on stderr.
expect_error() {
  local expected=$1 message=$2
  shift 2
  local status=0
  timeout 10 "$server_bin" --port 0 "$@" >/dev/null 2>"$work/error.err" || status=$?
  [ "$status" -eq "$expected" ] || fail "chat-server $* exited $status, not $expected"
  [ "$(head -n 1 "$work/error.err")" = "$message" ] ||
    fail "chat-server $*: expected '$message' on stderr, got '$(head -n 1 "$work/error.err")'"
}
expect_error 2 "chat-server: --tls-cert needs --tls-key" --tls-cert "$cert"
expect_error 2 "chat-server: --tls-key needs --tls-cert" --tls-key "$key"
expect_error 1 \
  "chat-server: cannot read the TLS certificate file $work/missing.pem: No such file or directory" \
  --tls-cert "$work/missing.pem" --tls-key "$key"
expect_error 1 "chat-server: cannot read the TLS key file $work/missing.key: No such file or directory" \
  --tls-cert "$cert" --tls-key "$work/missing.key"
expect_error 1 "chat-server: the TLS key in $work/other.key does not match the certificate in $cert" \
  --tls-cert "$cert" --tls-key "$work/other.key"
printf 'not a certificate\n' >"$work/not-pem.txt"
status=0
timeout 10 "$server_bin" --port 0 --tls-cert "$work/not-pem.txt" --tls-key "$key" \
  2>"$work/error.err" || status=$?
[ "$status" -eq 1 ] || fail "a certificate file that is not PEM exited $status, not 1"
grep -qF "chat-server: the TLS certificate file $work/not-pem.txt holds no usable PEM certificate" \
  "$work/error.err" || fail "not-PEM certificate: no clear error"

echo "PASS: ncat --ssl and openssl s_client talked through chat-server over TLS; plain and" \
  "silent clients were closed; the TLS flags' errors are clear"
