/* Control PDUs: NOP-Out pings and answers to the target's NOP-In, task
 * management, SendTargets text requests and logout. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "initiator/internal.h"

static struct ini_task *new_ctl(struct ini_session *s, enum ini_task_kind kind, bool immediate)
{
	struct ini_task *t;

	if (s->state == INI_DEAD || s->state == INI_CLOSED)
		return NULL;
	t = xcalloc(1, sizeof(*t));
	t->kind = kind;
	t->immediate = immediate;
	t->start_ms = now_ms();
	return t;
}

static int queue_ctl(struct ini_session *s, struct ini_task *t)
{
	/* Immediate PDUs go ahead of commands waiting for the window. */
	if (t->immediate)
		list_add_head(&s->waiting, &t->node);
	else
		list_add_tail(&s->waiting, &t->node);
	s->busy++;
	ini_kick(s);
	return 0;
}

int ini_nop_submit(struct ini_session *s, ini_nop_cb cb, void *arg)
{
	struct ini_task *t = new_ctl(s, TK_NOP, true);

	if (t == NULL)
		return -1;
	t->nop_cb = cb;
	t->arg = arg;
	return queue_ctl(s, t);
}

int ini_tmf_submit(struct ini_session *s, enum ini_tmf_fn fn, uint64_t lun, struct ini_task *ref,
		   ini_tmf_cb cb, void *arg)
{
	struct ini_task *t;

	if (fn == INI_TMF_ABORT_TASK && ref == NULL)
		return -1;
	if (ref && !ref->sent) {
		/* Never sent: nothing to ask the target, it goes here. */
		ini_task_done(s, ref, INI_ERR_ABORTED);
		if (cb)
			cb(s, 0, arg);
		return 0;
	}
	t = new_ctl(s, TK_TMF, true);
	if (t == NULL)
		return -1;
	t->tmf_fn = (uint8_t)fn;
	t->lun = ref ? ref->lun : lun;
	t->ref_itt = ref ? ref->itt : ISCSI_RSVD_TAG;
	t->ref_cmdsn = ref ? ref->cmdsn : 0;
	t->tmf_cb = cb;
	t->arg = arg;
	return queue_ctl(s, t);
}

int ini_sendtargets_submit(struct ini_session *s, ini_text_cb cb, void *arg)
{
	struct ini_task *t = new_ctl(s, TK_TEXT, false);

	if (t == NULL)
		return -1;
	t->text_cb = cb;
	t->text_ttt = ISCSI_RSVD_TAG;
	t->arg = arg;
	return queue_ctl(s, t);
}

int ini_logout_submit(struct ini_session *s, ini_logout_cb cb, void *arg)
{
	struct ini_task *t = new_ctl(s, TK_LOGOUT, false);

	if (t == NULL)
		return -1;
	t->logout_cb = cb;
	t->arg = arg;
	return queue_ctl(s, t);
}

static void send_text(struct ini_session *s, struct ini_task *t, bool first)
{
	static const char st[] = "SendTargets=All";
	struct iscsi_text r = {0};

	r.opcode = ISCSI_OP_TEXT_REQ;
	r.flags = ISCSI_FLAG_FINAL;
	r.itt = htonl(t->itt);
	r.ttt = htonl(t->text_ttt);
	r.sn = htonl(t->cmdsn);
	r.sn2 = htonl(s->expstatsn);
	ini_send(s, &r, first ? (const uint8_t *)st : NULL, first ? sizeof(st) : 0, NULL);
}

static void send_nop_out(struct ini_session *s, uint32_t itt, uint32_t ttt, uint32_t cmdsn,
			 const uint8_t *data, uint32_t len)
{
	struct iscsi_nop n = {0};
	void *copy = NULL;

	n.opcode = ISCSI_FLAG_IMMEDIATE; /* and opcode 0x00, NOP-Out */
	n.flags = ISCSI_FLAG_FINAL;
	n.itt = htonl(itt);
	n.ttt = htonl(ttt);
	n.sn = htonl(cmdsn);
	n.sn2 = htonl(s->expstatsn);
	if (len) {
		copy = xmalloc(len);
		memcpy(copy, data, len);
	}
	ini_send(s, &n, copy, len, copy);
}

void ini_ctl_send(struct ini_session *s, struct ini_task *t)
{
	struct iscsi_tmf_req m = {0};
	struct iscsi_logout_req l = {0};

	t->itt = ini_alloc_itt(s);
	switch (t->kind) {
	case TK_NOP:
		send_nop_out(s, t->itt, ISCSI_RSVD_TAG, t->cmdsn, NULL, 0);
		break;
	case TK_TMF:
		m.opcode = ISCSI_OP_TMF_REQ | ISCSI_FLAG_IMMEDIATE;
		m.function = (uint8_t)(ISCSI_FLAG_FINAL | t->tmf_fn);
		iscsi_lun_encode(m.lun, t->lun);
		m.itt = htonl(t->itt);
		m.rtt = htonl(t->ref_itt);
		m.cmdsn = htonl(t->cmdsn);
		m.expstatsn = htonl(s->expstatsn);
		m.refcmdsn = htonl(t->ref_cmdsn);
		ini_send(s, &m, NULL, 0, NULL);
		break;
	case TK_TEXT:
		send_text(s, t, true);
		break;
	case TK_LOGOUT:
		l.opcode = ISCSI_OP_LOGOUT_REQ;
		l.flags = ISCSI_FLAG_FINAL | ISCSI_LOGOUT_CLOSE_SESSION;
		l.itt = htonl(t->itt);
		l.cid = htons(s->cid);
		l.cmdsn = htonl(t->cmdsn);
		l.expstatsn = htonl(s->expstatsn);
		ini_send(s, &l, NULL, 0, NULL);
		break;
	default:
		break;
	}
}

