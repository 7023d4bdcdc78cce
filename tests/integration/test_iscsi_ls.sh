#!/usr/bin/env bash
# libiscsi's clients see the target, its LUNs and their sizes: iscsi-ls -s,
# iscsi-inq (standard data, VPD 0x00, 0x80, 0x83), iscsi-readcapacity16.
. "$(dirname "$0")/lib.sh"
need iscsi-ls iscsi-inq iscsi-readcapacity16

port=$(free_port)
iqn=iqn.2025-01.io.luna:test-ls
rsize=$((96 << 20)) fsize=$((48 << 20))
conf_ram_file "$T_TMP/luna.json" "$port" "$iqn" "$rsize" "$T_TMP/f0.img" "$fsize"
lunad_up "$T_TMP/luna.json" "$port"

run "iscsi-ls -s lists the target" iscsi-ls -s "$(url 127.0.0.1 "$port")" || true
assert_match "iscsi-ls: target and portal" "$OUT" "^Target:$iqn Portal:127\.0\.0\.1:$port,1\$"
assert_match "iscsi-ls: LUN 0 is a disk with a size" "$OUT" '^Lun:0 +Type:DIRECT_ACCESS \(Size:[0-9]+[KMGT]?\)'
assert_match "iscsi-ls: LUN 1 is a disk with a size" "$OUT" '^Lun:1 +Type:DIRECT_ACCESS \(Size:[0-9]+[KMGT]?\)'
assert_eq "iscsi-ls: number of LUNs" 2 "$(grep -c '^Lun:' <<<"$OUT" || true)"

declare -A serial
for lun in 0 1; do
  u=$(url 127.0.0.1 "$port" "$iqn" "$lun")
  run "iscsi-inq LUN $lun (standard)" iscsi-inq "$u"
  assert_match "LUN $lun: peripheral device type" "$OUT" '^Peripheral Device Type:DIRECT_ACCESS'
  assert_match "LUN $lun: qualifier connected" "$OUT" '^Peripheral Qualifier:CONNECTED'
  assert_match "LUN $lun: vendor" "$OUT" '^Vendor:.*[^ ]'
  assert_match "LUN $lun: product" "$OUT" '^Product:.*[^ ]'

  run "iscsi-inq LUN $lun VPD 0x00" iscsi-inq -e 1 -c 0 "$u"
  for page in 0x00 0x80 0x83 0xb0 0xb1; do
    assert_match "LUN $lun: VPD 0x00 lists page $page" "$OUT" "^Page:$page "
  done

  run "iscsi-inq LUN $lun VPD 0x80" iscsi-inq -e 1 -c 128 "$u"
  assert_match "LUN $lun: unit serial number" "$OUT" '^Unit Serial Number:\[ *[^] ]+'
  serial[$lun]=$(grep '^Unit Serial Number' <<<"$OUT" || true)

  run "iscsi-inq LUN $lun VPD 0x83" iscsi-inq -e 1 -c 131 "$u"
  assert_match "LUN $lun: device identification page" "$OUT" 'DEVICE_IDENTIFICATION'
  assert_match "LUN $lun: an NAA designator" "$OUT" '^Designator Type:\(3\) NAA'

  run "iscsi-readcapacity16 LUN $lun" iscsi-readcapacity16 "$u"
  assert_match "LUN $lun: 512-byte blocks" "$OUT" '^LOGICAL BLOCK LENGTH IN BYTES:512$'
done
assert_ne "the two LUNs have different serial numbers" "${serial[0]}" "${serial[1]}"

run "iscsi-readcapacity16 -s LUN 0" iscsi-readcapacity16 -s "$(url 127.0.0.1 "$port" "$iqn" 0)" || true
assert_eq "LUN 0 (ramdisk) size" "$rsize" "$OUT"
run "iscsi-readcapacity16 -s LUN 1" iscsi-readcapacity16 -s "$(url 127.0.0.1 "$port" "$iqn" 1)" || true
assert_eq "LUN 1 (fileio) size" "$fsize" "$OUT"

run_fails "a LUN that does not exist is refused" iscsi-inq "$(url 127.0.0.1 "$port" "$iqn" 7)"
run_fails "a target that does not exist is refused" iscsi-inq "$(url 127.0.0.1 "$port" iqn.2025-01.io.luna:nope 0)"

lunad_alive
lunad_stop
