#!/usr/bin/env bash
# luna-iscsi logs in to lunad with CHAP: SHA-1, SHA-256 and SHA3-256 (and
# MD5), one-way and mutual, and a wrong secret is refused.  Skipped while
# lunad cannot do CHAP.
. "$(dirname "$0")/lib.sh"
LUNA_ISCSI=${LUNA_ISCSI:-$(dirname "$LUNAD")/../luna-iscsi/luna-iscsi}
[[ -x $LUNA_ISCSI ]] || skip "no luna-iscsi at $LUNA_ISCSI (build it, or set LUNA_ISCSI)"

port=$(free_port 127.0.0.1)
iqn=iqn.2025-01.io.luna:test-chap
ini=iqn.2025-01.io.luna:chap-initiator
cat >"$T_TMP/luna.json" <<EOF
{"storage_objects": [{"name": "r0", "plugin": "ramdisk", "size": 8388608}],
 "targets": [{"wwn": "$iqn", "tpgs": [{"tag": 1, "enable": true,
   "portals": [{"ip_address": "127.0.0.1", "port": $port}],
   "luns": [{"index": 0, "storage_object": "/backstores/ramdisk/r0"}],
   "attributes": {"authentication": 1, "generate_node_acls": 0},
   "node_acls": [{"node_wwn": "$ini", "chap_userid": "ini-user", "chap_password": "ini-secret-123",
                  "chap_mutual_userid": "tgt-user", "chap_mutual_password": "tgt-secret-456",
                  "mapped_luns": [{"index": 0, "tpg_lun": 0}]}]}]}]}
EOF
lunad_up "$T_TMP/luna.json" "$port"
u=$(url 127.0.0.1 "$port" "$iqn" 0)
export LUNA_CHAP_USER=ini-user LUNA_CHAP_PASSWORD=ini-secret-123
rc=0
OUT=$(timeout 30 "$LUNA_ISCSI" readcap --initiator-name "$ini" --chap-alg SHA-256 "$u" 2>&1) || rc=$?
if ((rc != 0)) && grep -q "CHAP is not available" "$LUNAD_LOG"; then
  skip "this lunad cannot do CHAP yet (its log: CHAP is not available)"
fi
for alg in SHA-1 SHA-256 SHA3-256 MD5; do
  run "CHAP $alg" "$LUNA_ISCSI" readcap --initiator-name "$ini" --chap-alg "$alg" "$u" || true
  assert_match "CHAP $alg: logged in" "$OUT" '^Size: 8388608$'
done
run "CHAP with our default offer order" "$LUNA_ISCSI" readcap --initiator-name "$ini" "$u" || true
for alg in SHA-256 SHA3-256; do
  LUNA_CHAP_MUTUAL_USER=tgt-user LUNA_CHAP_MUTUAL_PASSWORD=tgt-secret-456 \
    run "mutual CHAP $alg" "$LUNA_ISCSI" readcap --initiator-name "$ini" --chap-alg "$alg" "$u" || true
  assert_match "mutual CHAP $alg: logged in" "$OUT" '^Size: 8388608$'
done
LUNA_CHAP_PASSWORD=wrong-secret-1 run_fails "a wrong secret is refused" "$LUNA_ISCSI" readcap --initiator-name "$ini" "$u"
assert_contains "the message says authentication failed" "$OUT" "authentication failed"
LUNA_CHAP_MUTUAL_USER=tgt-user LUNA_CHAP_MUTUAL_PASSWORD=not-the-one \
  run_fails "a target with the wrong mutual secret is not trusted" "$LUNA_ISCSI" readcap --initiator-name "$ini" "$u"
unset LUNA_CHAP_USER LUNA_CHAP_PASSWORD
run_fails "no credentials: refused" "$LUNA_ISCSI" readcap --initiator-name "$ini" "$u"
lunad_alive
lunad_stop
