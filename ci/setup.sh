#!/usr/bin/env bash
# Installs the Debian 12 packages parley needs that are missing. Idempotent: when everything is
# already there it only checks and prints nothing to install.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ci/setup.sh [GROUP...]

Installs the missing Debian packages of the named groups (default: build test).
Works as root, or as a user with sudo. A no-op when all packages are present.

groups:
  build   compilers, CMake, Ninja, Boost, yaml-cpp, RE2, OpenSSL (library and the openssl
          program the TLS suite starts), GoogleTest, Google Benchmark,
          clang-14
  test    real peers the tests talk to: curl, ncat, netcat-openbsd, nginx-light, chromium,
          openssl (test certificates, s_client, s_server);
          patch (ci/fault-injection.sh); afl++ (an instrumented target for parley fuzz's
          coverage tests); ngircd and nginx-light (the example suites that start a server
          parley did not build); python3-jsonschema and python3-yaml (ci/check-schema.py);
          help2man, dpkg-dev, fakeroot, lintian and bash-completion (the .deb, its man pages
          and completion, checked in a test); yamllint (the CI workflow files)
  fuzz    AFL++ (second fuzz engine)
  bench   wrk, nginx-light, ncat, linux-perf, valgrind, time
  all     every group above
USAGE
}

declare -A groups=(
  [build]="cmake ninja-build g++ make python3 pkg-config libboost-dev libboost-program-options-dev libyaml-cpp-dev libre2-dev libgtest-dev libgmock-dev libbenchmark-dev libssl-dev liburing-dev openssl clang-14 libclang-rt-14-dev clang-format-14"
  [test]="curl ncat netcat-openbsd nginx-light ngircd chromium procps patch afl++ openssl python3-jsonschema python3-yaml help2man lintian dpkg-dev fakeroot bash-completion yamllint"
  [fuzz]="afl++"
  [bench]="wrk nginx-light ncat linux-perf valgrind procps time"
)

selected=()
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
    all) selected+=(build test fuzz bench) ;;
    build | test | fuzz | bench) selected+=("$arg") ;;
    *) echo "ci/setup.sh: unknown group '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#selected[@]} -gt 0 ] || selected=(build test)

missing=()
for group in "${selected[@]}"; do
  for pkg in ${groups[$group]}; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
      case " ${missing[*]:-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
    fi
  done
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present (${selected[*]})"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "setup: missing packages: ${missing[*]}" >&2
  echo "setup: run as root or install sudo" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
