# shellcheck shell=bash
# Helpers for the integration tests.  Every tests/integration/test_*.sh
# sources this file first:
#
#   . "$(dirname "$0")/lib.sh"
#
# A test starts a real lunad on 127.0.0.1 (and ::1) on free ports, drives it
# with real initiators, and exits 0 (pass), 1 (fail) or 77 (skipped, with
# the reason on stderr).  Environment:
#   LUNAD             the daemon to test (default build/src/lunad/lunad)
#   LUNA_KEEP_TMP=1   keep the test's temporary directory
#   LUNA_CMD_TIMEOUT  seconds allowed to one client command (default 60)
#   LUNA_STOP_TIMEOUT seconds lunad has to exit after SIGTERM (default 20)
set -euo pipefail

T_NAME=$(basename "$0" .sh)
T_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$T_LIBDIR/../.." && pwd)
export TOOLS=$REPO/../shared/tools   # iscsi-conformance, anchor-tgtd
LUNAD=${LUNAD:-$REPO/build/src/lunad/lunad}
CMD_TIMEOUT=${LUNA_CMD_TIMEOUT:-60}
STOP_TIMEOUT=${LUNA_STOP_TIMEOUT:-20}
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/luna-$T_NAME.XXXXXX")
T_FAILS=0
T_CHECKS=0
T_PORTS=()    # ports handed out by free_port in this test
T_LUNADS=()   # pids of the lunads started in the background
T_LOGS=()     # every lunad log (checked for sanitizer reports)
T_BG=()       # other background processes to reap
LUNAD_PID=    # the lunad last started
LUNAD_LOG=

# ---------------------------------------------------------------- output

say() { printf '%s: %s\n' "$T_NAME" "$*" >&2; }
ok() { T_CHECKS=$((T_CHECKS + 1)); printf 'ok   %s\n' "$*" >&2; }
# Record a failure and go on: the test fails at the end.
t_fail() {
  T_CHECKS=$((T_CHECKS + 1)); T_FAILS=$((T_FAILS + 1))
  printf 'FAIL %s\n' "$*" >&2
}
# Fail and stop here.
die() { t_fail "$*"; exit 1; }
# Skip the whole test (exit 77) with the reason.
skip() { printf 'SKIP %s\n' "$*" >&2; T_SKIPPED=1; exit 77; }
T_SKIPPED=0

# Skip unless every command named is installed.
need() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || skip "$c is not installed (scripts/setup-deps installs it)"
  done
}

# ---------------------------------------------------------------- asserts
# Each prints what was expected and what was got; none stops the test.

assert_eq() { # WHAT EXPECTED GOT
  if [[ $2 == "$3" ]]; then ok "$1: $3"
  else t_fail "$1: expected '$2', got '$3'"; fi
}

assert_ne() { # WHAT UNEXPECTED GOT
  if [[ $2 != "$3" ]]; then ok "$1: '$3' (not '$2')"
  else t_fail "$1: expected anything but '$2', got it"; fi
}

assert_contains() { # WHAT TEXT NEEDLE
  if [[ $2 == *"$3"* ]]; then ok "$1: contains '$3'"
  else t_fail "$1: expected to contain '$3', got:"; indent "$2"; fi
}

assert_not_contains() { # WHAT TEXT NEEDLE
  if [[ $2 != *"$3"* ]]; then ok "$1: does not contain '$3'"
  else t_fail "$1: expected not to contain '$3', got:"; indent "$2"; fi
}

assert_match() { # WHAT TEXT EXTENDED-REGEX (matched against each line)
  if grep -Eq -- "$3" <<<"$2"; then ok "$1: matches /$3/"
  else t_fail "$1: expected a line matching /$3/, got:"; indent "$2"; fi
}

assert_ge() { # WHAT MIN GOT (integers)
  if (($3 >= $2)); then ok "$1: $3 >= $2"
  else t_fail "$1: expected at least $2, got $3"; fi
}

assert_le() { # WHAT MAX GOT (integers)
  if (($3 <= $2)); then ok "$1: $3 <= $2"
  else t_fail "$1: expected at most $2, got $3"; fi
}

# re_escape TEXT: TEXT quoted for use in an extended regular expression.
re_escape() { sed -e 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"; }

indent() { sed -e 's/^/       | /' <<<"$1" | head -n 40 >&2; }

# run WHAT CMD...: run a client command under a time bound; on success put
# its output in $OUT and return 0, else record a failure (with the output)
# and return 1.
OUT=
run() {
  local what=$1 rc=0; shift
  OUT=$(timeout -k 5 "$CMD_TIMEOUT" "$@" 2>&1) || rc=$?
  if ((rc == 0)); then ok "$what"; return 0; fi
  if ((rc == 124)); then t_fail "$what: timed out after ${CMD_TIMEOUT}s: $*"
  else t_fail "$what: exit status $rc: $*"; fi
  indent "$OUT"
  return 1
}

# run_fails WHAT CMD...: the command must fail (non-zero, not a timeout).
run_fails() {
  local what=$1 rc=0; shift
  OUT=$(timeout -k 5 "$CMD_TIMEOUT" "$@" 2>&1) || rc=$?
  if ((rc != 0 && rc != 124)); then ok "$what (exit status $rc)"; return 0; fi
  if ((rc == 124)); then t_fail "$what: timed out after ${CMD_TIMEOUT}s: $*"
  else t_fail "$what: expected failure, got exit status 0: $*"; indent "$OUT"; fi
  return 1
}

# ---------------------------------------------------------------- network

have_ipv6() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null
}

