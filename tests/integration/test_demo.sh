#!/usr/bin/env bash
# lunad --demo: the embedded default, a 1 GiB RAM disk as
# iqn.2025-01.io.luna:demo on 127.0.0.1, answers iscsi-ls and prints how to
# connect with iscsiadm, iscsi-ls and qemu.  It runs on a free port when
# lunad has a --port option, otherwise on 3260: when 3260 is taken on this
# machine, the test moves (as root) into a network namespace of its own,
# whose loopback has 3260 free, and is skipped if it cannot.

# Before lib.sh, so that nothing is left behind by the exec.
lunad=${LUNAD:-$(dirname "$0")/../../build/src/lunad/lunad}
if [[ -z ${LUNA_NETNS:-} && -n $(ss -Hltn 'sport = :3260' 2>/dev/null) ]] &&
  ! timeout 10 "$lunad" --help 2>&1 | grep -q -- '--port' &&
  unshare -n true 2>/dev/null; then
  echo "port 3260 is taken here: running in a new network namespace" >&2
  # shellcheck disable=SC2016  # $0 expands in the inner shell
  exec unshare -n env LUNA_NETNS=1 bash -c 'ip link set lo up && exec bash "$0"' "$0"
fi
. "$(dirname "$0")/lib.sh"
need iscsi-ls iscsi-readcapacity16

iqn=iqn.2025-01.io.luna:demo
[[ -x $LUNAD ]] || die "no lunad at $LUNAD (build it, or set LUNAD=path)"
if timeout 10 "$LUNAD" --help 2>&1 | grep -q -- '--port'; then
  port=$(free_port)
  lunad_start --demo --port "$port"
elif listening 3260; then
  skip "lunad has no --port option and port 3260 is taken"
else
  port=3260
  lunad_start --demo
fi
wait_listening "$port" || exit 1
ok "lunad --demo listens on port $port"

run "iscsi-ls -s" iscsi-ls -s "$(url 127.0.0.1 "$port")" || true
assert_match "the demo target" "$OUT" "^Target:$iqn Portal:127\.0\.0\.1:$port,1\$"
assert_match "its LUN 0" "$OUT" '^Lun:0 +Type:DIRECT_ACCESS'
run "READ CAPACITY(16)" iscsi-readcapacity16 -s "$(url 127.0.0.1 "$port" "$iqn" 0)" || true
assert_eq "demo disk size" 1073741824 "$OUT"

banner=$(cat "$LUNAD_LOG")
assert_contains "tells how to connect with iscsiadm" "$banner" "iscsiadm"
assert_contains "tells how to connect with iscsi-ls" "$banner" "iscsi-ls"
assert_contains "tells how to connect with qemu" "$banner" "qemu"
assert_contains "names the demo target" "$banner" "$iqn"

lunad_alive
lunad_stop
