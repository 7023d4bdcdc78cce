#!/usr/bin/env python3
"""Send malformed iSCSI PDUs to a target and judge how it answers.

Standard library only; the framing is written here from RFC 7143 so that it
owes nothing to the target's own code.

  badpdu.py --port PORT --target IQN [--host 127.0.0.1] [--lun 0] [CASE...]

Cases (all when none is named):
  good       a proper login, INQUIRY and logout: proves the framing is right,
             so that the bad cases below mean something
  truncated  connect, send 20 of the 48 header bytes, close
  truncated-wait  connect, send 47 of the 48 header bytes, wait, close
  oversize   log in, then a WRITE(10) whose immediate data segment is longer
             than the MaxRecvDataSegmentLength the target declared
  prelogin   a SCSI Command PDU as the first PDU of a connection
  garbage    48 random bytes as the first PDU of a connection
  opcode3f   log in, then a PDU with opcode 0x3f (Reject, a target opcode)
  hugelogin  a Login Request whose DataSegmentLength is 16 MiB - 1
  idle       (not run by default) log in, print "logged in", then wait up to
             --wait seconds and report what the target does (an Async
             Message asking for logout is answered with a Logout)

A bad case passes when the target drops the connection, or answers with a
Reject PDU or a Login Response with a failure status, within --wait
seconds.  Anything else (a GOOD status, silence) fails.  Exit status 0 when
every case passed, 1 otherwise.
"""
import argparse
import os
import socket
import struct
import sys
import time

# Opcodes (RFC 7143, 11.1.1)
OP_NOP_OUT, OP_SCSI_CMD, OP_LOGIN_REQ, OP_TEXT_REQ, OP_DATA_OUT, OP_LOGOUT_REQ = \
    0x00, 0x01, 0x03, 0x04, 0x05, 0x06
OP_NOP_IN, OP_SCSI_RSP, OP_LOGIN_RSP, OP_TEXT_RSP, OP_DATA_IN, OP_LOGOUT_RSP, \
    OP_R2T, OP_ASYNC, OP_REJECT = 0x20, 0x21, 0x23, 0x24, 0x25, 0x26, 0x31, 0x32, 0x3f
OP_NAMES = {OP_NOP_IN: "NOP-In", OP_SCSI_RSP: "SCSI Response",
            OP_LOGIN_RSP: "Login Response", OP_TEXT_RSP: "Text Response",
            OP_DATA_IN: "Data-In", OP_LOGOUT_RSP: "Logout Response",
            OP_R2T: "R2T", OP_ASYNC: "Async Message", OP_REJECT: "Reject"}
REJECT_REASONS = {1: "reserved", 2: "data digest error", 3: "SNACK reject",
                  4: "protocol error", 5: "command not supported",
                  6: "immediate command reject", 7: "task in progress",
                  8: "invalid data ack", 9: "invalid PDU field",
                  0xa: "long operation reject", 0xb: "negotiation reset",
                  0xc: "waiting for logout"}   # RFC 7143, 11.17.1

INITIATOR = "iqn.2025-01.io.luna:badpdu"
ISID = bytes([0x80, 0x12, 0x34, 0x56, 0x78, 0x9a])  # random-qualifier format


def pad4(n):
    return (n + 3) & ~3


def bhs(opcode, flags=0, spec2=b"\0\0", dsl=0, lun=0, itt=0, rest=b""):
    """A 48-byte Basic Header Segment.  rest fills bytes 20..47."""
    hdr = bytes([opcode, flags]) + spec2 + bytes([0]) + dsl.to_bytes(3, "big") \
        + struct.pack(">Q", lun) + struct.pack(">I", itt)
    hdr += rest.ljust(28, b"\0")
    assert len(hdr) == 48
    return hdr


def lun_field(lun):
    """SAM-2 single-level LUN, peripheral addressing (for LUN < 256)."""
    return lun << 48


def keys(d):
    return b"".join(("%s=%s" % kv).encode() + b"\0" for kv in d.items())


def parse_keys(data):
    out = {}
    for item in data.split(b"\0"):
        if b"=" in item:
            k, v = item.split(b"=", 1)
            out[k.decode(errors="replace")] = v.decode(errors="replace")
    return out


class Closed(Exception):
    pass


