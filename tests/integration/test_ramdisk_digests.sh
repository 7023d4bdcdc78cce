#!/usr/bin/env bash
# RAM disk reads with CRC32C data digests.  The RAM disk sends data-in from
# its own memory and keeps each 4 KiB block's CRC once checksummed: a
# second read combines the digests from those, and blocks changed since
# must be checksummed afresh.  Plain writes that overlap a read in flight
# must wait until its data is sent, or the digest would not match the
# bytes on the wire (the initiator would see digest errors).
. "$(dirname "$0")/lib.sh"
LUNA_ISCSI=${LUNA_ISCSI:-$(dirname "$LUNAD")/../luna-iscsi/luna-iscsi}
[[ -x $LUNA_ISCSI ]] || skip "no luna-iscsi at $LUNA_ISCSI (build it, or set LUNA_ISCSI)"

port=$(free_port 127.0.0.1)
iqn=iqn.2025-01.io.luna:test-digests
conf_ramdisk_target "$T_TMP/luna.json" "$port" "$iqn" $((16 << 20))
lunad_up "$T_TMP/luna.json" "$port"
li() { run "luna-iscsi $1" "$LUNA_ISCSI" "$@"; }
u=$(url 127.0.0.1 "$port" "$iqn" 0)
dig=(--header-digest CRC32C --data-digest CRC32C)

random_file "$T_TMP/in" 16
li dd "${dig[@]}" --if "$T_TMP/in" --of "$u" --bs 1M || true
for pass in 1 2; do
  li dd "${dig[@]}" --if "$u" --of "$T_TMP/out$pass" --bs 1M --qd 4 || true
  assert_eq "read with digests, pass $pass" "$(sha "$T_TMP/in")" "$(sha "$T_TMP/out$pass")"
done

# 1.5 KiB across two checksummed blocks, 512-byte aligned but not 4 KiB.
head -c 1536 /dev/urandom >"$T_TMP/patch"
cp "$T_TMP/in" "$T_TMP/patched"
dd if="$T_TMP/patch" of="$T_TMP/patched" bs=512 seek=7 conv=notrunc status=none
li dd "${dig[@]}" --if "$T_TMP/patch" --of "$u" --bs 512 --seek 7 || true
li dd "${dig[@]}" --if "$u" --of "$T_TMP/out3" --bs 1M --qd 4 || true
assert_eq "blocks changed after they were checksummed read back with digests" \
  "$(sha "$T_TMP/patched")" "$(sha "$T_TMP/out3")"

# Random 4 KiB writes and 64 KiB reads with digests over the same 16 MiB
# at once, for 3 seconds: every read's digest must match.
"$LUNA_ISCSI" bench --rw randwrite --bs 4K --qd 8 --time 3 "$u" >"$T_TMP/w.out" 2>&1 &
writer=$!
li bench "${dig[@]}" --rw randread --bs 64K --qd 8 --time 3 "$u" || true
assert_not_contains "no data digest errors while overlapping writes run" "$OUT" "digest error"
assert_match "the reads got through" "$OUT" '^  IOPS: [1-9][0-9]*$'
wait "$writer" && ok "the writes got through" || t_fail "writer: $(cat "$T_TMP/w.out")"

lunad_alive
lunad_stop
