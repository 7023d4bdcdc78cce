#!/usr/bin/env bash
# Bad input to lunactl and to the control socket gets a clear error, a
# non-zero exit, and changes nothing: unknown paths, bad sizes and names,
# duplicates, bad parameters, malformed and oversized JSON.
. "$(dirname "$0")/lib.sh"
need python3
LUNACTL=${LUNACTL:-$(dirname "$LUNAD")/../lunactl/lunactl}
[[ -x $LUNACTL ]] || die "no lunactl at $LUNACTL (build it, or set LUNACTL=path)"

PORT=$(free_port)
SOCK=$T_TMP/lunad.sock
IQN=iqn.2025-01.org.example:t1
TPG=/iscsi/$IQN/tpg1
CTL=("$LUNACTL" --socket "$SOCK")

# raw LINE...: send raw bytes (python escapes allowed) to the socket, print
# the reply lines.
raw() {
  python3 - "$SOCK" "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
for arg in sys.argv[2:]:
    data = arg.encode().decode("unicode_escape").encode("latin-1")
    if arg.startswith("@big"):
        data = b'{"cmd":"ls","pad":"' + b"x" * (2 << 20) + b'"}\n'
    s.sendall(data)
s.shutdown(socket.SHUT_WR)
buf = b""
while True:
    c = s.recv(65536)
    if not c:
        break
    buf += c
sys.stdout.write(buf.decode())
PY
}

echo '{}' >"$T_TMP/luna.json"
lunad_start --config "$T_TMP/luna.json" --control "$SOCK"
for _ in $(seq 100); do [[ -S $SOCK ]] && break; sleep 0.1; done
run "create ramdisk" "${CTL[@]}" /backstores/ramdisk create r0 16M
run "create target" "${CTL[@]}" /iscsi create "$IQN"
run "create LUN" "${CTL[@]}" "$TPG/luns" create /backstores/ramdisk/r0
run "create portal" "${CTL[@]}" "$TPG/portals" create 127.0.0.1 "$PORT"
wait_listening "$PORT" || exit 1
run "tree before" "${CTL[@]}" --json ls
before=$OUT

bad() { # WHAT EXPECTED-MESSAGE ARGS...
  local what=$1 msg=$2; shift 2
  run_fails "$what" "${CTL[@]}" "$@"
  assert_contains "$what: says why" "$OUT" "$msg"
}
bad "unknown path" "no such path: /iscsi/iqn.2025-01.org.example:nope" /iscsi/iqn.2025-01.org.example:nope ls
bad "unknown backstore type" "no such path" /backstores/pscsi create name=x
bad "bad size" "bad size \"12Q\"" /backstores/ramdisk create r1 12Q
bad "zero size" "bad size" /backstores/ramdisk create r1 0
bad "missing size" "needs a size" /backstores/ramdisk create r1
bad "duplicate storage object" "already exists" /backstores/ramdisk create r0 1M
bad "bad storage name" "bad name" /backstores/ramdisk create "a/b" 1M
bad "relative file" "must be an absolute path" /backstores/block create name=b0 dev=
bad "bad target name" "not a valid iSCSI name" /iscsi create iqn.2025-01.ORG.example:x
bad "bad eui name" "not a valid iSCSI name" /iscsi create eui.12345
bad "duplicate target" "already exists" /iscsi create "$IQN"
bad "duplicate LUN" "lun0 already exists" "$TPG/luns" create /backstores/ramdisk/r0 0
bad "LUN of a missing backstore" "no storage object" "$TPG/luns" create /backstores/fileio/none
bad "bad portal address" "not an IPv4 or IPv6 address" "$TPG/portals" create 300.1.1.1 3260
bad "bad portal port" "ip_port must be a number" "$TPG/portals" create 127.0.0.1 70000
bad "duplicate portal" "already exists" "$TPG/portals" create 127.0.0.1 "$PORT"
bad "bad ACL name" "not a valid iSCSI name" "$TPG/acls" create not-a-name
bad "unknown parameter name" "unknown parameter \"colour\"" /backstores/ramdisk create r2 1M colour=red
bad "parameter out of range" "MaxRecvDataSegmentLength must be a number from" "$TPG" set parameter MaxRecvDataSegmentLength=100
bad "unknown attribute" "unknown key" "$TPG" set attribute frobnicate=1
bad "bad boolean" "must be 1 or 0" "$TPG" set attribute authentication=maybe
bad "shrinking" "can only grow" /backstores/ramdisk/r0 set size=1M
bad "unknown command" "unknown command" /iscsi frobnicate
bad "delete missing" "no target" /iscsi delete iqn.2025-01.org.example:nope
bad "a portal lunad cannot open" "a portal could not be opened" "$TPG/portals" create 192.0.2.1 "$PORT"
bad "import of a file that is not JSON" "" import /etc/hostname

# The socket itself.
OUT=$(raw '{"cmd": "ls", \n')
assert_contains "malformed JSON" "$OUT" '"ok":false,"error":"malformed JSON request'
OUT=$(raw '[1,2]\n')
assert_contains "not an object" "$OUT" "must be a JSON object"
OUT=$(raw '{"path":"/"}\n')
assert_contains "no cmd" "$OUT" "no \\\"cmd\\\""
OUT=$(raw '{"cmd":"ls","path":"relative"}\n')
assert_contains "relative path" "$OUT" "must be absolute"
OUT=$(raw '{"cmd":"create","path":"/iscsi","args":[1]}\n')
assert_contains "args not strings" "$OUT" "array of strings"
OUT=$(raw '{"cmd":"ls","cmd":"ls"}\n')
assert_contains "duplicate keys" "$OUT" "malformed JSON"
OUT=$(raw @big '{"cmd":"ls","path":"/iscsi","args":["depth=0"]}\n')
assert_contains "oversized request" "$OUT" "longer than 1 MiB"
assert_contains "the connection still serves the next request" "$OUT" '"summary":"Targets: 1"'
OUT=$(raw '{"cmd":"import","config":{"targets":[{"wwn":"bad name"}]}}\n')
assert_contains "import of an invalid config" "$OUT" "refused, nothing changed"

run "tree after" "${CTL[@]}" --json ls
assert_eq "nothing changed (sha256 of ls --json)" "$(sha256sum <<<"$before")" "$(sha256sum <<<"$OUT")"
run_fails "lunactl without lunad" "$LUNACTL" --socket "$T_TMP/none.sock" ls
assert_contains "says lunad is not reachable" "$OUT" "cannot reach lunad"
run "lunactl --help" "$LUNACTL" --help
assert_contains "help has a synopsis" "$OUT" "SYNOPSIS"
lunad_alive
lunad_stop