/* The target pings (TTT set: it wants an answer) or answers our ping. */
void ini_nop_in(struct ini_session *s, const struct iscsi_nop *n, const uint8_t *data, uint32_t len)
{
	uint32_t itt = ntohl(n->itt), ttt = ntohl(n->ttt);
	struct ini_task *t;

	ini_update_sn(s, ntohl(n->sn), itt != ISCSI_RSVD_TAG, ntohl(n->sn2), ntohl(n->maxcmdsn));
	if (itt == ISCSI_RSVD_TAG) {
		if (ttt != ISCSI_RSVD_TAG)
			send_nop_out(s, ISCSI_RSVD_TAG, ttt, s->cmdsn, data, len);
		return;
	}
	t = ini_task_find(s, itt);
	if (t == NULL || t->kind != TK_NOP) {
		ini_fail(s, "protocol error: a NOP-In for an unknown initiator task tag 0x%08x",
			 itt);
		return;
	}
	ini_task_done(s, t, INI_OK);
}

/* Commands the target dropped for a task management function. */
static void abort_matching(struct ini_session *s, const struct ini_task *tmf)
{
	struct list_node *pos, *tmp;

	list_for_each_safe(pos, tmp, &s->active)
	{
		struct ini_task *t = list_entry(pos, struct ini_task, node);

		if (t->kind != TK_SCSI)
			continue;
		if ((tmf->tmf_fn == INI_TMF_ABORT_TASK && t->itt == tmf->ref_itt) ||
		    ((tmf->tmf_fn == INI_TMF_ABORT_TASK_SET || tmf->tmf_fn == INI_TMF_LUN_RESET) &&
		     t->lun == tmf->lun) ||
		    tmf->tmf_fn == INI_TMF_TARGET_WARM_RESET)
			ini_task_done(s, t, INI_ERR_ABORTED);
	}
}

static void text_rsp(struct ini_session *s, struct ini_task *t, const struct iscsi_text *r,
		     const uint8_t *data, uint32_t len)
{
	uint8_t *n;

	if (t->text_len + len > ISCSI_TEXT_MAX) {
		ini_fail(s, "protocol error: a text response longer than %u bytes", ISCSI_TEXT_MAX);
		return;
	}
	n = realloc(t->text, t->text_len + len + 1);
	if (n == NULL) {
		ini_fail(s, "out of memory for a text response");
		return;
	}
	t->text = n;
	memcpy(t->text + t->text_len, data, len);
	t->text_len += len;
	if (r->flags & ISCSI_FLAG_FINAL) {
		ini_task_done(s, t, INI_OK);
		return;
	}
	/* Continued: ask for the rest with the target's transfer tag. */
	t->text_ttt = ntohl(r->ttt);
	send_text(s, t, false);
}

void ini_ctl_rsp(struct ini_session *s, const uint8_t *hdr, const uint8_t *data, uint32_t len)
{
	const struct iscsi_tmf_rsp *r = (const void *)hdr;
	uint8_t op = iscsi_bhs_opcode(hdr);
	struct ini_task *t = ini_task_find(s, ntohl(r->itt));
	enum ini_task_kind want = op == ISCSI_OP_TMF_RSP    ? TK_TMF
				  : op == ISCSI_OP_TEXT_RSP ? TK_TEXT
							    : TK_LOGOUT;

	ini_update_sn(s, ntohl(r->statsn), true, ntohl(r->expcmdsn), ntohl(r->maxcmdsn));
	if (t == NULL || t->kind != want) {
		ini_fail(s, "protocol error: a %s for an unknown initiator task tag 0x%08x",
			 iscsi_opcode_name(op), ntohl(r->itt));
		return;
	}
	t->st.response = r->response;
	if (op == ISCSI_OP_TEXT_RSP) {
		text_rsp(s, t, (const void *)hdr, data, len);
	} else if (op == ISCSI_OP_TMF_RSP) {
		if (r->response == 0)
			abort_matching(s, t);
		ini_task_done(s, t, INI_OK);
	} else {
		ini_task_done(s, t, INI_OK);
		s->state = INI_CLOSED;
		ini_conn_close(s);
	}
}

/* Idle too long: ping; a ping unanswered too long: the link is dead. */
void ini_keepalive(struct ini_session *s)
{
	if (s->nop_pending) {
		ini_conn_lost(s,
			      "the target at %s port %u stopped answering (no NOP-In within %u "
			      "s)",
			      s->cfg.host, s->cfg.port, s->cfg.nop_timeout_ms / 1000);
		return;
	}
	if (ini_nop_submit(s, NULL, NULL) == 0) {
		s->nop_pending = true;
		s->nop_sent_ms = now_ms();
	}
}
