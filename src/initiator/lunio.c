#include "initiator/lunio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "initiator/cdb.h"

#define MAX_RETRIES 20
#define DEFAULT_MAX_XFER (1u << 20) /* bytes per command unless the target says less */

/* One request of the caller, made of one or more commands. */
struct io_req {
	struct ini_lun *l;
	unsigned pending;
	char err[256];
	ini_io_cb cb;
	void *arg;
	uint8_t *owned; /* zero buffer or UNMAP parameters */
	int kind;	/* what to fall back to when the target refuses */
	uint64_t lba;
	uint32_t blocks;
	bool fua;
};

struct io_cmd {
	struct io_req *req;
	uint8_t cdb[16];
	unsigned cdb_len;
	enum ini_dir dir;
	uint8_t *buf;
	uint32_t len;
	unsigned tries;
};

enum { K_RW, K_FLUSH, K_UNMAP, K_WS };

static void cmd_done(struct ini_session *s, const struct ini_scsi_status *st, void *arg);
static int zero_writes(struct io_req *r);

static int issue(struct io_cmd *c)
{
	if (ini_scsi_submit(c->req->l->s, c->req->l->lun, c->cdb, c->cdb_len, c->dir, c->buf,
			    c->len, cmd_done, c) == NULL) {
		free(c);
		return -1;
	}
	return 0;
}

static bool retryable(const struct ini_scsi_status *st)
{
	struct scsi_sense sn;

	if (st->result != INI_OK || st->response != 0)
		return false;
	if (st->status == SCSI_STATUS_BUSY || st->status == SCSI_STATUS_TASK_SET_FULL)
		return true;
	return st->status == SCSI_STATUS_CHECK_CONDITION &&
	       scsi_parse_sense(st->sense, st->sense_len, &sn) == 0 &&
	       (sn.key == SCSI_SENSE_UNIT_ATTENTION ||
		(sn.key == SCSI_SENSE_NOT_READY && sn.asc == 0x04 && sn.ascq == 0x01));
}

static bool illegal_request(const struct ini_scsi_status *st)
{
	struct scsi_sense sn;

	return st->result == INI_OK && st->status == SCSI_STATUS_CHECK_CONDITION &&
	       scsi_parse_sense(st->sense, st->sense_len, &sn) == 0 &&
	       sn.key == SCSI_SENSE_ILLEGAL_REQUEST;
}

static void req_put(struct io_req *r)
{
	if (--r->pending)
		return;
	r->cb(r->arg, r->err[0] ? r->err : NULL);
	free(r->owned);
	free(r);
}

static void cmd_done(struct ini_session *s, const struct ini_scsi_status *st, void *arg)
{
	struct io_cmd *c = arg;
	struct io_req *r = c->req;
	char what[160];

	if (st->result == INI_OK && st->response == 0 && st->status == SCSI_STATUS_GOOD) {
		free(c);
		req_put(r);
		return;
	}
	if (retryable(st) && ++c->tries < MAX_RETRIES && issue(c) == 0)
		return;
	/* A target without UNMAP or WRITE SAME: trim is advisory, zeroes can
	 * be written. */
	if (illegal_request(st) && r->kind == K_UNMAP) {
		r->l->no_unmap = true;
		free(c);
		req_put(r);
		return;
	}
	if (illegal_request(st) && r->kind == K_WS) {
		r->l->no_write_same = true;
		free(c);
		if (zero_writes(r) == 0)
			return;
		req_put(r);
		return;
	}
	if (!r->err[0] && st->result == INI_ERR_SESSION) {
		snprintf(r->err, sizeof(r->err), "%s", ini_session_error(s));
	} else if (!r->err[0]) {
		scsi_describe(st, what, sizeof(what));
		snprintf(r->err, sizeof(r->err), "%s", what);
	}
	free(c);
	req_put(r);
}

static struct io_req *new_req(struct ini_lun *l, int kind, ini_io_cb cb, void *arg)
{
	struct io_req *r = xcalloc(1, sizeof(*r));

	r->l = l;
	r->kind = kind;
	r->cb = cb;
	r->arg = arg;
	r->pending = 1; /* held while commands are being issued */
	return r;
}

