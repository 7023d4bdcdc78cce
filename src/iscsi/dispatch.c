#include "iscsi/dispatch.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "iscsi/conn.h"
#include "iscsi/login.h"
#include "iscsi/session.h"
#include "iscsi/task.h"
#include "iscsi/task_mgmt.h"
#include "iscsi/text.h"

static void nop_out(struct iscsi_conn *conn, const struct iscsi_nop *req, const uint8_t *data,
		    uint32_t len)
{
	struct iscsi_nop rsp;

	if (req->itt == htonl(ISCSI_RSVD_TAG)) {
		/* An answer to our ping, or a ping that wants no answer. */
		if (req->ttt != htonl(ISCSI_RSVD_TAG) && ntohl(req->ttt) == conn->nop_ttt)
			conn->nop_ttt = ISCSI_RSVD_TAG;
		return;
	}
	memset(&rsp, 0, sizeof(rsp));
	rsp.opcode = ISCSI_OP_NOP_IN;
	rsp.flags = ISCSI_FLAG_FINAL;
	memcpy(rsp.lun, req->lun, sizeof(rsp.lun));
	rsp.itt = req->itt;
	rsp.ttt = htonl(ISCSI_RSVD_TAG);
	iscsi_conn_fill_sn(conn, &rsp.sn, &rsp.sn2, &rsp.maxcmdsn, true);
	/* The ping data comes back unchanged. */
	iscsi_conn_send_pdu(conn, &rsp, data, len);
}

static void close_after_logout(struct iscsi_conn *conn)
{
	iscsi_conn_close(conn, "logged out");
}

static void logout(struct iscsi_conn *conn, const struct iscsi_logout_req *req)
{
	struct iscsi_logout_rsp rsp;
	struct tx_pdu *p;
	uint8_t reason = req->flags & 0x7f;

	memset(&rsp, 0, sizeof(rsp));
	rsp.opcode = ISCSI_OP_LOGOUT_RSP;
	rsp.flags = ISCSI_FLAG_FINAL;
	rsp.itt = req->itt;
	if (reason == ISCSI_LOGOUT_REMOVE_FOR_RECOVERY) {
		/* Connection recovery needs ErrorRecoveryLevel 2. */
		rsp.response = ISCSI_LOGOUT_RSP_RECOVERY_UNSUPPORTED;
		iscsi_conn_fill_sn(conn, &rsp.statsn, &rsp.expcmdsn, &rsp.maxcmdsn, true);
		iscsi_conn_send_pdu(conn, &rsp, NULL, 0);
		return;
	}
	rsp.response = ISCSI_LOGOUT_RSP_OK;
	rsp.time2wait = htons(0);
	rsp.time2retain = htons(0);
	iscsi_conn_fill_sn(conn, &rsp.statsn, &rsp.expcmdsn, &rsp.maxcmdsn, true);
	p = iscsi_conn_send_pdu(conn, &rsp, NULL, 0);
	p->after = close_after_logout;
	conn->state = CONN_LOGOUT; /* read nothing more */
	if (conn->session && conn->session->type == SESSION_NORMAL)
		log_info("session %u of %s logged out", conn->session->tsih,
			 conn->session->initiator_name);
}

/* Handle a PDU whose CmdSN turn has come (or that is immediate). */
static void process_ordered(struct iscsi_conn *conn, const struct iscsi_bhs *bhs,
			    const uint8_t *data, uint32_t len, struct iscsi_task *task)
{
	switch (iscsi_bhs_opcode(bhs)) {
	case ISCSI_OP_SCSI_CMD:
		if (task) /* always set for SCSI Commands */
			iscsi_task_deliver(task);
		break;
	case ISCSI_OP_NOP_OUT:
		nop_out(conn, (const struct iscsi_nop *)bhs, data, len);
		break;
	case ISCSI_OP_TEXT_REQ:
		iscsi_text_rx(conn, (const struct iscsi_text *)bhs, data, len);
		break;
	case ISCSI_OP_TMF_REQ:
		iscsi_tmf_rx(conn, (const struct iscsi_tmf_req *)bhs);
		break;
	case ISCSI_OP_LOGOUT_REQ:
		logout(conn, (const struct iscsi_logout_req *)bhs);
		break;
	default:
		break;
	}
}

