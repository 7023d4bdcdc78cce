#!/usr/bin/env bash
# luna-iscsi against Linux tgt (tgtd from Debian), started here on a free
# loopback port: discover, ls, inq, readcap, a 64 MiB random dd onto the
# LUN and back, and CHAP (one-way, mutual, wrong secrets).
. "$(dirname "$0")/lib.sh"
LUNA_ISCSI=${LUNA_ISCSI:-$(dirname "$LUNAD")/../luna-iscsi/luna-iscsi}
[[ -x $LUNA_ISCSI ]] || skip "no luna-iscsi at $LUNA_ISCSI (build it, or set LUNA_ISCSI)"
need tgtd tgtadm
((EUID == 0)) || skip "tgtd needs root"

port=$(free_port 127.0.0.1)
iqn=iqn.2001-04.org.luna-test:tgt
tgtd -f --iscsi "portal=127.0.0.1:$port" -C "$port" >"$T_TMP/tgtd.log" 2>&1 &
tgt_pid=$!
T_BG+=("$tgt_pid")
tgt_stop() {
  # tgtd ignores SIGTERM: ask it to exit, then make sure.
  timeout 5 tgtadm -C "$port" --mode system --op delete --force >/dev/null 2>&1 || true
  kill -KILL "$tgt_pid" 2>/dev/null || true
}
trap 'tgt_stop; t_cleanup' EXIT
a() { timeout 10 tgtadm -C "$port" --lld iscsi "$@"; }
for _ in $(seq 50); do a --op show --mode target >/dev/null 2>&1 && break; sleep 0.1; done
truncate -s 96M "$T_TMP/lu1.img"
a --op new --mode target --tid 1 -T "$iqn"
a --op new --mode logicalunit --tid 1 --lun 1 -b "$T_TMP/lu1.img"
a --op bind --mode target --tid 1 -I ALL
ok "tgtd (pid $tgt_pid) serves $iqn on port $port"
li() { run "luna-iscsi $1" "$LUNA_ISCSI" "$@"; }
u=$(url 127.0.0.1 "$port" "$iqn" 1)

li discover "127.0.0.1:$port" || true
assert_eq "discover" "127.0.0.1:$port,1 $iqn" "$OUT"
li ls "$(url 127.0.0.1 "$port")" || true
assert_match "ls: target" "$OUT" "^Target: $(re_escape "$iqn") Portal: 127\.0\.0\.1:$port,1\$"
assert_match "ls: tgt's controller LUN 0" "$OUT" '^  Lun 0: STORAGE_ARRAY_CONTROLLER'
assert_match "ls: LUN 1 is a 96 MiB disk" "$OUT" "^  Lun 1: DIRECT_ACCESS $((96 << 20)) bytes"
li inq "$u" || true
assert_match "inq: disk" "$OUT" '^Peripheral device type: DIRECT_ACCESS'
assert_match "inq: vendor IET" "$OUT" '^Vendor: IET$'
li readcap "$u" || true
assert_match "readcap: size" "$OUT" "^Size: $((96 << 20))\$"

random_file "$T_TMP/in" 64
li dd --if "$T_TMP/in" --of "$u" || true
# tgt answers a CRC32C-only offer with None: offer both
li dd --if "$u" --of "$T_TMP/out" --count 64 --header-digest CRC32C,None --data-digest CRC32C,None || true
assert_eq "64 MiB written and read back" "$(sha "$T_TMP/in")" "$(sha "$T_TMP/out")"

# CHAP.  tgt 1.0.85 accepts CHAP_A=7 (SHA-256) but then cannot decode a
# 32-byte response, so MD5 is offered to it.
a --op new --mode account --user ini-user --password ini-secret-123
a --op bind --mode account --tid 1 --user ini-user
run_fails "without credentials the login is refused" "$LUNA_ISCSI" readcap "$u"
assert_contains "the message says authentication" "$OUT" "authentication failed"
LUNA_CHAP_USER=ini-user LUNA_CHAP_PASSWORD=ini-secret-123 li readcap --chap-alg MD5 "$u" || true
assert_match "CHAP (MD5, credentials from the environment)" "$OUT" "^Size: $((96 << 20))\$"
printf 'username = ini-user\npassword = ini-secret-123\n' >"$T_TMP/chap"
li readcap --chap-alg MD5 --chap-file "$T_TMP/chap" "$u" || true
assert_match "CHAP (credentials from --chap-file)" "$OUT" "^Size: $((96 << 20))\$"
li readcap --chap-alg MD5 "iscsi://ini-user%ini-secret-123@127.0.0.1:$port/$iqn/1" || true
assert_match "CHAP (credentials in the URL)" "$OUT" "^Size: $((96 << 20))\$"
run_fails "a wrong CHAP secret is refused" env LUNA_CHAP_USER=ini-user LUNA_CHAP_PASSWORD=wrong-secret-1 "$LUNA_ISCSI" readcap --chap-alg MD5 "$u"
assert_contains "the message says authentication" "$OUT" "authentication failed"
a --op new --mode account --user tgt-user --password tgt-secret-456
a --op bind --mode account --tid 1 --user tgt-user --outgoing
export LUNA_CHAP_USER=ini-user LUNA_CHAP_PASSWORD=ini-secret-123 LUNA_CHAP_MUTUAL_USER=tgt-user
LUNA_CHAP_MUTUAL_PASSWORD=tgt-secret-456 li readcap --chap-alg MD5 "$u" || true
assert_match "mutual CHAP" "$OUT" "^Size: $((96 << 20))\$"
LUNA_CHAP_MUTUAL_PASSWORD=tgt-secret-456 li dd --chap-alg MD5 --if "$u" --of "$T_TMP/out2" --count 16 --bs 4M || true
assert_eq "mutual CHAP: data read back" "$(sha "$T_TMP/in")" "$(sha "$T_TMP/out2")"
run_fails "mutual CHAP: a target with the wrong secret is not trusted" env LUNA_CHAP_MUTUAL_PASSWORD=not-the-secret "$LUNA_ISCSI" readcap --chap-alg MD5 "$u"
assert_contains "the message says the target failed mutual CHAP" "$OUT" "mutual secret mismatch"
unset LUNA_CHAP_USER LUNA_CHAP_PASSWORD LUNA_CHAP_MUTUAL_USER
