#!/usr/bin/env bash
# libiscsi's conformance suite (iscsi-test-cu, through
# ../shared/tools/iscsi-conformance) against RAM disk LUs: thick (the one
# that judges), thin (with 4 KiB physical blocks), removable and read-only, with a second session to the
# thick one for the multipath tests.  Fails when a test listed in
# tests/conformance/must-pass.txt does not pass, or when lunad dies.
#
# ALL.Sanitize.Reset runs on its own, on the thick LU only: it waits for
# the sanitize to end with sleep(60) between polls, so it needs about 65 s
# (and would need it once more for every other LU, which judge nothing).
#
#   LUNA_CONFORMANCE_TSV=FILE   also keep the per-test results there
#   LUNA_CONFORMANCE_TIMEOUT    seconds per test (default 40: a SANITIZE
#                               takes 8 s on these 512 MiB LUs, and
#                               Sanitize.Overwrite sends three)
#   LUNA_CONFORMANCE_SLOW_TIMEOUT  seconds for Sanitize.Reset (default 120)
#   LUNA_CONFORMANCE_BUDGET     seconds for the whole suite (default 900)
#   LUNA_CONFORMANCE_TEST=REGEX only the tests whose names match
. "$(dirname "$0")/lib.sh"
need iscsi-test-cu iscsi-ls python3
conformance=$TOOLS/iscsi-conformance
[[ -x $conformance ]] || skip "no $conformance (shared/ must sit beside the repository)"
baseline=$REPO/tests/conformance/must-pass.txt
[[ -f $baseline ]] || die "no $baseline"

port=$(free_port)
iqn=iqn.2025-01.io.luna:test-conformance
size=$((512 << 20))
cat >"$T_TMP/luna.json" <<EOF
{"storage_objects": [
   {"name": "thick", "plugin": "ramdisk", "size": $size},
   {"name": "thin", "plugin": "ramdisk", "size": $size, "thin": true,
    "attributes": {"physical_block_size": 4096}},
   {"name": "rem", "plugin": "ramdisk", "size": $size, "removable": true},
   {"name": "ro", "plugin": "ramdisk", "size": $size, "readonly": true}],
 "targets": [{"wwn": "$iqn", "tpgs": [{"tag": 1, "enable": true,
   "portals": [{"ip_address": "127.0.0.1", "port": $port}],
   "luns": [{"index": 0, "storage_object": "/backstores/ramdisk/thick"},
            {"index": 1, "storage_object": "/backstores/ramdisk/thin"},
            {"index": 2, "storage_object": "/backstores/ramdisk/rem"},
            {"index": 3, "storage_object": "/backstores/ramdisk/ro"}],
   "attributes": {"authentication": 0, "generate_node_acls": 1},
   "node_acls": []}]}]}
EOF
lunad_up "$T_TMP/luna.json" "$port"

# A target that cannot even list its LUNs would time out test after test:
# stop at once instead.
run "iscsi-ls -s before the suite" iscsi-ls -s "$(url 127.0.0.1 "$port")" || exit 1
assert_eq "LUNs before the suite" 4 "$(grep -c '^Lun:' <<<"$OUT" || true)"

base="iscsi://127.0.0.1:$port/$iqn"
if [[ -n ${LUNA_CONFORMANCE_TEST:-} ]]; then
  # A partial run is judged only on the must-pass tests it runs.
  sed -e 's/#.*//' -e 's/[[:space:]]//g' "$baseline" |
    grep -E -- "$LUNA_CONFORMANCE_TEST" >"$T_TMP/baseline.txt" || true
  baseline=$T_TMP/baseline.txt
fi
tsv=${LUNA_CONFORMANCE_TSV:-$T_TMP/conformance.tsv}
budget=${LUNA_CONFORMANCE_BUDGET:-900}
slow='ALL\.Sanitize\.Reset'
user=${LUNA_CONFORMANCE_TEST:-}
# The baseline of each run: the must-pass tests it runs.
sed -e 's/#.*//' -e 's/[[:space:]]//g' "$baseline" | grep -v -x -E -- "$slow" \
  >"$T_TMP/baseline-main.txt" || true