static void queue_ahead(struct iscsi_session *sess, uint32_t cmdsn, const struct iscsi_bhs *bhs,
			const uint8_t *data, uint32_t len, struct iscsi_task *task)
{
	struct queued_pdu *q = xcalloc(1, sizeof(*q));
	struct list_node *pos;

	q->cmdsn = cmdsn;
	q->task = task;
	memcpy(q->bhs, bhs, ISCSI_BHS_LEN);
	if (task == NULL && len) {
		q->data = xmalloc(len);
		memcpy(q->data, data, len);
		q->len = len;
	}
	list_for_each(pos, &sess->queued)
	{
		struct queued_pdu *o = list_entry(pos, struct queued_pdu, node);
		if (o->cmdsn == cmdsn) {
			/* A second PDU with a CmdSN we hold: drop it. */
			if (task)
				iscsi_task_discard(task);
			free(q->data);
			free(q);
			return;
		}
		if (sn_lt(cmdsn, o->cmdsn))
			break;
	}
	list_insert_between(&q->node, pos->prev, pos);
}

/* Deliver the queued PDUs whose turn has come. */
static void drain_queue(struct iscsi_conn *conn, struct iscsi_session *sess)
{
	while (!list_empty(&sess->queued) && conn->state == CONN_FULL_FEATURE) {
		struct queued_pdu *q = list_first(&sess->queued, struct queued_pdu, node);
		if (q->cmdsn != sess->exp_cmdsn)
			break;
		list_del(&q->node);
		sess->exp_cmdsn++;
		if (q->task == NULL)
			iscsi_session_credit(sess);
		process_ordered(conn, (const struct iscsi_bhs *)q->bhs, q->data, q->len, q->task);
		free(q->data);
		free(q);
	}
}

/* RFC 7143 4.2.2.1: non-immediate commands are delivered in CmdSN order;
 * ones outside the window are silently ignored. */
static void sequence(struct iscsi_conn *conn, const struct iscsi_bhs *bhs, const uint8_t *data,
		     uint32_t len, struct iscsi_task *task)
{
	struct iscsi_session *sess = conn->session;
	uint32_t cmdsn = ntohl(((const struct iscsi_scsi_cmd *)bhs)->cmdsn);

	if (iscsi_bhs_immediate(bhs)) {
		process_ordered(conn, bhs, data, len, task);
		return;
	}
	if (cmdsn == sess->exp_cmdsn) {
		sess->exp_cmdsn++;
		if (task == NULL)
			iscsi_session_credit(sess); /* non-SCSI PDUs finish at once */
		process_ordered(conn, bhs, data, len, task);
		drain_queue(conn, sess);
		return;
	}
	if (iscsi_session_cmdsn_in_window(sess, cmdsn)) {
		queue_ahead(sess, cmdsn, bhs, data, len, task);
		return;
	}
	log_debug("session %u: %s with CmdSN %u outside the window [%u, %u] ignored", sess->tsih,
		  iscsi_opcode_name(bhs->opcode), cmdsn, sess->exp_cmdsn, sess->max_cmdsn);
	if (task)
		iscsi_task_discard(task);
}

void iscsi_dispatch_pdu(struct iscsi_conn *conn, const struct iscsi_bhs *bhs, const uint8_t *data,
			uint32_t len, struct iscsi_task *task)
{
	uint8_t op = iscsi_bhs_opcode(bhs);

	if (conn->state == CONN_LOGIN) {
		iscsi_login_rx(conn, (const struct iscsi_login_req *)bhs, data, len);
		return;
	}
	if (conn->state != CONN_FULL_FEATURE)
		return;
	switch (op) {
	case ISCSI_OP_DATA_OUT:
		if (task)
			iscsi_task_data_out_done(conn, task, (const struct iscsi_data *)bhs);
		return;
	case ISCSI_OP_SCSI_CMD:
		if (task == NULL)
			return;
		if (conn->session->type != SESSION_NORMAL) {
			iscsi_task_discard(task);
			iscsi_conn_reject(conn, bhs, ISCSI_REJECT_PROTOCOL_ERROR);
			return;
		}
		iscsi_task_cmd_received(conn, task);
		sequence(conn, bhs, data, len, task);
		return;
	case ISCSI_OP_NOP_OUT:
	case ISCSI_OP_TEXT_REQ:
	case ISCSI_OP_TMF_REQ:
	case ISCSI_OP_LOGOUT_REQ:
		sequence(conn, bhs, data, len, NULL);
		return;
	case ISCSI_OP_SNACK_REQ:
	default:
		/* SNACK needs ErrorRecoveryLevel 1. */
		iscsi_conn_reject(conn, bhs, ISCSI_REJECT_CMD_NOT_SUPPORTED);
		return;
	}
}
