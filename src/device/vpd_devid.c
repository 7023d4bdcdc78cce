/* VPD page 0x83, device identification (SPC-4 7.8.6): the LU's NAA and
 * T10 vendor identifiers, and, when the command came over a nexus, the
 * relative target port, target port group and iSCSI names of the target
 * port and target device. */
#include <stdio.h>
#include <string.h>

#include "common/bytes.h"
#include "device/dev.h"
#include "device/vpd.h"
#include "scsi/lu.h"
#include "scsi/nexus.h"

#define PROTO_ISCSI 0x5
#define CODESET_BINARY 0x1
#define CODESET_ASCII 0x2
#define CODESET_UTF8 0x3
#define ASSOC_LU 0x0
#define ASSOC_PORT 0x1
#define ASSOC_TARGET 0x2
#define DTYPE_T10 0x1
#define DTYPE_NAA 0x3
#define DTYPE_REL_PORT 0x4
#define DTYPE_TPG 0x5
#define DTYPE_NAME 0x8

/* Append one designation descriptor; returns the new offset, or the old
 * one if it does not fit. */
static size_t put_desig(uint8_t *buf, size_t off, size_t cap, bool piv, uint8_t assoc,
			uint8_t codeset, uint8_t type, const void *id, size_t len)
{
	if (off + 4 + len > cap || len > 255)
		return off;
	/* PIV: the protocol identifier is valid (only for port/target
	 * associations). */
	buf[off] = (uint8_t)((piv ? PROTO_ISCSI << 4 : 0) | codeset);
	buf[off + 1] = (uint8_t)((piv ? 0x80 : 0) | assoc << 4 | type);
	buf[off + 2] = 0;
	buf[off + 3] = (uint8_t)len;
	memcpy(buf + off + 4, id, len);
	return off + 4 + len;
}

/* SCSI name strings are null-terminated and padded to a multiple of 4. */
static size_t put_name(uint8_t *buf, size_t off, size_t cap, uint8_t assoc, const char *name)
{
	uint8_t tmp[256] = {0};
	size_t len = strlen(name);

	if (len == 0 || len + 1 > sizeof(tmp) - 3)
		return off;
	memcpy(tmp, name, len);
	len = ALIGN_UP(len + 1, 4);
	return put_desig(buf, off, cap, true, assoc, CODESET_UTF8, DTYPE_NAME, tmp, len);
}

size_t vpd_devid_build(const struct scsi_lu *lu, const struct scsi_nexus *nx, uint8_t *buf,
		       size_t cap)
{
	uint8_t t10[8 + 64], port[4] = {0};
	size_t off = 4, slen = strlen(lu->serial);
	char tport[300];

	off = put_desig(buf, off, cap, false, ASSOC_LU, CODESET_BINARY, DTYPE_NAA, lu->naa, 16);
	dev_put_ascii(t10, 8, lu->vendor);
	memcpy(t10 + 8, lu->serial, slen);
	off = put_desig(buf, off, cap, false, ASSOC_LU, CODESET_ASCII, DTYPE_T10, t10, 8 + slen);
	if (nx == NULL)
		return off;
	put_be16(port + 2, nx->rel_port_id);
	off = put_desig(buf, off, cap, true, ASSOC_PORT, CODESET_BINARY, DTYPE_REL_PORT, port, 4);
	put_be16(port + 2, nx->tpgt);
	off = put_desig(buf, off, cap, true, ASSOC_PORT, CODESET_BINARY, DTYPE_TPG, port, 4);
	snprintf(tport, sizeof(tport), "%s,t,0x%04x", nx->target_name, nx->tpgt);
	off = put_name(buf, off, cap, ASSOC_PORT, tport);
	off = put_name(buf, off, cap, ASSOC_TARGET, nx->target_name);
	return off;
}
