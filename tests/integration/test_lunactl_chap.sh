#!/usr/bin/env bash
# Issue 4's "done when": the LIO talk's setup built with lunactl alone (a
# fileio backstore, a target, a LUN, a portal, an ACL with CHAP), then:
# CHAP one-way and mutual succeed, wrong secrets fail (libiscsi for MD5,
# luna-iscsi for SHA-1, SHA-256, SHA3-256); an initiator outside the ACLs
# is refused and SendTargets hides the target from it; a write-protected
# mapping refuses writes; a grown backstore and a new LUN reach a session
# that stays logged in, through unit attentions; saveconfig restarts to
# the same tree.
. "$(dirname "$0")/lib.sh"
need iscsi-inq iscsi-ls iscsi-readcapacity16 python3
LUNACTL=${LUNACTL:-$(dirname "$LUNAD")/../lunactl/lunactl}
LUNA_ISCSI=${LUNA_ISCSI:-$(dirname "$LUNAD")/../luna-iscsi/luna-iscsi}
PROBE=$T_LIBDIR/session_probe.py
[[ -x $LUNACTL ]] || die "no lunactl at $LUNACTL (build it, or set LUNACTL=path)"

PORT=$(free_port)
SOCK=$T_TMP/run/lunad.sock
IQN=iqn.2025-01.org.example:t1
CLIENT=iqn.1994-05.com.example:client
OTHER=iqn.1994-05.com.example:stranger
RO=iqn.1994-05.com.example:readonly
TPG=/iscsi/$IQN/tpg1
CTL=("$LUNACTL" --socket "$SOCK")

echo '{}' >"$T_TMP/luna.json"
lunad_start --config "$T_TMP/luna.json" --control "$SOCK"
for _ in $(seq 100); do [[ -S $SOCK ]] && break; sleep 0.1; done
[[ -S $SOCK ]] || die "lunad did not create its control socket $SOCK"
assert_eq "control socket mode" "600" "$(stat -c %a "$SOCK")"
assert_eq "control socket directory mode" "700" "$(stat -c %a "$T_TMP/run")"

# ---- the setup, with lunactl alone
run "create fileio backstore" "${CTL[@]}" /backstores/fileio create name=f0 \
  file_or_dev="$T_TMP/f0.img" size=64M
run "create target" "${CTL[@]}" /iscsi create "$IQN"
run "create LUN" "${CTL[@]}" "$TPG/luns" create /backstores/fileio/f0
run "create portal" "${CTL[@]}" "$TPG/portals" create 127.0.0.1 "$PORT"
run "create ACL" "${CTL[@]}" "$TPG/acls" create "$CLIENT"
run "set CHAP" "${CTL[@]}" "$TPG/acls/$CLIENT" set auth userid=client password=secret-one-two \
  mutual_userid=target mutual_password=secret-three-four
run "authentication on" "${CTL[@]}" "$TPG" set attribute authentication=1
wait_listening "$PORT" || exit 1
run "ls" "${CTL[@]}" ls
assert_match "ls draws the ACL like targetcli" "$OUT" "o- $(re_escape "$CLIENT") \.+ \[Mutual auth, Mapped LUNs: 1\]"
assert_match "ls draws the portal" "$OUT" "o- 127\.0\.0\.1:$PORT \.+ \[OK\]"

# ---- CHAP with libiscsi (MD5)
URL=iscsi://127.0.0.1:$PORT/$IQN/0
run "MD5 CHAP with the right secret" iscsi-inq -i "$CLIENT" "iscsi://client%secret-one-two@127.0.0.1:$PORT/$IQN/0"
assert_contains "INQUIRY over CHAP" "$OUT" "DIRECT_ACCESS"
t0=$SECONDS
run_fails "MD5 CHAP with a wrong secret" iscsi-inq -i "$CLIENT" "iscsi://client%wrong-secret@127.0.0.1:$PORT/$IQN/0"
assert_contains "wrong secret: Authentication failure" "$OUT" "Authentication failure"
run_fails "no credentials at all" iscsi-inq -i "$CLIENT" "$URL"
run "mutual CHAP" env LIBISCSI_CHAP_TARGET_USERNAME=target LIBISCSI_CHAP_TARGET_PASSWORD=secret-three-four \
  iscsi-inq -i "$CLIENT" "iscsi://client%secret-one-two@127.0.0.1:$PORT/$IQN/0"
run_fails "mutual CHAP, initiator expects another target secret" \
  env LIBISCSI_CHAP_TARGET_USERNAME=target LIBISCSI_CHAP_TARGET_PASSWORD=not-the-secret \
  iscsi-inq -i "$CLIENT" "iscsi://client%secret-one-two@127.0.0.1:$PORT/$IQN/0"
if grep -q -e secret-one-two -e secret-three-four -e wrong-secret "$LUNAD_LOG"; then
  t_fail "a CHAP secret appears in lunad's log"
else ok "no secret in lunad's log"; fi
assert_match "the refusal is logged" "$(cat "$LUNAD_LOG")" "refused: wrong CHAP user name or response \(status 0x0201\)"

