#!/usr/bin/env bash
# Removing a LUN while an initiator is writing to it: lunad finishes or
# aborts the commands in flight cleanly (no crash, no sanitizer report), the
# initiator sees the LUN go, the other LUN keeps working, and the daemon
# still shuts down cleanly.
. "$(dirname "$0")/lib.sh"
need qemu-img iscsi-ls
LUNACTL=${LUNACTL:-$(dirname "$LUNAD")/../lunactl/lunactl}
[[ -x $LUNACTL ]] || die "no lunactl at $LUNACTL (build it, or set LUNACTL=path)"

port=$(free_port)
iqn=iqn.2025-01.io.luna:test-remove-busy
sock=$T_TMP/lunad.sock
conf_ram_file "$T_TMP/luna.json" "$port" "$iqn" $((256 << 20)) "$T_TMP/f0.img"
lunad_start --config "$T_TMP/luna.json" --control "$sock"
wait_listening "$port" || exit 1
ok "lunad listens on port $port"

# Writes to the fileio LUN (io_uring: commands really are in flight), as
# long as it takes for the LUN to be removed under them.
timeout 60 qemu-img bench -f raw -w -t none -c 2000000 -d 32 -s 65536 \
  "$(url 127.0.0.1 "$port" "$iqn" 1)" >"$T_TMP/bench.out" 2>&1 &
bench=$!
sleep 1
kill -0 "$bench" 2>/dev/null || die "qemu-img bench ended before the LUN was removed: $(cat "$T_TMP/bench.out")"
run "remove LUN 1 while it is written" \
  "$LUNACTL" --socket "$sock" "/iscsi/$iqn/tpg1/luns" delete 1 || true
rc=0
wait "$bench" || rc=$?
assert_ne "qemu-img bench ends (with an error) once its LUN is gone" 124 "$rc"
lunad_alive || exit 1

run "iscsi-ls after the removal" iscsi-ls -s "$(url 127.0.0.1 "$port")" || true
assert_eq "LUNs left" 1 "$(grep -c '^Lun:' <<<"$OUT" || true)"
random_file "$T_TMP/in" 8
run "the other LUN still takes data" qemu-img convert -n -f raw -O raw "$T_TMP/in" \
  "$(url 127.0.0.1 "$port" "$iqn" 0)" || true
run "and gives it back" qemu-img convert -f raw -O raw \
  "$(qemu_lun "$port" "$iqn" 0 $((8 << 20)))" "$T_TMP/out" || true
assert_eq "data on LUN 0" "$(sha "$T_TMP/in")" "$(sha "$T_TMP/out")"
lunad_stop
assert_eq "lunad exit status" 0 "$STOP_RC"
