#!/usr/bin/env python3
"""A small iSCSI target that logs in properly and then answers the first
SCSI command wrongly, to check that an initiator ends the session with a
clear error instead of crashing or hanging.

    fake_target.py PORT MODE

MODE is one of:
  unknown-itt   Data-In for an initiator task tag that was never used
  overflow      more Data-In than the command's expected transfer length
  bad-offset    Data-In at a buffer offset other than the next one
  malformed     a PDU with an opcode only initiators send
  huge          a data segment longer than the initiator's MaxRecvDataSegmentLength
  bad-sense     a SCSI Response whose sense length overruns its data
  rsp-itt       a SCSI Response for an unknown initiator task tag
  digest        a header digest that does not match (CRC32C negotiated)
  login-garbage a Login Response with malformed keys
Serves connections one after another until killed."""
import socket
import struct
import sys

BHS = 48


def recv_all(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def recv_pdu(conn, digests):
    hdr = recv_all(conn, BHS)
    ahs = hdr[4] * 4
    dlen = int.from_bytes(hdr[5:8], "big")
    rest = ahs + (4 if digests else 0)
    if rest:
        recv_all(conn, rest)
    pad = (4 - dlen % 4) % 4
    data = recv_all(conn, dlen + pad + (4 if digests and dlen else 0))[:dlen]
    return hdr, data


def pdu(opcode, flags, rest, data=b"", dlen=None):
    """rest: the 40 bytes after the first 8 (LUN/ISID onward)."""
    n = len(data) if dlen is None else dlen
    hdr = bytes([opcode, flags, 0, 0, 0]) + n.to_bytes(3, "big") + rest
    assert len(hdr) == BHS
    return hdr + data + b"\0" * ((4 - len(data) % 4) % 4)


def keys(**kv):
    return b"".join(f"{k}={v}".encode() + b"\0" for k, v in kv.items())


def login_rsp(req, flags, data, statsn):
    isid_tsih = req[8:14] + struct.pack(">H", 1)
    itt = req[16:20]
    cmdsn = struct.unpack(">I", req[24:28])[0]
    rest = isid_tsih + itt + b"\0" * 4 + struct.pack(">III", statsn, cmdsn, cmdsn + 32) + b"\0" * 12
    return pdu(0x23, flags, rest, data)


def login(conn, mode):
    """Answer the login; returns the StatSN to go on with, or None."""
    statsn = 1
    while True:
        req, _ = recv_pdu(conn, False)
        csg = (req[1] >> 2) & 3
        if mode == "login-garbage":
            conn.sendall(login_rsp(req, 0x80 | (csg << 2) | 1, b"this is not a key\0", statsn))
            return None
        if csg == 0:
            conn.sendall(login_rsp(req, 0x80 | 0x01, keys(AuthMethod="None"), statsn))
            statsn += 1
            continue
        digest = "CRC32C" if mode == "digest" else "None"
        data = keys(HeaderDigest=digest, DataDigest="None", MaxRecvDataSegmentLength=8192,
                    ImmediateData="Yes", InitialR2T="Yes", MaxBurstLength=262144,
                    FirstBurstLength=65536, TargetPortalGroupTag=1)
        conn.sendall(login_rsp(req, 0x80 | 0x04 | 0x03, data, statsn))
        return statsn + 1


def data_in(itt, statsn, cmdsn, offset, data, datasn=0, status=True):
    flags = 0x80 | (0x01 if status else 0)
    rest = (b"\0" * 8 + struct.pack(">I", itt) + struct.pack(">I", 0xffffffff) +
            struct.pack(">IIIIII", statsn, cmdsn + 1, cmdsn + 32, datasn, offset, 0))
    return pdu(0x25, flags, rest, data)


def scsi_rsp(itt, statsn, cmdsn, status, data=b"", dlen=None):
    rest = (b"\0" * 8 + struct.pack(">I", itt) + b"\0" * 4 +
            struct.pack(">IIIIII", statsn, cmdsn + 1, cmdsn + 32, 0, 0, 0))
    out = bytearray(pdu(0x21, 0x80, rest, data, dlen))
    out[3] = status
    return bytes(out)


def misbehave(conn, mode, statsn):
    digests = mode == "digest"
    while True:
        hdr, _ = recv_pdu(conn, digests)
        if hdr[0] & 0x3f == 0x01:
            break
    itt, edtl, cmdsn = struct.unpack(">III", hdr[16:28])
    payload = bytes(range(256)) * 4
    if mode == "unknown-itt":
        msg = data_in(itt ^ 0x5a5a5a5a, statsn, cmdsn, 0, payload[:edtl])
    elif mode == "overflow":
        msg = data_in(itt, statsn, cmdsn, 0, payload[: edtl + 64])
    elif mode == "bad-offset":
        msg = data_in(itt, statsn, cmdsn, 8, payload[:8])
    elif mode == "malformed":
        msg = pdu(0x05, 0x80, b"\0" * 8 + struct.pack(">I", itt) + b"\0" * 28)
    elif mode == "huge":
        msg = pdu(0x21, 0x80, b"\0" * 8 + struct.pack(">I", itt) + b"\0" * 28, dlen=1 << 20)
    elif mode == "bad-sense":
        msg = scsi_rsp(itt, statsn, cmdsn, 2, b"\x00\x40" + b"\x70" + b"\0" * 9)
    elif mode == "rsp-itt":
        msg = scsi_rsp(itt + 7, statsn, cmdsn, 0)
    elif mode == "digest":
        full = scsi_rsp(itt, statsn, cmdsn, 0)
        msg = full[:BHS] + b"\xde\xad\xbe\xef"
    else:
        sys.exit(f"unknown mode {mode}")
    conn.sendall(msg)
    # Keep the connection open: the initiator must end it on its own.
    conn.settimeout(10)
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(4)
    while True:
        conn, _ = srv.accept()
        try:
            statsn = login(conn, mode)
            if statsn is not None:
                misbehave(conn, mode, statsn)
        except (EOFError, OSError):
            pass
        finally:
            conn.close()


if __name__ == "__main__":
    main()
