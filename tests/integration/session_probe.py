#!/usr/bin/env python3
"""Hold one iSCSI session and report what the target answers, for the
lunactl tests.  Uses the framing of badpdu.py (standard library only).

  session_probe.py --port P --target IQN --initiator IQN [--lun N] STEP...

Steps, run in order on one session:
  tur        TEST UNIT READY until GOOD (clears the unit attentions a new
             session owes); prints "ready"
  write      WRITE(10) of one block at LBA 0; prints "GOOD" or
             "CHECK CONDITION key/asc/ascq" (hex)
  capacity   READ CAPACITY(16); prints "capacity BYTES" or the sense as
             for write
  luns       REPORT LUNS; prints "luns 0 1 ..." or the sense
  wait       prints "waiting", then waits for a line on stdin (the test
             changes the configuration meanwhile)
"""
import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import badpdu  # noqa: E402


def sense_text(data):
    if len(data) < 4:
        return "CHECK CONDITION (no sense)"
    s = data[2:2 + struct.unpack(">H", data[:2])[0]]
    if (s[0] & 0x7f) in (0x72, 0x73):
        key, asc, ascq = s[1] & 0xf, s[2], s[3]
    else:
        key, asc, ascq = s[2] & 0xf, s[12], s[13]
    return "CHECK CONDITION %x/%02x/%02x" % (key, asc, ascq)


def command(c, lun, cdb, read_len=0, write=b""):
    """Run one command; return (status, data or sense text)."""
    c.scsi_cmd(cdb, lun, read_len=read_len, write_data=write)
    data = b""
    while True:
        op, h, d = c.recv_pdu()
        if op == badpdu.OP_NOP_IN:
            continue
        if op == badpdu.OP_DATA_IN:
            data += d
            if h[1] & 0x01:
                return h[3], data
            continue
        if op == badpdu.OP_SCSI_RSP:
            return h[3], (sense_text(d) if h[3] == 2 else data)
        raise RuntimeError("unexpected PDU opcode 0x%02x" % op)


def step(c, lun, what):
    if what == "tur":
        badpdu.clear_unit_attention(c, lun)
        return "ready"
    if what == "write":
        st, r = command(c, lun, bytes([0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0]), write=bytes(512))
        return "GOOD" if st == 0 else r
    if what == "capacity":
        st, r = command(c, lun, bytes([0x9e, 0x10]) + bytes(8) + struct.pack(">I", 32)
                        + bytes(2), read_len=32)
        if st != 0:
            return r
        last, bs = struct.unpack(">QI", r[:12])
        return "capacity %d" % ((last + 1) * bs)
    if what == "luns":
        st, r = command(c, lun, bytes([0xa0, 0, 0, 0, 0, 0]) + struct.pack(">I", 4096)
                        + bytes(2), read_len=4096)
        if st != 0:
            return r
        n = struct.unpack(">I", r[:4])[0] // 8
        return "luns " + " ".join(str(struct.unpack(">H", r[8 + 8 * i:10 + 8 * i])[0] & 0x3fff)
                                  for i in range(n))
    if what == "wait":
        print("waiting", flush=True)
        sys.stdin.readline()
        return None
    raise SystemExit("unknown step " + what)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--initiator", required=True)
    ap.add_argument("--lun", type=int, default=0)
    ap.add_argument("steps", nargs="+")
    a = ap.parse_args()
    c = badpdu.Conn(a.host, a.port, 10)
    try:
        c.login(a.target, {"InitiatorName": a.initiator})
        for s in a.steps:
            out = step(c, a.lun, s)
            if out is not None:
                print(out, flush=True)
        c.logout()
    finally:
        c.close()


if __name__ == "__main__":
    main()