sed -e 's/#.*//' -e 's/[[:space:]]//g' "$baseline" | grep -x -E -- "$slow" \
  >"$T_TMP/baseline-slow.txt" || true
start=$SECONDS rc=0
timeout -k 10 "$budget" "$conformance" --quiet --test "^(?!$slow\$).*?(?:$user)" \
  --timeout "${LUNA_CONFORMANCE_TIMEOUT:-40}" \
  --baseline "$T_TMP/baseline-main.txt" --tsv "$T_TMP/main.tsv" --mpath "$base/0" \
  "thick=$base/0" "thin=$base/1" "removable=$base/2" "readonly=$base/3" \
  >"$T_TMP/conformance.out" 2>&1 || rc=$?
if [[ -z $user ]] || grep -q -E -- "$user" <<<"${slow//\\/}"; then
  rc2=0
  timeout -k 10 300 "$conformance" --quiet --test "^$slow\$" \
    --timeout "${LUNA_CONFORMANCE_SLOW_TIMEOUT:-120}" \
    --baseline "$T_TMP/baseline-slow.txt" --tsv "$T_TMP/slow.tsv" --mpath "$base/0" \
    "thick=$base/0" >"$T_TMP/conformance-slow.out" 2>&1 || rc2=$?
  # Keep the worse exit status of the two runs.
  ((rc == 0 || (rc == 1 && rc2 > 1))) && rc=$rc2
  grep -v '^conformance:' "$T_TMP/conformance-slow.out" >>"$T_TMP/conformance.out" || true
  tail -n +2 "$T_TMP/slow.tsv" 2>/dev/null | cut -f 1-3 | sed 's/$/\t\t\t/' >>"$T_TMP/main.tsv" || true
  grep '^conformance:' "$T_TMP/conformance-slow.out" | tail -n 1 >"$T_TMP/slow-summary" || true
fi
cp "$T_TMP/main.tsv" "$tsv" 2>/dev/null || true
took=$((SECONDS - start))
# One summary line for both runs: the sum of their counts.
summary=$(cat <(grep '^conformance:' "$T_TMP/conformance.out" | tail -n 1) \
  "$T_TMP/slow-summary" 2>/dev/null | awk '
  { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) n[i] += $i; k++ }
  END { if (!k) exit
        printf "conformance: %d pass, %d fail, %d not-implemented, %d skip-config of %d tests\n",
               n[2], n[4], n[6], n[8], n[11] }' || true)
say "suite took ${took}s: ${summary:-no summary}"

case $rc in
  0) ok "every test of must-pass.txt passes (${took}s)" ;;
  1)
    if grep -q '^baseline:' "$T_TMP/conformance.out"; then
      t_fail "must-pass tests that no longer pass:"
      indent "$(grep '^baseline:' "$T_TMP/conformance.out")"
      # Their details, from the suite's own report.
      while read -r _ name _; do
        grep -E "^fail +$(re_escape "$name") " "$T_TMP/conformance.out" || true
      done < <(grep '^baseline:' "$T_TMP/conformance.out") | head -n 40 | sed 's/^/       | /' >&2
    else
      t_fail "iscsi-conformance failed:"; indent "$(tail -n 20 "$T_TMP/conformance.out")"
    fi
    ;;
  124) t_fail "the suite did not finish within ${budget}s"
       indent "$(tail -n 10 "$T_TMP/conformance.out")" ;;
  *) t_fail "iscsi-conformance exited with status $rc"
     indent "$(tail -n 20 "$T_TMP/conformance.out")" ;;
esac
[[ -n $summary ]] && ok "$summary"

lunad_alive || exit 1
run "iscsi-ls -s after the suite" iscsi-ls -s "$(url 127.0.0.1 "$port")" || true
lunad_stop