static int add_cmd(struct io_req *r, const uint8_t *cdb, unsigned cdb_len, enum ini_dir dir,
		   uint8_t *buf, uint32_t len)
{
	struct io_cmd *c = xcalloc(1, sizeof(*c));

	c->req = r;
	memcpy(c->cdb, cdb, cdb_len);
	c->cdb_len = cdb_len;
	c->dir = dir;
	c->buf = buf;
	c->len = len;
	r->pending++;
	if (issue(c) < 0) {
		r->pending--;
		snprintf(r->err, sizeof(r->err), "%s", ini_session_error(r->l->s));
		return -1;
	}
	return 0;
}

/* Issue the commands; the caller's callback runs later, even on error. */
static int finish_issue(struct io_req *r)
{
	req_put(r);
	return 0;
}

int ini_lun_rw(struct ini_lun *l, bool write, uint64_t lba, uint32_t blocks, void *buf, bool fua,
	       ini_io_cb cb, void *arg)
{
	struct io_req *r;
	uint8_t cdb[16];

	if (lba > l->blocks || blocks > l->blocks - lba)
		return -1;
	r = new_req(l, K_RW, cb, arg);
	while (blocks) {
		uint32_t n = MIN(blocks, l->max_blocks);

		cdb_rw16(cdb, write, lba, n, fua);
		if (add_cmd(r, cdb, 16, write ? INI_DIR_WRITE : INI_DIR_READ, buf,
			    n * l->block_size) < 0)
			break;
		buf = (uint8_t *)buf + (size_t)n * l->block_size;
		lba += n;
		blocks -= n;
	}
	return finish_issue(r);
}

int ini_lun_flush(struct ini_lun *l, ini_io_cb cb, void *arg)
{
	struct io_req *r = new_req(l, K_FLUSH, cb, arg);
	uint8_t cdb[10];

	cdb_sync_cache10(cdb);
	add_cmd(r, cdb, 10, INI_DIR_NONE, NULL, 0);
	return finish_issue(r);
}

int ini_lun_unmap(struct ini_lun *l, uint64_t lba, uint32_t blocks, ini_io_cb cb, void *arg)
{
	struct io_req *r = new_req(l, K_UNMAP, cb, arg);

	if (!l->no_unmap && blocks) {
		uint8_t cdb[10];

		r->owned = xmalloc(24);
		cdb_unmap(cdb, r->owned, lba, blocks);
		add_cmd(r, cdb, 10, INI_DIR_WRITE, r->owned, 24);
	}
	return finish_issue(r);
}

/* Plain WRITEs from one zeroed buffer of up to max_blocks. */
static int zero_writes(struct io_req *r)
{
	struct ini_lun *l = r->l;
	uint32_t chunk = MIN(r->blocks, l->max_blocks);
	uint64_t lba = r->lba;
	uint32_t left = r->blocks;
	uint8_t cdb[16];

	free(r->owned);
	r->owned = xcalloc(chunk ? chunk : 1, l->block_size);
	r->kind = K_RW;
	while (left) {
		uint32_t n = MIN(left, chunk);
		cdb_rw16(cdb, true, lba, n, r->fua);
		if (add_cmd(r, cdb, 16, INI_DIR_WRITE, r->owned, n * l->block_size) < 0)
			return -1;
		lba += n;
		left -= n;
	}
	return 0;
}

int ini_lun_write_zeroes(struct ini_lun *l, uint64_t lba, uint32_t blocks, bool fua, ini_io_cb cb,
			 void *arg)
{
	struct io_req *r;
	uint8_t cdb[16];

	if (lba > l->blocks || blocks > l->blocks - lba)
		return -1;
	r = new_req(l, K_WS, cb, arg);
	r->lba = lba;
	r->blocks = blocks;
	r->fua = fua;
	if (l->no_write_same || blocks == 0) {
		zero_writes(r);
		return finish_issue(r);
	}
	r->owned = xcalloc(1, l->block_size);
	/* WRITE SAME of one zero block over the range; 65535 blocks at a time
	 * is within what every target takes. */
	while (blocks) {
		uint32_t n = MIN(blocks, 65535u);
		cdb_write_same16(cdb, lba, n, false);
		if (add_cmd(r, cdb, 16, INI_DIR_WRITE, r->owned, l->block_size) < 0)
			break;
		lba += n;
		blocks -= n;
	}
	return finish_issue(r);
}

