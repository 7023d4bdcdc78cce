/* SCSI Command PDUs and their data: immediate and unsolicited data,
 * Data-Out on R2T, and the status that ends a command. */
#include <arpa/inet.h>
#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "initiator/internal.h"

struct ini_task *ini_scsi_submit(struct ini_session *s, uint64_t lun, const uint8_t *cdb,
				 unsigned cdb_len, enum ini_dir dir, void *buf, uint32_t len,
				 ini_scsi_cb cb, void *arg)
{
	struct ini_task *t;

	if (s->state == INI_DEAD || s->state == INI_CLOSED || cdb_len == 0 || cdb_len > 16 ||
	    (len && buf == NULL) || (dir == INI_DIR_NONE && len))
		return NULL;
	t = xcalloc(1, sizeof(*t));
	t->kind = TK_SCSI;
	t->lun = lun;
	memcpy(t->cdb, cdb, cdb_len);
	t->cdb_len = cdb_len;
	t->dir = dir;
	t->buf = buf;
	t->len = len;
	t->scsi_cb = cb;
	t->arg = arg;
	t->start_ms = now_ms();
	ini_task_reset(t);
	list_add_tail(&s->waiting, &t->node);
	s->busy++;
	ini_kick(s);
	return t;
}

/* Back to "never sent", for a retry on a new connection. */
void ini_task_reset(struct ini_task *t)
{
	ini_datain_init(&t->in, t->len, t->dir == INI_DIR_READ);
	t->unsolicited_end = 0;
	t->sent = false;
	memset(&t->st, 0, sizeof(t->st));
}

/* Data-Out PDUs for [off, end) of a write, answering ttt. */
static void send_data_out(struct ini_session *s, struct ini_task *t, uint32_t ttt, uint32_t off,
			  uint32_t end)
{
	uint32_t sn = 0;

	while (off < end) {
		struct iscsi_data d = {0};
		uint32_t n = MIN(end - off, s->neg.max_xmit_dsl);

		d.opcode = ISCSI_OP_DATA_OUT;
		d.flags = off + n == end ? ISCSI_FLAG_FINAL : 0;
		iscsi_lun_encode(d.lun, t->lun);
		d.itt = htonl(t->itt);
		d.ttt = htonl(ttt);
		d.expcmdsn = htonl(s->expstatsn); /* ExpStatSN in a Data-Out */
		d.datasn = htonl(sn++);
		d.offset = htonl(off);
		ini_send(s, &d, t->buf + off, n, NULL);
		off += n;
	}
}

void ini_scsi_send(struct ini_session *s, struct ini_task *t)
{
	struct iscsi_scsi_cmd c = {0};
	uint32_t imm = 0, unsol = 0;

	t->itt = ini_alloc_itt(s);
	if (t->dir == INI_DIR_WRITE) {
		if (!s->neg.initial_r2t)
			unsol = MIN(t->len, s->neg.first_burst);
		if (s->neg.immediate_data)
			imm = MIN(MIN(t->len, s->neg.first_burst), s->neg.max_xmit_dsl);
		unsol = MAX(unsol, imm);
	}
	c.opcode = ISCSI_OP_SCSI_CMD;
	c.flags = (uint8_t)((unsol == imm ? ISCSI_FLAG_FINAL : 0) | 1 /* simple task */ |
			    (t->dir == INI_DIR_READ ? ISCSI_CMD_READ : 0) |
			    (t->dir == INI_DIR_WRITE ? ISCSI_CMD_WRITE : 0));
	iscsi_lun_encode(c.lun, t->lun);
	c.itt = htonl(t->itt);
	c.edtl = htonl(t->len);
	c.cmdsn = htonl(t->cmdsn);
	c.expstatsn = htonl(s->expstatsn);
	memcpy(c.cdb, t->cdb, t->cdb_len);
	ini_send(s, &c, imm ? t->buf : NULL, imm, NULL);
	if (unsol > imm)
		send_data_out(s, t, ISCSI_RSVD_TAG, imm, unsol);
	t->unsolicited_end = unsol;
}

void ini_scsi_r2t(struct ini_session *s, const struct iscsi_r2t *r)
{
	struct ini_task *t = ini_task_find(s, ntohl(r->itt));
	uint32_t off = ntohl(r->offset), len = ntohl(r->length);

	ini_update_sn(s, ntohl(r->statsn), false, ntohl(r->expcmdsn), ntohl(r->maxcmdsn));
	if (t == NULL || t->kind != TK_SCSI) {
		ini_fail(s, "protocol error: an R2T for an unknown initiator task tag 0x%08x",
			 ntohl(r->itt));
		return;
	}
	if (t->dir != INI_DIR_WRITE || len == 0 || off > t->len || len > t->len - off ||
	    len > s->neg.max_burst) {
		ini_fail(s,
			 "protocol error: an R2T for bytes %u+%u of task 0x%08x, which %s %u "
			 "bytes (MaxBurstLength %u)",
			 off, len, t->itt, t->dir == INI_DIR_WRITE ? "writes" : "does not write",
			 t->len, s->neg.max_burst);
		return;
	}
	if (ntohl(r->ttt) == ISCSI_RSVD_TAG) {
		ini_fail(s, "protocol error: an R2T with the reserved target transfer tag");
		return;
	}
	send_data_out(s, t, ntohl(r->ttt), off, off + len);
}

static void finish(struct ini_session *s, struct ini_task *t, uint8_t response, uint8_t status,
		   uint8_t flags, uint32_t residual)
{
	const char *why;

	t->st.response = response;
	t->st.status = status;
	t->st.underflow = (flags & ISCSI_RSP_UNDERFLOW) != 0;
	t->st.overflow = (flags & ISCSI_RSP_OVERFLOW) != 0;
	t->st.residual = (t->st.underflow || t->st.overflow) ? residual : 0;
	t->st.data_len = t->in.got;
	if (response == ISCSI_RESPONSE_COMPLETED &&
	    ini_datain_final(&t->in, status, t->st.underflow, t->st.overflow, residual, &why) < 0) {
		ini_fail(s, "protocol error: %s (task 0x%08x: %u of %u bytes, residual %u)", why,
			 t->itt, t->in.got, t->len, residual);
		return;
	}
	ini_task_done(s, t, INI_OK);
}

void ini_datain_done(struct ini_session *s, struct ini_task *t, const struct iscsi_data *d)
{
	finish(s, t, ISCSI_RESPONSE_COMPLETED, d->status, d->flags, ntohl(d->residual));
}

void ini_scsi_rsp(struct ini_session *s, const struct iscsi_scsi_rsp *r, const uint8_t *data,
		  uint32_t len)
{
	struct ini_task *t = ini_task_find(s, ntohl(r->itt));

	ini_update_sn(s, ntohl(r->statsn), true, ntohl(r->expcmdsn), ntohl(r->maxcmdsn));
	if (t == NULL || t->kind != TK_SCSI) {
		ini_fail(s,
			 "protocol error: a SCSI Response for an unknown initiator task tag "
			 "0x%08x",
			 ntohl(r->itt));
		return;
	}
	if (len) {
		uint32_t slen = len >= 2 ? get_be16(data) : UINT32_MAX;
		if (slen > len - 2) {
			ini_fail(s,
				 "protocol error: a SCSI Response whose sense length %u does not "
				 "fit its %u byte data segment",
				 slen, len);
			return;
		}
		t->st.sense_len = MIN(slen, (uint32_t)INI_SENSE_MAX);
		memcpy(t->st.sense, data + 2, t->st.sense_len);
	}
	finish(s, t, r->response, r->status, r->flags, ntohl(r->residual));
}
