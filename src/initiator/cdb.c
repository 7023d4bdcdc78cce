#include "initiator/cdb.h"

#include <stdio.h>
#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "iscsi/pdu.h"

void cdb_test_unit_ready(uint8_t cdb[6])
{
	memset(cdb, 0, 6);
}

void cdb_inquiry(uint8_t cdb[6], bool evpd, uint8_t page, uint16_t alloc)
{
	memset(cdb, 0, 6);
	cdb[0] = 0x12;
	cdb[1] = evpd ? 1 : 0;
	cdb[2] = page;
	put_be16(cdb + 3, alloc);
}

void cdb_read_capacity10(uint8_t cdb[10])
{
	memset(cdb, 0, 10);
	cdb[0] = 0x25;
}

void cdb_read_capacity16(uint8_t cdb[16], uint32_t alloc)
{
	memset(cdb, 0, 16);
	cdb[0] = 0x9e;
	cdb[1] = 0x10; /* SERVICE ACTION IN(16): READ CAPACITY(16) */
	put_be32(cdb + 10, alloc);
}

void cdb_report_luns(uint8_t cdb[12], uint32_t alloc)
{
	memset(cdb, 0, 12);
	cdb[0] = 0xa0;
	put_be32(cdb + 6, alloc);
}

void cdb_rw16(uint8_t cdb[16], bool write, uint64_t lba, uint32_t blocks, bool fua)
{
	memset(cdb, 0, 16);
	cdb[0] = write ? 0x8a : 0x88;
	cdb[1] = fua ? 0x08 : 0;
	put_be64(cdb + 2, lba);
	put_be32(cdb + 10, blocks);
}

void cdb_sync_cache10(uint8_t cdb[10])
{
	memset(cdb, 0, 10);
	cdb[0] = 0x35; /* LBA 0, 0 blocks: the whole medium */
}

void cdb_write_same16(uint8_t cdb[16], uint64_t lba, uint32_t blocks, bool unmap)
{
	memset(cdb, 0, 16);
	cdb[0] = 0x93;
	cdb[1] = unmap ? 0x08 : 0;
	put_be64(cdb + 2, lba);
	put_be32(cdb + 10, blocks);
}

void cdb_unmap(uint8_t cdb[10], uint8_t param[24], uint64_t lba, uint32_t blocks)
{
	memset(cdb, 0, 10);
	memset(param, 0, 24);
	cdb[0] = 0x42;
	put_be16(cdb + 7, 24);
	put_be16(param, 22);	 /* UNMAP data length */
	put_be16(param + 2, 16); /* block descriptor data length */
	put_be64(param + 8, lba);
	put_be32(param + 16, blocks);
}

