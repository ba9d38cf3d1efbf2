#!/usr/bin/env bash
# Plays the HTTP and TLS scenarios tagged `portable` against nginx: the rules every RFC 9110/9112
# origin server must follow, and a TLS subset, checked on a real peer. Starts nginx on two free
# loopback ports (plain and ssl) with the config in ci/nginx/nginx.conf.in (everything it writes
# goes to a temporary folder, with a PKI made by parley-test-pki), plays
# `parley run scenarios/http --tag portable --target http=127.0.0.1:PORT` and
# `parley run scenarios/tls --tag portable --target https=tls://127.0.0.1:TLSPORT`, then stops
# nginx.
set -uo pipefail

readonly skip_code=77

usage() {
  cat <<'USAGE'
usage: ci/nginx-portable.sh BIN_DIR [PARLEY_RUN_OPTIONS...]
       NGINX=/path/to/nginx ci/nginx-portable.sh BIN_DIR ...

Starts nginx on 127.0.0.1 (free ports, plain and TLS), plays the `portable` HTTP and TLS
scenarios against it with BIN_DIR/parley, and stops nginx. Options after BIN_DIR go to both
`parley run`s (e.g. --junit FILE; the TLS run writes FILE with .tls before its extension).

Exit status: parley's (0 when every portable scenario passed), 77 when nginx is not installed
(CTest reports the test as skipped), 3 when nginx could not be started, 2 for a usage error.
USAGE
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") usage >&2; exit 2 ;;
esac
bin_dir=$1
shift
parley="$bin_dir/parley"
if [ ! -x "$parley" ]; then
  echo "nginx-portable: $parley is not an executable (build the 'parley' target first)" >&2
  exit 2
fi

# $NGINX names another nginx binary. /usr/sbin is often not on a user's PATH.
nginx_bin=${NGINX:-$(command -v nginx || true)}
if [ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ]; then nginx_bin=/usr/sbin/nginx; fi
if [ -z "$nginx_bin" ] || [ ! -x "$nginx_bin" ]; then
  echo "nginx-portable: SKIPPED: nginx is not installed (ci/setup.sh test installs nginx-light)"
  exit "$skip_code"
fi

cd "$(dirname "$0")/.." || exit 2
template=ci/nginx/nginx.conf.in

work=$(mktemp -d "${TMPDIR:-/tmp}/parley-nginx.XXXXXX") || exit 2
nginx_pid=""
parley_pid=""

stop_nginx() {
  [ -n "$nginx_pid" ] || return 0
  if kill -0 "$nginx_pid" 2>/dev/null; then
    kill -TERM "$nginx_pid" 2>/dev/null
    # A fast shutdown takes milliseconds; SIGKILL after 5 s in any case.
    for _ in $(seq 50); do
      kill -0 "$nginx_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$nginx_pid" 2>/dev/null
  fi
  wait "$nginx_pid" 2>/dev/null
  nginx_pid=""
}

# shellcheck disable=SC2317  # called from the traps below
cleanup() {
  stop_nginx
  rm -rf "$work"
}
# Stopped by a signal: stop parley first (it stops cleanly and writes its reports), then nginx.
# shellcheck disable=SC2317  # called from the traps below
on_signal() {
  if [ -n "$parley_pid" ]; then
    kill "-$1" "$parley_pid" 2>/dev/null
    wait "$parley_pid" 2>/dev/null
  fi
  exit "$2"
}
trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# True once 127.0.0.1:$1 accepts connections.
accepting() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Starts nginx on a free port; another process may take the port between the probe and nginx's
# bind, so a failed start is retried on a new port.
start_nginx() {
  local attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port) || return 1
    tls_port=$(free_port) || return 1
    [ "$tls_port" != "$port" ] || continue
    sed -e "s|@WORK@|$work|g" -e "s|@PORT@|$port|g" -e "s|@TLSPORT@|$tls_port|g" \
      -e "s|@PKI@|$work/pki|g" "$template" >"$work/nginx.conf"
    : >"$work/error.log"
    "$nginx_bin" -p "$work" -c "$work/nginx.conf" -e "$work/error.log" \
      </dev/null >"$work/stdout.log" 2>&1 &
    nginx_pid=$!
    # Ready within 10 s, or this attempt failed.
    for _ in $(seq 100); do
      if ! kill -0 "$nginx_pid" 2>/dev/null; then break; fi
      if accepting "$port" && accepting "$tls_port"; then return 0; fi
      sleep 0.1
    done
    echo "nginx-portable: nginx did not start on port $port (attempt $attempt):" >&2
    cat "$work/stdout.log" "$work/error.log" >&2
    stop_nginx
  done
  return 1
}

# The TLS server's certificate: a throw-away PKI, as the TLS suite uses.
if ! "$bin_dir/parley-test-pki" "$work/pki"; then
  echo "nginx-portable: $bin_dir/parley-test-pki could not make a PKI" >&2
  exit 2
fi
export PARLEY_TLS_PKI="$work/pki"

if ! start_nginx; then
  echo "nginx-portable: could not start nginx" >&2
  exit 3
fi
echo "nginx-portable: $("$nginx_bin" -v 2>&1) listening on 127.0.0.1:$port and (TLS) $tls_port"

# In the background, so that a signal reaches the traps above while parley runs.
"$parley" run scenarios/http --tag portable --target "http=127.0.0.1:$port" "$@" &
parley_pid=$!
wait "$parley_pid"
status=$?
parley_pid=""

# The TLS subset; a --junit FILE becomes FILE.tls.xml-style (FILE with .tls before .xml).
tls_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --junit | --json) tls_args+=("$1" "${2%.*}.tls.${2##*.}"); shift ;;
    *) tls_args+=("$1") ;;
  esac
  shift
done
"$parley" run scenarios/tls --tag portable --target "https=tls://127.0.0.1:$tls_port" \
  "${tls_args[@]}" &
parley_pid=$!
wait "$parley_pid"
tls_status=$?
parley_pid=""
[ "$status" -ne 0 ] || status=$tls_status

stop_nginx
if [ -s "$work/error.log" ] && [ "$status" -ne 0 ]; then
  echo "nginx-portable: nginx's error log:" >&2
  cat "$work/error.log" >&2
fi
exit "$status"
