#!/usr/bin/env bash
# `lunactl import` takes a saveconfig.json as rtslib dumps it (written
# here by hand in rtslib's format: LIO attributes, ALUA groups, aliases,
# parameters Luna does not negotiate, a pscsi object): what Luna serves
# comes over, the rest is reported and skipped.  The imported ACL's CHAP
# and the fabric module's discovery CHAP then work.
. "$(dirname "$0")/lib.sh"
need iscsi-inq iscsi-ls
LUNACTL=${LUNACTL:-$(dirname "$LUNAD")/../lunactl/lunactl}
[[ -x $LUNACTL ]] || die "no lunactl at $LUNACTL (build it, or set LUNACTL=path)"

PORT=$(free_port)
SOCK=$T_TMP/lunad.sock
IQN=iqn.2003-01.org.linux-iscsi.lio.x8664:sn.4b9f1a2c3d5e
CLIENT=iqn.1994-05.com.redhat:5a1b2c3d4e5f
CTL=("$LUNACTL" --socket "$SOCK")
truncate -s 32M "$T_TMP/f1.img"

cat >"$T_TMP/saveconfig.json" <<EOF2
{
  "fabric_modules": [
    {
      "discovery_enable_auth": true,
      "discovery_mutual_password": "",
      "discovery_mutual_userid": "",
      "discovery_password": "disc-secret-42",
      "discovery_userid": "discoverer",
      "name": "iscsi"
    }
  ],
  "storage_objects": [
    {
      "aio": false,
      "alua_tpgs": [
        {
          "alua_access_state": 0, "alua_access_status": 0, "alua_access_type": 3,
          "alua_support_active_nonoptimized": 1, "alua_support_active_optimized": 1,
          "alua_support_offline": 1, "alua_support_standby": 1, "alua_support_transitioning": 1,
          "alua_support_unavailable": 1, "alua_write_metadata": 0, "implicit_trans_secs": 0,
          "name": "default_tg_pt_gp", "nonop_delay_msecs": 100, "preferred": 0,
          "tg_pt_gp_id": 0, "trans_delay_msecs": 0
        }
      ],
      "attributes": {
        "block_size": 512, "emulate_3pc": 1, "emulate_caw": 1, "emulate_dpo": 1,
        "emulate_fua_read": 1, "emulate_fua_write": 1, "emulate_model_alias": 1,
        "emulate_pr": 1, "emulate_rest_reord": 0, "emulate_tas": 1, "emulate_tpu": 0,
        "emulate_tpws": 0, "emulate_ua_intlck_ctrl": 0, "emulate_write_cache": 1,
        "enforce_pr_isids": 1, "force_pr_aptpl": 0, "is_nonrot": 0, "max_unmap_block_desc_count": 0,
        "max_unmap_lba_count": 0, "max_write_same_len": 4096, "optimal_sectors": 16384,
        "pi_prot_format": 0, "pi_prot_type": 0, "pi_prot_verify": 0, "queue_depth": 128,
        "unmap_granularity": 0, "unmap_granularity_alignment": 0, "unmap_zeroes_data": 0
      },
      "dev": "$T_TMP/f1.img",
      "name": "disk1",
      "plugin": "fileio",
      "size": 33554432,
      "write_back": true,
      "wwn": "8a3c1f2e-5b6d-4e7f-9a0b-1c2d3e4f5a6b"
    },
    {
      "attributes": {"block_size": 512, "emulate_write_cache": 0, "queue_depth": 128},
      "name": "scratch",
      "nullio": false,
      "plugin": "rd_mcp",
      "size": 16777216,
      "wwn": "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"
    },
    {
      "attributes": {"queue_depth": 128},
      "dev": "/dev/sg9",
      "name": "tape0",
      "plugin": "pscsi"
    }
  ],
  "targets": [
    {
      "fabric": "iscsi",
      "tpgs": [
        {
          "attributes": {
            "authentication": 1, "cache_dynamic_acls": 0, "default_cmdsn_depth": 64,
            "default_erl": 0, "demo_mode_discovery": 1, "demo_mode_write_protect": 1,
            "fabric_prot_type": 0, "generate_node_acls": 0, "login_keys_offload": 0,
            "login_timeout": 15, "netif_timeout": 2, "prod_mode_write_protect": 0,
            "t10_pi": 0, "tpg_enabled_sendtargets": 1
          },
          "enable": true,
          "luns": [
            {"alias": "c0ffee0001", "alua_tg_pt_gp_name": "default_tg_pt_gp", "index": 0,
             "storage_object": "/backstores/fileio/disk1"},
            {"alias": "c0ffee0002", "alua_tg_pt_gp_name": "default_tg_pt_gp", "index": 1,
             "storage_object": "/backstores/rd_mcp/scratch"},
            {"alias": "c0ffee0003", "alua_tg_pt_gp_name": "default_tg_pt_gp", "index": 2,
             "storage_object": "/backstores/pscsi/tape0"}
          ],
          "node_acls": [
            {
              "attributes": {"dataout_timeout": 3, "dataout_timeout_retries": 5,
                             "default_erl": 0, "nopin_response_timeout": 30,
                             "nopin_timeout": 15, "random_datain_pdu_offsets": 0,
                             "random_datain_seq_offsets": 0, "random_r2t_offsets": 0},
              "chap_password": "imported-secret-7",
              "chap_userid": "rhel9",
              "mapped_luns": [
                {"alias": "a1b2c3d4e5", "index": 0, "tpg_lun": 0, "write_protect": false},
                {"alias": "a1b2c3d4e6", "index": 1, "tpg_lun": 1, "write_protect": true},
                {"alias": "a1b2c3d4e7", "index": 2, "tpg_lun": 2, "write_protect": false}
              ],
              "node_wwn": "$CLIENT"
            }
          ],
          "parameters": {
            "AuthMethod": "CHAP,None", "DataDigest": "CRC32C,None", "DataPDUInOrder": "Yes",
            "DataSequenceInOrder": "Yes", "DefaultTime2Retain": "20", "DefaultTime2Wait": "2",
            "ErrorRecoveryLevel": "0", "FirstBurstLength": "65536", "HeaderDigest": "CRC32C,None",
            "IFMarkInt": "Reject", "IFMarker": "No", "ImmediateData": "Yes", "InitialR2T": "Yes",
            "MaxBurstLength": "262144", "MaxConnections": "1", "MaxOutstandingR2T": "1",
            "MaxRecvDataSegmentLength": "8192", "MaxXmitDataSegmentLength": "262144",
            "OFMarkInt": "Reject", "OFMarker": "No", "TargetAlias": "LIO Target"
          },
          "portals": [{"ip_address": "127.0.0.1", "iser": false, "offload": false, "port": $PORT}],
          "tag": 1
        }
      ],
      "wwn": "$IQN"
    },
    {"fabric": "loopback", "tpgs": [], "wwn": "naa.5001405abcdef012"}
  ]
}
EOF2

