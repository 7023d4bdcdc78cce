#!/usr/bin/env bash
# SendTargets discovery (iscsi-ls iscsi://HOST:PORT): a config with two
# targets and two portals lists every target with every portal, asked
# through either portal.  The second portal is [::1] when the machine has
# IPv6 loopback, another 127.0.0.1 port otherwise.
. "$(dirname "$0")/lib.sh"
need iscsi-ls iscsi-readcapacity16

t1=iqn.2025-01.io.luna:test-disc-a
t2=iqn.2025-01.io.luna:test-disc-b
if have_ipv6; then
  host2=::1 shown2="[::1]"
else
  host2=127.0.0.1 shown2=127.0.0.1
  say "no IPv6 loopback on this machine: IPv6 part skipped, both portals are IPv4"
fi
p1=$(free_port 127.0.0.1)
p2=$(free_port "$host2")

cat >"$T_TMP/luna.json" <<EOF
{"storage_objects": [
   {"name": "a0", "plugin": "ramdisk", "size": 16777216},
   {"name": "b0", "plugin": "ramdisk", "size": 16777216},
   {"name": "b1", "plugin": "ramdisk", "size": 33554432}],
 "targets": [
  {"wwn": "$t1", "tpgs": [{"tag": 1, "enable": true,
    "portals": [{"ip_address": "127.0.0.1", "port": $p1},
                {"ip_address": "$host2", "port": $p2}],
    "luns": [{"index": 0, "storage_object": "/backstores/ramdisk/a0"}],
    "attributes": {"authentication": 0, "generate_node_acls": 1},
    "node_acls": []}]},
  {"wwn": "$t2", "tpgs": [{"tag": 1, "enable": true,
    "portals": [{"ip_address": "127.0.0.1", "port": $p1},
                {"ip_address": "$host2", "port": $p2}],
    "luns": [{"index": 0, "storage_object": "/backstores/ramdisk/b0"},
             {"index": 1, "storage_object": "/backstores/ramdisk/b1"}],
    "attributes": {"authentication": 0, "generate_node_acls": 1},
    "node_acls": []}]}]}
EOF
lunad_up "$T_TMP/luna.json" "$p1" "$p2"

# Asked through the first portal, SendTargets=All lists every target with
# every portal.
run "SendTargets through 127.0.0.1 port $p1" iscsi-ls "$(url 127.0.0.1 "$p1")" || true
for t in "$t1" "$t2"; do
  assert_match "$t at 127.0.0.1:$p1" "$OUT" "^Target:$t Portal:127\.0\.0\.1:$p1,1\$"
  assert_match "$t at $shown2:$p2" "$OUT" "^Target:$t Portal:$(re_escape "$shown2"):$p2,1\$"
done
assert_eq "number of target/portal lines" 4 "$(grep -c '^Target:' <<<"$OUT" || true)"

# Asked through the second portal, every target is listed there too (a
# target may leave out the portals of the other address family).
run "SendTargets through $shown2 port $p2" iscsi-ls "$(url "$host2" "$p2")" || true
for t in "$t1" "$t2"; do
  assert_match "via $shown2:$p2: $t at $shown2:$p2" "$OUT" \
    "^Target:$t Portal:$(re_escape "$shown2"):$p2,1\$"
done

# The LUNs behind each target, through the second portal.
# (iscsi-ls -s repeats a target's LUNs under each of its portals.)
run "iscsi-ls -s through $shown2:$p2" iscsi-ls -s "$(url "$host2" "$p2")" || true
luns=$(awk '/^Target:/ { t = substr($1, 8) } /^Lun:/ { print t, $1 }' <<<"$OUT" | sort -u | tr '\n' ' ')
assert_eq "LUNs seen behind each target" "$t1 Lun:0 $t2 Lun:0 $t2 Lun:1 " "$luns"
run "LUN 1 of $t2 through $shown2:$p2" \
  iscsi-readcapacity16 -s "$(url "$host2" "$p2" "$t2" 1)" || true
assert_eq "size of $t2 LUN 1" 33554432 "$OUT"
run_fails "$t1 has no LUN 1" iscsi-readcapacity16 -s "$(url 127.0.0.1 "$p1" "$t1" 1)" || true

lunad_alive
lunad_stop
