#!/usr/bin/env bash
# package_test.sh BUILD_DIR
#   The .deb of a build tree, checked as a user meets it: cpack builds it from BUILD_DIR (in CI
#   the 'dev' preset, so this package links ASan and UBSan: the release package is made by
#   ci/package.sh); lintian reports no error and no warning (overrides state their reasons);
#   then, unpacked with dpkg-deb -x into a scratch root, the installed parley runs: --version,
#   its man pages render, bash completes `parley r` from the installed completion, it plays the
#   installed examples against the installed http-server and chat-server (its default --bin-dir
#   is its own folder), and `parley init` scaffolds a folder that plays green.
#   Each step prints its time. Exit 77 (skipped) when a packaging tool is missing.
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
for tool in cpack dpkg-deb dpkg-shlibdeps fakeroot lintian man; do
  command -v "$tool" >/dev/null ||
    { echo "SKIPPED: $tool is missing (ci/setup.sh test installs it)"; exit 77; }
done
completion=/usr/share/bash-completion/bash_completion
[ -f "$completion" ] || { echo "SKIPPED: bash-completion is missing (ci/setup.sh test)"; exit 77; }

work=$build/package-test
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
started=${EPOCHREALTIME/./}
step() {
  local ms=$(((${EPOCHREALTIME/./} - started) / 1000))
  printf '== %s (%d.%03ds so far)\n' "$1" $((ms / 1000)) $((ms % 1000))
}

step "cpack"
# gzip: the test package is made to be checked, not shipped; xz takes far longer on ASan binaries.
cpack --config "$build/CPackConfig.cmake" -B "$work/out" -D CPACK_DEBIAN_COMPRESSION_TYPE=gzip \
  >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack failed"; }
debs=("$work"/out/parley_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || { cat "$work/cpack.log"; fail "no single .deb"; }
deb=${debs[0]}
echo "$deb: $(du -k "$deb" | cut -f1) KiB"
dpkg-deb --field "$deb" Package Version Architecture Section Maintainer Depends Suggests

# lintian takes the longest: it runs beside the other steps, and is waited for at the end.
# Errors and warnings fail; overrides (shipped in the package) say why each one is there.
lintian --fail-on error,warning --display-info --show-overrides "$deb" >"$work/lintian.log" 2>&1 &
lintian_pid=$!

step "dpkg-deb -x"
root=$work/root
dpkg-deb -x "$deb" "$root"
bin=$root/usr/bin
for program in parley http-server chat-server; do
  [ -x "$bin/$program" ] || fail "$program is not installed in usr/bin"
done
version=$(dpkg-deb --field "$deb" Version)
[ "$("$bin/parley" --version)" = "parley $version" ] ||
  fail "parley --version says '$("$bin/parley" --version)', the package is $version"

step "man pages"
for program in parley http-server chat-server; do
  page=$root/usr/share/man/man1/$program.1.gz
  [ -f "$page" ] || fail "no man page for $program"
  text=$(MANWIDTH=80 man -l "$page" 2>"$work/man.err")
  [ ! -s "$work/man.err" ] || { cat "$work/man.err"; fail "man -l $page complains"; }
  grep -q "^NAME" <<<"$text" && grep -q -- "--help" <<<"$text" ||
    fail "the man page of $program does not render: $text"
done
MANWIDTH=80 man -l "$root/usr/share/man/man1/parley.1.gz" | grep -q "^COMMAND OPTIONS" ||
  fail "parley's man page lacks the options of its commands"

step "bash completion"
mkdir -p "$work/complete/suite/sub"
touch "$work/complete/suite/a.yaml" "$work/complete/suite/notes.txt"
cp "$root/usr/share/parley/examples/targets.yaml" "$work/complete/suite/"
# complete LINE: what bash would offer at the end of LINE, sorted, on one line. Words are split
# at blanks only (no '=' or ':' in these lines).
(
  cd "$work/complete"
  export PATH=$bin:$PATH XDG_DATA_DIRS=$root/usr/share
  # shellcheck disable=SC1090
  source "$completion"
  __load_completion parley || fail "bash-completion does not find the installed parley completion"
  __load_completion http-server || fail "no completion for http-server"
  complete -p parley | grep -q -- '-F _parley parley' || fail "complete -p parley: $(complete -p parley)"
  offer() {
    local line=$1 function
    COMP_LINE=$line COMP_POINT=${#line}
    read -ra COMP_WORDS <<<"$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    function=$(complete -p "${COMP_WORDS[0]}" | sed 's/.* -F \([^ ]*\) .*/\1/')
    "$function" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd ' '
  }
  expect() {
    local got
    got=$(offer "$1")
    [ "$got" = "$2" ] || fail "completing '$1' offers '$got', not '$2'"
    echo "ok: '$1' -> $got"
  }
  expect "parley r" "record run"
  expect "parley ru" "run"
  expect "parley run --ju" "--junit"
  expect "parley init --f" "--force"
  expect "parley run suite/" "suite/a.yaml suite/sub suite/targets.yaml"
  expect "parley run suite --target " "chat= http="
  expect "parley run --color n" "never"
  expect "http-server --po" "--port"
)

step "parley run (installed examples, installed servers)"
"$bin/parley" run "$root/usr/share/parley/examples" --timeout-scale 3 \
  --json "$work/examples.json" --junit "$work/examples.junit.xml"
grep -q "\"command\": \"$bin/chat-server " "$work/examples.json" ||
  fail "the examples did not start the installed chat-server"

step "parley init (installed parley)"
bash "$here/init_test.sh" "$bin/parley" "$here/../.." \
  "$root/usr/share/parley/scenario.schema.json"

step "lintian (started after cpack)"
status=0
wait "$lintian_pid" || status=$?
grep -v '^running with root privileges' "$work/lintian.log" || true
[ "$status" -eq 0 ] || fail "lintian found problems in $deb (exit $status)"

step "done"
