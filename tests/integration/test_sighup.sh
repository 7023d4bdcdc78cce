#!/usr/bin/env bash
# SIGHUP re-reads the config file: a LUN added to the file shows up in
# iscsi-ls without a restart, the data of the existing LUN is untouched, and
# a broken file on reload leaves the running configuration serving.
. "$(dirname "$0")/lib.sh"
need iscsi-ls iscsi-readcapacity16 qemu-img

port=$(free_port)
iqn=iqn.2025-01.io.luna:test-hup
conf=$T_TMP/luna.json
conf_ramdisk_target "$conf" "$port" "$iqn" $((32 << 20))
lunad_up "$conf" "$port"
pid=$LUNAD_PID

run "iscsi-ls -s before reload" iscsi-ls -s "$(url 127.0.0.1 "$port")" || true
assert_eq "LUNs before reload" 1 "$(grep -c '^Lun:' <<<"$OUT" || true)"

random_file "$T_TMP/data.bin" 1
run "write 1 MiB to LUN 0" qemu-img convert -n -f raw -O raw "$T_TMP/data.bin" \
  "$(url 127.0.0.1 "$port" "$iqn" 0)" || true

# The same file with a second storage object and LUN 1.
cat >"$conf.new" <<EOF
{"storage_objects": [
   {"name": "r0", "plugin": "ramdisk", "size": $((32 << 20))},
   {"name": "r1", "plugin": "ramdisk", "size": $((48 << 20))}],
 "targets": [{"wwn": "$iqn", "tpgs": [{"tag": 1, "enable": true,
   "portals": [{"ip_address": "127.0.0.1", "port": $port}],
   "luns": [{"index": 0, "storage_object": "/backstores/ramdisk/r0"},
            {"index": 1, "storage_object": "/backstores/ramdisk/r1"}],
   "attributes": {"authentication": 0, "generate_node_acls": 1},
   "node_acls": []}]}]}
EOF
mv "$conf.new" "$conf"
kill -HUP "$pid"

# The reload may take a moment: look for LUN 1 for up to 15 s.
deadline=$((SECONDS + 15)) seen=0
while ((SECONDS < deadline)); do
  OUT=$(timeout 20 iscsi-ls -s "$(url 127.0.0.1 "$port")" 2>&1) || true
  if grep -q '^Lun:1 ' <<<"$OUT"; then seen=1; break; fi
  sleep 0.5
done
if ((seen)); then ok "after SIGHUP iscsi-ls shows LUN 1"
else t_fail "after SIGHUP iscsi-ls does not show LUN 1 within 15s; it printed:"; indent "$OUT"; fi
assert_eq "LUNs after reload" 2 "$(grep -c '^Lun:' <<<"$OUT" || true)"
assert_eq "same lunad process (no restart)" "$pid" "$LUNAD_PID"
lunad_alive || exit 1

run "READ CAPACITY(16) of the new LUN 1" \
  iscsi-readcapacity16 -s "$(url 127.0.0.1 "$port" "$iqn" 1)" || true
assert_eq "size of the new LUN 1" $((48 << 20)) "$OUT"
run "read LUN 0 back" qemu-img convert -f raw -O raw \
  "$(qemu_lun "$port" "$iqn" 0 $((1 << 20)))" "$T_TMP/back.bin" || true
assert_eq "LUN 0 data kept across the reload" "$(sha "$T_TMP/data.bin")" "$(sha "$T_TMP/back.bin")"

# A broken file on SIGHUP: lunad says so and keeps serving what it had.
echo '{"storage_objects": [' >"$conf"
kill -HUP "$pid"
sleep 2
lunad_alive || exit 1
run "iscsi-ls -s after a bad reload" iscsi-ls -s "$(url 127.0.0.1 "$port")" || true
assert_eq "LUNs still served after a bad reload" 2 "$(grep -c '^Lun:' <<<"$OUT" || true)"

lunad_stop