/* Copy a fixed-width ASCII field, without trailing blanks. */
static void ascii(char *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

int scsi_parse_inquiry(const uint8_t *b, size_t len, struct scsi_inquiry *inq)
{
	memset(inq, 0, sizeof(*inq));
	if (len < 36)
		return -1;
	inq->qualifier = b[0] >> 5;
	inq->pdt = b[0] & 0x1f;
	inq->removable = (b[1] & 0x80) != 0;
	inq->version = b[2];
	ascii(inq->vendor, b + 8, 8);
	ascii(inq->product, b + 16, 16);
	ascii(inq->revision, b + 32, 4);
	return 0;
}

int scsi_parse_read_capacity10(const uint8_t *b, size_t len, uint64_t *blocks, uint32_t *bs)
{
	if (len < 8)
		return -1;
	*blocks = (uint64_t)get_be32(b) + 1;
	*bs = get_be32(b + 4);
	return *bs ? 0 : -1;
}

int scsi_parse_read_capacity16(const uint8_t *b, size_t len, uint64_t *blocks, uint32_t *bs,
			       bool *thin)
{
	if (len < 32)
		return -1;
	*blocks = get_be64(b) + 1;
	*bs = get_be32(b + 8);
	*thin = (b[14] & 0x80) != 0;
	return *bs && *blocks ? 0 : -1;
}

int scsi_parse_report_luns(const uint8_t *b, size_t len, uint64_t *luns, size_t max, size_t *total)
{
	uint32_t list;
	size_t n = 0;

	if (len < 8)
		return -1;
	list = get_be32(b);
	if (list % 8)
		return -1;
	*total = list / 8;
	for (size_t off = 8; off + 8 <= len && off < 8 + (size_t)list && n < max; off += 8)
		luns[n++] = iscsi_lun_decode(b + off);
	return (int)n;
}

int scsi_parse_sense(const uint8_t *b, size_t len, struct scsi_sense *s)
{
	memset(s, 0, sizeof(*s));
	if (len < 1)
		return -1;
	switch (b[0] & 0x7f) {
	case 0x70:
	case 0x71: /* fixed format */
		if (len < 14)
			return len >= 3 ? (s->key = b[2] & 0x0f, 0) : -1;
		s->key = b[2] & 0x0f;
		s->asc = b[12];
		s->ascq = b[13];
		return 0;
	case 0x72:
	case 0x73: /* descriptor format */
		if (len < 4)
			return -1;
		s->key = b[1] & 0x0f;
		s->asc = b[2];
		s->ascq = b[3];
		return 0;
	default:
		return -1;
	}
}

const char *scsi_pdt_name(uint8_t pdt)
{
	static const char *names[] = {"DIRECT_ACCESS",
				      "SEQUENTIAL_ACCESS",
				      "PRINTER",
				      "PROCESSOR",
				      "WRITE_ONCE",
				      "MMC",
				      "SCANNER",
				      "OPTICAL_MEMORY",
				      "MEDIUM_CHANGER",
				      "COMMUNICATIONS",
				      "UNKNOWN_0A",
				      "UNKNOWN_0B",
				      "STORAGE_ARRAY_CONTROLLER",
				      "ENCLOSURE_SERVICES",
				      "SIMPLIFIED_DIRECT_ACCESS",
				      "OPTICAL_CARD_READER"};

	if (pdt < ARRAY_SIZE(names))
		return names[pdt];
	return pdt == 0x1f ? "NO_DEVICE" : "UNKNOWN";
}

const char *scsi_sense_key_name(uint8_t key)
{
	static const char *names[] = {
	    "NO SENSE",	      "RECOVERED ERROR", "NOT READY",	   "MEDIUM ERROR",
	    "HARDWARE ERROR", "ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT",
	    "BLANK CHECK",    "VENDOR SPECIFIC", "COPY ABORTED",   "ABORTED COMMAND",
	    "RESERVED",	      "VOLUME OVERFLOW", "MISCOMPARE",	   "COMPLETED"};

	return names[key & 0x0f];
}

static const char *status_name(uint8_t status)
{
	switch (status) {
	case SCSI_STATUS_GOOD:
		return "GOOD";
	case SCSI_STATUS_CHECK_CONDITION:
		return "CHECK CONDITION";
	case SCSI_STATUS_BUSY:
		return "BUSY";
	case SCSI_STATUS_RESERVATION_CONFLICT:
		return "RESERVATION CONFLICT";
	case SCSI_STATUS_TASK_SET_FULL:
		return "TASK SET FULL";
	default:
		return "unexpected status";
	}
}

void scsi_describe(const struct ini_scsi_status *st, char *buf, size_t len)
{
	struct scsi_sense sn;

	if (st->result == INI_ERR_SESSION) {
		snprintf(buf, len, "the session failed");
	} else if (st->result == INI_ERR_ABORTED) {
		snprintf(buf, len, "the command was aborted");
	} else if (st->response != ISCSI_RESPONSE_COMPLETED) {
		snprintf(buf, len, "the target failed the command (iSCSI response 0x%02x)",
			 st->response);
	} else if (st->status == SCSI_STATUS_CHECK_CONDITION &&
		   scsi_parse_sense(st->sense, st->sense_len, &sn) == 0) {
		snprintf(buf, len, "CHECK CONDITION, %s (ASC 0x%02x ASCQ 0x%02x)",
			 scsi_sense_key_name(sn.key), sn.asc, sn.ascq);
	} else {
		snprintf(buf, len, "SCSI status 0x%02x (%s)", st->status, status_name(st->status));
	}
}
