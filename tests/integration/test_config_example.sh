#!/usr/bin/env bash
# The configuration example of the first milestone (the README's), as
# written, with only the fileio path and the port changed, loads and serves
# both LUNs; fileio creates its file, sparse, at the configured size.
. "$(dirname "$0")/lib.sh"
need iscsi-ls iscsi-readcapacity16

port=$(free_port)
img=$T_TMP/f0.img
iqn=iqn.2025-01.org.example:t1
cat >"$T_TMP/example.json" <<'EOF'
{"storage_objects": [
   {"name": "r0", "plugin": "ramdisk", "size": 1073741824},
   {"name": "f0", "plugin": "fileio", "dev": "/tmp/f0.img", "size": 1073741824}],
 "targets": [{"wwn": "iqn.2025-01.org.example:t1", "tpgs": [{"tag": 1, "enable": true,
   "portals": [{"ip_address": "127.0.0.1", "port": 3260}],
   "luns": [{"index": 0, "storage_object": "/backstores/ramdisk/r0"},
            {"index": 1, "storage_object": "/backstores/fileio/f0"}],
   "attributes": {"authentication": 0, "generate_node_acls": 1},
   "node_acls": []}]}]}
EOF
sed -e "s|\"/tmp/f0.img\"|\"$img\"|" -e "s|\"port\": 3260|\"port\": $port|" \
  "$T_TMP/example.json" >"$T_TMP/luna.json"
assert_eq "the example differs only in path and port" 2 \
  "$(diff "$T_TMP/example.json" "$T_TMP/luna.json" | grep -c '^>' || true)"

[[ ! -e $img ]] || die "$img exists before the test"
lunad_up "$T_TMP/luna.json" "$port"

if [[ -f $img ]]; then
  ok "fileio created $img"
  assert_eq "size of the fileio file" 1073741824 "$(stat -c %s "$img")"
  used_kib=$(du -k "$img" | cut -f1)
  assert_le "the fileio file is sparse: KiB allocated" 16384 "$used_kib"
else
  t_fail "fileio did not create $img"
fi

run "iscsi-ls -s" iscsi-ls -s "$(url 127.0.0.1 "$port")" || true
assert_match "target listed" "$OUT" "^Target:$iqn Portal:127\.0\.0\.1:$port,1\$"
assert_match "LUN 0 listed" "$OUT" '^Lun:0 +Type:DIRECT_ACCESS'
assert_match "LUN 1 listed" "$OUT" '^Lun:1 +Type:DIRECT_ACCESS'
for lun in 0 1; do
  run "READ CAPACITY(16) of LUN $lun" \
    iscsi-readcapacity16 -s "$(url 127.0.0.1 "$port" "$iqn" "$lun")" || true
  assert_eq "LUN $lun size" 1073741824 "$OUT"
done

lunad_alive
lunad_stop
assert_eq "the fileio file keeps its size after shutdown" 1073741824 "$(stat -c %s "$img")"