/* ---- opening */

static int sync_cmd(struct ini_lun *l, const uint8_t *cdb, unsigned n, uint8_t *buf, uint32_t len,
		    struct ini_scsi_status *st)
{
	for (int i = 0; i < MAX_RETRIES; i++) {
		ini_scsi_sync(l->s, l->lun, cdb, n, len ? INI_DIR_READ : INI_DIR_NONE, buf, len,
			      st);
		if (!retryable(st))
			break;
	}
	return st->result == INI_OK && st->response == 0 && st->status == SCSI_STATUS_GOOD ? 0 : -1;
}

static void read_limits(struct ini_lun *l)
{
	struct ini_scsi_status st = {0};
	uint8_t cdb[6], b[64] = {0};
	uint32_t max;

	cdb_inquiry(cdb, true, 0xb0, sizeof(b));
	if (sync_cmd(l, cdb, 6, b, sizeof(b), &st) < 0 || b[1] != 0xb0 || st.data_len < 12)
		return;
	max = get_be32(b + 8); /* MAXIMUM TRANSFER LENGTH, blocks; 0: no limit */
	if (max && max < l->max_blocks)
		l->max_blocks = max;
}

int ini_lun_open(struct ini_session *s, uint64_t lun, struct ini_lun *l, char *err, size_t errlen)
{
	struct ini_scsi_status st = {0};
	struct scsi_inquiry inq;
	uint8_t cdb[16], b[96];
	char what[160];

	memset(l, 0, sizeof(*l));
	l->s = s;
	l->lun = lun;
	cdb_inquiry(cdb, false, 0, 96);
	if (sync_cmd(l, cdb, 6, b, 96, &st) < 0 || scsi_parse_inquiry(b, st.data_len, &inq) < 0)
		goto fail;
	if (inq.qualifier != 0) {
		snprintf(err, errlen, "LUN %llu does not exist on the target",
			 (unsigned long long)lun);
		return -1;
	}
	l->pdt = inq.pdt;
	cdb_read_capacity16(cdb, 32);
	if (sync_cmd(l, cdb, 16, b, 32, &st) < 0 ||
	    scsi_parse_read_capacity16(b, st.data_len, &l->blocks, &l->block_size, &l->thin) < 0) {
		cdb_read_capacity10(cdb);
		if (sync_cmd(l, cdb, 10, b, 8, &st) < 0 ||
		    scsi_parse_read_capacity10(b, st.data_len, &l->blocks, &l->block_size) < 0)
			goto fail;
	}
	if (l->block_size < 512 || l->block_size > 65536) {
		snprintf(err, errlen, "LUN %llu has an unusable block size %u",
			 (unsigned long long)lun, l->block_size);
		return -1;
	}
	l->max_blocks = DEFAULT_MAX_XFER / l->block_size;
	read_limits(l);
	return 0;
fail:
	if (st.result == INI_ERR_SESSION) {
		snprintf(err, errlen, "%s", ini_session_error(s));
		return -1;
	}
	scsi_describe(&st, what, sizeof(what));
	snprintf(err, errlen, "LUN %llu: %s", (unsigned long long)lun, what);
	return -1;
}

struct rw_wait {
	bool done;
	char *err;
	size_t errlen;
	int rc;
};

static void rw_done(void *arg, const char *err)
{
	struct rw_wait *w = arg;

	w->done = true;
	w->rc = err ? -1 : 0;
	if (err)
		snprintf(w->err, w->errlen, "%s", err);
}

int ini_lun_rw_sync(struct ini_lun *l, bool write, uint64_t lba, uint32_t blocks, void *buf,
		    char *err, size_t errlen)
{
	struct rw_wait w = {false, err, errlen, -1};

	if (ini_lun_rw(l, write, lba, blocks, buf, false, rw_done, &w) < 0) {
		snprintf(err, errlen, "blocks %llu+%u lie beyond the end of the LUN",
			 (unsigned long long)lba, blocks);
		return -1;
	}
	while (!w.done)
		if (ini_wait(l->s, &w.done, -1) < 0 && !w.done)
			break;
	return w.done ? w.rc : -1;
}