echo '{}' >"$T_TMP/luna.json"
lunad_start --config "$T_TMP/luna.json" --control "$SOCK"
for _ in $(seq 100); do [[ -S $SOCK ]] && break; sleep 0.1; done
run "import" "${CTL[@]}" import "$T_TMP/saveconfig.json"
assert_contains "pscsi reported and skipped" "$OUT" 'plugin "pscsi" is not served by Luna, skipped'
assert_contains "its LUN skipped" "$OUT" 'storage object "/backstores/pscsi/tape0" not imported, LUN skipped'
assert_contains "loopback fabric skipped" "$OUT" 'fabric "loopback" is not served by Luna, skipped'
assert_contains "LIO parameters skipped" "$OUT" "parameters.TargetAlias: not used by Luna, skipped"
assert_contains "LIO attributes reported" "$OUT" "emulate_3pc: LIO attribute not used by Luna, ignored"
assert_contains "summary" "$OUT" "Imported"
wait_listening "$PORT" || exit 1
run "ls" "${CTL[@]}" ls
assert_match "imported fileio" "$OUT" "o- disk1 \.+ \[$(re_escape "$T_TMP/f1.img") \(32\.0MiB\) write-back\]"
assert_match "imported ramdisk" "$OUT" "o- scratch \.+ \[\(16\.0MiB\)\]"
assert_match "imported ACL" "$OUT" "o- $(re_escape "$CLIENT") \.+ \[1-way auth, Mapped LUNs: 2\]"
assert_match "write-protected mapping kept" "$OUT" "o- mapped_lun1 \.+ \[lun1 ramdisk/scratch \(ro\)\]"
run "parameters kept" "${CTL[@]}" "/iscsi/$IQN/tpg1" get parameter MaxRecvDataSegmentLength HeaderDigest
assert_contains "MaxRecvDataSegmentLength" "$OUT" "MaxRecvDataSegmentLength=8192"

run "login with the imported CHAP secret" iscsi-inq -i "$CLIENT" "iscsi://rhel9%imported-secret-7@127.0.0.1:$PORT/$IQN/0"
run_fails "and not without it" iscsi-inq -i "$CLIENT" "iscsi://127.0.0.1:$PORT/$IQN/0"
run_fails "discovery without the discovery secret" iscsi-ls -i "$CLIENT" "iscsi://127.0.0.1:$PORT"
run "discovery with the discovery secret" iscsi-ls -i "$CLIENT" "iscsi://discoverer%disc-secret-42@127.0.0.1:$PORT"
assert_contains "SendTargets after discovery CHAP" "$OUT" "$IQN"
run "discovery auth off" "${CTL[@]}" /iscsi set discovery_auth enable=0
run "discovery without CHAP now" iscsi-ls -i "$CLIENT" "iscsi://127.0.0.1:$PORT"

run_fails "importing the same file again" "${CTL[@]}" import "$T_TMP/saveconfig.json"
assert_contains "names the clash" "$OUT" "already exists in the running configuration"
lunad_stop