class Conn:
    def __init__(self, host, port, wait):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.s = socket.socket(fam, socket.SOCK_STREAM)
        self.s.settimeout(wait)
        self.s.connect((host, port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.wait = wait
        self.cmdsn = 1
        self.expstatsn = 0
        self.itt = 0x100
        self.target_mrdsl = 8192   # RFC 7143 default until declared

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass

    def send(self, hdr, data=b""):
        self.s.sendall(hdr + data + b"\0" * (pad4(len(data)) - len(data)))

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise Closed("connection closed by target")
            buf += chunk
        return buf

    def recv_pdu(self):
        """Return (opcode, header, data).  Raises Closed, socket.timeout,
        ConnectionResetError."""
        hdr = self.recv_exact(48)
        ahs = hdr[4] * 4
        dsl = int.from_bytes(hdr[5:8], "big")
        if ahs:
            self.recv_exact(ahs)
        data = self.recv_exact(pad4(dsl))[:dsl] if dsl else b""
        return hdr[0] & 0x3f, hdr, data

    def next_itt(self):
        self.itt += 1
        return self.itt

    def login(self, target, extra=None):
        """Operational-stage login straight to full feature phase (no
        security stage: the target is configured without authentication)."""
        kv = {"InitiatorName": INITIATOR, "TargetName": target,
              "SessionType": "Normal", "HeaderDigest": "None",
              "DataDigest": "None", "ErrorRecoveryLevel": "0",
              "MaxRecvDataSegmentLength": "262144", "MaxConnections": "1",
              "InitialR2T": "Yes", "ImmediateData": "Yes",
              "FirstBurstLength": "65536", "MaxBurstLength": "262144",
              "MaxOutstandingR2T": "1", "DataPDUInOrder": "Yes",
              "DataSequenceInOrder": "Yes", "DefaultTime2Wait": "2",
              "DefaultTime2Retain": "0"}
        kv.update(extra or {})
        data = keys(kv)
        itt = self.next_itt()
        got = {}
        for _ in range(8):
            # T=1, CSG=1 (operational), NSG=3 (full feature phase)
            flags = 0x80 | (1 << 2) | 3
            rest = struct.pack(">HHII", 1, 0, self.cmdsn, self.expstatsn)
            hdr = bytes([OP_LOGIN_REQ | 0x40, flags, 0, 0, 0]) \
                + len(data).to_bytes(3, "big") + ISID + b"\0\0" \
                + struct.pack(">I", itt) + rest.ljust(28, b"\0")
            self.send(hdr, data)
            op, h, d = self.recv_pdu()
            if op != OP_LOGIN_RSP:
                raise RuntimeError("login: expected Login Response, got %s"
                                   % OP_NAMES.get(op, hex(op)))
            cls, det = h[36], h[37]
            if cls != 0:
                raise RuntimeError("login refused: status class %d detail %d"
                                   % (cls, det))
            self.expstatsn = struct.unpack(">I", h[24:28])[0] + 1
            self.cmdsn = struct.unpack(">I", h[28:32])[0]
            got.update(parse_keys(d))
            if h[1] & 0x80 and (h[1] & 3) == 3:
                break
            data = b""   # target wants another round: nothing new to say
        else:
            raise RuntimeError("login: no transit to full feature phase")
        if "MaxRecvDataSegmentLength" in got:
            self.target_mrdsl = int(got["MaxRecvDataSegmentLength"])
        self.negotiated = got
        return got

    def scsi_cmd(self, cdb, lun, read_len=0, write_data=b"", edtl=None,
                 final=True):
        """Send a SCSI Command PDU; write_data goes as immediate data."""
        itt = self.next_itt()
        flags = (0x80 if final else 0) | (0x40 if read_len else 0) \
            | (0x20 if write_data or edtl else 0) | 0x01   # ATTR simple
        if edtl is None:
            edtl = read_len or len(write_data)
        rest = struct.pack(">III", edtl, self.cmdsn, self.expstatsn) \
            + cdb.ljust(16, b"\0")
        hdr = bhs(OP_SCSI_CMD, flags, dsl=len(write_data), lun=lun_field(lun),
                  itt=itt, rest=rest)
        self.cmdsn += 1
        self.send(hdr, write_data)
        return itt

    def logout(self):
        itt = self.next_itt()
        rest = struct.pack(">HHII", 0, 0, self.cmdsn, self.expstatsn)
        self.send(bhs(OP_LOGOUT_REQ | 0x40, 0x80, itt=itt, rest=rest))
        op, h, _ = self.recv_pdu()
        if op != OP_LOGOUT_RSP:
            raise RuntimeError("logout: got %s" % OP_NAMES.get(op, hex(op)))


def read_blocks(c, lun, lba, nblocks, bs=512):
    """READ(10) on an open session; return the data (raise on non-GOOD).
    A CHECK CONDITION is retried twice: the first command of a new session
    may get a unit attention."""
    for _ in range(2):
        try:
            return read_blocks_once(c, lun, lba, nblocks, bs)
        except CheckCondition:
            pass
    return read_blocks_once(c, lun, lba, nblocks, bs)


class CheckCondition(RuntimeError):
    pass


def read_blocks_once(c, lun, lba, nblocks, bs):
    cdb = bytes([0x28, 0]) + struct.pack(">I", lba) + bytes([0]) \
        + struct.pack(">H", nblocks) + bytes([0])
    c.scsi_cmd(cdb, lun, read_len=nblocks * bs)
    data = b""
    while True:
        op, h, d = c.recv_pdu()
        if op == OP_DATA_IN:
            data += d
            if h[1] & 0x01:
                status = h[3]
                break
        elif op == OP_SCSI_RSP:
            status = h[3]
            break
        elif op == OP_NOP_IN:
            continue
        else:
            raise RuntimeError("READ(10) answered with " + describe(op, h, d))
    if status == 0x02:
        raise CheckCondition("READ(10) answered CHECK CONDITION")
    if status != 0:
        raise RuntimeError("READ(10) status 0x%02x" % status)
    return data


def clear_unit_attention(c, lun):
    """TEST UNIT READY until GOOD (a new session may owe a unit attention)."""
    for _ in range(4):
        c.scsi_cmd(bytes(6), lun)
        while True:
            op, h, d = c.recv_pdu()
            if op == OP_SCSI_RSP:
                break
            if op != OP_NOP_IN:
                raise RuntimeError("TEST UNIT READY answered with "
                                   + describe(op, h, d))
        if h[3] == 0:
            return
    raise RuntimeError("TEST UNIT READY: " + describe(op, h, d))


def read_region(a, lba, nblocks):
    c = Conn(a.host, a.port, a.wait)
    try:
        c.login(a.target)
        return read_blocks(c, a.lun, lba, nblocks)
    finally:
        c.close()


def inquiry_cdb(alloc=96):
    return bytes([0x12, 0, 0, alloc >> 8, alloc & 0xff, 0])


def describe(op, h, d):
    name = OP_NAMES.get(op, "opcode 0x%02x" % op)
    if op == OP_REJECT:
        return "Reject (reason 0x%02x %s)" % (h[2], REJECT_REASONS.get(h[2], "?"))
    if op == OP_LOGIN_RSP:
        return "Login Response (status class %d detail %d)" % (h[36], h[37])
    if op == OP_SCSI_RSP:
        sense = ""
        if len(d) >= 2 + 14:
            sd = d[2:]
            if sd[0] & 0x7f in (0x70, 0x71):
                sense = " sense %x/%02x/%02x" % (sd[2] & 0xf, sd[12], sd[13])
            elif sd[0] & 0x7f in (0x72, 0x73):
                sense = " sense %x/%02x/%02x" % (sd[1] & 0xf, sd[2], sd[3])
        return "SCSI Response (response %d status 0x%02x%s)" % (h[2], h[3], sense)
    return name


def judge(conn, what, wait):
    """Read what the target says after a bad PDU.  Return (passed, text).
    Passed: connection dropped, Reject, or Login Response with failure."""
    deadline = time.monotonic() + wait
    seen = []
    try:
        while time.monotonic() < deadline:
            conn.s.settimeout(max(0.1, deadline - time.monotonic()))
            op, h, d = conn.recv_pdu()
            text = describe(op, h, d)
            seen.append(text)
            if op == OP_REJECT:
                return True, "answered " + text
            if op == OP_LOGIN_RSP and h[36] != 0:
                return True, "answered " + text
            if op == OP_SCSI_RSP:
                return False, "executed it: " + text
            if op == OP_LOGIN_RSP:
                return False, "accepted it: " + text
            # NOP-In, Async Message ...: keep listening
    except (Closed, ConnectionResetError, BrokenPipeError) as e:
        return True, "dropped the connection (%s)%s" % (
            e.__class__.__name__ if not isinstance(e, Closed) else e,
            "; before that: " + ", ".join(seen) if seen else "")
    except socket.timeout:
        pass
    return False, "neither dropped the connection nor answered within %gs%s" \
        % (wait, " (saw: " + ", ".join(seen) + ")" if seen else "")


# ------------------------------------------------------------------ cases

def case_good(a):
    c = Conn(a.host, a.port, a.wait)
    try:
        got = c.login(a.target)
        c.scsi_cmd(inquiry_cdb(), a.lun, read_len=96)
        data = b""
        while True:
            op, h, d = c.recv_pdu()
            if op == OP_DATA_IN:
                data += d
                if h[1] & 0x01:        # S bit: status in this PDU
                    status = h[3]
                    break
            elif op == OP_SCSI_RSP:
                status = h[3]
                break
            elif op == OP_NOP_IN:
                continue
            else:
                return False, "INQUIRY answered with " + describe(op, h, d)
        if status != 0:
            return False, "INQUIRY status 0x%02x" % status
        if len(data) < 36:
            return False, "INQUIRY returned %d bytes" % len(data)
        c.logout()
        vendor = data[8:16].decode(errors="replace").strip()
        return True, "login, INQUIRY (vendor %r) and logout; target " \
            "MaxRecvDataSegmentLength=%d" % (vendor, c.target_mrdsl)
    finally:
        c.close()


def case_truncated(a, nbytes=20, linger=0.0):
    c = Conn(a.host, a.port, a.wait)
    try:
        hdr = bhs(OP_LOGIN_REQ | 0x40, 0x87, dsl=0)
        c.s.sendall(hdr[:nbytes])
        if linger:
            time.sleep(linger)
    finally:
        c.close()
    return True, "sent %d of 48 header bytes and closed" % nbytes


def case_truncated_wait(a):
    return case_truncated(a, 47, 2.0)


def case_oversize(a):
    c = Conn(a.host, a.port, a.wait)
    try:
        c.login(a.target)
        clear_unit_attention(c, a.lun)
        mrdsl = c.target_mrdsl
        n = (mrdsl + 8192 + 511) // 512 * 512
        cdb = bytes([0x2a, 0]) + struct.pack(">I", 0) + bytes([0]) \
            + struct.pack(">H", n // 512) + bytes([0])
        try:
            c.scsi_cmd(cdb, a.lun, write_data=b"\xa5" * n)
        except (ConnectionResetError, BrokenPipeError) as e:
            return True, "dropped the connection while the data was sent (%s)" \
                % e.__class__.__name__
        except socket.timeout:
            pass    # the target stopped reading: see what it says
        ok, text = judge(c, "oversize", a.wait)
        return ok, "WRITE(10) with %d bytes of immediate data (target " \
            "MaxRecvDataSegmentLength %d): %s" % (n, mrdsl, text)
    finally:
        c.close()


def case_oversize_checked(a):
    """oversize, and the blocks it aimed at must be unchanged afterwards."""
    c = Conn(a.host, a.port, a.wait)
    try:
        c.login(a.target)
        n = (c.target_mrdsl + 8192 + 511) // 512 * 512
        before = read_blocks(c, a.lun, 0, n // 512)
        c.logout()
    finally:
        c.close()
    ok, text = case_oversize(a)
    after = read_region(a, 0, n // 512)
    if after != before and after == b"\xa5" * len(after):
        return False, text + "; and the data was WRITTEN to the LU"
    if after != before:
        return False, text + "; and the LU's blocks changed"
    return ok, text + "; LU blocks unchanged"


def case_prelogin(a):
    c = Conn(a.host, a.port, a.wait)
    try:
        c.scsi_cmd(inquiry_cdb(), a.lun, read_len=96)
        ok, text = judge(c, "prelogin", a.wait)
        return ok, "INQUIRY before login: " + text
    finally:
        c.close()


def case_garbage(a):
    c = Conn(a.host, a.port, a.wait)
    try:
        junk = bytearray(os.urandom(48))
        junk[4] = 0          # no AHS
        junk[5:8] = b"\0\0\x10"   # a small data segment follows
        c.s.sendall(bytes(junk) + os.urandom(16))
        ok, text = judge(c, "garbage", a.wait)
        return ok, "48 random bytes (opcode 0x%02x) before login: %s" \
            % (junk[0] & 0x3f, text)
    finally:
        c.close()


def case_opcode3f(a):
    c = Conn(a.host, a.port, a.wait)
    try:
        c.login(a.target)
        rest = struct.pack(">III", 0, c.cmdsn, c.expstatsn)
        c.send(bhs(0x3f, 0x80, itt=c.next_itt(), rest=rest))
        ok, text = judge(c, "opcode3f", a.wait)
        return ok, "opcode 0x3f in full feature phase: " + text
    finally:
        c.close()


def case_hugelogin(a):
    c = Conn(a.host, a.port, a.wait)
    try:
        dsl = 0xffffff
        flags = 0x80 | (1 << 2) | 3
        hdr = bytes([OP_LOGIN_REQ | 0x40, flags, 0, 0, 0]) \
            + dsl.to_bytes(3, "big") + ISID + b"\0\0" \
            + struct.pack(">I", 1) + struct.pack(">HHII", 1, 0, 1, 0).ljust(28, b"\0")
        c.s.sendall(hdr)
        # Offer the whole segment; a target that reads it all may still
        # answer with a login failure, one that stops reading is judged by
        # what it says next.
        c.s.settimeout(2)
        chunk = keys({"InitiatorName": INITIATOR}).ljust(65536, b"A")
        sent = 0
        try:
            while sent < pad4(dsl):
                n = min(len(chunk), pad4(dsl) - sent)
                c.s.sendall(chunk[:n])
                sent += n
        except (ConnectionResetError, BrokenPipeError) as e:
            return True, "Login Request with DataSegmentLength %d: dropped " \
                "the connection after %d bytes (%s)" % (dsl, sent, e.__class__.__name__)
        except socket.timeout:
            pass
        ok, text = judge(c, "hugelogin", a.wait)
        return ok, "Login Request with DataSegmentLength %d (%d bytes sent): %s" \
            % (dsl, sent, text)
    finally:
        c.close()


def case_idle(a):
    c = Conn(a.host, a.port, a.wait)
    try:
        c.login(a.target)
        print("logged in", flush=True)
        deadline = time.monotonic() + a.wait
        try:
            while time.monotonic() < deadline:
                c.s.settimeout(max(0.1, deadline - time.monotonic()))
                op, h, d = c.recv_pdu()
                if op == OP_ASYNC:
                    event = h[36]
                    if event == 1:
                        c.logout()
                        return True, "target asked for logout (Async event 1); logged out"
                    return True, "target sent Async event %d" % event
                if op == OP_NOP_IN:
                    continue
                return True, "target sent " + describe(op, h, d)
        except (Closed, ConnectionResetError) as e:
            return True, "connection closed by target (%s)" % e
        except socket.timeout:
            pass
        return True, "nothing from the target within %gs" % a.wait
    finally:
        c.close()


CASES = {"good": case_good, "truncated": case_truncated,
         "truncated-wait": case_truncated_wait, "oversize": case_oversize_checked,
         "prelogin": case_prelogin, "garbage": case_garbage,
         "opcode3f": case_opcode3f, "hugelogin": case_hugelogin,
         "idle": case_idle}
DEFAULT = [n for n in CASES if n != "idle"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--lun", type=int, default=0)
    ap.add_argument("--wait", type=float, default=10.0,
                    help="seconds the target has to answer a bad PDU")
    ap.add_argument("cases", nargs="*", metavar="CASE")
    a = ap.parse_args()
    if a.host not in ("127.0.0.1", "::1"):
        sys.exit("badpdu: only 127.0.0.1 or ::1")
    names = a.cases or DEFAULT
    failed = 0
    for name in names:
        if name not in CASES:
            sys.exit("badpdu: no case %r (have: %s)" % (name, ", ".join(CASES)))
        try:
            ok, text = CASES[name](a)
        except Exception as e:     # a broken case is a failed case
            ok, text = False, "%s: %s" % (e.__class__.__name__, e)
        print("%-4s %-14s %s" % ("ok" if ok else "FAIL", name, text), flush=True)
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