# free_port [ADDR...]: print a TCP port that is free on every address given
# (default 127.0.0.1) and was not handed out before in this test.  Ports are
# drawn below the kernel's ephemeral range so clients do not take them.
free_port() {
  local p
  p=$(python3 - "${T_PORTS[*]:-}" "$@" <<'EOF'
import random, socket, sys
taken = set(int(x) for x in sys.argv[1].split())
addrs = sys.argv[2:] or ["127.0.0.1"]
for _ in range(500):
    port = random.randrange(20000, 32000)
    if port in taken:
        continue
    socks, ok = [], True
    for a in addrs:
        s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET)
        socks.append(s)
        try:
            s.bind((a, port))
        except OSError:
            ok = False
            break
    for s in socks:
        s.close()
    if ok:
        print(port)
        sys.exit(0)
sys.exit("free_port: no free port found")
EOF
  )
  T_PORTS+=("$p")
  echo "$p"
}

# listening PORT: true if some socket listens on TCP PORT.
listening() {
  [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]
}

# wait_listening PORT... : wait (bounded) until lunad listens on each port;
# stop early, with its log, if lunad died.
wait_listening() {
  local port deadline=$((SECONDS + ${LUNA_START_TIMEOUT:-30}))
  for port in "$@"; do
    until listening "$port"; do
      if ! kill -0 "$LUNAD_PID" 2>/dev/null; then
        local rc=0; wait "$LUNAD_PID" || rc=$?
        t_fail "lunad exited (status $rc) before listening on port $port; its log:"
        indent "$(cat "$LUNAD_LOG")"
        return 1
      fi
      if ((SECONDS >= deadline)); then
        t_fail "lunad does not listen on port $port after ${LUNA_START_TIMEOUT:-30}s; its log:"
        indent "$(cat "$LUNAD_LOG")"
        return 1
      fi
      sleep 0.1
    done
  done
}

# ---------------------------------------------------------------- lunad