# ---- CHAP with luna-iscsi (SHA-1, SHA-256, SHA3-256)
if [[ -x $LUNA_ISCSI ]]; then
  printf 'username = client\npassword = secret-one-two\n' >"$T_TMP/chap.ok"
  printf 'username = client\npassword = not-it\n' >"$T_TMP/chap.bad"
  printf 'username = client\npassword = secret-one-two\nmutual_username = target\nmutual_password = secret-three-four\n' >"$T_TMP/chap.mutual"
  chmod 600 "$T_TMP"/chap.*
  for alg in SHA-1 SHA-256 SHA3-256; do
    run "luna-iscsi $alg CHAP" "$LUNA_ISCSI" inq --initiator-name "$CLIENT" --chap-file "$T_TMP/chap.ok" --chap-alg "$alg" "$URL"
    run "luna-iscsi $alg mutual CHAP" "$LUNA_ISCSI" inq --initiator-name "$CLIENT" --chap-file "$T_TMP/chap.mutual" --chap-alg "$alg" "$URL"
    run_fails "luna-iscsi $alg CHAP with a wrong secret" "$LUNA_ISCSI" inq --initiator-name "$CLIENT" --chap-file "$T_TMP/chap.bad" --chap-alg "$alg" "$URL" --recovery-timeout 0
  done
  assert_match "SHA3-256 was used" "$(cat "$LUNAD_LOG")" "CHAP SHA3-256 authentication succeeded"
else
  say "luna-iscsi not built ($LUNA_ISCSI): SHA-1/SHA-256/SHA3-256 CHAP not exercised"
fi

# ---- access control
run_fails "initiator outside the ACLs cannot log in" iscsi-inq -i "$OTHER" "iscsi://client%secret-one-two@127.0.0.1:$PORT/$IQN/0"
assert_contains "refused as not authorized" "$OUT" "Authorization failure"
run "SendTargets as a stranger" iscsi-ls -i "$OTHER" "iscsi://127.0.0.1:$PORT"
assert_not_contains "SendTargets hides the target from a stranger" "$OUT" "$IQN"
run "SendTargets as the client" iscsi-ls -i "$CLIENT" "iscsi://127.0.0.1:$PORT"
assert_contains "SendTargets shows the target to its client" "$OUT" "$IQN"

# A read-only initiator without CHAP (authentication back to per-ACL).
run "authentication per ACL" "${CTL[@]}" "$TPG/attributes" set authentication=0
run "ACL for a read-only initiator" "${CTL[@]}" "$TPG/acls" create "$RO" add_mapped_luns=false
run "write-protected mapping" "${CTL[@]}" "$TPG/acls/$RO" create 0 0 write_protect=1
run "write through the write-protected mapping" python3 "$PROBE" --port "$PORT" --target "$IQN" --initiator "$RO" tur write
assert_contains "DATA PROTECT / WRITE PROTECTED" "$OUT" "CHECK CONDITION 7/27/00"
run_fails "the CHAP client still needs its secret" iscsi-inq -i "$CLIENT" "$URL"

# ---- live changes reach a session that stays logged in
run "a second backstore" "${CTL[@]}" /backstores/ramdisk create r1 16M
coproc PROBE_P { python3 "$PROBE" --port "$PORT" --target "$IQN" --initiator "$RO" tur capacity luns wait capacity capacity capacity luns 2>&1; }
T_BG+=("$PROBE_P_PID")
read -r -t 20 l1 <&"${PROBE_P[0]}" || true
read -r -t 20 l2 <&"${PROBE_P[0]}" || true
read -r -t 20 l3 <&"${PROBE_P[0]}" || true
read -r -t 20 l4 <&"${PROBE_P[0]}" || true
assert_eq "capacity before" "capacity 67108864" "$l2"
assert_eq "LUNs before" "luns 0" "$l3"
assert_eq "session waits" "waiting" "$l4"
run "grow the backstore" "${CTL[@]}" /backstores/fileio/f0 set size=128M
run "a new LUN" "${CTL[@]}" "$TPG/luns" create /backstores/ramdisk/r1 add_mapped_luns=false
run "mapped to the read-only initiator" "${CTL[@]}" "$TPG/acls/$RO" create 1 1
echo go >&"${PROBE_P[1]}"
for i in 5 6 7 8; do read -r -t 20 "l$i" <&"${PROBE_P[0]}" || true; done
# Both unit attentions are owed; the SCSI core picks their order.
assert_contains "CAPACITY DATA HAS CHANGED" "$l5 $l6" "CHECK CONDITION 6/2a/09"
assert_contains "REPORTED LUNS DATA HAS CHANGED" "$l5 $l6" "CHECK CONDITION 6/3f/0e"
assert_eq "capacity after" "capacity 134217728" "$l7"
assert_eq "LUNs after" "luns 0 1" "$l8"
run "readcapacity16 of a new session" iscsi-readcapacity16 -i "$RO" "$URL"
assert_contains "new size for new sessions" "$OUT" "134217728"

# ---- saveconfig restarts to the same tree
run "ls --json before" "${CTL[@]}" --json ls
before=$(sha256sum <<<"$OUT")
assert_contains "ls --json has the tree" "$OUT" '"summary": "lun0 fileio/f0 (ro)"'
run "saveconfig" "${CTL[@]}" saveconfig
assert_contains "saved to the --config file" "$OUT" "$T_TMP/luna.json"
assert_eq "saved file mode" "600" "$(stat -c %a "$T_TMP/luna.json")"
lunad_stop
lunad_start --config "$T_TMP/luna.json" --control "$SOCK"
wait_listening "$PORT" || exit 1
run "ls --json after restart" "${CTL[@]}" --json ls
assert_eq "the same tree after a restart (sha256 of ls --json)" "$before" "$(sha256sum <<<"$OUT")"
run "MD5 CHAP after restart" iscsi-inq -i "$CLIENT" "iscsi://client%secret-one-two@127.0.0.1:$PORT/$IQN/0"
lunad_stop
