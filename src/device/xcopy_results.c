/* RECEIVE COPY RESULTS (SPC-4 6.24): COPY STATUS of a held list and the
 * copy manager's OPERATING PARAMETERS; and VPD page 0x8F that announces
 * them. */
#include "device/xcopy_results.h"

#include <pthread.h>
#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "device/dev.h"
#include "device/xcopy.h"
#include "scsi/nexus.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

#define SA_COPY_STATUS 0x00
#define SA_OPERATING_PARAMETERS 0x03
#define HELD_MAX 64

struct held {
	uint64_t nexus_id; /* 0: free */
	uint8_t list_id;
	struct xcopy_result r;
};

/* A small table, oldest entry replaced first: results are asked for right
 * after the copy, and a nexus id is never reused. */
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static struct held held[HELD_MAX];
static unsigned held_next;

void xcopy_results_put(uint64_t nexus_id, uint8_t list_id, bool failed, unsigned segments,
		       uint64_t bytes)
{
	struct held *h = NULL;

	pthread_mutex_lock(&held_lock);
	for (unsigned i = 0; i < HELD_MAX && h == NULL; i++)
		if (held[i].nexus_id == nexus_id && held[i].list_id == list_id)
			h = &held[i];
	if (h == NULL)
		h = &held[held_next++ % HELD_MAX];
	h->nexus_id = nexus_id;
	h->list_id = list_id;
	h->r.failed = failed;
	h->r.segments = (uint16_t)MIN(segments, 0xffffu);
	h->r.bytes = bytes;
	pthread_mutex_unlock(&held_lock);
}

bool xcopy_results_get(uint64_t nexus_id, uint8_t list_id, struct xcopy_result *r)
{
	bool found = false;

	pthread_mutex_lock(&held_lock);
	for (unsigned i = 0; i < HELD_MAX && !found; i++) {
		if (held[i].nexus_id == nexus_id && held[i].list_id == list_id) {
			*r = held[i].r;
			found = true;
		}
	}
	pthread_mutex_unlock(&held_lock);
	return found;
}

static size_t copy_status_build(const struct xcopy_result *r, uint8_t *buf)
{
	uint64_t count = r->bytes;
	uint8_t units = 0; /* bytes; then KiB, MiB ... as needed to fit 32 bits */

	while (count > 0xffffffffull) {
		count >>= 10;
		units++;
	}
	memset(buf, 0, 12);
	put_be32(buf, 8);
	buf[4] = r->failed ? 0x01 : 0x00; /* COPY MANAGER STATUS */
	put_be16(buf + 5, r->segments);
	buf[7] = units;
	put_be32(buf + 8, (uint32_t)count);
	return 12;
}

static size_t op_params_build(uint8_t *buf)
{
	memset(buf, 0, 46);
	put_be32(buf, 42);
	buf[4] = 0x01; /* SNLID: list identifiers are per nexus */
	put_be16(buf + 8, XCOPY_MAX_TARGETS);
	put_be16(buf + 10, XCOPY_MAX_SEGMENTS);
	put_be32(buf + 12, XCOPY_MAX_DESC_LIST);
	put_be32(buf + 16, XCOPY_MAX_SEGMENT_BLOCKS * 512u);
	put_be32(buf + 20, 0); /* no inline data */
	put_be32(buf + 24, 0); /* no held data */
	put_be16(buf + 34, 1); /* total concurrent copies */
	buf[36] = 1;	       /* maximum concurrent copies */
	buf[37] = 9;	       /* data segment granularity: 512 bytes (log2) */
	buf[43] = 2;	       /* implemented descriptor list length */
	buf[44] = 0x02;	       /* block to block */
	buf[45] = 0xe4;	       /* identification descriptor target */
	return 46;
}

void xcopy_receive_copy_results(struct scsi_cmd *cmd)
{
	uint8_t sa = cmd->cdb[1] & 0x1f, buf[64];
	uint32_t alloc = get_be32(cmd->cdb + 10);
	struct xcopy_result r;

	if (cmd->cdb_len < 16) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
		return;
	}
	switch (sa) {
	case SA_COPY_STATUS:
		if (!xcopy_results_get(cmd->nexus->id, cmd->cdb[2], &r)) {
			scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 2, -1);
			return;
		}
		dev_reply(cmd, buf, copy_status_build(&r, buf), alloc);
		return;
	case SA_OPERATING_PARAMETERS:
		dev_reply(cmd, buf, op_params_build(buf), alloc);
		return;
	default: /* RECEIVE DATA, FAILED SEGMENT DETAILS: nothing is held */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 4);
		return;
	}
}

/* One command of the Supported Commands descriptor. */
static size_t put_command(uint8_t *p, uint8_t op, const uint8_t *sas, uint8_t n)
{
	p[0] = op;
	p[1] = n;
	memcpy(p + 2, sas, n);
	return 2u + n;
}

size_t xcopy_vpd_build(uint8_t *buf, size_t cap)
{
	static const uint8_t xcopy_sa[] = {0x00}, rcr_sa[] = {0x00, 0x03};
	uint8_t tmp[64] = {0};
	size_t n = 5, dlen;

	/* Supported Commands third-party copy descriptor (type 0x0001). */
	n += put_command(tmp + n, 0x83, xcopy_sa, sizeof(xcopy_sa));
	n += put_command(tmp + n, 0x84, rcr_sa, sizeof(rcr_sa));
	tmp[4] = (uint8_t)(n - 5); /* COMMANDS SUPPORTED LIST LENGTH */
	dlen = ALIGN_UP(n, 4);
	put_be16(tmp, 0x0001);
	put_be16(tmp + 2, (uint16_t)(dlen - 4));
	if (cap < 4 + dlen)
		return 0;
	memset(buf, 0, 4 + dlen);
	buf[1] = 0x8f;
	put_be16(buf + 2, (uint16_t)dlen);
	memcpy(buf + 4, tmp, dlen);
	return 4 + dlen;
}
