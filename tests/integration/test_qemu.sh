#!/usr/bin/env bash
# QEMU's iSCSI driver (libiscsi) as the initiator: qemu-img convert 64 MiB
# of random data onto the RAM disk LUN and the fileio LUN and back off; the
# checksums match.  qemu-img bench -w runs without error.
. "$(dirname "$0")/lib.sh"
need qemu-img
qemu-img --help 2>/dev/null | grep -qw iscsi ||
  skip "qemu-img has no iscsi driver (apt-get install qemu-block-extra)"

port=$(free_port)
iqn=iqn.2025-01.io.luna:test-qemu
size=$((128 << 20)) mib=64
conf_ram_file "$T_TMP/luna.json" "$port" "$iqn" "$size" "$T_TMP/f0.img"
lunad_up "$T_TMP/luna.json" "$port"

random_file "$T_TMP/in.bin" "$mib"
want=$(sha "$T_TMP/in.bin")

for lun in 0 1; do
  u=$(url 127.0.0.1 "$port" "$iqn" "$lun")
  run "qemu-img info LUN $lun" qemu-img info -f raw "$u" || continue
  assert_match "qemu-img sees the LUN $lun size" "$OUT" "virtual size: .*\($size bytes\)"
  run "qemu-img convert $mib MiB onto LUN $lun" \
    qemu-img convert -n -f raw -O raw "$T_TMP/in.bin" "$u" || continue
  run "qemu-img convert $mib MiB off LUN $lun" \
    qemu-img convert -f raw -O raw "$(qemu_lun "$port" "$iqn" "$lun" $((mib << 20)))" \
    "$T_TMP/out$lun.bin" || continue
  assert_eq "LUN $lun: checksum of the data read back" "$want" "$(sha "$T_TMP/out$lun.bin")"
done

# The two LUNs are distinct: writing one leaves the other alone.
random_file "$T_TMP/other.bin" 1
run "qemu-img convert 1 MiB onto LUN 0 only" \
  qemu-img convert -n -f raw -O raw "$T_TMP/other.bin" "$(url 127.0.0.1 "$port" "$iqn" 0)" || true
run "read LUN 1 back" qemu-img convert -f raw -O raw \
  "$(qemu_lun "$port" "$iqn" 1 $((mib << 20)))" "$T_TMP/again1.bin" || true
assert_eq "LUN 1 unchanged by a write to LUN 0" "$want" "$(sha "$T_TMP/again1.bin")"

# A write-heavy run with several requests in flight, aligned and not.
for lun in 0 1; do
  u=$(url 127.0.0.1 "$port" "$iqn" "$lun")
  run "qemu-img bench -w LUN $lun (4 KiB, depth 8)" \
    qemu-img bench -f raw -w -t none -c 2000 -d 8 -s 4096 "$u" || true
  assert_match "bench LUN $lun completed" "$OUT" '^Run completed in'
  run "qemu-img bench -w LUN $lun (64 KiB, depth 4, 512-byte step offset)" \
    qemu-img bench -f raw -w -t none -c 200 -d 4 -s 65536 -o 512 "$u" || true
  run "qemu-img bench LUN $lun (reads)" \
    qemu-img bench -f raw -t none -c 2000 -d 8 -s 4096 "$u" || true
done

lunad_alive
lunad_stop
