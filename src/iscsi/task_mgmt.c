#include "iscsi/task_mgmt.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "iscsi/conn.h"
#include "iscsi/session.h"
#include "iscsi/task.h"
#include "scsi/tmf.h"

/* iSCSI TMF response codes (RFC 7143 11.6.1). */
enum {
	RSP_COMPLETE = 0,
	RSP_NO_TASK = 1,
	RSP_NO_LUN = 2,
	RSP_TASK_ALLEGIANT = 3,
	RSP_REASSIGN_UNSUPPORTED = 4,
	RSP_NOT_SUPPORTED = 5,
	RSP_AUTH_FAILED = 6,
	RSP_REJECTED = 255,
};

#define ISCSI_TMF_TASK_REASSIGN 8

struct tmf_req {
	struct scsi_tmf tmf;
	struct iscsi_conn *conn;
	uint32_t itt;
	uint8_t function;
};

static void close_after_cold_reset(struct iscsi_conn *conn)
{
	iscsi_conn_close(conn, "target cold reset");
}

static void send_tmf_rsp(struct iscsi_conn *conn, uint32_t itt, uint8_t response,
			 uint8_t function)
{
	struct iscsi_tmf_rsp rsp;
	struct tx_pdu *p;

	if (conn->state != CONN_FULL_FEATURE)
		return;
	memset(&rsp, 0, sizeof(rsp));
	rsp.opcode = ISCSI_OP_TMF_RSP;
	rsp.flags = ISCSI_FLAG_FINAL;
	rsp.response = response;
	rsp.itt = htonl(itt);
	iscsi_conn_fill_sn(conn, &rsp.statsn, &rsp.expcmdsn, &rsp.maxcmdsn, true);
	p = iscsi_conn_send_pdu(conn, &rsp, NULL, 0);
	if (function == TMF_TARGET_COLD_RESET && response == RSP_COMPLETE)
		p->after = close_after_cold_reset;
	iscsi_conn_kick(conn);
}

static uint8_t map_response(enum scsi_tmf_response r)
{
	switch (r) {
	case TMF_RSP_COMPLETE:
	case TMF_RSP_SUCCEEDED:
		return RSP_COMPLETE;
	case TMF_RSP_NO_TASK:
		return RSP_NO_TASK;
	case TMF_RSP_NO_LUN:
		return RSP_NO_LUN;
	case TMF_RSP_TASK_ALLEGIANT:
		return RSP_TASK_ALLEGIANT;
	case TMF_RSP_NOT_SUPPORTED:
		return RSP_NOT_SUPPORTED;
	case TMF_RSP_AUTH_FAILED:
		return RSP_AUTH_FAILED;
	default:
		return RSP_REJECTED;
	}
}

static void tmf_done(struct scsi_tmf *tmf, enum scsi_tmf_response rsp)
{
	struct tmf_req *r = container_of(tmf, struct tmf_req, tmf);

	send_tmf_rsp(r->conn, r->itt, map_response(rsp), r->function);
	iscsi_conn_release(r->conn);
	free(r);
}

/* Drop the tasks of this session that have not reached the SCSI core yet
 * (still waiting for data or for their CmdSN turn), for one LUN or all. */
static void drop_collecting(struct iscsi_session *sess, bool all_luns, uint64_t lun)
{
	for (unsigned i = 0; i < SESSION_TASK_HASH; i++) {
		struct list_node *pos, *tmp;
		list_for_each_safe(pos, tmp, &sess->tasks_by_itt[i])
		{
			struct iscsi_task *t = list_entry(pos, struct iscsi_task, hash_node);
			if (t->state == TASK_COLLECTING && t->delivered &&
			    (all_luns || t->cmd.lun == lun))
				iscsi_task_discard(t);
		}
	}
}

static void submit(struct iscsi_conn *conn, const struct iscsi_tmf_req *req, uint8_t function,
		   uint64_t lun)
{
	struct tmf_req *r = xcalloc(1, sizeof(*r));

	r->conn = conn;
	iscsi_conn_hold(conn);
	r->itt = ntohl(req->itt);
	r->function = function;
	r->tmf.nexus = conn->session->nexus;
	r->tmf.func = (enum scsi_tmf_func)function;
	r->tmf.lun = lun;
	r->tmf.ref_tag = ntohl(req->rtt);
	r->tmf.done = tmf_done;
	r->tmf.transport_priv = r;
	scsi_tmf_submit(&r->tmf);
}

static void abort_task(struct iscsi_conn *conn, const struct iscsi_tmf_req *req, uint64_t lun)
{
	struct iscsi_session *sess = conn->session;
	struct iscsi_task *t = iscsi_task_find(sess, ntohl(req->rtt));
	uint32_t refcmdsn = ntohl(req->refcmdsn);

	if (t == NULL || t->state == TASK_RESPONDING) {
		/* RFC 7143 11.5.1: a task that was never received, whose
		 * RefCmdSN is inside the window and before this request's
		 * CmdSN, counts as aborted; one already answered, or outside
		 * the window, does not exist. */
		bool unreceived = t == NULL && iscsi_session_cmdsn_in_window(sess, refcmdsn) &&
				  sn_lt(refcmdsn, ntohl(req->cmdsn));
		send_tmf_rsp(conn, ntohl(req->itt), unreceived ? RSP_COMPLETE : RSP_NO_TASK,
			     TMF_ABORT_TASK);
		return;
	}
	if (t->state == TASK_COLLECTING) {
		iscsi_task_discard(t);
		send_tmf_rsp(conn, ntohl(req->itt), RSP_COMPLETE, TMF_ABORT_TASK);
		return;
	}
	submit(conn, req, TMF_ABORT_TASK, lun);
}

void iscsi_tmf_rx(struct iscsi_conn *conn, const struct iscsi_tmf_req *req)
{
	uint8_t function = req->function & 0x7f;
	uint64_t lun = iscsi_lun_decode(req->lun);
	struct iscsi_session *sess = conn->session;

	if (sess->type != SESSION_NORMAL) {
		iscsi_conn_reject(conn, req, ISCSI_REJECT_PROTOCOL_ERROR);
		return;
	}
	log_debug("session %u: task management function %u for LUN %llu", sess->tsih, function,
		  (unsigned long long)lun);
	switch (function) {
	case TMF_ABORT_TASK:
		abort_task(conn, req, lun);
		return;
	case TMF_ABORT_TASK_SET:
	case TMF_CLEAR_TASK_SET:
	case TMF_LOGICAL_UNIT_RESET:
		drop_collecting(sess, false, lun);
		submit(conn, req, function, lun);
		return;
	case TMF_TARGET_WARM_RESET:
	case TMF_TARGET_COLD_RESET:
		drop_collecting(sess, true, 0);
		submit(conn, req, function, lun);
		return;
	case TMF_CLEAR_ACA:
		submit(conn, req, function, lun);
		return;
	case ISCSI_TMF_TASK_REASSIGN:
		/* Task reassignment needs ErrorRecoveryLevel 2. */
		send_tmf_rsp(conn, ntohl(req->itt), RSP_REASSIGN_UNSUPPORTED, function);
		return;
	default:
		send_tmf_rsp(conn, ntohl(req->itt), RSP_NOT_SUPPORTED, function);
		return;
	}
}
