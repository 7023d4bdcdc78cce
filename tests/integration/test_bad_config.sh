#!/usr/bin/env bash
# A bad configuration is refused: lunad exits non-zero, promptly, with a
# message that names the field at fault, and never listens on the portal of
# the part of the file that was fine (it does not start half-configured).
. "$(dirname "$0")/lib.sh"

port=$(free_port)
iqn=iqn.2025-01.io.luna:test-badconf
ram='{"name": "r0", "plugin": "ramdisk", "size": 16777216}'
lun0='{"index": 0, "storage_object": "/backstores/ramdisk/r0"}'
portal="{\"ip_address\": \"127.0.0.1\", \"port\": $port}"

# target WWN PORTALS LUNS [ENABLE]: one target with one TPG.
target() {
  printf '{"wwn": "%s", "tpgs": [{"tag": 1, "enable": %s, "portals": [%s], "luns": [%s], "attributes": {"authentication": 0, "generate_node_acls": 1}, "node_acls": []}]}' \
    "$1" "${4:-true}" "$2" "$3"
}
# conf NAME STORAGE_OBJECTS TARGETS: write $T_TMP/NAME.json
conf() {
  printf '{"storage_objects": [%s],\n "targets": [%s]}\n' "$2" "$3" >"$T_TMP/$1.json"
}
good_target=$(target "$iqn" "$portal" "$lun0")

# refused NAME WHY REGEX: lunad --config $T_TMP/NAME.json must exit non-zero
# within 10 s, say something matching REGEX (case-insensitive), and never
# listen on $port.
refused() {
  local name=$1 why=$2 re=$3 rc=0 listened=0 deadline
  lunad_start --config "$T_TMP/$name.json"
  deadline=$((SECONDS + 10))
  while kill -0 "$LUNAD_PID" 2>/dev/null && ((SECONDS < deadline)); do
    listening "$port" && listened=1
    sleep 0.05
  done
  if kill -0 "$LUNAD_PID" 2>/dev/null; then
    listening "$port" && listened=1
    kill -KILL "$LUNAD_PID"; wait "$LUNAD_PID" 2>/dev/null || true
    t_fail "$name ($why): lunad was still running after 10s (it should refuse the file); its log:"
    indent "$(cat "$LUNAD_LOG")"
    return
  fi
  wait "$LUNAD_PID" || rc=$?
  local msg
  msg=$(cat "$LUNAD_LOG")
  if ((rc == 0)); then
    t_fail "$name ($why): lunad exited 0; expected a non-zero status"
  elif ((rc >= 128)); then
    t_fail "$name ($why): lunad died of signal $((rc - 128)); its log:"; indent "$msg"
  else
    ok "$name ($why): refused, exit status $rc"
  fi
  if grep -Eiq -- "$re" <<<"$msg"; then
    ok "$name: the message names /$re/: $(grep -Ei -m1 -- "$re" <<<"$msg")"
  else
    t_fail "$name ($why): expected a message matching /$re/, got:"; indent "${msg:-(nothing)}"
  fi
  if ((listened)); then
    t_fail "$name ($why): lunad listened on port $port before refusing (half-configured)"
  fi
}

# The good parts alone do start (so the cases below fail for their fault).
conf good "$ram" "$good_target"
lunad_up "$T_TMP/good.json" "$port"
lunad_stop

printf '{"storage_objects": [%s],\n "targets": [%s' "$ram" "$good_target" >"$T_TMP/syntax.json"
refused syntax "truncated JSON" 'json|line|syntax|parse|expected'

echo '[]' >"$T_TMP/toplevel.json"
refused toplevel "not a JSON object" 'object|storage_objects|targets'

# (no $T_TMP/missing-file.json is written)
refused missing-file "the config file does not exist" 'missing-file\.json'

conf plugin '{"name": "r0", "plugin": "floppy", "size": 16777216}' "$good_target"
refused plugin "unknown plugin" 'plugin'

conf nosize '{"name": "r0", "plugin": "ramdisk"}' "$good_target"
refused nosize "ramdisk without size" 'size'

conf negsize '{"name": "r0", "plugin": "ramdisk", "size": -4096}' "$good_target"
refused negsize "negative size" 'size'

conf strsize '{"name": "r0", "plugin": "ramdisk", "size": "big"}' "$good_target"
refused strsize "size is a word, not a number" 'size'

conf zerosize '{"name": "r0", "plugin": "ramdisk", "size": 0}' "$good_target"
refused zerosize "size 0" 'size'

conf nodev "$ram"', {"name": "f0", "plugin": "fileio", "size": 16777216}' "$good_target"
refused nodev "fileio without dev" '\bdev\b'

conf baddir "$ram"', {"name": "f0", "plugin": "fileio", "dev": "'"$T_TMP"'/no/such/dir/f0.img", "size": 16777216}' "$good_target"
refused baddir "fileio dev in a missing directory" 'dev|no/such/dir'

conf dupname "$ram, $ram" "$good_target"
refused dupname "two storage objects named r0" 'duplicate|twice|already|\bname\b'

conf nostore "$ram" "$(target "$iqn" "$portal" '{"index": 0, "storage_object": "/backstores/ramdisk/nope"}')"
refused nostore "LUN names a missing storage object" 'storage_object|nope'

conf duplun "$ram"', {"name": "r1", "plugin": "ramdisk", "size": 16777216}' \
  "$(target "$iqn" "$portal" "$lun0"', {"index": 0, "storage_object": "/backstores/ramdisk/r1"}')"
refused duplun "two LUNs with index 0" 'index|duplicate'

conf port "$ram" "$(target "$iqn" '{"ip_address": "127.0.0.1", "port": 70000}' "$lun0")"
refused port "port 70000" 'port'

conf ip "$ram" "$(target "$iqn" '{"ip_address": "300.1.2.3", "port": '"$port"'}' "$lun0")"
refused ip "ip_address 300.1.2.3" 'ip_address|300\.1\.2\.3'

conf wwn "$ram" "$(target "not an iqn" "$portal" "$lun0")"
refused wwn "wwn is not an iSCSI name" 'wwn|not an iqn'

conf nowwn "$ram" '{"tpgs": [{"tag": 1, "enable": true, "portals": ['"$portal"'], "luns": ['"$lun0"']}]}'
refused nowwn "target without wwn" 'wwn'

conf enable "$ram" "$(target "$iqn" "$portal" "$lun0" '"yes"')"
refused enable "enable is a string, not a boolean" 'enable'

conf thin '{"name": "r0", "plugin": "ramdisk", "size": 16777216, "thin": 2}' "$good_target"
refused thin "thin is 2, not a boolean" 'thin'

# Half-configured: the first target is fine and listens on $port, the second
# is wrong.  Nothing may be served.
conf half "$ram" "$good_target, $(target "$iqn-2" '{"ip_address": "127.0.0.1", "port": 70000}' "$lun0")"
refused half "second target has a bad port" 'port'
