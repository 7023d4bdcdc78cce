#!/usr/bin/env bash
# fileio on a file in /dev/shm, which lunad uses in place (mapped): data
# written into holes and over written pages reads back right, with and
# without data digests (which take the copy path); reading the whole LU
# leaves its holes unallocated; and lunad survives the file being cut
# short behind its back while writes and reads go on.
. "$(dirname "$0")/lib.sh"
LUNA_ISCSI=${LUNA_ISCSI:-$(dirname "$LUNAD")/../luna-iscsi/luna-iscsi}
[[ -x $LUNA_ISCSI ]] || skip "no luna-iscsi at $LUNA_ISCSI (build it, or set LUNA_ISCSI)"
need qemu-img
[[ $(stat -f -c %T /dev/shm 2>/dev/null) == tmpfs ]] || skip "/dev/shm is not tmpfs here"

shm=$(mktemp -d /dev/shm/luna-test.XXXXXX)
trap 'rc=$?; rm -rf "$shm"; (exit $rc); t_cleanup' EXIT
img=$shm/lu.img
port=$(free_port 127.0.0.1)
iqn=iqn.2025-01.io.luna:test-shm
conf_ram_file "$T_TMP/luna.json" "$port" "$iqn" $((16 << 20)) "$img" $((64 << 20))
lunad_up "$T_TMP/luna.json" "$port"
u=$(url 127.0.0.1 "$port" "$iqn" 1)
li() { run "luna-iscsi $1" "$LUNA_ISCSI" "$@"; }
allocated_mib() { echo $(($(stat -c %b "$img") * $(stat -c %B "$img") >> 20)); }

# 16 MiB into holes (the ordinary path allocates them), then other data
# over the same pages (they are there now: straight into the mapping).
random_file "$T_TMP/a" 16
random_file "$T_TMP/b" 16
li dd --if "$T_TMP/a" --of "$u" --bs 1M || true
li dd --if "$T_TMP/b" --of "$u" --bs 256K --qd 8 || true
assert_eq "the file holds the second write" "$(sha "$T_TMP/b")" "$(sha "$img" 0 $((16 << 20)))"

# The whole LU back: 16 MiB of data, then 48 MiB of holes read as zeroes.
head -c $((48 << 20)) /dev/zero >"$T_TMP/z"
want=$(cat "$T_TMP/b" "$T_TMP/z" | sha256sum | cut -d' ' -f1)
li dd --if "$u" --of "$T_TMP/out" --count 64 --bs 1M --qd 4 || true
assert_eq "the whole LU reads back" "$want" "$(sha "$T_TMP/out")"
run "qemu-img convert the whole LU" qemu-img convert -f raw -O raw "$u" "$T_TMP/outq" || true
assert_eq "the whole LU reads back through qemu" "$want" "$(sha "$T_TMP/outq")"
li dd --header-digest CRC32C --data-digest CRC32C --if "$u" --of "$T_TMP/outd" --count 16 --bs 4M || true
assert_eq "the whole LU reads back with data digests" "$want" "$(sha "$T_TMP/outd")"
assert_le "reading the holes allocated nothing (MiB allocated)" 17 "$(allocated_mib)"

# Unaligned, small and mixed: 4 KiB writes at 512-byte steps over data and
# holes, then the range read back.
run "qemu-img bench -w 4 KiB at 512-byte steps across data and holes" \
  qemu-img bench -f raw -w -t none -c 8192 -d 8 -s 4096 -S 512 -o $((15 << 20)) "$u" || true
assert_match "bench completed" "$OUT" '^Run completed in'
li dd --if "$u" --of "$T_TMP/mid" --skip 15 --count 2 --bs 1M || true
assert_eq "what the file holds is what is read" "$(sha "$img" $((15 << 20)) $((2 << 20)))" \
  "$(sha "$T_TMP/mid")"

# The file cut short under lunad while writes and reads run.
qemu-img bench -f raw -w -t none -c 40000 -d 16 -s 65536 "$u" >"$T_TMP/bench.log" 2>&1 &
bench=$!
T_BG+=("$bench")
for _ in 1 2 3 4 5; do
  sleep 0.2
  truncate -s $((8 << 20)) "$img"
done
wait "$bench" || true
lunad_alive
truncate -s $((64 << 20)) "$img"
random_file "$T_TMP/c" 4
li dd --if "$T_TMP/c" --of "$u" --bs 1M || true
li dd --if "$u" --of "$T_TMP/outc" --count 4 --bs 1M || true
assert_eq "the LU still works after the file was cut short" "$(sha "$T_TMP/c")" "$(sha "$T_TMP/outc")"

lunad_alive
lunad_stop
