#!/bin/sh
# man-page.sh PROGRAM INCLUDE OUT [COMMAND...]
#   Writes OUT, PROGRAM's man page made by help2man from its --help and --version, gzip -9n
#   compressed (as Debian wants). INCLUDE is a help2man include file (the NAME line, SEE ALSO,
#   ...). Each COMMAND adds a section with `PROGRAM COMMAND --help`, verbatim.
set -eu
program=$1 include=$2 out=$3
shift 3
work=$out.tmp
rm -rf "$work" && mkdir -p "$work"
cp "$include" "$work/include.h2m"
if [ $# -gt 0 ]; then
  {
    echo "[COMMAND OPTIONS]"
    for command in "$@"; do
      echo ".SS \"$command\""
      echo ".nf"
      # roff: a backslash is \e; a line starting with . or ' would be a request.
      "$program" "$command" --help | sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"
      echo ".fi"
    done
  } >>"$work/include.h2m"
fi
# No locale from the build machine (dates, quotes) in the page.
LC_ALL=C.UTF-8 help2man --no-info --no-discard-stderr --include="$work/include.h2m" \
  --output="$work/page.1" "$program"
gzip -9n <"$work/page.1" >"$out"
rm -rf "$work"
