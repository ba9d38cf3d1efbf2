#!/usr/bin/env bash
# init_test.sh PARLEY SOURCE_DIR [SCHEMA]
#   `parley init` end to end, as a user meets it: it scaffolds a fresh folder, refuses to do it
#   again without --force, and what it wrote validates (parley validate, the JSON Schema, and
#   yamllint for the workflow) and plays green as written, from the folder, as its CI workflow
#   runs it. With SCHEMA, the example's editor modeline must point at that file.
#   Exit 77 (skipped) when python3, the placeholder server's interpreter, is missing.
set -euo pipefail
parley=$(realpath "$1") source_dir=$(realpath "$2") schema=${3-}
command -v python3 >/dev/null || { echo "SKIPPED: python3 is missing (apt-get install python3)"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/parley-init-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$parley" init "$work/repo"
for file in scenarios/targets.yaml scenarios/example.yaml .github/workflows/parley.yml; do
  [ -f "$work/repo/$file" ] || fail "parley init did not write $file"
done
status=0
"$parley" init "$work/repo" 2>"$work/again.err" || status=$?
[ "$status" -eq 2 ] || fail "a second parley init exited $status, not 2"
grep -q 'already exist; nothing was written (--force overwrites)' "$work/again.err" ||
  fail "a second parley init said: $(cat "$work/again.err")"
"$parley" init "$work/repo" --force >/dev/null

if [ -n "$schema" ]; then
  head -1 "$work/repo/scenarios/example.yaml" | grep -qxF "# yaml-language-server: \$schema=$schema" ||
    fail "the example's modeline is not the installed schema: $(head -1 "$work/repo/scenarios/example.yaml")"
fi

cd "$work/repo"
"$parley" validate scenarios
status=0
/usr/bin/python3 "$source_dir/ci/check-schema.py" scenarios || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 77 ] || fail "the example does not match the JSON Schema"
if command -v yamllint >/dev/null; then
  # GitHub reads `on:` as the string "on"; yamllint's YAML 1.1 truthy rule would flag it.
  # Line lengths are the unit test's (the modeline here holds a long scratch path).
  yamllint --strict -d '{extends: default, rules: {truthy: {check-keys: false},
    document-start: disable, line-length: disable}}' .github/workflows/parley.yml scenarios
fi
"$parley" run scenarios --junit parley-junit.xml --timeout-scale 3
grep -q 'failures="0"' parley-junit.xml || fail "the JUnit report shows failures"
echo "parley init: scaffold validated and played green"
