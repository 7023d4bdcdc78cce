#!/usr/bin/env bash
# Bad input on the wire (badpdu.py): a truncated header, a data segment
# longer than negotiated, a SCSI command before login, garbage, opcode 0x3f,
# a login with a huge DataSegmentLength.  Each is dropped or answered with a
# Reject or a login failure, never executed; meanwhile good sessions (a
# qemu-img copy-and-verify loop and an iscsi-readcapacity16 loop) keep
# working, and lunad is alive and stops cleanly afterwards.
. "$(dirname "$0")/lib.sh"
need python3 qemu-img iscsi-readcapacity16 iscsi-ls

port=$(free_port)
iqn=iqn.2025-01.io.luna:test-badpdu
cat >"$T_TMP/luna.json" <<EOF
{"storage_objects": [
   {"name": "victim", "plugin": "ramdisk", "size": 16777216},
   {"name": "good", "plugin": "ramdisk", "size": 67108864}],
 "targets": [{"wwn": "$iqn", "tpgs": [{"tag": 1, "enable": true,
   "portals": [{"ip_address": "127.0.0.1", "port": $port}],
   "luns": [{"index": 0, "storage_object": "/backstores/ramdisk/victim"},
            {"index": 1, "storage_object": "/backstores/ramdisk/good"}],
   "attributes": {"authentication": 0, "generate_node_acls": 1},
   "node_acls": []}]}]}
EOF
lunad_up "$T_TMP/luna.json" "$port"

# Good session 1: copy 16 MiB onto LUN 1 and read it back, over and over.
random_file "$T_TMP/in.bin" 16
want=$(sha "$T_TMP/in.bin")
(
  n=0
  while [[ ! -e $T_TMP/stop ]]; do
    n=$((n + 1))
    if timeout 60 qemu-img convert -n -f raw -O raw "$T_TMP/in.bin" \
         "$(url 127.0.0.1 "$port" "$iqn" 1)" 2>>"$T_TMP/copy.err" &&
       timeout 60 qemu-img convert -f raw -O raw \
         "$(qemu_lun "$port" "$iqn" 1 $((16 << 20)))" "$T_TMP/back.bin" 2>>"$T_TMP/copy.err" &&
       [[ $(sha "$T_TMP/back.bin") == "$want" ]]; then
      echo "ok $n"
    else
      echo "FAIL $n"
    fi
  done >"$T_TMP/copy.log"
) &
T_BG+=($!)
# Good session 2: a fresh login and READ CAPACITY every 0.2 s.
(
  while [[ ! -e $T_TMP/stop ]]; do
    if out=$(timeout 30 iscsi-readcapacity16 -s "$(url 127.0.0.1 "$port" "$iqn" 1)" 2>&1) &&
       [[ $out == 67108864 ]]; then echo ok
    else echo "FAIL $out"; fi
    sleep 0.2
  done >"$T_TMP/cap.log"
) &
T_BG+=($!)

# The bad clients, against LUN 0 (LUN 1 belongs to the good sessions).
rc=0
timeout 300 python3 "$T_LIBDIR/badpdu.py" --port "$port" --target "$iqn" --lun 0 \
  >"$T_TMP/badpdu.log" 2>&1 || rc=$?
while read -r verdict name text; do
  case $verdict in
    ok) ok "badpdu $name: $text" ;;
    FAIL) t_fail "badpdu $name: $text" ;;
    *) t_fail "badpdu: $verdict $name $text" ;;
  esac
done <"$T_TMP/badpdu.log"
((rc == 0 || rc == 1)) || t_fail "badpdu.py exited with status $rc"
grep -q '^ok *good ' "$T_TMP/badpdu.log" ||
  t_fail "the well-formed session of badpdu.py failed, so its bad cases prove little"

# Again, all at once: every case in parallel, twice.
par=()
for _ in 1 2; do
  for c in truncated truncated-wait prelogin garbage opcode3f hugelogin; do
    timeout 120 python3 "$T_LIBDIR/badpdu.py" --port "$port" --target "$iqn" "$c" \
      >>"$T_TMP/parallel.log" 2>&1 &
    par+=($!)
  done
done
wait_rc=0
for pid in "${par[@]}"; do wait "$pid" || wait_rc=$?; done
if ((wait_rc == 0)); then ok "12 bad clients in parallel: all dropped or answered"
else t_fail "bad clients in parallel:"; indent "$(grep -v '^ok' "$T_TMP/parallel.log")"; fi

# Let the good sessions run a little longer after the storm.
sleep 2
touch "$T_TMP/stop"
for pid in "${T_BG[@]}"; do wait "$pid" || true; done
T_BG=()

copies_ok=$(grep -c '^ok' "$T_TMP/copy.log" || true)
copies_bad=$(grep -c '^FAIL' "$T_TMP/copy.log" || true)
assert_ge "copy-and-verify rounds on LUN 1 during the bad input" 1 "$copies_ok"
assert_eq "failed copy-and-verify rounds" 0 "$copies_bad"
((copies_bad == 0)) || indent "$(tail -n 20 "$T_TMP/copy.err")"
caps_ok=$(grep -c '^ok' "$T_TMP/cap.log" || true)
caps_bad=$(grep -c '^FAIL' "$T_TMP/cap.log" || true)
assert_ge "READ CAPACITY sessions during the bad input" 3 "$caps_ok"
assert_eq "failed READ CAPACITY sessions" 0 "$caps_bad"
((caps_bad == 0)) || indent "$(grep '^FAIL' "$T_TMP/cap.log" | head -n 5)"

lunad_alive || exit 1
run "iscsi-ls -s afterwards" iscsi-ls -s "$(url 127.0.0.1 "$port")" || true
assert_eq "LUNs listed afterwards" 2 "$(grep -c '^Lun:' <<<"$OUT" || true)"
lunad_stop
