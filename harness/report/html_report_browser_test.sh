#!/usr/bin/env bash
# The HTML report of a real run, opened in headless Chromium. The run plays the example suite
# plus two scenarios that fail (an HTTP body that differs over several lines, a chat line that
# never comes), so the page has passes, failures, transcripts and targets. Checks:
#   - the page's script ran to its end (data-ready) with no uncaught error (data-error) and the
#     browser logged no console message at all;
#   - the page holds one row per scenario played (`parley list` counts them) and the failures
#     with their located step and coloured diff;
#   - `#status=failed` and `#tag=chat` open the page filtered: only those rows are shown;
#   - a screenshot is taken and is not blank.
# With PARLEY_VNU_JAR set (the Nu HTML checker), the page is also validated as HTML5.
# Exits 77 (skipped) only when chromium is not installed.
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
fail() {
  echo "FAIL: $*"
  exit 1
}

rm -rf "$work" && mkdir -p "$work/suite"
cp scenarios/examples/*.yaml "$work/suite/"
cp -r scenarios/examples/www "$work/suite/"
cat >"$work/suite/report-failures.yaml" <<'EOF'
- name: a body that differs, named with <b>, & and "quotes"
  tags: [http, report-check]
  target: http
  steps:
    - connect: c
    - send: {text: "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"}
    - expect: {http: {status: 200, body: "<!DOCTYPE html>\n<html>\n<h1>Adios Mundo</h1>\n</html>\n"}}

- name: a line that never comes
  tags: [chat, report-check]
  target: chat
  steps:
    - connect: bob
    - expect: {line: "<guest9> no such line", timeout: 300ms}
EOF

status=0
"$parley" run "$work/suite" --targets scenarios/targets.yaml --bin-dir "$bin_dir" \
  --timeout-scale 3 --html "$work/report.html" >"$work/run.log" 2>&1 || status=$?
[ "$status" -eq 1 ] || { cat "$work/run.log"; fail "parley run exited $status, not 1 (a failure)"; }
[ -s "$work/report.html" ] || { cat "$work/run.log"; fail "no report written"; }
echo "report: $(wc -c <"$work/report.html") bytes"

# browse NAME URL ARGS...: one headless Chromium run; its stdout in NAME.out, its log in NAME.err.
browse() {
  local name=$1 url=$2
  shift 2
  timeout --kill-after=10 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile-$name" --enable-logging=stderr --v=0 "$@" "$url" \
    >"$work/$name.out" 2>"$work/$name.err" || fail "chromium ($name) exited $?"
  if grep -q 'CONSOLE' "$work/$name.err"; then
    grep 'CONSOLE' "$work/$name.err"
    fail "the page logged to the console ($name)"
  fi
}

# ran_clean DOM: the script reached its end and nothing threw.
ran_clean() {
  if grep -q 'data-error=' "$1"; then
    grep -o 'data-error="[^"]*"' "$1"
    fail "the page's script threw ($1)"
  fi
  grep -q '<html lang="en" data-ready="1"' "$1" || fail "the page's script did not finish ($1)"
}

# visible_rows DOM: the status of each row the filter left shown, one a line.
visible_rows() {
  grep -o '<tr class="scenario" data-status="[a-z-]*"[^>]*>' "$1" | grep -v 'hidden' |
    sed 's/.*data-status="\([a-z-]*\)".*/\1/' || true
}

url="file://$work/report.html"
browse dom "$url" --dump-dom
ran_clean "$work/dom.out"
expected=$("$parley" list "$work/suite" --targets scenarios/targets.yaml | tail -1 | cut -d' ' -f1)
shown=$(grep -o '<tr class="scenario"' "$work/dom.out" | wc -l)
[ "$shown" -eq "$expected" ] || fail "$shown scenarios on the page, $expected played"
[ "$(visible_rows "$work/dom.out" | wc -l)" -eq "$expected" ] || fail "rows hidden with no filter"
failed=$(grep -o '<tr class="scenario" data-status="failed"' "$work/dom.out" | wc -l)
[ "$failed" -eq 2 ] || fail "$failed failed rows, expected 2"
grep -q 'a body that differs, named with &lt;b&gt;, &amp; and "quotes"' "$work/dom.out" ||
  fail "the failing scenario's name is not shown escaped"
grep -q 'report-failures.yaml:[0-9]*:[0-9]*</code> (expect on <code>c</code>)' "$work/dom.out" ||
  fail "the failure is not located at its step"
# The body's diff: unified (d-del, d-add) or the console's expected/actual lines (d-exp, d-act).
grep -q '<span class="d-\(del\|exp\)">[^<]*&lt;h1&gt;Adios Mundo' "$work/dom.out" ||
  fail "the expected body is not marked in the diff"
grep -q '<span class="d-\(add\|act\)">[^<]*&lt;h1&gt;Hola Mundo' "$work/dom.out" ||
  fail "the body that arrived is not marked in the diff"
grep -q '<summary>transcript of <code>bob</code> (the failing connection)' "$work/dom.out" ||
  fail "no transcript of the failing connection"
grep -q 'target <code>chat</code>' "$work/dom.out" || fail "the chat target is not shown"

browse failed "$url#status=failed" --dump-dom
ran_clean "$work/failed.out"
rows=$(visible_rows "$work/failed.out")
[ "$(echo "$rows" | grep -c .)" -eq 2 ] && ! echo "$rows" | grep -qv '^failed$' ||
  fail "#status=failed shows: $(echo "$rows" | sort | uniq -c | tr '\n' ' ')"
grep -q 'id="shown">2<' "$work/failed.out" || fail "#status=failed does not count 2 shown"

browse tag "$url#tag=chat" --dump-dom
ran_clean "$work/tag.out"
chat_rows=$(grep '<tr class="scenario"' "$work/dom.out" | grep -c '<span class="tag">chat</span>')
tag_rows=$(visible_rows "$work/tag.out" | wc -l)
[ "$chat_rows" -ge 2 ] && [ "$tag_rows" -eq "$chat_rows" ] ||
  fail "#tag=chat shows $tag_rows rows, $chat_rows are tagged chat"

browse shot "$url" --screenshot="$work/report.png" --window-size=1280,1600 --hide-scrollbars
[ -s "$work/report.png" ] || fail "no screenshot"
[ "$(head -c 8 "$work/report.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
  fail "the screenshot is not a PNG"
png_size=$(wc -c <"$work/report.png")
[ "$png_size" -gt 30000 ] || fail "the screenshot is $png_size bytes: a blank page?"

if [ -n "${PARLEY_VNU_JAR:-}" ]; then
  java -jar "$PARLEY_VNU_JAR" --errors-only "$work/report.html" || fail "not valid HTML5"
  echo "valid HTML5 (Nu HTML checker)"
fi
echo "PASS: $shown scenarios on the page ($failed failed), filters work, screenshot $png_size bytes"
