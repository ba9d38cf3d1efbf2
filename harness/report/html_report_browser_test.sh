#!/usr/bin/env bash
# The HTML report of a real run, opened in headless Chromium: the page must render every
# scenario. Exits 77 (skipped) only when chromium is not installed.
#
# usage: html_report_browser_test.sh PATH/TO/parley BIN_DIR WORK_DIR   (from the source root)
set -euo pipefail
parley=${1:?usage: html_report_browser_test.sh PATH/TO/parley BIN_DIR WORK_DIR}
bin_dir=${2:?usage: html_report_browser_test.sh PATH/TO/parley BIN_DIR WORK_DIR}
work=${3:?usage: html_report_browser_test.sh PATH/TO/parley BIN_DIR WORK_DIR}
if ! command -v chromium >/dev/null 2>&1; then
  echo "SKIP: chromium is not installed (ci/setup.sh test installs it)"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work/profile"
"$parley" run scenarios/examples --targets scenarios/targets.yaml --bin-dir "$bin_dir" \
  --timeout-scale 3 --html "$work/report.html" >"$work/run.log" 2>&1 || true
[ -s "$work/report.html" ] || { echo "FAIL: no report written"; cat "$work/run.log"; exit 1; }
timeout --kill-after=10 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --dump-dom "file://$work/report.html" >"$work/dom.html" \
  2>"$work/chromium.err"
expected=$("$parley" list scenarios/examples --targets scenarios/targets.yaml | tail -1 | cut -d' ' -f1)
shown=$(grep -c 'class="scenario"' "$work/dom.html" || true)
[ "$shown" -eq "$expected" ] || { echo "FAIL: $shown scenarios on the page, $expected played"; exit 1; }
echo "PASS: $shown scenarios on the page"
