/* REPORT SUPPORTED OPERATION CODES and REPORT SUPPORTED TASK MANAGEMENT
 * FUNCTIONS (SPC-4 6.35, 6.36): MAINTENANCE IN service actions 0x0c, 0x0d. */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "device/dev.h"
#include "device/opcode_info.h"
#include "device/spc.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

#define TIMEOUTS_LEN 12
#define ALL_DESC_LEN 8
#define RSOC_MAX (64u << 10)

enum rsoc_options {
	RSOC_ALL = 0,
	RSOC_ONE_OPCODE = 1,	/* an operation code without service actions */
	RSOC_ONE_SA = 2,	/* an operation code and service action */
	RSOC_ONE_EITHER = 3,	/* either, as the operation code has them or not */
};

const struct opcode_info *opcode_find(const struct opcode_info *tab, size_t n, uint8_t opcode,
				      uint16_t sa)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].opcode == opcode && (!tab[i].has_sa || tab[i].sa == sa))
			return &tab[i];
	return NULL;
}

bool opcode_has_sa(const struct opcode_info *tab, size_t n, uint8_t opcode)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].opcode == opcode)
			return tab[i].has_sa;
	return false;
}

/* The command timeouts descriptor (SPC-4 6.35.4). */
static void put_timeouts(uint8_t *p, const struct opcode_info *op)
{
	memset(p, 0, TIMEOUTS_LEN);
	put_be16(p, TIMEOUTS_LEN - 2);
	put_be32(p + 4, 0); /* nominal: not specified */
	put_be32(p + 8, op->timeout);
}

static size_t build_all(const struct opcode_info *tab, size_t n, bool rctd, uint8_t *buf,
			size_t cap)
{
	size_t per = ALL_DESC_LEN + (rctd ? TIMEOUTS_LEN : 0), off = 4;

	for (size_t i = 0; i < n && off + per <= cap; i++, off += per) {
		uint8_t *d = buf + off;

		memset(d, 0, ALL_DESC_LEN);
		d[0] = tab[i].opcode;
		put_be16(d + 2, tab[i].has_sa ? tab[i].sa : 0);
		d[5] = (uint8_t)((rctd ? 0x02 : 0) | (tab[i].has_sa ? 0x01 : 0));
		put_be16(d + 6, tab[i].cdb_len);
		if (rctd)
			put_timeouts(d + ALL_DESC_LEN, &tab[i]);
	}
	put_be32(buf, (uint32_t)(off - 4));
	return off;
}

static size_t build_one(const struct opcode_info *op, bool rctd, uint8_t *buf)
{
	if (op == NULL) {
		memset(buf, 0, 4);
		buf[1] = 0x01; /* SUPPORT: not supported */
		return 4;
	}
	buf[0] = 0;
	buf[1] = (uint8_t)((rctd ? 0x80 : 0) | 0x03); /* supported, as the standard says */
	put_be16(buf + 2, op->cdb_len);
	memcpy(buf + 4, op->usage, op->cdb_len);
	if (!rctd)
		return 4u + op->cdb_len;
	put_timeouts(buf + 4 + op->cdb_len, op);
	return 4u + op->cdb_len + TIMEOUTS_LEN;
}

long rsoc_build(const struct opcode_info *tab, size_t n, uint8_t options, bool rctd,
		uint8_t opcode, uint16_t sa, uint8_t *buf, size_t cap, uint16_t *bad_byte)
{
	bool has_sa = opcode_has_sa(tab, n, opcode);

	*bad_byte = 2;
	switch (options) {
	case RSOC_ALL:
		return (long)build_all(tab, n, rctd, buf, cap);
	case RSOC_ONE_OPCODE:
		if (has_sa) {
			*bad_byte = 3;
			return -1;
		}
		return (long)build_one(opcode_find(tab, n, opcode, 0), rctd, buf);
	case RSOC_ONE_SA:
		if (!has_sa && opcode_find(tab, n, opcode, 0)) {
			*bad_byte = 3;
			return -1;
		}
		return (long)build_one(has_sa ? opcode_find(tab, n, opcode, sa) : NULL, rctd, buf);
	case RSOC_ONE_EITHER:
		return (long)build_one(opcode_find(tab, n, opcode, sa), rctd, buf);
	default:
		return -1;
	}
}

void spc_report_opcodes(struct scsi_cmd *cmd, const struct spc_type *t)
{
	struct opcode_info *tab;
	size_t ntab = 0;
	uint8_t *data;
	uint16_t bad;
	long n;

	if (cmd->cdb[2] & 0x78) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 2, 6);
		return;
	}
	data = calloc(1, RSOC_MAX);
	tab = calloc(t->n_opcodes ? t->n_opcodes : 1, sizeof(*tab));
	if (data == NULL || tab == NULL) {
		free(data);
		free(tab);
		dev_no_memory(cmd);
		return;
	}
	/* The commands this LU offers. */
	for (size_t i = 0; i < t->n_opcodes; i++)
		if (t->opcode_offered == NULL || t->opcode_offered(cmd->lu, &t->opcodes[i]))
			tab[ntab++] = t->opcodes[i];
	n = rsoc_build(tab, ntab, cmd->cdb[2] & 0x07, cmd->cdb[2] & 0x80, cmd->cdb[3],
		       get_be16(cmd->cdb + 4), data, RSOC_MAX, &bad);
	free(tab);
	if (n < 0)
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, bad, -1);
	else
		dev_reply(cmd, data, (size_t)n, get_be32(cmd->cdb + 6));
	free(data);
}

/* Luna offers ABORT TASK, ABORT TASK SET, CLEAR TASK SET, LOGICAL UNIT
 * RESET, TARGET RESET, QUERY TASK, QUERY TASK SET and QUERY ASYNCHRONOUS
 * EVENT (src/scsi/tmf.c); CLEAR ACA and I_T NEXUS RESET it does not. */
size_t rstmf_build(bool repd, uint8_t *buf)
{
	size_t n = repd ? 16 : 4;

	memset(buf, 0, n);
	buf[0] = 0x80 | 0x40 | 0x10 | 0x08 | 0x04 | 0x02; /* ATS ATSS CTSS LURS QTS TRS */
	buf[1] = 0x04 | 0x02;				   /* QAES QTSS */
	if (repd)
		buf[3] = 0x0c; /* additional data length */
	return n;
}

void spc_report_tmfs(struct scsi_cmd *cmd)
{
	uint8_t buf[16];

	if (cmd->cdb[2] & 0x7f) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 2, 6);
		return;
	}
	dev_reply(cmd, buf, rstmf_build(cmd->cdb[2] & 0x80, buf), get_be32(cmd->cdb + 6));
}
