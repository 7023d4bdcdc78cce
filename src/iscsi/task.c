#include "iscsi/task.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "iscsi/session.h"
#include "scsi/nexus.h"
#include "scsi/sense.h"

/* The largest data-out we take for one command; larger writes are refused
 * with CHECK CONDITION rather than buffered. */
#define MAX_WRITE_LEN (64u << 20)

#define AHS_EXTENDED_CDB 1
#define AHS_BIDI_READ_LEN 2

static void task_scsi_done(struct scsi_cmd *cmd);

static unsigned hash_itt(uint32_t itt)
{
	return (itt ^ (itt >> 8)) & (SESSION_TASK_HASH - 1);
}

struct iscsi_task *iscsi_task_find(struct iscsi_session *sess, uint32_t itt)
{
	struct list_node *head = &sess->tasks_by_itt[hash_itt(itt)], *pos;

	list_for_each(pos, head)
	{
		struct iscsi_task *t = list_entry(pos, struct iscsi_task, hash_node);
		if (t->itt == itt)
			return t;
	}
	return NULL;
}

/* Tasks a connection keeps for reuse: enough for a queue depth of 32.
 * Under AddressSanitizer none are kept, so that a task used after it was
 * freed is still caught. */
#if defined(__SANITIZE_ADDRESS__)
#define TASK_CACHE 0
#else
#define TASK_CACHE 1
#endif
#define TASK_CACHE_MAX 32u

static struct iscsi_task *task_alloc(struct iscsi_conn *conn)
{
	struct iscsi_task *task;

	if (conn->task_cache_n == 0)
		return xcalloc(1, sizeof(*task));
	task = list_first(&conn->task_cache, struct iscsi_task, hash_node);
	list_del(&task->hash_node);
	conn->task_cache_n--;
	memset(task, 0, sizeof(*task));
	return task;
}

void iscsi_task_cache_drain(struct iscsi_conn *conn)
{
	while (conn->task_cache_n) {
		struct iscsi_task *t = list_first(&conn->task_cache, struct iscsi_task, hash_node);
		list_del(&t->hash_node);
		conn->task_cache_n--;
		free(t);
	}
}

static void task_free(struct iscsi_task *task)
{
	struct iscsi_conn *conn = task->conn;

	list_del(&task->hash_node);
	task->sess->ntasks--;
	if (task->consumed_window)
		iscsi_session_credit(task->sess);
	scsi_cmd_release(&task->cmd);
	if (TASK_CACHE && conn->state != CONN_CLOSED && conn->task_cache_n < TASK_CACHE_MAX) {
		list_add_tail(&conn->task_cache, &task->hash_node);
		conn->task_cache_n++;
	} else {
		free(task);
	}
	iscsi_conn_release(conn);
}

void iscsi_task_discard(struct iscsi_task *task)
{
	task_free(task);
}

/* Parse the AHSs of a SCSI Command: an extended CDB and the expected
 * bidirectional read length.  Returns 0 or -1 when malformed. */
static int parse_ahs(struct iscsi_task *task, const uint8_t *ahs, uint32_t len)
{
	uint32_t pos = 0;

	while (pos + 4 <= len) {
		uint16_t alen = (uint16_t)((ahs[pos] << 8) | ahs[pos + 1]);
		uint8_t type = ahs[pos + 2];
		uint32_t total = ALIGN_UP(3u + alen, 4u);

		if (pos + total > len || alen == 0)
			return -1;
		if (type == AHS_EXTENDED_CDB) {
			uint32_t extra = alen - 1u; /* a reserved byte leads */
			if (16u + extra > SCSI_MAX_CDB)
				return -1;
			memcpy(task->cmd.cdb + 16, ahs + pos + 4, extra);
			task->cmd.cdb_len = (uint16_t)(16 + extra);
		} else if (type == AHS_BIDI_READ_LEN && alen == 5) {
			const uint8_t *p = ahs + pos + 4;
			task->cmd.in_xfer_len = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
						((uint32_t)p[2] << 8) | p[3];
		} else {
			return -1;
		}
		pos += total;
	}
	return pos == len ? 0 : -1;
}

static void refuse(struct iscsi_conn *conn, const void *hdr, uint8_t reason, const char *why)
{
	log_warn("connection %s: SCSI Command refused: %s", conn->peer, why);
	iscsi_conn_reject(conn, hdr, reason);
}

