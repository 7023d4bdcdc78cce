/* What the target sends in full feature phase: every header is checked
 * before its data segment is read, so that data lands only where the
 * command said it may. */
#include <arpa/inet.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "initiator/internal.h"

static uint8_t *datain_dest(struct ini_session *s, const struct iscsi_data *d)
{
	struct ini_task *t = ini_task_find(s, ntohl(d->itt));
	const char *why;
	uint32_t off;

	if (t == NULL || t->kind != TK_SCSI) {
		ini_fail(s,
			 "protocol error: the target sent Data-In for an unknown initiator task "
			 "tag 0x%08x",
			 ntohl(d->itt));
		return NULL;
	}
	if (ini_datain_check(&t->in, d, s->neg.max_recv_dsl, &off, &why) < 0) {
		ini_fail(s,
			 "protocol error: %s (task 0x%08x, offset %u, length %u, expected "
			 "transfer length %u)",
			 why, t->itt, ntohl(d->offset), iscsi_bhs_datalen(d), t->len);
		return NULL;
	}
	s->rx_task = t;
	return t->buf + off;
}

/* Opcodes a target may send, and whether they may carry data. */
static bool known_target_op(uint8_t op)
{
	switch (op) {
	case ISCSI_OP_NOP_IN:
	case ISCSI_OP_SCSI_RSP:
	case ISCSI_OP_TMF_RSP:
	case ISCSI_OP_TEXT_RSP:
	case ISCSI_OP_DATA_IN:
	case ISCSI_OP_LOGOUT_RSP:
	case ISCSI_OP_R2T:
	case ISCSI_OP_ASYNC_MSG:
	case ISCSI_OP_REJECT:
		return true;
	default:
		return false;
	}
}

uint8_t *ini_rx_header(struct ini_session *s)
{
	const uint8_t *hdr = s->rx_hdr;
	uint8_t op = iscsi_bhs_opcode(hdr);
	uint32_t dlen = iscsi_bhs_datalen(hdr);
	uint32_t limit = s->state == INI_LOGIN ? s->rx_scratch_cap - 4 : s->neg.max_recv_dsl;

	if (dlen > limit) {
		ini_fail(s,
			 "protocol error: a %s PDU with a %u byte data segment, more than our "
			 "MaxRecvDataSegmentLength %u",
			 iscsi_opcode_name(op), dlen, limit);
		return NULL;
	}
	if (s->state == INI_LOGIN) {
		if (op != ISCSI_OP_LOGIN_RSP) {
			ini_fail(s, "protocol error: a %s PDU (opcode 0x%02x) during login",
				 iscsi_opcode_name(op), op);
			return NULL;
		}
		return s->rx_scratch;
	}
	if (!known_target_op(op)) {
		ini_fail(s,
			 "protocol error: a PDU with opcode 0x%02x (%s), which a target does "
			 "not send",
			 op, iscsi_opcode_name(op));
		return NULL;
	}
	if (op == ISCSI_OP_R2T && dlen) {
		ini_fail(s, "protocol error: an R2T with a data segment");
		return NULL;
	}
	if (op == ISCSI_OP_DATA_IN)
		return datain_dest(s, (const struct iscsi_data *)hdr);
	return s->rx_scratch;
}

static void async_msg(struct ini_session *s, const struct iscsi_async *a, uint32_t len)
{
	ini_update_sn(s, ntohl(a->statsn), true, ntohl(a->expcmdsn), ntohl(a->maxcmdsn));
	switch (a->event) {
	case 0: /* a SCSI asynchronous event: sense data, nothing to do here */
		log_info("the target reported a SCSI asynchronous event (%u bytes)", len);
		break;
	case 1: /* the target asks us to log out: reconnect does the same job */
	case 2: /* it will drop the connection */
	case 3: /* it will drop the session */
		ini_conn_lost(s, "the target asked to end the connection (asynchronous event %u)",
			      a->event);
		break;
	default:
		log_debug("ignoring asynchronous event %u", a->event);
		break;
	}
}

void ini_rx_pdu(struct ini_session *s, const uint8_t *hdr, const uint8_t *data, uint32_t len)
{
	uint8_t op = iscsi_bhs_opcode(hdr);
	const struct iscsi_data *d = (const void *)hdr;

	s->last_rx_ms = now_ms();
	s->nop_pending = false; /* anything from the target shows the link is alive */
	if (s->state == INI_LOGIN) {
		ini_login_rsp(s, hdr, data, len);
		return;
	}
	switch (op) {
	case ISCSI_OP_DATA_IN:
		ini_update_sn(s, ntohl(d->statsn), (d->flags & ISCSI_DATAIN_STATUS) != 0,
			      ntohl(d->expcmdsn), ntohl(d->maxcmdsn));
		ini_datain_advance(&s->rx_task->in, d);
		if (d->flags & ISCSI_DATAIN_STATUS)
			ini_datain_done(s, s->rx_task, d);
		break;
	case ISCSI_OP_SCSI_RSP:
		ini_scsi_rsp(s, (const void *)hdr, data, len);
		break;
	case ISCSI_OP_R2T:
		ini_scsi_r2t(s, (const void *)hdr);
		break;
	case ISCSI_OP_NOP_IN:
		ini_nop_in(s, (const void *)hdr, data, len);
		break;
	case ISCSI_OP_ASYNC_MSG:
		async_msg(s, (const void *)hdr, len);
		break;
	case ISCSI_OP_REJECT:
		ini_fail(s, "the target rejected a %s PDU we sent (reason 0x%02x)",
			 len >= 1 ? iscsi_opcode_name(data[0]) : "(unknown)",
			 ((const struct iscsi_reject *)hdr)->reason);
		break;
	default:
		ini_ctl_rsp(s, hdr, data, len);
		break;
	}
	ini_kick(s);
}
