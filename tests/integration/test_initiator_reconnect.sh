#!/usr/bin/env bash
# Recovery the way iscsid does it: lunad (fileio LUN) is killed with
# SIGKILL in the middle of a luna-iscsi dd and restarted on the same port;
# the initiator reconnects, reinstates the session, re-issues the commands
# in flight, and the copy finishes with the right data.
. "$(dirname "$0")/lib.sh"
LUNA_ISCSI=${LUNA_ISCSI:-$(dirname "$LUNAD")/../luna-iscsi/luna-iscsi}
[[ -x $LUNA_ISCSI ]] || skip "no luna-iscsi at $LUNA_ISCSI (build it, or set LUNA_ISCSI)"

port=$(free_port 127.0.0.1)
iqn=iqn.2025-01.io.luna:test-reconnect
cat >"$T_TMP/luna.json" <<EOF
{"storage_objects": [{"name": "f0", "plugin": "fileio", "dev": "$T_TMP/f0.img", "size": $((96 << 20))}],
 "targets": [{"wwn": "$iqn", "tpgs": [{"tag": 1, "enable": true,
   "portals": [{"ip_address": "127.0.0.1", "port": $port}],
   "luns": [{"index": 0, "storage_object": "/backstores/fileio/f0"}],
   "attributes": {"authentication": 0, "generate_node_acls": 1}, "node_acls": []}]}]}
EOF
lunad_up "$T_TMP/luna.json" "$port"
u=$(url 127.0.0.1 "$port" "$iqn" 0)
random_file "$T_TMP/in" 64

# Writing: 64 MiB at 16 MiB/s takes about 4 s; the target dies after 1 s.
timeout 120 "$LUNA_ISCSI" dd --if "$T_TMP/in" --of "$u" --bwlimit 16M >"$T_TMP/dd.log" 2>&1 &
dd_pid=$!
T_BG+=("$dd_pid")
sleep 1
kill -KILL "$LUNAD_PID"
wait "$LUNAD_PID" 2>/dev/null || true
ok "lunad killed in the middle of the copy"
sleep 1
lunad_up "$T_TMP/luna.json" "$port"
rc=0; wait "$dd_pid" || rc=$?
assert_eq "dd finished after the restart" 0 "$rc"
assert_contains "dd reconnected" "$(cat "$T_TMP/dd.log")" "reconnected"
run "read the LUN back" "$LUNA_ISCSI" dd --if "$u" --of "$T_TMP/out" --count 64 || true
assert_eq "the data survived the restart" "$(sha "$T_TMP/in")" "$(sha "$T_TMP/out")"

# Reading: the same while reading.
timeout 120 "$LUNA_ISCSI" dd --if "$u" --of "$T_TMP/out2" --count 64 --bwlimit 16M >"$T_TMP/dd2.log" 2>&1 &
dd_pid=$!
T_BG+=("$dd_pid")
sleep 1
kill -KILL "$LUNAD_PID"
wait "$LUNAD_PID" 2>/dev/null || true
sleep 1
lunad_up "$T_TMP/luna.json" "$port"
rc=0; wait "$dd_pid" || rc=$?
assert_eq "reading dd finished after the restart" 0 "$rc"
assert_eq "the data read across the restart is right" "$(sha "$T_TMP/in")" "$(sha "$T_TMP/out2")"

# Giving up: with the target gone for good, dd ends with a clear error.
kill -KILL "$LUNAD_PID"
wait "$LUNAD_PID" 2>/dev/null || true
run_fails "dd gives up when the target stays away" "$LUNA_ISCSI" dd --recovery-timeout 2 --if "$u" --of "$T_TMP/x" --count 1 2>&1
assert_contains "the message says why" "$OUT" "connect"
