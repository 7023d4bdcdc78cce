#!/usr/bin/env bash
# libiscsi's conformance suite (iscsi-test-cu, through
# ../shared/tools/iscsi-conformance) against RAM disk LUs: thick (the one
# that judges), thin (with 4 KiB physical blocks), removable and read-only, with a second session to the
# thick one for the multipath tests.  Fails when a test listed in
# tests/conformance/must-pass.txt does not pass, or when lunad dies.
#
#   LUNA_CONFORMANCE_TSV=FILE   also keep the per-test results there
#   LUNA_CONFORMANCE_TIMEOUT    seconds per test (default 15)
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
start=$SECONDS rc=0
timeout -k 10 "$budget" "$conformance" --quiet --test "${LUNA_CONFORMANCE_TEST:-}" \
  --timeout "${LUNA_CONFORMANCE_TIMEOUT:-15}" \
  --baseline "$baseline" --tsv "$tsv" --mpath "$base/0" \
  "thick=$base/0" "thin=$base/1" "removable=$base/2" "readonly=$base/3" \
  >"$T_TMP/conformance.out" 2>&1 || rc=$?
took=$((SECONDS - start))
summary=$(grep '^conformance:' "$T_TMP/conformance.out" | tail -n 1 || true)
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
