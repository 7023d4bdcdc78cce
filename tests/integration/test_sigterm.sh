#!/usr/bin/env bash
# SIGTERM shuts lunad down cleanly: while qemu-img convert keeps writing to
# a LUN, and with an idle logged-in session open, lunad exits 0 within the
# bound, closes its portal, and leaves a fileio backing file that a new
# lunad serves again.
. "$(dirname "$0")/lib.sh"
need qemu-img iscsi-ls python3

port=$(free_port)
iqn=iqn.2025-01.io.luna:test-term
img=$T_TMP/f0.img
conf_ram_file "$T_TMP/luna.json" "$port" "$iqn" $((256 << 20)) "$img"
lunad_up "$T_TMP/luna.json" "$port"

random_file "$T_TMP/in.bin" 64

# Writers: qemu-img convert onto the RAM disk and onto the fileio LUN, over
# and over, so that SIGTERM lands while commands are in flight.
for lun in 0 1; do
  (
    while [[ ! -e $T_TMP/stop ]]; do
      timeout 60 qemu-img convert -n -f raw -O raw "$T_TMP/in.bin" \
        "$(url 127.0.0.1 "$port" "$iqn" "$lun")" >>"$T_TMP/writer$lun.log" 2>&1 &&
        echo copied >>"$T_TMP/writer$lun.count"
    done
  ) &
  T_BG+=($!)
done

# Wait until both writers are connected and at least one copy went through.
deadline=$((SECONDS + 60))
until [[ -s $T_TMP/writer0.count && -s $T_TMP/writer1.count ]] &&
  (($(ss -Htn state established "sport = :$port" | wc -l) >= 2)); do
  ((SECONDS < deadline)) || break
  sleep 0.1
done
if [[ -s $T_TMP/writer0.count && -s $T_TMP/writer1.count ]]; then
  ok "qemu-img convert completed onto both LUNs while running in a loop"
else
  t_fail "qemu-img convert did not complete within 60s; writer logs:"
  indent "$(tail -n 5 "$T_TMP"/writer*.log 2>/dev/null)"
fi
assert_ge "established connections to lunad during the copies" 1 \
  "$(ss -Htn state established "sport = :$port" | wc -l)"

lunad_stop
if listening "$port"; then t_fail "port $port still listening after lunad exited"
else ok "port $port closed"; fi
# Stop the writers (by their ids): no new copy, the running one ends.
touch "$T_TMP/stop"
for pid in "${T_BG[@]}"; do pkill -TERM -P "$pid" 2>/dev/null || true; done
for pid in "${T_BG[@]}"; do wait "$pid" 2>/dev/null || true; done
T_BG=()

# The fileio file is intact enough to be served again.
lunad_up "$T_TMP/luna.json" "$port"
run "iscsi-ls -s after restart" iscsi-ls -s "$(url 127.0.0.1 "$port")" || true
assert_match "LUN 1 (fileio) served again" "$OUT" '^Lun:1 +Type:DIRECT_ACCESS'

# An idle, logged-in session does not hold the shutdown up.
python3 "$T_LIBDIR/badpdu.py" --port "$port" --target "$iqn" --wait 30 idle \
  >"$T_TMP/idle.log" 2>&1 &
idle=$!
T_BG+=("$idle")
deadline=$((SECONDS + 20))
until grep -q 'logged in' "$T_TMP/idle.log" 2>/dev/null || ((SECONDS >= deadline)); do sleep 0.1; done
assert_contains "an idle session is logged in" "$(cat "$T_TMP/idle.log")" "logged in"
lunad_stop
wait "$idle" || true
say "the idle session saw: $(tail -n 1 "$T_TMP/idle.log")"
