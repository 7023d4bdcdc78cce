#!/usr/bin/env bash
# luna-iscsi against istgt (Debian), started here in the foreground on a
# free loopback port: discover, ls, inq, readcap, a 64 MiB random dd onto
# the LUN and back, with and without digests.
. "$(dirname "$0")/lib.sh"
LUNA_ISCSI=${LUNA_ISCSI:-$(dirname "$LUNAD")/../luna-iscsi/luna-iscsi}
[[ -x $LUNA_ISCSI ]] || skip "no luna-iscsi at $LUNA_ISCSI (build it, or set LUNA_ISCSI)"
need istgt

port=$(free_port 127.0.0.1)
uport=$(free_port 127.0.0.1)
base=iqn.2007-09.jp.ne.peach.istgt
iqn=$base:disk1
truncate -s 96M "$T_TMP/disk1.img"
: >"$T_TMP/auth.conf"
cat >"$T_TMP/istgt.conf" <<EOF
[Global]
  NodeBase "$base"
  PidFile $T_TMP/istgt.pid
  AuthFile $T_TMP/auth.conf
  MediaDirectory $T_TMP
  Timeout 30
  NopInInterval 20
  DiscoveryAuthMethod None
  MaxSessions 16
  MaxConnections 4
  FirstBurstLength 262144
  MaxBurstLength 1048576
  MaxRecvDataSegmentLength 262144
  InitialR2T Yes
  ImmediateData Yes
[UnitControl]
  AuthMethod None
  Portal UC1 127.0.0.1:$uport
  Netmask 127.0.0.1
[PortalGroup1]
  Portal DA1 127.0.0.1:$port
[InitiatorGroup1]
  InitiatorName "ALL"
  Netmask 127.0.0.1
[LogicalUnit1]
  TargetName disk1
  Mapping PortalGroup1 InitiatorGroup1
  AuthMethod None
  UseDigest Auto
  UnitType Disk
  LUN0 Storage $T_TMP/disk1.img 96MB
EOF
istgt -c "$T_TMP/istgt.conf" -D -m 1 >"$T_TMP/istgt.log" 2>&1 &
T_BG+=("$!")
for _ in $(seq 100); do listening "$port" && break; sleep 0.1; done
listening "$port" || { indent "$(cat "$T_TMP/istgt.log")"; die "istgt does not listen on $port"; }
ok "istgt serves $iqn on port $port"
li() { run "luna-iscsi $1" "$LUNA_ISCSI" "$@"; }
u=$(url 127.0.0.1 "$port" "$iqn" 0)

li discover "127.0.0.1:$port" || true
assert_eq "discover" "127.0.0.1:$port,1 $iqn" "$OUT"
li ls "$(url 127.0.0.1 "$port")" || true
assert_match "ls: target" "$OUT" "^Target: $(re_escape "$iqn") Portal: 127\.0\.0\.1:$port,1\$"
assert_match "ls: LUN 0 is a 96 MiB disk" "$OUT" "^  Lun 0: DIRECT_ACCESS $((96 << 20)) bytes"
li inq "$u" || true
assert_match "inq: disk" "$OUT" '^Peripheral device type: DIRECT_ACCESS'
assert_match "inq: vendor" "$OUT" '^Vendor: FreeBSD$'
li readcap "$u" || true
assert_match "readcap: size" "$OUT" "^Size: $((96 << 20))\$"

random_file "$T_TMP/in" 64
li dd --if "$T_TMP/in" --of "$u" || true
li dd --if "$u" --of "$T_TMP/out" --count 64 || true
assert_eq "64 MiB written and read back" "$(sha "$T_TMP/in")" "$(sha "$T_TMP/out")"
li dd --header-digest CRC32C --data-digest CRC32C --if "$u" --of "$T_TMP/outd" --count 64 || true
assert_eq "read back with CRC32C digests" "$(sha "$T_TMP/in")" "$(sha "$T_TMP/outd")"
li dd --header-digest CRC32C --data-digest CRC32C --if "$T_TMP/in" --of "$u" --seek 1 --count 8 || true
li dd --if "$u" --of "$T_TMP/outs" --skip 1 --count 8 || true
assert_eq "write with digests, R2T and --seek" "$(sha "$T_TMP/in" 0 $((8 << 20)))" "$(sha "$T_TMP/outs")"
