#!/usr/bin/env bash
# CHAP in demo mode (generate_node_acls=1): the TPG's own chap_* keys
# authenticate any initiator when the TPG's authentication attribute is
# on; set up, changed and switched off with lunactl while lunad runs.
. "$(dirname "$0")/lib.sh"
need iscsi-inq
LUNACTL=${LUNACTL:-$(dirname "$LUNAD")/../lunactl/lunactl}
[[ -x $LUNACTL ]] || die "no lunactl at $LUNACTL (build it, or set LUNACTL=path)"

PORT=$(free_port)
SOCK=$T_TMP/lunad.sock
IQN=iqn.2025-01.org.example:demo
TPG=/iscsi/$IQN/tpg1
ANY=iqn.1994-05.com.example:anyone
CTL=("$LUNACTL" --socket "$SOCK")

echo '{}' >"$T_TMP/luna.json"
lunad_start --config "$T_TMP/luna.json" --control "$SOCK"
for _ in $(seq 100); do [[ -S $SOCK ]] && break; sleep 0.1; done
run "ramdisk" "${CTL[@]}" /backstores/ramdisk create name=r0 size=8M
run "target" "${CTL[@]}" /iscsi create "$IQN"
run "LUN" "${CTL[@]}" "$TPG/luns" create /backstores/ramdisk/r0
run "portal" "${CTL[@]}" "$TPG/portals" create ip_address=127.0.0.1 ip_port="$PORT"
run "demo mode with CHAP" "${CTL[@]}" "$TPG" set attribute generate_node_acls=1 authentication=1
run "TPG credentials" "${CTL[@]}" "$TPG/auth" set userid=demo password=demo-secret-99
wait_listening "$PORT" || exit 1
run "get auth" "${CTL[@]}" "$TPG" get auth userid
assert_eq "userid shown" "userid=demo" "$OUT"

run "any initiator with the TPG secret" iscsi-inq -i "$ANY" "iscsi://demo%demo-secret-99@127.0.0.1:$PORT/$IQN/0"
run_fails "a wrong TPG secret" iscsi-inq -i "$ANY" "iscsi://demo%nope@127.0.0.1:$PORT/$IQN/0"
assert_contains "Authentication failure" "$OUT" "Authentication failure"
run_fails "no secret" iscsi-inq -i "$ANY" "iscsi://127.0.0.1:$PORT/$IQN/0"
run "new password, live" "${CTL[@]}" "$TPG/auth" set password=changed-secret-1
run_fails "the old secret no longer works" iscsi-inq -i "$ANY" "iscsi://demo%demo-secret-99@127.0.0.1:$PORT/$IQN/0"
run "the new one does" iscsi-inq -i "$ANY" "iscsi://demo%changed-secret-1@127.0.0.1:$PORT/$IQN/0"
run "authentication off" "${CTL[@]}" "$TPG/attributes" set authentication=0
run "no secret needed now" iscsi-inq -i "$ANY" "iscsi://127.0.0.1:$PORT/$IQN/0"

# The shell reads commands from a pipe too.
OUT=$(printf 'cd %s\nls\ncd luns\npwd\nget\nexit\n' "$TPG" | "${CTL[@]}" 2>&1) || true
assert_match "shell: ls in the TPG" "$OUT" "o- tpg1 \.+ \[gen-acls, no-auth\]"
assert_contains "shell: cd and pwd" "$OUT" "$TPG/luns"
lunad_stop
