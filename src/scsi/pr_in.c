/* PERSISTENT RESERVE IN (SPC-4 6.16): READ KEYS, READ RESERVATION, REPORT
 * CAPABILITIES, READ FULL STATUS. */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "scsi/lu.h"
#include "scsi/pr.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

#define PRIN_READ_KEYS 0x00
#define PRIN_READ_RESERVATION 0x01
#define PRIN_REPORT_CAPABILITIES 0x02
#define PRIN_READ_FULL_STATUS 0x03

#define SCOPE_LU 0x0

/* Each builder writes what fits into buf (cap bytes) and returns the full
 * length, so the ADDITIONAL LENGTH never depends on the allocation length. */

static size_t build_read_keys(const struct scsi_pr *pr, uint8_t *buf, size_t cap)
{
	struct list_node *pos;
	size_t off = 8;

	list_for_each(pos, &pr->regs)
	{
		if (off + 8 <= cap)
			put_be64(buf + off, list_entry(pos, struct pr_reg, node)->key);
		off += 8;
	}
	put_be32(buf, pr->generation);
	put_be32(buf + 4, (uint32_t)(off - 8));
	return off;
}

static size_t build_read_reservation(const struct scsi_pr *pr, uint8_t *buf, size_t cap)
{
	(void)cap; /* 24 bytes always fit */
	put_be32(buf, pr->generation);
	if (pr->type == PR_TYPE_NONE) {
		put_be32(buf + 4, 0);
		return 8;
	}
	put_be32(buf + 4, 16);
	/* All-registrants reservations have no one key (SPC-4 5.13.7). */
	put_be64(buf + 8, pr_type_all_regs(pr->type) ? 0 : pr->holder->key);
	buf[21] = (uint8_t)(SCOPE_LU << 4 | pr->type);
	return 24;
}

static size_t build_report_capabilities(const struct scsi_pr *pr, uint8_t *buf, size_t cap)
{
	(void)cap;
	put_be16(buf, 8);
	/* CRH: RESERVE/RELEASE follow SPC-4 5.13.3; SIP_C, ATP_C, PTPL_C. */
	buf[2] = 0x10 | 0x08 | 0x04 | 0x01;
	/* TMV: the type mask is valid; ALLOW COMMANDS 001b: TEST UNIT READY
	 * passes every reservation; PTPL_A: APTPL is in effect. */
	buf[3] = (uint8_t)(0x80 | 0x10 | (pr->aptpl ? 0x01 : 0));
	buf[4] = 0x80 | 0x40 | 0x20 | 0x08 | 0x02; /* WR_EX_AR EX_AC_RO WR_EX_RO EX_AC WR_EX */
	buf[5] = 0x01;				   /* EX_AC_AR */
	return 8;
}

static size_t full_status_desc(const struct scsi_pr *pr, const struct pr_reg *r, uint8_t *buf,
			       size_t cap)
{
	uint8_t tid[PR_ISCSI_NAME_MAX + 32];
	size_t tlen = pr_tid_build(&r->id, tid, sizeof(tid));

	if (24 + tlen <= cap) {
		memset(buf, 0, 24);
		put_be64(buf, r->key);
		buf[12] =
		    (uint8_t)((r->id.all_tg_pt ? 0x02 : 0) | (pr_is_holder(pr, r) ? 0x01 : 0));
		if (pr_is_holder(pr, r))
			buf[13] = (uint8_t)(SCOPE_LU << 4 | pr->type);
		put_be16(buf + 18, r->id.all_tg_pt ? 0 : r->id.rtpi);
		put_be32(buf + 20, (uint32_t)tlen);
		memcpy(buf + 24, tid, tlen);
	}
	return 24 + tlen;
}

static size_t build_read_full_status(const struct scsi_pr *pr, uint8_t *buf, size_t cap)
{
	struct list_node *pos;
	size_t off = 8;

	list_for_each(pos, &pr->regs)
	{
		const struct pr_reg *r = list_entry(pos, struct pr_reg, node);

		off += full_status_desc(pr, r, buf + MIN(off, cap), off < cap ? cap - off : 0);
	}
	put_be32(buf, pr->generation);
	put_be32(buf + 4, (uint32_t)(off - 8));
	return off;
}

/* The largest answer: every registration with its longest TransportID. */
#define PRIN_BUF_MAX (8 + PR_MAX_REGS * (24 + PR_ISCSI_NAME_MAX + 32))

static size_t prin_build(const struct scsi_pr *pr, uint8_t sa, uint8_t *buf, size_t cap)
{
	switch (sa) {
	case PRIN_READ_KEYS:
		return build_read_keys(pr, buf, cap);
	case PRIN_READ_RESERVATION:
		return build_read_reservation(pr, buf, cap);
	case PRIN_REPORT_CAPABILITIES:
		return build_report_capabilities(pr, buf, cap);
	default:
		return build_read_full_status(pr, buf, cap);
	}
}

void scsi_pr_in(struct scsi_cmd *cmd)
{
	struct scsi_lu *lu = cmd->lu;
	uint8_t sa = cmd->cdb[1] & 0x1f;
	uint16_t alloc = get_be16(cmd->cdb + 7);
	uint8_t *buf;
	size_t len;

	if (sa > PRIN_READ_FULL_STATUS) {
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 4);
		return;
	}
	if (cmd->cdb[9] & 0x04) { /* NACA */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 9, 2);
		return;
	}
	buf = calloc(1, PRIN_BUF_MAX);
	if (buf == NULL) {
		cmd->status = SAM_STAT_BUSY;
		return;
	}
	pthread_mutex_lock(&lu->lock);
	len = prin_build(lu->reservations, sa, buf, PRIN_BUF_MAX);
	pthread_mutex_unlock(&lu->lock);
	len = MIN(len, (size_t)alloc);
	if (scsi_buf_alloc(&cmd->in, (uint32_t)len) < 0) {
		free(buf);
		cmd->status = SAM_STAT_BUSY;
		return;
	}
	memcpy(cmd->in.data, buf, len);
	free(buf);
	scsi_cmd_good(cmd);
}
