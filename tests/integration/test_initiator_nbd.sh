#!/usr/bin/env bash
# The NBD bridge: luna-iscsi nbd serves a lunad LUN; Debian's NBD clients
# (nbdinfo, nbdcopy from libnbd-bin) see its size and copy 64 MiB of
# random data in and out through it over a Unix socket and over TCP.
. "$(dirname "$0")/lib.sh"
LUNA_ISCSI=${LUNA_ISCSI:-$(dirname "$LUNAD")/../luna-iscsi/luna-iscsi}
[[ -x $LUNA_ISCSI ]] || skip "no luna-iscsi at $LUNA_ISCSI (build it, or set LUNA_ISCSI)"
need nbdinfo nbdcopy

port=$(free_port 127.0.0.1)
nport=$(free_port 127.0.0.1)
iqn=iqn.2025-01.io.luna:test-nbd
conf_ram_file "$T_TMP/luna.json" "$port" "$iqn" $((96 << 20)) "$T_TMP/f0.img" $((64 << 20))
lunad_up "$T_TMP/luna.json" "$port"
sock=$T_TMP/nbd.sock

# bridge ARGS...: start luna-iscsi nbd in the background; wait for it.
bridge() {
  "$LUNA_ISCSI" nbd "$@" >"$T_TMP/bridge.log" 2>&1 &
  BRIDGE=$!
  T_BG+=("$BRIDGE")
  for _ in $(seq 100); do
    if [[ -S $sock ]] || listening "$nport"; then ok "the bridge is up"; return 0; fi
    kill -0 "$BRIDGE" 2>/dev/null || break
    sleep 0.1
  done
  indent "$(cat "$T_TMP/bridge.log")"
  die "the NBD bridge did not start"
}
# bridge_done: the bridge (run with --once) exits 0 after its client.
bridge_done() {
  local rc=0
  timeout 20 tail --pid="$BRIDGE" -f /dev/null || true
  kill -0 "$BRIDGE" 2>/dev/null && { kill -KILL "$BRIDGE"; t_fail "the bridge did not exit after its client"; return; }
  wait "$BRIDGE" || rc=$?
  assert_eq "the bridge exited cleanly" 0 "$rc"
  [[ $rc == 0 ]] || indent "$(cat "$T_TMP/bridge.log")"
}

random_file "$T_TMP/in" 64
lun1=$(url 127.0.0.1 "$port" "$iqn" 1)

bridge "$lun1" --socket "$sock" --once
run "nbdinfo over the Unix socket" nbdinfo "nbd+unix:///?socket=$sock" || true
assert_match "nbdinfo: export size" "$OUT" "export-size: $((64 << 20))"
assert_match "nbdinfo: can flush" "$OUT" 'can_flush: true'
assert_match "nbdinfo: can trim" "$OUT" 'can_trim: true'
bridge_done

rm -f "$sock"
bridge "$lun1" --socket "$sock" --once
run "nbdcopy a 64 MiB file into the LUN" nbdcopy --flush "$T_TMP/in" "nbd+unix:///?socket=$sock" || true
bridge_done
run "luna-iscsi dd reads the LUN back" "$LUNA_ISCSI" dd --if "$lun1" --of "$T_TMP/direct" || true
assert_eq "data written through NBD is on the LUN" "$(sha "$T_TMP/in")" "$(sha "$T_TMP/direct")"

bridge "$lun1" --listen "127.0.0.1:$nport" --once
run "nbdcopy the LUN out over TCP" nbdcopy "nbd://127.0.0.1:$nport" "$T_TMP/out" || true
bridge_done
assert_eq "data read through NBD matches" "$(sha "$T_TMP/in")" "$(sha "$T_TMP/out")"

# Unaligned writes and zeroing go through read-modify-write and WRITE SAME.
# libnbd's Python binding (python3-libnbd) drives them; the python3 first in
# PATH may be another installation than the one the package went into.
nbd_py=
for py in python3 /usr/bin/python3; do
  if "$py" -c 'import nbd' >/dev/null 2>&1; then nbd_py=$py; break; fi
done
if [[ -n $nbd_py ]]; then
  bridge "$(url 127.0.0.1 "$port" "$iqn" 0)" --listen "127.0.0.1:$nport" --once
  run "libnbd: unaligned write, zero, trim, flush, read" "$nbd_py" -c '
import sys, nbd
h = nbd.NBD()
h.connect_uri(sys.argv[1])
h.pwrite(b"hello, world", 1000)
h.zero(4096, 8192)
h.trim(4096, 65536)
h.flush()
assert h.pread(12, 1000) == b"hello, world"
assert h.pread(4096, 8192) == bytes(4096)
h.shutdown()
print("nbd ok")' "nbd://127.0.0.1:$nport" || true
  assert_contains "libnbd checks passed" "$OUT" "nbd ok"
  bridge_done
else
  say "python3-libnbd missing: the unaligned-write checks are skipped"
fi

lunad_alive
lunad_stop
