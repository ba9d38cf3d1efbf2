#!/usr/bin/env bash
# `parley record` in front of the built http-server while headless Chromium loads the page;
# the recorded file must validate and replay green against the same server. Exits 77 (skipped)
# only when chromium is not installed.
#
# usage: record_browser_test.sh PATH/TO/parley PATH/TO/http-server
set -euo pipefail
parley=${1:?usage: record_browser_test.sh PATH/TO/parley PATH/TO/http-server}
http_server=${2:?usage: record_browser_test.sh PATH/TO/parley PATH/TO/http-server}
if ! command -v chromium >/dev/null 2>&1; then
  echo "SKIP: chromium is not installed (ci/setup.sh test installs it)"
  exit 77
fi
source "$(dirname "$0")/record_for_test.sh"

start_server http "$http_server" --host 127.0.0.1 --port 0
start_recorder rec --to "$server_addr" --out "$work/browser.yaml" --name "chromium loads /"
mkdir "$work/profile"
# timeout runs chromium in a process group of its own and signals the whole group.
status=0
timeout --kill-after=10 90 chromium --headless --no-sandbox --disable-gpu --disable-quic \
  --no-first-run --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --dump-dom "http://$rec_addr/" >"$work/dom.html" \
  2>"$work/chromium.err" || status=$?
[ "$status" -eq 0 ] || fail "chromium exited with $status"
grep -q '<h1>Hola Mundo</h1>' "$work/dom.html" || fail "chromium did not render the page"
stop_recorder rec
recorded="$work/browser.yaml"
expect_in "$recorded" "text: 'GET / HTTP/1.1\\r\\nHost: \${server}\\r\\n"
expect_in "$recorded" "body: '<h1>Hola Mundo</h1>\\n'"
replay "$recorded"
echo "PASS: chromium's visit recorded ($(grep -c '^  - ' "$recorded") steps) and replayed"
