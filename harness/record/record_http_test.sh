#!/usr/bin/env bash
# `parley record` in front of the built http-server: sessions of curl and nc (netcat-openbsd)
# are recorded, then the recorded file must validate and replay green with `parley run`,
# against the same server, another instance, and the in-tree target; HTTPS upstream; a server
# that cannot be reached; --connections. Exits 77 (skipped) when curl, nc or openssl is missing.
#
# usage: record_http_test.sh PATH/TO/parley PATH/TO/http-server
set -euo pipefail
parley=${1:?usage: record_http_test.sh PATH/TO/parley PATH/TO/http-server}
http_server=${2:?usage: record_http_test.sh PATH/TO/parley PATH/TO/http-server}
for tool in curl nc openssl timeout; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed (ci/setup.sh test installs it)"
    exit 77
  fi
done
source "$(dirname "$0")/record_for_test.sh"

fetch() { curl --silent --show-error --max-time 10 "$@"; }

# --- curl and nc against http-server -----------------------------------------------------
start_server http "$http_server" --host 127.0.0.1 --port 0
http_addr=$server_addr
start_recorder rec1 --to "$http_addr" --out "$work/http.yaml" --name "curl and nc" --verbose
out=$(fetch "http://$rec_addr/")
[ "$out" = "<h1>Hola Mundo</h1>" ] || fail "curl through the recorder got: $out"
fetch --head "http://$rec_addr/" >/dev/null
fetch --output /dev/null --output /dev/null "http://$rec_addr/" "http://localhost:$rec_port/echo"
contains() { case "$1" in *"$2"*) ;; *) fail "$3: no '$2' in: $1" ;; esac; }
contains "$(fetch --data-binary 'hello' "http://$rec_addr/echo?x=1")" 'body-length: 5' "POST /echo"
head -c 100000 /dev/zero | tr '\0' 'z' >"$work/body.txt"
contains "$(fetch --header 'Transfer-Encoding: chunked' --data-binary @"$work/body.txt" \
  "http://$rec_addr/echo")" 'body-length: 100000' "chunked upload"
