# Sourced by the http-server CTest scripts: starts the server under test on 127.0.0.1, port 0,
# and always stops it again when the script exits.
#
#   source serve_for_test.sh
#   start_server PATH/TO/http-server [FLAGS...]   # sets: work, server_pid, url, host, port
#   stop_server                                    # SIGTERM; fails unless it exits 0 in time
#   make_certificate                               # $work/cert.pem, $work/key.pem (self-signed)

work=$(mktemp -d "${TMPDIR:-/tmp}/parley-http-XXXXXX")
server_pid=

fail() {
  echo "FAIL: $*" >&2
  if [ -s "$work/server.err" ]; then
    echo "--- server stderr:" >&2
    cat "$work/server.err" >&2
  fi
  exit 1
}

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

start_server() {
  "$@" --port 0 >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  # The ready line, within 10 s.
  local _
  for _ in $(seq 100); do
    grep -q '^listening on ' "$work/server.out" && break
    kill -0 "$server_pid" 2>/dev/null || fail "server exited before it was ready"
    sleep 0.1
  done
  url=$(sed -n 's/^listening on //p' "$work/server.out")
  [ -n "$url" ] || fail "no 'listening on' line within 10 s"
  host=$(echo "$url" | sed -E 's|^https?://([^:]+):[0-9]+$|\1|')
  port=$(echo "$url" | sed -E 's|^.*:([0-9]+)$|\1|')
}

stop_server() {
  kill -TERM "$server_pid"
  local _
  for _ in $(seq 50); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$server_pid" 2>/dev/null && fail "server still running 5 s after SIGTERM"
  local status=0
  wait "$server_pid" || status=$?
  server_pid=
  [ "$status" -eq 0 ] || fail "server exited with $status after SIGTERM"
}

# A self-signed certificate for localhost and 127.0.0.1, made now (no key is ever committed);
# clients trust it as its own CA (curl --cacert "$work/cert.pem").
make_certificate() {
  command -v openssl >/dev/null || fail "openssl is not installed (ci/setup.sh test installs it)"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>"$work/openssl.err" ||
    fail "openssl req: $(cat "$work/openssl.err")"
}
