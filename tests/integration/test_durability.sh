#!/usr/bin/env bash
# Durability smoke test: data written with qemu-img to the fileio LUN is in
# the backing file, at the right offset, once lunad has stopped; a new lunad
# on the same file serves it back.
. "$(dirname "$0")/lib.sh"
need qemu-img

port=$(free_port)
iqn=iqn.2025-01.io.luna:test-durable
img=$T_TMP/f0.img
size=$((64 << 20))
conf_ram_file "$T_TMP/luna.json" "$port" "$iqn" "$size" "$img"
lunad_up "$T_TMP/luna.json" "$port"

random_file "$T_TMP/a.bin" 8
random_file "$T_TMP/b.bin" 4
u=$(url 127.0.0.1 "$port" "$iqn" 1)
run "write 8 MiB at offset 0 of the fileio LUN" \
  qemu-img convert -n -f raw -O raw "$T_TMP/a.bin" "$u" || true
# Write 4 MiB at offset 40 MiB through a raw "offset" view of the LUN.
view=$(printf 'json:{"driver":"raw","offset":%d,"size":%d,"file":{"driver":"iscsi","transport":"tcp","portal":"127.0.0.1:%s","target":"%s","lun":1}}' \
  $((40 << 20)) $((4 << 20)) "$port" "$iqn")
run "write 4 MiB at offset 40 MiB" qemu-img convert -n -f raw -O raw "$T_TMP/b.bin" "$view" || true
lunad_stop

assert_eq "the backing file keeps the LU size" "$size" "$(stat -c %s "$img")"
assert_eq "bytes 0..8 MiB of the file" "$(sha "$T_TMP/a.bin")" "$(sha "$img" 0 $((8 << 20)))"
assert_eq "bytes 40..44 MiB of the file" "$(sha "$T_TMP/b.bin")" "$(sha "$img" $((40 << 20)) $((4 << 20)))"
zero=$(head -c $((4 << 20)) /dev/zero | sha256sum | cut -d' ' -f1)
assert_eq "bytes 20..24 MiB (never written) are zero" "$zero" "$(sha "$img" $((20 << 20)) $((4 << 20)))"

# A new lunad on the same file serves the same data.
lunad_up "$T_TMP/luna.json" "$port"
run "read 8 MiB back after restart" qemu-img convert -f raw -O raw \
  "$(qemu_lun "$port" "$iqn" 1 $((8 << 20)))" "$T_TMP/a.back" || true
assert_eq "data read back after restart" "$(sha "$T_TMP/a.bin")" "$(sha "$T_TMP/a.back")"
lunad_stop
