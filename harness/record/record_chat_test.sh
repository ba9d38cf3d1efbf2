#!/usr/bin/env bash
# `parley record --udp` in front of the built chat-server: two nc (netcat-openbsd) and one ncat
# talk over TCP and one nc over UDP through the recorder; the recorded file (guest numbers
# captured and reused) must validate and replay green against the same, still running room
# (where the numbers have moved on) and against a fresh in-tree chat target. Exits 77 (skipped)
# when nc or ncat is missing.
#
# usage: record_chat_test.sh PATH/TO/parley PATH/TO/chat-server
set -euo pipefail
parley=${1:?usage: record_chat_test.sh PATH/TO/parley PATH/TO/chat-server}
chat_server=${2:?usage: record_chat_test.sh PATH/TO/parley PATH/TO/chat-server}
for tool in nc ncat timeout; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed (ci/setup.sh test installs it)"
    exit 77
  fi
done
if ! nc -h 2>&1 | grep -q OpenBSD; then
  echo "SKIP: nc is not netcat-openbsd"
  exit 77
fi
source "$(dirname "$0")/record_for_test.sh"

start_server chat "$chat_server" --host 127.0.0.1 --port 0
chat_addr=$server_addr
start_recorder rec --to "$chat_addr" --udp --target chat --name "a chat through nc and ncat" \
  --out "$work/chat.yaml"

client alice nc "$rec_host" "$rec_port"
wait_for_line "$work/alice.out" '^\* online: guest1$'
client bob ncat "$rec_host" "$rec_port"
bob_pid=$client_pid
wait_for_line "$work/bob.out" '^\* online: guest1 guest2$'
wait_for_line "$work/alice.out" '^\* guest2 joined$'
say alice "hola from nc"
wait_for_line "$work/bob.out" '^<guest1> hola from nc$'
say bob "/nick bob"
wait_for_line "$work/bob.out" '^\* you are now bob$'
wait_for_line "$work/alice.out" '^\* guest2 is now bob$'
say bob "/msg guest1 psst"
wait_for_line "$work/alice.out" '^\*bob\* psst$'
client carol nc -u "$rec_host" "$rec_port"
say carol "hi over udp"
wait_for_line "$work/carol.out" '^\* online: bob guest1 guest3$'
wait_for_line "$work/alice.out" '^<guest3> hi over udp$'
wait_for_line "$work/bob.out" '^<guest3> hi over udp$'
say carol "/quit"
wait_for_line "$work/bob.out" '^\* guest3 left$'
say alice "/quit bye"
wait_for_line "$work/bob.out" '^\* guest1 left \(bye\)$'
hang_up bob  # ncat half-closes, the room lets bob go and closes: ncat exits
wait_exit "$bob_pid" 10
stop_recorder rec
recorded="$work/chat.yaml"
expect_in "$recorded" "target: chat"
expect_in "$recorded" "# protocols (detected): datagrams: c3; lines: c1 c2"
expect_in "$recorded" "line: {regex: '^\\* welcome (guest\\d+)\$'}, capture: [guest_1]}"
expect_in "$recorded" "send: {on: c2, text: '/msg \${guest_1} psst\\n'}"
expect_in "$recorded" "connect: {name: c3, protocol: udp}"
# Which connection's lines come first after a UDP join depends on the order the recorder read
# them; the welcome datagram is either the capture or uses it.
expect_in "$recorded" "expect: {on: c3, datagram: "
expect_in "$recorded" "line: '<\${guest_3}> hi over udp'"
replay "$recorded" --target "chat=$chat_addr"
echo "PASS: nc, ncat and UDP nc recorded ($(grep -c '^  - ' "$recorded") steps) and replayed" \
  "against the same room"
replay "$recorded" --targets "$repo/scenarios/targets.yaml" --bin-dir "$(dirname "$chat_server")"
echo "PASS: replayed against a fresh in-tree chat target"
replay "$recorded" --target "chat=$chat_addr"
echo "PASS: replayed again against the same room (guest numbers moved on)"