[ "$(fetch --output /dev/null --write-out '%{http_code}' "http://$rec_addr/nope")" = 404 ] ||
  fail "404 through the recorder"
printf 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
  timeout 10 nc -N -w 5 "$rec_host" "$rec_port" >"$work/nc.txt"
grep -q 'Hola Mundo' "$work/nc.txt" || fail "nc through the recorder got: $(cat "$work/nc.txt")"
printf 'BREW / HTTP/1.1\r\nHost: x\r\n\r\n' | timeout 10 nc -N -w 5 "$rec_host" "$rec_port" \
  >/dev/null
stop_recorder rec1
grep -q 'wrote .*http.yaml: 9 connections' "$work/rec1.err" || fail "the recorder's summary"
for line in 'c1 tcp from 127\.0\.0\.1:[0-9]+$' 'c1 > [0-9]+ bytes$' 'c1 < [0-9]+ bytes$' \
  'c1 the client closed \(FIN\)$' 'c1 the server closed$'; do
  grep -qE "^parley record: $line" "$work/rec1.err" || fail "--verbose did not say: $line"
done
recorded="$work/http.yaml"
expect_in "$recorded" "name: 'curl and nc'"
expect_in "$recorded" "# protocols (detected): http: c1 c2 c3 c4 c5 c6 c7 c8 c9"
expect_in "$recorded" "'Date': {present: true}"
expect_in "$recorded" "text: 'GET / HTTP/1.1\\r\\nHost: \${server}\\r\\n"
expect_in "$recorded" "text: 'GET /echo HTTP/1.1\\r\\nHost: \${server}\\r\\n"
expect_in "$recorded" "{repeat: 'z', count: "
expect_in "$recorded" "status: 501"
expect_in "$recorded" "body: '<h1>Hola Mundo</h1>\\n'"
replay "$recorded"
echo "PASS: curl and nc recorded ($(grep -c '^  - ' "$recorded") steps) and replayed"

# The same file against another instance (other port, other dates) with --var.
start_server http2 "$http_server" --host 127.0.0.1 --port 0
replay "$recorded" --var "server=$server_addr"
echo "PASS: replayed against a second http-server"

# A replay that must fail: a body the server does not send.
sed 's#<h1>Hola Mundo</h1>#<h1>Adios</h1>#' "$recorded" >"$work/wrong.yaml"
status=0
"$parley" run "$work/wrong.yaml" >"$work/wrong.out" 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "a changed body replayed with exit $status, not 1"
grep -q 'Adios' "$work/wrong.out" || fail "the failure does not show the expected body"
echo "PASS: a changed expectation fails the replay"

# --- --target: replay by target name, against a running server and the in-tree target -------
start_recorder rec2 --to "$http_addr" --target http --connections 2 --out "$work/target.yaml"
fetch "http://$rec_addr/" >/dev/null
fetch --data-binary 'x' "http://$rec_addr/echo" >/dev/null
wait_exit "$rec_pid" 15  # --connections 2: it stops by itself
[ "$exit_status" -eq 0 ] || fail "parley record --connections 2 exited with $exit_status"
expect_in "$work/target.yaml" "target: http"
expect_in "$work/target.yaml" "Host: \${target.address}"
replay "$work/target.yaml" --target "http=$http_addr"
replay "$work/target.yaml" \
  --targets "$repo/scenarios/targets.yaml" --bin-dir "$(dirname "$http_server")"
echo "PASS: --target http replayed against a running server and the in-tree target"

# --- HTTPS upstream: the recorder speaks TLS to the server, plain HTTP to its clients --------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>"$work/openssl.err" ||
  fail "openssl req: $(cat "$work/openssl.err")"
start_server https "$http_server" --host 127.0.0.1 --port 0 \
  --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
start_recorder rec3 --to "tls://$server_addr" --ca "$work/cert.pem" --sni localhost \
  --out "$work/https.yaml"
[ "$(fetch "http://$rec_addr/")" = "<h1>Hola Mundo</h1>" ] || fail "curl through TLS upstream"
contains "$(fetch --data-binary 'over tls' "http://$rec_addr/echo")" 'over tls' "echo over TLS"
stop_recorder rec3
expect_in "$work/https.yaml" "tls: {ca: '$work/cert.pem', sni: 'localhost'}"
replay "$work/https.yaml"
echo "PASS: HTTPS upstream recorded and replayed over TLS"

# --- a server that cannot be reached -------------------------------------------------------
start_server gone "$http_server" --host 127.0.0.1 --port 0
gone_addr=$server_addr
kill -TERM "$server_pid"
wait_exit "$server_pid" 10
start_recorder rec4 --to "$gone_addr" --out "$work/gone.yaml"
status=0
fetch "http://$rec_addr/" >/dev/null 2>&1 || status=$?
# 52: an empty reply, 56: a reset (the recorder closed a socket with the request unread).
[ "$status" -eq 52 ] || [ "$status" -eq 56 ] ||
  fail "curl through a recorder whose server is down exited $status, not 52 or 56"
stop_recorder rec4 1
grep -q "c1: cannot connect to the server $gone_addr: Connection refused; closing the client" \
  "$work/rec4.err" || fail "no clear error for the server that is down"
grep -q "nothing to write: no client connection reached the server" "$work/rec4.err" ||
  fail "no 'nothing to write'"
[ ! -e "$work/gone.yaml" ] || fail "a file was written although nothing was recorded"
echo "PASS: a server that is down is reported and nothing is written"

# --- the command line --------------------------------------------------------------------
status=0
"$parley" record --listen 127.0.0.1:0 --to "$http_addr" --out "$recorded" 2>"$work/usage.err" ||
  status=$?
[ "$status" -eq 2 ] && grep -q 'exists; use --force' "$work/usage.err" ||
  fail "an existing --out was not refused (exit $status)"
status=0
"$parley" record --listen 127.0.0.1:0 --to "$http_addr" --out "$work/x.yaml" --protocol ftp \
  2>"$work/usage.err" || status=$?
[ "$status" -eq 2 ] && grep -q -- '--protocol takes http, lines or bytes' "$work/usage.err" ||
  fail "a bad --protocol was not refused (exit $status)"
status=0
"$parley" record --listen 127.0.0.1:0 --to "$http_addr" --out "$work/x.yaml" stray \
  2>"$work/usage.err" || status=$?
[ "$status" -eq 2 ] && grep -q 'too many positional options' "$work/usage.err" ||
  fail "a stray argument was not refused (exit $status)"
"$parley" record --help | grep -q '^usage: parley record --listen HOST:PORT' || fail "--help"
echo "PASS: the command line"

# The recorded files also pass the JSON Schema editors use (when its checker can run).
if python3 -c 'import jsonschema, yaml' 2>/dev/null; then
  python3 "$repo/ci/check-schema.py" "$work" >"$work/schema.out" 2>&1 ||
    fail "a recorded file does not validate against docs/scenario.schema.json: $(cat "$work/schema.out")"
  echo "PASS: $(cat "$work/schema.out")"
fi