# lunad_start ARGS...: start "$LUNAD ARGS" in the background (foreground
# mode, logs to a file), set LUNAD_PID and LUNAD_LOG.  Does not wait.
lunad_start() {
  [[ -x $LUNAD ]] || die "no lunad at $LUNAD (build it, or set LUNAD=path)"
  LUNAD_LOG=$T_TMP/lunad.${#T_LOGS[@]}.log
  T_LOGS+=("$LUNAD_LOG")
  "$LUNAD" "$@" </dev/null >"$LUNAD_LOG" 2>&1 &
  LUNAD_PID=$!
  T_LUNADS+=("$LUNAD_PID")
}

# lunad_up CONFIG PORT...: start lunad with CONFIG and wait until it listens
# on every PORT.  Stops the test if it does not.
lunad_up() {
  local conf=$1; shift
  lunad_start --config "$conf"
  wait_listening "$@" || exit 1
  ok "lunad (pid $LUNAD_PID) listens on port(s) $*"
}

# lunad_alive: lunad is still running.
lunad_alive() {
  if kill -0 "$LUNAD_PID" 2>/dev/null; then ok "lunad is alive"; return 0; fi
  local rc=0; wait "$LUNAD_PID" || rc=$?
  t_fail "lunad died (exit status $rc); its log:"
  indent "$(tail -n 15 "$LUNAD_LOG")"
  return 1
}

# lunad_stop [SECS]: SIGTERM; lunad must exit with status 0 within SECS
# (default LUNA_STOP_TIMEOUT); if it does not, SIGKILL and fail.
# Sets STOP_RC (0, an exit status, or "killed").  A failure is recorded,
# not fatal: checks that follow (on the files lunad left) still run.
STOP_RC=
lunad_stop() {
  local secs=${1:-$STOP_TIMEOUT} pid=$LUNAD_PID deadline
  STOP_RC=
  if ! kill -0 "$pid" 2>/dev/null; then
    STOP_RC=0; wait "$pid" || STOP_RC=$?
    t_fail "lunad had already exited (status $STOP_RC) before SIGTERM; its log:"
    indent "$(tail -n 15 "$LUNAD_LOG")"
    return 0
  fi
  kill -TERM "$pid"
  deadline=$((SECONDS + secs))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    STOP_RC=killed
    t_fail "lunad did not exit within ${secs}s of SIGTERM (killed); its log:"
    indent "$(tail -n 15 "$LUNAD_LOG")"
    return 0
  fi
  STOP_RC=0; wait "$pid" || STOP_RC=$?
  if [[ $STOP_RC == 0 ]]; then ok "lunad exited 0 after SIGTERM"; return 0; fi
  if ((STOP_RC > 128)); then
    t_fail "lunad died of signal $((STOP_RC - 128)) after SIGTERM (expected exit status 0); its log:"
  else
    t_fail "lunad exited with status $STOP_RC after SIGTERM (expected 0); its log:"
  fi
  indent "$(tail -n 15 "$LUNAD_LOG")"
}

# ---------------------------------------------------------------- config

# conf_ramdisk_target FILE PORT IQN SIZE: a config with one RAM disk LUN 0
# behind target IQN on 127.0.0.1:PORT.
conf_ramdisk_target() {
  cat >"$1" <<EOF
{"storage_objects": [{"name": "r0", "plugin": "ramdisk", "size": $4}],
 "targets": [{"wwn": "$3", "tpgs": [{"tag": 1, "enable": true,
   "portals": [{"ip_address": "127.0.0.1", "port": $2}],
   "luns": [{"index": 0, "storage_object": "/backstores/ramdisk/r0"}],
   "attributes": {"authentication": 0, "generate_node_acls": 1},
   "node_acls": []}]}]}
EOF
}

# conf_ram_file FILE PORT IQN SIZE IMG [FSIZE]: RAM disk LUN 0 of SIZE
# bytes and fileio LUN 1 backed by IMG, of FSIZE bytes (default SIZE),
# behind IQN on 127.0.0.1:PORT.
conf_ram_file() {
  cat >"$1" <<EOF
{"storage_objects": [
   {"name": "r0", "plugin": "ramdisk", "size": $4},
   {"name": "f0", "plugin": "fileio", "dev": "$5", "size": ${6:-$4}}],
 "targets": [{"wwn": "$3", "tpgs": [{"tag": 1, "enable": true,
   "portals": [{"ip_address": "127.0.0.1", "port": $2}],
   "luns": [{"index": 0, "storage_object": "/backstores/ramdisk/r0"},
            {"index": 1, "storage_object": "/backstores/fileio/f0"}],
   "attributes": {"authentication": 0, "generate_node_acls": 1},
   "node_acls": []}]}]}
EOF
}

# ---------------------------------------------------------------- data

# url HOST PORT IQN [LUN]: an iscsi:// url (HOST ::1 gets its brackets).
url() {
  local h=$1
  [[ $h == *:* ]] && h="[$h]"
  if (($# > 3)); then echo "iscsi://$h:$2/$3/$4"; else echo "iscsi://$h:$2"; fi
}

# qemu_lun PORT IQN LUN SIZE: a qemu image name for the first SIZE bytes of
# a LUN on 127.0.0.1 (so that a 64 MiB copy can be read back off a larger
# LUN with qemu-img convert).
qemu_lun() {
  printf 'json:{"driver":"raw","size":%s,"file":{"driver":"iscsi","transport":"tcp","portal":"127.0.0.1:%s","target":"%s","lun":%s}}' \
    "$4" "$1" "$2" "$3"
}

# random_file FILE MIB: MIB MiB of random data.
random_file() {
  head -c "$(($2 << 20))" /dev/urandom >"$1"
}

# sha FILE [OFFSET LENGTH]: sha256 of the file or of a byte range of it.
sha() {
  if (($# == 1)); then sha256sum "$1" | cut -d' ' -f1; return; fi
  tail -c "+$(($2 + 1))" "$1" | head -c "$3" | sha256sum | cut -d' ' -f1
}

# ---------------------------------------------------------------- cleanup

# Every lunad log must be free of sanitizer reports, whatever the test
# expected of the daemon's exit status.
check_sanitizer_logs() {
  local log
  for log in "${T_LOGS[@]}"; do
    if grep -Eq 'ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:|SUMMARY: .*Sanitizer' "$log" 2>/dev/null; then
      t_fail "sanitizer report in $(basename "$log"):"
      indent "$(grep -E -A25 'Sanitizer|runtime error:' "$log" | head -n 40)"
    fi
  done
}

t_cleanup() {
  local rc=$? pid
  trap - EXIT
  set +e
  for pid in "${T_BG[@]}" "${T_LUNADS[@]}"; do
    ((pid > 1)) || continue
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
    fi
  done
  if ((T_SKIPPED)); then
    rc=77
  else
    check_sanitizer_logs
    if ((rc == 0 && T_FAILS > 0)); then rc=1; fi
    if ((rc == 0 && T_CHECKS == 0)); then
      printf 'FAIL %s checked nothing\n' "$T_NAME" >&2; rc=1
    fi
    if ((rc != 0 && T_FAILS == 0)); then
      printf 'FAIL %s stopped with status %d (an unexpected command failed)\n' "$T_NAME" "$rc" >&2
    fi
  fi
  if [[ ${LUNA_KEEP_TMP:-0} == 1 ]]; then say "kept $T_TMP"
  else rm -rf "$T_TMP"; fi
  case $rc in
    0) say "PASS ($T_CHECKS checks)" ;;
    77) say "SKIPPED" ;;
    *) say "FAILED ($T_FAILS of $T_CHECKS checks failed)" ;;
  esac
  exit "$rc"
}
trap t_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