struct iscsi_task *iscsi_task_from_cmd(struct iscsi_conn *conn, const struct iscsi_scsi_cmd *hdr,
				       const uint8_t *ahs, uint32_t ahslen, uint8_t **dst)
{
	struct iscsi_session *sess = conn->session;
	uint32_t itt = ntohl(hdr->itt);
	uint32_t dlen = iscsi_bhs_datalen(hdr);
	bool rd = hdr->flags & ISCSI_CMD_READ, wr = hdr->flags & ISCSI_CMD_WRITE;
	struct iscsi_task *task;

	*dst = NULL;
	if (sess == NULL || sess->type != SESSION_NORMAL) {
		refuse(conn, hdr, ISCSI_REJECT_PROTOCOL_ERROR,
		       "SCSI command in a discovery session");
		return NULL;
	}
	if (itt == ISCSI_RSVD_TAG || iscsi_task_find(sess, itt)) {
		refuse(conn, hdr, ISCSI_REJECT_TASK_IN_PROGRESS, "task tag reserved or in use");
		return NULL;
	}
	if (dlen && (!wr || !conn->params.immediate_data || dlen > conn->params.first_burst ||
		     dlen > ntohl(hdr->edtl))) {
		refuse(conn, hdr, ISCSI_REJECT_PROTOCOL_ERROR,
		       "immediate data not allowed, or more than FirstBurstLength or the "
		       "expected length");
		return NULL;
	}
	task = task_alloc(conn);
	task->sess = sess;
	task->conn = conn;
	iscsi_conn_hold(conn);
	task->itt = itt;
	task->cmdsn = ntohl(hdr->cmdsn);
	task->immediate = iscsi_bhs_immediate(hdr);
	task->edtl = ntohl(hdr->edtl);
	task->state = TASK_COLLECTING;
	memcpy(task->cmd.cdb, hdr->cdb, 16);
	task->cmd.cdb_len = 16;
	task->cmd.nexus = sess->nexus;
	task->cmd.lun = iscsi_lun_decode(hdr->lun);
	task->cmd.attr = (enum scsi_task_attr)(hdr->flags & ISCSI_CMD_ATTR_MASK);
	task->cmd.tag = itt;
	task->cmd.dir = (enum scsi_dir)((rd ? SCSI_DIR_READ : 0) | (wr ? SCSI_DIR_WRITE : 0));
	task->cmd.xfer_len = task->edtl;
	task->cmd.in_xfer_len = rd ? task->edtl : 0;
	task->cmd.done = task_scsi_done;
	task->cmd.transport_priv = task;
	task->cmd.in_sent_unread = !conn->params.data_digest;
	memcpy(task->lun_raw, hdr->lun, 8);
	list_add_tail(&sess->tasks_by_itt[hash_itt(itt)], &task->hash_node);
	sess->ntasks++;

	if (ahslen && parse_ahs(task, ahs, ahslen) < 0) {
		/* Answered with CHECK CONDITION when its turn comes. */
		task->failed = true;
		scsi_sense_set(&task->cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	}
	if (wr) {
		if (!rd)
			task->cmd.in_xfer_len = 0;
		task->unsolicited_end =
		    conn->params.initial_r2t ? dlen : MIN(conn->params.first_burst, task->edtl);
		task->unsol_next = dlen;
		task->r2t_next_offset = task->unsolicited_end;
		if (task->edtl > MAX_WRITE_LEN && !task->failed) {
			task->failed = true;
			scsi_sense_set(&task->cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
		}
		if (!task->failed && task->edtl) {
			if (scsi_buf_alloc_raw(&task->cmd.out, task->edtl) < 0) {
				task->failed = true;
				task->cmd.status = SAM_STAT_BUSY;
			} else {
				*dst = task->cmd.out.data;
			}
		}
	}
	return task;
}

void iscsi_task_cmd_received(struct iscsi_conn *conn, struct iscsi_task *task)
{
	(void)conn;
	task->received = task->unsol_next; /* the immediate data */
}

/* ---- R2T ---- */

static void send_r2t(struct iscsi_task *task, unsigned slot)
{
	struct iscsi_conn *conn = task->conn;
	struct iscsi_r2t r2t;

	memset(&r2t, 0, sizeof(r2t));
	r2t.opcode = ISCSI_OP_R2T;
	r2t.flags = ISCSI_FLAG_FINAL;
	memcpy(r2t.lun, task->lun_raw, 8);
	r2t.itt = htonl(task->itt);
	r2t.ttt = htonl(task->r2t[slot].ttt);
	iscsi_conn_fill_sn(conn, &r2t.statsn, &r2t.expcmdsn, &r2t.maxcmdsn, false);
	r2t.r2tsn = htonl(task->r2t_sn++);
	r2t.offset = htonl(task->r2t[slot].offset);
	r2t.length = htonl(task->r2t[slot].len);
	iscsi_conn_send_pdu(conn, &r2t, NULL, 0);
}

/* Ask for the rest of the data, up to MaxOutstandingR2T bursts at once. */
static void issue_r2ts(struct iscsi_task *task)
{
	struct iscsi_conn *conn = task->conn;
	unsigned max = MIN(conn->params.max_outstanding_r2t, (uint32_t)ARRAY_SIZE(task->r2t));

	while (task->r2t_outstanding < max && task->r2t_next_offset < task->edtl &&
	       conn->state == CONN_FULL_FEATURE) {
		unsigned slot = 0;
		while (task->r2t[slot].active)
			slot++;
		task->r2t[slot].active = true;
		task->r2t[slot].ttt = conn->next_ttt++;
		if (task->r2t[slot].ttt == ISCSI_RSVD_TAG)
			task->r2t[slot].ttt = conn->next_ttt++;
		task->r2t[slot].offset = task->r2t_next_offset;
		task->r2t[slot].len =
		    MIN(conn->params.max_burst, task->edtl - task->r2t_next_offset);
		task->r2t[slot].next = task->r2t[slot].offset;
		task->r2t[slot].datasn = 0;
		task->r2t_next_offset += task->r2t[slot].len;
		task->r2t_outstanding++;
		send_r2t(task, slot);
	}
}

/* ---- execution ---- */

static void execute(struct iscsi_task *task)
{
	task->state = TASK_RUNNING;
	if (task->failed) {
		if (task->cmd.status == SAM_STAT_GOOD)
			task->cmd.status = SAM_STAT_CHECK_CONDITION;
		task_scsi_done(&task->cmd);
		return;
	}
	task->cmd.out.len = task->cmd.out.data ? task->edtl : 0;
	scsi_cmd_submit(&task->cmd);
}

static void maybe_execute(struct iscsi_task *task)
{
	bool wr = task->cmd.dir & SCSI_DIR_WRITE;

	if (task->state == TASK_COLLECTING && task->delivered &&
	    (!wr || task->received >= task->edtl))
		execute(task);
}

void iscsi_task_deliver(struct iscsi_task *task)
{
	task->delivered = true;
	task->consumed_window = !task->immediate;
	if ((task->cmd.dir & SCSI_DIR_WRITE) && !task->failed)
		issue_r2ts(task);
	else if (task->cmd.dir & SCSI_DIR_WRITE)
		issue_r2ts(task); /* the data still has to come; it is discarded */
	maybe_execute(task);
}

/* ---- Data-Out ---- */

struct iscsi_task *iscsi_task_data_out_hdr(struct iscsi_conn *conn, const struct iscsi_data *hdr,
					   uint8_t **dst, bool *fatal)
{
	struct iscsi_task *task = iscsi_task_find(conn->session, ntohl(hdr->itt));
	uint32_t ttt = ntohl(hdr->ttt), off = ntohl(hdr->offset), datasn = ntohl(hdr->datasn);
	uint32_t dlen = iscsi_bhs_datalen(hdr);
	const char *why = NULL;

	*dst = NULL;
	*fatal = false;
	if (task == NULL || !(task->cmd.dir & SCSI_DIR_WRITE) || task->state != TASK_COLLECTING) {
		/* Data for a task we no longer (or never) had: drop it. */
		log_debug("connection %s: Data-Out for unknown task 0x%08x dropped", conn->peer,
			  ntohl(hdr->itt));
		return NULL;
	}
	uint32_t want_datasn = task->unsol_datasn;

	if (ttt == ISCSI_RSVD_TAG) {
		if (conn->params.initial_r2t)
			why = "unsolicited Data-Out while InitialR2T=Yes";
		else if (off != task->unsol_next || dlen > task->unsolicited_end - off)
			why = "unsolicited Data-Out outside FirstBurstLength or out of order";
	} else {
		unsigned i;
		for (i = 0; i < ARRAY_SIZE(task->r2t); i++)
			if (task->r2t[i].active && task->r2t[i].ttt == ttt)
				break;
		if (i == ARRAY_SIZE(task->r2t))
			why = "Data-Out with an unknown Target Transfer Tag";
		else if (off != task->r2t[i].next ||
			 dlen > task->r2t[i].offset + task->r2t[i].len - off)
			why = "Data-Out outside the R2T's range or out of order";
		else
			want_datasn = task->r2t[i].datasn;
	}
	if (why) {
		log_warn("connection %s: task 0x%08x: %s", conn->peer, task->itt, why);
		iscsi_conn_reject(conn, hdr, ISCSI_REJECT_PROTOCOL_ERROR);
		iscsi_conn_close(conn, why);
		*fatal = true;
		return NULL;
	}
	if (datasn != want_datasn && !task->failed) {
		/* The data is where it belongs but a PDU went missing or came
		 * twice: fail the command (ErrorRecoveryLevel 0 cannot ask for
		 * it again) and keep the connection. */
		log_warn("connection %s: task 0x%08x: DataSN %u where %u was due; the command "
			 "fails with DATA PHASE ERROR",
			 conn->peer, task->itt, datasn, want_datasn);
		task->failed = true;
		scsi_sense_set(&task->cmd, SK_ABORTED_COMMAND, ASC_DATA_PHASE_ERROR);
	}
	if (task->cmd.out.data && !task->failed)
		*dst = task->cmd.out.data + off;
	return task;
}

void iscsi_task_data_out_done(struct iscsi_conn *conn, struct iscsi_task *task,
			      const struct iscsi_data *hdr)
{
	uint32_t ttt = ntohl(hdr->ttt);
	uint32_t dlen = iscsi_bhs_datalen(hdr);

	(void)conn;
	task->received += dlen;
	if (ttt == ISCSI_RSVD_TAG) {
		task->unsol_next += dlen;
		task->unsol_datasn++;
	} else {
		for (unsigned i = 0; i < ARRAY_SIZE(task->r2t); i++) {
			if (!task->r2t[i].active || task->r2t[i].ttt != ttt)
				continue;
			task->r2t[i].next += dlen;
			task->r2t[i].datasn++;
			if (task->r2t[i].next == task->r2t[i].offset + task->r2t[i].len) {
				task->r2t[i].active = false;
				task->r2t_outstanding--;
				if (task->delivered)
					issue_r2ts(task);
			}
			break;
		}
	}
	maybe_execute(task);
}

/* ---- responses ---- */

static void residual(uint32_t expected, uint32_t actual, uint8_t *flags, uint32_t *count)
{
	if (actual < expected) {
		*flags |= ISCSI_RSP_UNDERFLOW;
		*count = expected - actual;
	} else if (actual > expected) {
		*flags |= ISCSI_RSP_OVERFLOW;
		*count = actual - expected;
	} else {
		*count = 0;
	}
}

/* What the residual is measured against: the data the command really
 * moves, as the device type worked it out, or the expected length. */
static void task_residual(struct iscsi_task *task, uint8_t *flags, uint32_t *count)
{
	struct scsi_cmd *cmd = &task->cmd;

	*count = 0;
	if (cmd->dir & SCSI_DIR_READ)
		residual(cmd->in_xfer_len, cmd->in.len, flags, count);
	else if (cmd->dir & SCSI_DIR_WRITE)
		residual(task->edtl, cmd->out_needed, flags, count);
	else if (cmd->out_needed)
		residual(0, cmd->out_needed, flags, count); /* data-out expected, none announced */
}

static void fill_status(struct iscsi_task *task, uint8_t *flags, uint8_t *status, uint32_t *statsn,
			uint32_t *expcmdsn, uint32_t *maxcmdsn, uint32_t *res)
{
	uint32_t count;

	task_residual(task, flags, &count);
	*status = task->cmd.status;
	*res = htonl(count);
	iscsi_conn_fill_sn(task->conn, statsn, expcmdsn, maxcmdsn, true);
}

static bool rsp_next(struct tx_item *it, struct iscsi_conn *conn, uint8_t *hdr,
		     const uint8_t **data, uint32_t *len)
{
	struct iscsi_task *task = container_of(it, struct iscsi_task, tx);
	struct iscsi_scsi_rsp *rsp = (struct iscsi_scsi_rsp *)hdr;
	struct scsi_cmd *cmd = &task->cmd;

	(void)conn;
	memset(rsp, 0, sizeof(*rsp));
	rsp->opcode = ISCSI_OP_SCSI_RSP;
	rsp->flags = ISCSI_FLAG_FINAL;
	rsp->response = ISCSI_RESPONSE_COMPLETED;
	rsp->itt = htonl(task->itt);
	fill_status(task, &rsp->flags, &rsp->status, &rsp->statsn, &rsp->expcmdsn, &rsp->maxcmdsn,
		    &rsp->residual);
	rsp->expdatasn = htonl((cmd->dir & SCSI_DIR_READ) ? task->datasn : task->r2t_sn);
	*data = NULL;
	*len = 0;
	if (cmd->sense_len) {
		task->rsp_sense[0] = 0;
		task->rsp_sense[1] = cmd->sense_len;
		memcpy(task->rsp_sense + 2, cmd->sense, cmd->sense_len);
		*data = task->rsp_sense;
		*len = cmd->sense_len + 2u;
	}
	iscsi_bhs_set_datalen(rsp, *len);
	return true;
}

/* Data-In PDUs, each at most the initiator's MaxRecvDataSegmentLength,
 * grouped in sequences of MaxBurstLength; the status rides in the last. */
static bool datain_next(struct tx_item *it, struct iscsi_conn *conn, uint8_t *hdr,
			const uint8_t **data, uint32_t *len)
{
	struct iscsi_task *task = container_of(it, struct iscsi_task, tx);
	struct iscsi_data *d = (struct iscsi_data *)hdr;
	uint32_t n, left = task->in_total - task->in_sent;
	bool last;

	if (task->burst_left == 0)
		task->burst_left = conn->params.max_burst;
	n = MIN(MIN(left, conn->params.max_send_dsl), task->burst_left);
	last = n == left;
	memset(d, 0, sizeof(*d));
	d->opcode = ISCSI_OP_DATA_IN;
	memcpy(d->lun, task->lun_raw, 8);
	d->itt = htonl(task->itt);
	d->ttt = htonl(ISCSI_RSVD_TAG);
	d->datasn = htonl(task->datasn++);
	d->offset = htonl(task->in_sent);
	task->burst_left -= n;
	if (last) {
		d->flags = ISCSI_FLAG_FINAL | ISCSI_DATAIN_STATUS;
		fill_status(task, &d->flags, &d->status, &d->statsn, &d->expcmdsn, &d->maxcmdsn,
			    &d->residual);
	} else {
		if (task->burst_left == 0)
			d->flags = ISCSI_FLAG_FINAL;
		iscsi_conn_fill_sn(conn, &d->statsn, &d->expcmdsn, &d->maxcmdsn, false);
		d->statsn = 0;
	}
	iscsi_bhs_set_datalen(d, n);
	*data = task->cmd.in.data + task->in_sent;
	*len = n;
	task->in_sent += n;
	return last;
}

static uint32_t datain_crc(struct tx_item *it, const uint8_t *data, uint32_t len, uint32_t crc)
{
	struct iscsi_task *task = container_of(it, struct iscsi_task, tx);
	struct scsi_cmd *cmd = &task->cmd;

	return cmd->in_crc(cmd, (uint32_t)(data - cmd->in.data), len, crc);
}

static void task_sent(struct tx_item *it, struct iscsi_conn *conn, bool sent)
{
	(void)conn;
	(void)sent;
	task_free(container_of(it, struct iscsi_task, tx));
}

static void respond(struct iscsi_task *task)
{
	struct scsi_cmd *cmd = &task->cmd;
	bool good = cmd->status == SAM_STAT_GOOD || cmd->status == SAM_STAT_CONDITION_MET;

	task->state = TASK_RESPONDING;
	task->in_total = MIN(cmd->in.len, cmd->in_xfer_len);
	task->tx.sent = task_sent;
	task->tx.data_crc = NULL;
	if (good && (cmd->dir & SCSI_DIR_READ) && task->in_total && cmd->sense_len == 0) {
		task->tx.next_pdu = datain_next;
		if (cmd->in_crc)
			task->tx.data_crc = datain_crc;
	} else {
		task->tx.next_pdu = rsp_next;
	}
	iscsi_conn_send(task->conn, &task->tx);
	iscsi_conn_kick(task->conn);
}

static void task_scsi_done(struct scsi_cmd *cmd)
{
	struct iscsi_task *task = cmd->transport_priv;

	if (cmd->aborted || task->conn->state == CONN_CLOSED) {
		task_free(task);
		return;
	}
	respond(task);
}

void iscsi_task_abort_all(struct iscsi_session *sess)
{
	/* PDUs held for their CmdSN turn go first: they point at tasks. */
	while (!list_empty(&sess->queued)) {
		struct queued_pdu *q = list_first(&sess->queued, struct queued_pdu, node);
		list_del(&q->node);
		if (q->task)
			task_free(q->task);
		free(q->data);
		free(q);
	}
	for (unsigned i = 0; i < SESSION_TASK_HASH; i++) {
		struct list_node *pos, *tmp;
		list_for_each_safe(pos, tmp, &sess->tasks_by_itt[i])
		{
			struct iscsi_task *t = list_entry(pos, struct iscsi_task, hash_node);
			/* Running tasks are freed when the SCSI core is done
			 * with them; responding ones when their item fails. */
			if (t->state == TASK_COLLECTING)
				task_free(t);
		}
	}
}
