#!/usr/bin/env bash
# Makes parley's release .deb: a release build (g++ -O2, no sanitizers, no benchmarks) of the
# programs and their man pages, then CPack (ci/package/CMakeLists.txt), then lintian. Prints the
# package's path on the last line.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ci/package.sh [--build-dir DIR] [--no-lintian]

Builds parley, http-server, chat-server and their man pages in DIR (default: build/package)
and makes DIR/parley_<version>_<arch>.deb with CPack: stripped binaries, Depends from
dpkg-shlibdeps, xz. Then checks it with lintian (errors and warnings fail). Needs the 'build'
and 'test' packages of ci/setup.sh (help2man, dpkg-dev, fakeroot, lintian).

  --build-dir DIR   where to build (relative to the repository)
  --no-lintian      skip the lintian check
  -h, --help        this text
USAGE
}

build=build/package
lint=1
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --build-dir) build=${2:?--build-dir needs a folder}; shift ;;
    --no-lintian) lint=0 ;;
    *) echo "ci/package.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

cd "$(dirname "$0")/.."
for tool in help2man dpkg-shlibdeps; do
  command -v "$tool" >/dev/null ||
    { echo "ci/package.sh: $tool is missing (ci/setup.sh test installs it)" >&2; exit 1; }
done

# Debian's build flags, with all its hardening (fortify, stack protector, relro, bind now).
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CXXFLAGS="$(dpkg-buildflags --get CXXFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
LDFLAGS=$(dpkg-buildflags --get LDFLAGS)
export CXXFLAGS LDFLAGS
# Only install() names what cpack installs: the three programs and their man pages.
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-DNDEBUG" -DPARLEY_SANITIZE=OFF -DPARLEY_WERROR=OFF \
  -DPARLEY_BENCHMARKS=OFF
cmake --build "$build" -j "$(nproc)" --target parley http-server chat-server man-pages
rm -f "$build"/parley_*.deb
(cd "$build" && cpack)
debs=("$build"/parley_*.deb)
deb=${debs[0]}
[ -f "$deb" ] || { echo "ci/package.sh: cpack made no .deb" >&2; exit 1; }
dpkg-deb --field "$deb" Package Version Architecture Depends
if [ "$lint" -eq 1 ]; then
  command -v lintian >/dev/null || { echo "ci/package.sh: lintian is missing" >&2; exit 1; }
  lintian --fail-on error,warning "$deb"
fi
echo "$(pwd)/$deb"
