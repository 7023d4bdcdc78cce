#!/usr/bin/env bash
# A target that answers wrongly (fake_target.py): a malformed PDU, an
# unknown initiator task tag, more data than was asked for, a bad offset,
# an oversized data segment, bad sense, a header digest error, garbage in
# the login.  luna-iscsi must end the session with a clear error: exit
# status 1, never a crash (signal) or a hang (timeout).
. "$(dirname "$0")/lib.sh"
LUNA_ISCSI=${LUNA_ISCSI:-$(dirname "$LUNAD")/../luna-iscsi/luna-iscsi}
[[ -x $LUNA_ISCSI ]] || skip "no luna-iscsi at $LUNA_ISCSI (build it, or set LUNA_ISCSI)"
need python3

declare -A expect=(
  [unknown-itt]="Data-In for an unknown initiator task tag"
  [overflow]="Data-In beyond the expected data transfer length"
  [bad-offset]="buffer offset out of order"
  [malformed]="which a target does not send"
  [huge]="more than our MaxRecvDataSegmentLength"
  [bad-sense]="sense length"
  [rsp-itt]="SCSI Response for an unknown initiator task tag"
  [digest]="header digest error"
  [login-garbage]="malformed keys"
)
for mode in unknown-itt overflow bad-offset malformed huge bad-sense rsp-itt digest login-garbage; do
  port=$(free_port 127.0.0.1)
  python3 "$T_LIBDIR/fake_target.py" "$port" "$mode" >"$T_TMP/fake-$mode.log" 2>&1 &
  fake=$!
  T_BG+=("$fake")
  for _ in $(seq 50); do listening "$port" && break; sleep 0.1; done
  rc=0
  out=$(timeout -k 5 30 "$LUNA_ISCSI" inq --header-digest CRC32C,None "$(url 127.0.0.1 "$port" iqn.2025-01.io.luna:fake 0)" 2>&1) || rc=$?
  assert_eq "$mode: luna-iscsi exits with status 1 (no crash, no hang)" 1 "$rc"
  assert_contains "$mode: the error says what was wrong" "$out" "${expect[$mode]}"
  kill "$fake" 2>/dev/null || true
  wait "$fake" 2>/dev/null || true
done
