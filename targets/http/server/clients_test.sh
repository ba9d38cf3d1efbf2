#!/usr/bin/env bash
# Real clients against the built http-server: curl, and nc (netcat-openbsd) typing raw HTTP.
# usage: clients_test.sh PATH/TO/http-server
set -euo pipefail
program=${1:?usage: clients_test.sh PATH/TO/http-server}
source "$(dirname "$0")/serve_for_test.sh"

for tool in curl nc; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (ci/setup.sh test installs it)"
done

mkdir -p "$work/site/docs"
printf 'static hello\n' >"$work/site/docs/hello.txt"
printf 'TOP SECRET\n' >"$work/secret.txt"
start_server "$program" --root "$work/site" --idle-timeout 3s

checks=0
expect_contains() {  # NAME TEXT NEEDLE
  checks=$((checks + 1))
  case "$2" in
    *"$3"*) ;;
    *) fail "$1: expected to find '$3' in:
$2" ;;
  esac
}
expect_absent() {  # NAME TEXT NEEDLE
  checks=$((checks + 1))
  case "$2" in
    *"$3"*) fail "$1: did not expect '$3' in:
$2" ;;
  esac
}
fetch() { curl --silent --show-error --max-time 10 "$@"; }
# Raw bytes through nc; -N sends EOF after stdin, -w bounds idle waits.
raw() { printf "$1" | timeout 10 nc -N -w 5 "$host" "$port"; }

# curl: the page, HEAD, keep-alive reuse, HTTP/1.0, errors.
expect_contains "GET /" "$(fetch "$url/")" "<h1>Hola Mundo</h1>"
head=$(fetch --head "$url/" | tr -d '\r')
expect_contains "HEAD /" "$head" "HTTP/1.1 200 OK"
expect_contains "HEAD / length" "$head" "Content-Length: 20"
expect_contains "HEAD / type" "$head" "Content-Type: text/html; charset=utf-8"
expect_contains "HEAD / date" "$head" "Date: "
expect_contains "HEAD / server" "$head" "Server: parley/"
reuse=$(fetch --verbose --output /dev/null --output /dev/null "$url/" "$url/echo" 2>&1)
expect_contains "keep-alive" "$reuse" "Re-using existing connection"
http10=$(fetch --http1.0 --include "$url/" | tr -d '\r')
expect_contains "HTTP/1.0" "$http10" "Connection: close"
expect_contains "404" "$(fetch --output /dev/null --write-out '%{http_code}' "$url/nope")" "404"
not_allowed=$(fetch --include --request DELETE "$url/" | tr -d '\r')
expect_contains "405" "$not_allowed" "HTTP/1.1 405 Method Not Allowed"
expect_contains "405 Allow" "$not_allowed" "Allow: GET, HEAD"
expect_contains "501" "$(fetch --include --request BREW "$url/")" "501 Not Implemented"

# curl: /echo with a plain body, a chunked body, and Expect: 100-continue.
echo_plain=$(fetch --data-binary 'hello' "$url/echo?x=1")
expect_contains "echo method" "$echo_plain" "method: POST"
expect_contains "echo target" "$echo_plain" "target: /echo?x=1"
expect_contains "echo version" "$echo_plain" "version: HTTP/1.1"
expect_contains "echo header" "$echo_plain" "header: Content-Length: 5"
expect_contains "echo body" "$echo_plain" "body-length: 5
hello"
head -c 100000 /dev/zero | tr '\0' 'z' >"$work/body.txt"
echo_chunked=$(fetch --header 'Transfer-Encoding: chunked' --data-binary @"$work/body.txt" \
  "$url/echo")
expect_contains "chunked framing" "$echo_chunked" "framing: chunked"
expect_contains "chunked length" "$echo_chunked" "body-length: 100000"
continue_trace=$(fetch --verbose --header 'Expect: 100-continue' --data-binary @"$work/body.txt" \
  "$url/echo" 2>&1)
expect_contains "100-continue" "$continue_trace" "HTTP/1.1 100 Continue"
expect_contains "100-continue body" "$continue_trace" "body-length: 100000"

