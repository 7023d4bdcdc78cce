#!/usr/bin/env bash
# luna-iscsi against lunad: discover, ls, inq, readcap, a 64 MiB random
# dd onto a LUN and back (with and without CRC32C digests), IPv6, bench,
# and clear failures for a wrong target or LUN.
. "$(dirname "$0")/lib.sh"
LUNA_ISCSI=${LUNA_ISCSI:-$(dirname "$LUNAD")/../luna-iscsi/luna-iscsi}
[[ -x $LUNA_ISCSI ]] || skip "no luna-iscsi at $LUNA_ISCSI (build it, or set LUNA_ISCSI)"
need python3

port=$(free_port 127.0.0.1)
iqn=iqn.2025-01.io.luna:test-ini
conf_ram_file "$T_TMP/luna.json" "$port" "$iqn" $((96 << 20)) "$T_TMP/f0.img" $((80 << 20))
lunad_up "$T_TMP/luna.json" "$port"
li() { run "luna-iscsi $1" "$LUNA_ISCSI" "$@"; }

li discover "127.0.0.1:$port" || true
assert_eq "discover prints IP:PORT,TPGT TARGET" "127.0.0.1:$port,1 $iqn" "$OUT"

li ls "$(url 127.0.0.1 "$port")" || true
assert_match "ls: target and portal" "$OUT" "^Target: $(re_escape "$iqn") Portal: 127\.0\.0\.1:$port,1\$"
assert_match "ls: LUN 0 is a 96 MiB disk" "$OUT" "^  Lun 0: DIRECT_ACCESS $((96 << 20)) bytes"
assert_match "ls: LUN 1 is an 80 MiB disk" "$OUT" "^  Lun 1: DIRECT_ACCESS $((80 << 20)) bytes"

li inq "$(url 127.0.0.1 "$port" "$iqn" 1)" || true
assert_match "inq: device type" "$OUT" '^Peripheral device type: DIRECT_ACCESS \(0x00\)$'
assert_match "inq: vendor" "$OUT" '^Vendor: [^ ]'
assert_match "inq: serial number" "$OUT" '^Unit serial number: [^ ]'
li inq --page 0x83 "$(url 127.0.0.1 "$port" "$iqn" 1)" || true
assert_match "inq --page 0x83 dumps the page" "$OUT" '^0000: 00 83 '

li readcap "$(url 127.0.0.1 "$port" "$iqn" 1)" || true
assert_match "readcap: size" "$OUT" "^Size: $((80 << 20))\$"
assert_match "readcap: block size" "$OUT" '^Block size: 512$'

random_file "$T_TMP/in" 64
want=$(sha "$T_TMP/in")
for lun in 0 1; do
  u=$(url 127.0.0.1 "$port" "$iqn" "$lun")
  li dd --if "$T_TMP/in" --of "$u" --bs 1M || true
  li dd --if "$u" --of "$T_TMP/out$lun" --count 64 --bs 1M || true
  assert_eq "LUN $lun: 64 MiB written and read back" "$want" "$(sha "$T_TMP/out$lun")"
done
u=$(url 127.0.0.1 "$port" "$iqn" 1)
li dd --header-digest CRC32C --data-digest CRC32C --if "$u" --of "$T_TMP/outd" --count 16 --bs 4M --qd 3 || true
assert_eq "read back with CRC32C header and data digests" "$want" "$(sha "$T_TMP/outd")"
# LUN to LUN, and offsets: copy the file's second half to LUN 0 at 1 MiB
li dd --if "$(url 127.0.0.1 "$port" "$iqn" 1)" --of "$(url 127.0.0.1 "$port" "$iqn" 0)" --skip 8 --seek 1 --count 8 --bs 4M || true
li dd --if "$(url 127.0.0.1 "$port" "$iqn" 0)" --of "$T_TMP/part" --skip 1 --count 8 --bs 4M || true
assert_eq "LUN to LUN copy with --skip/--seek" "$(sha "$T_TMP/in" $((32 << 20)) $((32 << 20)))" "$(sha "$T_TMP/part")"

if have_ipv6; then
  port6=$(free_port ::1)
  cat >"$T_TMP/v6.json" <<JSON
{"storage_objects": [{"name": "r0", "plugin": "ramdisk", "size": 8388608}],
 "targets": [{"wwn": "$iqn", "tpgs": [{"tag": 1, "enable": true,
   "portals": [{"ip_address": "::1", "port": $port6}],
   "luns": [{"index": 0, "storage_object": "/backstores/ramdisk/r0"}],
   "attributes": {"authentication": 0, "generate_node_acls": 1}, "node_acls": []}]}]}
JSON
  pid4=$LUNAD_PID
  lunad_up "$T_TMP/v6.json" "$port6"
  li readcap "iscsi://[::1]:$port6/$iqn/0" || true
  assert_match "IPv6: readcap" "$OUT" '^Size: 8388608$'
  lunad_stop
  LUNAD_PID=$pid4
fi

li bench "$(url 127.0.0.1 "$port" "$iqn" 0)" --rw randread --bs 4K --qd 8 --time 1 || true
assert_match "bench prints IOPS" "$OUT" '^  IOPS: [1-9][0-9]*$'
assert_match "bench prints latency percentiles" "$OUT" 'p50 [0-9]+ p99 [0-9]+ p99\.9 [0-9]+'
li bench "$(url 127.0.0.1 "$port" "$iqn" 0)" --rw write --bs 64K --qd 4 --time 1 || true
assert_match "bench write prints MB/s" "$OUT" '^  throughput: [0-9.]+ MB/s$'

run_fails "a target that does not exist" "$LUNA_ISCSI" inq "$(url 127.0.0.1 "$port" iqn.2025-01.io.luna:nope 0)"
assert_contains "the message names the problem" "$OUT" "no such target"
run_fails "a LUN that does not exist" "$LUNA_ISCSI" readcap "$(url 127.0.0.1 "$port" "$iqn" 9)"
assert_contains "the message names the LUN" "$OUT" "LUN 9"
run_fails "a bad URL" "$LUNA_ISCSI" inq "iscsi://127.0.0.1:99999/x/0"
assert_contains "the message explains the URL" "$OUT" "port"
run "--help for every subcommand" bash -c "for c in discover ls inq readcap dd bench nbd; do '$LUNA_ISCSI' \$c --help | grep -q SYNOPSIS || exit 1; done" || true

lunad_alive
lunad_stop
