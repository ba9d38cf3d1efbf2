#!/usr/bin/env bash
# A real browser: headless Chromium loads the page from the built http-server and must show
# <h1>Hola Mundo</h1>. Exits 77 (skipped) only when chromium is not installed.
# usage: browser_test.sh PATH/TO/http-server
set -euo pipefail
program=${1:?usage: browser_test.sh PATH/TO/http-server}
source "$(dirname "$0")/serve_for_test.sh"

if ! command -v chromium >/dev/null; then
  echo "SKIP: chromium is not installed (ci/setup.sh test installs it)"
  exit 77
fi

start_server "$program" --verbose
mkdir "$work/profile"
# timeout runs chromium in a process group of its own and signals the whole group.
status=0
timeout --kill-after=10 90 chromium --headless --no-sandbox --disable-gpu --disable-quic \
  --no-first-run --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --dump-dom "$url/" >"$work/dom.html" 2>"$work/chromium.err" ||
  status=$?
[ "$status" -eq 0 ] || {
  cat "$work/chromium.err" >&2
  fail "chromium exited with $status"
}
grep -q '<h1>Hola Mundo</h1>' "$work/dom.html" || {
  cat "$work/dom.html" >&2
  fail "the page chromium rendered has no <h1>Hola Mundo</h1>"
}
grep -q 'GET / HTTP/1.1 -> 200' "$work/server.err" || fail "the server did not log the request"
stop_server
echo "PASS: chromium rendered $(cat "$work/dom.html")"

# The same over HTTPS, with a certificate made now (chromium keeps its own trust store, so it is
# told to accept it).
make_certificate
start_server "$program" --verbose --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
status=0
timeout --kill-after=10 90 chromium --headless --no-sandbox --disable-gpu --disable-quic \
  --no-first-run --disable-background-networking --disable-component-update --disable-sync \
  --ignore-certificate-errors --user-data-dir="$work/profile" --dump-dom "$url/" \
  >"$work/dom.html" 2>"$work/chromium.err" || status=$?
[ "$status" -eq 0 ] || {
  cat "$work/chromium.err" >&2
  fail "chromium (https) exited with $status"
}
grep -q '<h1>Hola Mundo</h1>' "$work/dom.html" || {
  cat "$work/dom.html" >&2
  fail "the page chromium rendered over https has no <h1>Hola Mundo</h1>"
}
grep -q 'GET / HTTP/1.1 -> 200' "$work/server.err" ||
  fail "the server did not log the https request"
stop_server
echo "PASS: chromium rendered over $url: $(cat "$work/dom.html")"