# curl: static files, and traversal attempts that must not reach the secret.
expect_contains "static" "$(fetch "$url/docs/hello.txt")" "static hello"
for target in '/../secret.txt' '/%2e%2e/secret.txt' '/docs/..%2f..%2fsecret.txt' \
  '/%2e%2e%5csecret.txt' '/docs/%00/../../secret.txt'; do
  out=$(fetch --path-as-is --include "$url$target" || true)
  expect_absent "traversal $target" "$out" "TOP SECRET"
  expect_contains "traversal $target" "$out" "400 Bad Request"
done

# nc: the tutorial by hand, pipelining, and bad input that closes the connection.
by_hand=$(raw 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
expect_contains "nc GET" "$by_hand" "HTTP/1.1 200 OK"
expect_contains "nc GET body" "$by_hand" "<h1>Hola Mundo</h1>"
echo_request='GET /echo?n=%s HTTP/1.1\r\nHost: x\r\n\r\n'
pipelined=$(printf "$echo_request$echo_request" 1 2 | timeout 10 nc -N -w 5 "$host" "$port")
expect_contains "nc pipelined in order" "$(echo "$pipelined" | grep '^target:' | tr '\n' ' ')" \
  "target: /echo?n=1 target: /echo?n=2"
# Without -N nc keeps its side open; it only returns because the server closes.
closed=$(printf 'GET / HTTP/1.1\r\n\r\n' | timeout 10 nc -w 5 "$host" "$port" | tr -d '\r') ||
  fail "nc: the server did not close after a 400"
expect_contains "nc 400" "$closed" "HTTP/1.1 400 Bad Request"
expect_contains "nc 400 reason" "$closed" "error: missing-host"
expect_contains "nc 400 close" "$closed" "Connection: close"
version=$(printf 'GET / HTTP/2.0\r\nHost: x\r\n\r\n' | timeout 10 nc -w 5 "$host" "$port") ||
  fail "nc: the server did not close after a 505"
expect_contains "nc 505" "$version" "505 HTTP Version Not Supported"

stop_server

# HTTPS: curl with the certificate as its CA, openssl s_client and ncat --ssl typing raw HTTP,
# and plain HTTP sent to the TLS port.
make_certificate
start_server "$program" --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" --idle-timeout 3s
expect_contains "https ready line" "$url" "https://127.0.0.1:"
tls_fetch() { fetch --cacert "$work/cert.pem" "$@"; }
expect_contains "https GET /" "$(tls_fetch "$url/")" "<h1>Hola Mundo</h1>"
expect_contains "https by name" "$(tls_fetch "https://localhost:$port/")" "<h1>Hola Mundo</h1>"
tls_trace=$(tls_fetch --verbose --output /dev/null --output /dev/null "$url/" "$url/echo" 2>&1)
expect_contains "https ALPN" "$tls_trace" "ALPN: server accepted http/1.1"
expect_contains "https keep-alive" "$tls_trace" "Re-using existing connection"
expect_contains "https echo" "$(tls_fetch --data-binary 'hello' "$url/echo")" "body-length: 5
hello"
expect_contains "https unknown CA" "$(fetch "$url/" 2>&1 || true)" "certificate"
plain_on_tls=$(fetch --include "http://$host:$port/" | tr -d '\r')
expect_contains "plain HTTP on the TLS port" "$plain_on_tls" "HTTP/1.1 400 Bad Request"
expect_contains "plain HTTP on the TLS port" "$plain_on_tls" "error: plain-http-on-tls-port"
s_client=$(printf "$echo_request$echo_request" 1 2 | timeout 10 openssl s_client -quiet \
  -connect "$host:$port" -servername localhost -CAfile "$work/cert.pem" -verify_return_error \
  -alpn http/1.1 2>/dev/null || true)  # its status says how the server ended the connection
expect_contains "s_client pipelined in order" \
  "$(echo "$s_client" | grep '^target:' | tr '\n' ' ')" "target: /echo?n=1 target: /echo?n=2"
if command -v ncat >/dev/null; then
  by_ncat=$(printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' | timeout 10 ncat --ssl --ssl-verify \
    --ssl-trustfile "$work/cert.pem" --ssl-servername localhost "$host" "$port") ||
    fail "ncat --ssl: exited with $?"
  expect_contains "ncat --ssl" "$by_ncat" "<h1>Hola Mundo</h1>"
fi
stop_server
echo "PASS: $checks checks against $url and plain http"
